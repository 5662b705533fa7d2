"""The outbox: every message to a citizen, written with the change that causes it, sent by the dispatcher."""
