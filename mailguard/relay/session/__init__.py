"""Per-session SMTP hooks (`handler`) and the end-of-data dispositions (`finish`)."""
