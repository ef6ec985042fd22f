"""Speakers: profiles they keep themselves, invitations, session roles."""
