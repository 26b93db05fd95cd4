"""The register's compiled hashing (`_native.c`): `pip install` builds it where a C compiler,
Python's headers and OpenSSL's headers are (Debian: gcc python3-dev libssl-dev). Tests that
compare it with the Python fallback skip where it was not built, or fail when
MAILGUARD_TEST_REQUIRE_NATIVE=1 (CI, which installs those packages: a silently failed build
would ship a relay ten times slower per hash, not a red test)."""

from __future__ import annotations

import os

import pytest

from mailguard.detect.register import keys

REQUIRE_NATIVE = os.environ.get("MAILGUARD_TEST_REQUIRE_NATIVE") == "1"


def need_native() -> None:
    """Skip (or, in CI, fail) the calling test unless `_native` was built."""
    if keys.Hasher is None:
        message = "mailguard.detect.register._native was not built (needs gcc, python3-dev, libssl-dev)"
        if REQUIRE_NATIVE:
            pytest.fail(message)
        pytest.skip(message)
