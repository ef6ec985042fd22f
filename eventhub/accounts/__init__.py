"""Accounts: organisers and speakers, login, API tokens."""
