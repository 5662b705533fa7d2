"""Conversations with citizens: each chat's dialogue state, the updates already handled, and feedback."""
