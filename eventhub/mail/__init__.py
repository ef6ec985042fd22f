"""Mail delivery infrastructure: the outbox, delivery over SMTP, guards, the dev mailbox."""
