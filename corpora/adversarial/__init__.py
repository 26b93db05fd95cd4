"""The red-team corpus (`python -m corpora redteam`): one module per group of families, built to
press on the matcher's wordings, containers, encodings and near misses (see generate.py)."""
