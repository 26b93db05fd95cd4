"""The third-eye corpus (`python -m corpora thirdeye`): written by an evaluator who did not read the
other generators (see corpus.py)."""
