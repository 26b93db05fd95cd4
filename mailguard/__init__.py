"""mailguard: an outbound SMTP proxy filter for exposed recipients and protected addresses."""

__version__ = "0.1.0"
