"""Recaps: the "read more" article published after a session."""
