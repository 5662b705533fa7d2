"""The audit trail: every write, and every read of a ticket's personal data."""
