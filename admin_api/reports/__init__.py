"""Reports for the yearly review: counts, reply times and deadlines met, as JSON, CSV and XLSX.

Read-only queries over casework's tickets; they live beside the API because officials' reports
are its only reader. Move them to ``casework/reports`` if the bot or a job ever needs them.
"""
