"""Activity: who did what to a series, when, with each edit's before and after."""
