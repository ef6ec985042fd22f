"""The public programme: home and series pages."""
