"""Attendees' data protection rights (PDPO / GDPR): a copy of their data, erasure, retention."""
