"""A labelled corpus with history for the misdirection guard (rules/cases.yaml).

Social workers at a council write about their cases to each case's outside contacts (parents,
police, health, schools, solicitors) over several weeks: that is the *history*, which
`mailguard learn` reads. Then come the *test* messages, checked with `mailguard check`:

- normal traffic: mail about a case to its known contacts, to a new colleague at a known
  organisation, internal-only mail, mail about no case, mail about cases with no history yet;
- misdirections: mail about case A to case B's family, to case B's professional at an
  organisation case A never wrote to, or to a stranger.

    python -m corpora.misdirection OUT [--cases 150] [--normal 1200] [--seed 7]
    python -m corpora.misdirection.score OUT      # learn + check, prints recall and false holds
"""

from corpora.misdirection.generate import Corpus, generate

__all__ = ["Corpus", "generate"]
