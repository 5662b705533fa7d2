"""Idempotency keys: a retried API write acts once and gets the first answer back."""
