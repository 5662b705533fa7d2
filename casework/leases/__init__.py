"""Leases: one process of a deployment at a time does a job (send for a channel, poll a platform)."""
