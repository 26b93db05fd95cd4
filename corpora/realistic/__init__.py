"""The realistic corpus (`python -m corpora realistic`): what a UK council really sends (see generate.py)."""
