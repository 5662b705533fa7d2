"""Tickets: what citizens report, its thread, its lifecycle and its deadline."""
