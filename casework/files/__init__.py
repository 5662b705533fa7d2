"""Files citizens send through the web chat: sniffed by their bytes, kept on disk by their SHA-256.

Telegram and Zalo keep a citizen's photo or voice note themselves and give the bot an id (or a
URL) for it; the web chat has no platform behind it, so its uploads are kept here, under
``<CAUNOI_DATA_DIR>/uploads/``. A ticket's attachment names such a file ``web:<sha256>.<ext>``.

- ``formats``: what a file is, from its first bytes (never the client's type or name).
- ``storage``: ``stage``/``store``/``open_stored`` on a directory, no database.
- ``service``: whether an upload was kept by the dialogue (so an unwanted one is not), and an
  official's download of a ticket's attachment (scope, confidentiality, audit).

Errors, drawn below ``casework.errors``' tree::

    ValidationFailed
    ├── UnsupportedFile     not one of the photo or audio formats we accept (the edge answers 415)
    └── FileTooLarge        over ``MAX_FILE_BYTES`` (413)
    NotFound
    ├── NotStored           no such stored file (a ref that is not ours, or a file gone from disk)
    └── KeptOnPlatform      the attachment is a Telegram or Zalo file: the platform keeps it

Erasure: when a citizen erases their data (``casework.conversations.service.erase_chat``) the
files attached to their tickets stay, as the tickets' text does: they are the agency's record,
no longer linked to the chat. A file attached only to an unfinished report (a draft in the
conversation's state) is no longer referenced once the draft goes; such files are not yet
swept from disk.
"""
