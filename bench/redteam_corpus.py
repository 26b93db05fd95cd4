"""Generate the red-team corpus: `.venv/bin/python bench/redteam_corpus.py [OUT_DIR]`.

The generator is the package bench/redteam/ (its __main__.py says what is written); this script
keeps the old command line working.
"""

from __future__ import annotations

import sys

from redteam.__main__ import main

if __name__ == "__main__":
    sys.exit(main(sys.argv))
