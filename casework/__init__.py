"""Persistent state shared by both sides: conversations, tickets, outbox (SQLAlchemy)."""
