"""Email features above the domains they read: reminders, follow-ups, announcements."""
