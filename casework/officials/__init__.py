"""Officials, their roles and units, API tokens and login rate limiting."""
