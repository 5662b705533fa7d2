"""Working days in Vietnam: the `holidays` package plus the overrides officials maintain."""
