"""Registration: seats, waitlist, approvals, manage links, attendance."""
