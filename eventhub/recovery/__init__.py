"""Recovery: getting back into an account by email (password reset)."""
