"""Legal deadlines: a configurable rule table per ticket kind (and topic), computed on working days."""
