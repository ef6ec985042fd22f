"""What organisers see of how a series is doing: dashboard rows, charts, mail reports."""
