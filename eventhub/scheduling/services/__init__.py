"""Scheduling's changes: series (create, edit, duplicate, delete) and sessions (create, edit,
delete drafts). Status changes (publish, reschedule, cancel, end) live in lifecycle."""
