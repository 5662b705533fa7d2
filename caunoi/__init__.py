"""Composition root: settings, the ``caunoi`` command, and the runner."""
