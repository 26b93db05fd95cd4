"""The fifth corpus (`python -m corpora fifth`): surfaces, wordings, recipient aliases and near
misses of the detection issues, written without reading the matcher (see generate.py). Its
grammar (grammar.py) and carriers (carriers.py) also drive the property tests in
tests/detect/properties."""
