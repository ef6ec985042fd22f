"""Scheduling: series, their sessions (webinars) and the public programme."""
