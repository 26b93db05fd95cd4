"""Third-eye corpus: an independent generator of labelled outbound mail (see bench/thirdeye_corpus.py).

Shared message and document builders live in tests/support/mailbuilders.py; tests/ is appended to
sys.path here (not prepended, so no tests package can shadow a bench one), as bench/redteam does.
"""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[2] / "tests")
if _TESTS not in sys.path:
    sys.path.append(_TESTS)
