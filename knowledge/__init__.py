"""The FAQ files and the engine that finds answers in them. No database, no network."""
