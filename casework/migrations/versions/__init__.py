"""Alembic revision files (loaded by path; this file only makes the folder a package for type checking)."""
