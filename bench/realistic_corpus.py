"""Generate the realistic corpus: `.venv/bin/python bench/realistic_corpus.py [OUT_DIR] [--seed N]`.

The generator is the package bench/realistic/ (its __main__.py says what is written); this script
keeps the old command line working.
"""

from __future__ import annotations

import sys

from realistic.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
