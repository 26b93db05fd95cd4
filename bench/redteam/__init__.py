"""The red-team corpus generator, one module per group of families (see __main__.py).

The message and document builders the tests also use live in tests/support/mailbuilders.py;
tests/ is put on sys.path here, as the other bench scripts do for `support`. It is appended, not
prepended, so that tests/redteam (also a package called `redteam`) cannot shadow this one.
"""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[2] / "tests")
if _TESTS not in sys.path:
    sys.path.append(_TESTS)
