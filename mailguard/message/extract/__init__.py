"""Format extractors, one module per family, behind `extract_content` (content.py).

Kept import-light: `limits` is imported by the relay and policy, which must not pay for
pypdf and lxml; the extractors load when a message is first extracted."""
