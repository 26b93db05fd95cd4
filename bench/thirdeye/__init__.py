"""Third-eye corpus: an independent generator of labelled outbound mail (see bench/thirdeye_corpus.py)."""
