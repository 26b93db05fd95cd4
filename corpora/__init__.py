"""Labelled corpora of outbound council mail, in the format of ../shared/corpus (register.csv,
settings.env, messages/*.eml, expected.jsonl), for scoring `mailguard check --manifest`.

    python -m corpora                   lists the corpora
    python -m corpora NAME --out DIR    writes one

Each generator was written to find the others' blind spots, so they share only data (uk.py) and
builders (builders.py), never wordings, near misses or labelling logic.
"""
