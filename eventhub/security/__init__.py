"""Account security pages: the second factor and personal access tokens in the browser."""
