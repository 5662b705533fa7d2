"""The officials' side over HTTP: the versioned JSON API under ``/api/v1`` (the web console comes later).

``router`` gathers ``routes/*`` (thin: parse, call one casework function, answer) and checks that
each declares its permission; ``deps`` owns the transaction and the bearer token; ``errors`` turns
every error into ``{"error": code, "detail": …}``; ``idempotency`` replays retried writes;
``context`` is what the composition root (``caunoi.app``) hands in: the database and the rules.
"""
