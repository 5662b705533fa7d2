"""Subscriptions: chats that agreed to receive announcements for a commune and some topics."""
