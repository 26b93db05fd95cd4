"""The next hop: one SMTP client (aiosmtplib) with its connection pool, used by the relay's
lockstep transactions and by the quarantine outbox. Knows no SMTP server session and no store."""
