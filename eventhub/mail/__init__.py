"""Mail: the outbox, delivery over SMTP, reminders, follow-ups, unsubscribes."""
