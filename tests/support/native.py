"""The register's compiled module (`_native`: its hashing, the trigger pass's word finder, its row
decoder): `pip install` builds it where a C compiler, Python's headers and OpenSSL's headers are
(Debian: gcc python3-dev libssl-dev). Tests that compare it with the Python fallbacks skip where
it was not built, or fail when MAILGUARD_TEST_REQUIRE_NATIVE=1 (CI, which installs those
packages: a silently failed build would ship a slower relay, not a red test)."""

from __future__ import annotations

import os

import pytest

from mailguard.detect.register import index, keys, triggers

REQUIRE_NATIVE = os.environ.get("MAILGUARD_TEST_REQUIRE_NATIVE") == "1"


def need_native() -> None:
    """Skip (or, in CI, fail) the calling test unless the compiled module was built."""
    if keys.Hasher is None or not triggers.WordSet.built or index.Records is None:
        message = "mailguard.detect.register._native was not built (needs gcc, python3-dev, libssl-dev)"
        if REQUIRE_NATIVE:
            pytest.fail(message)
        pytest.skip(message)
