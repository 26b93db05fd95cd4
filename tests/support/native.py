"""The register's compiled parts (`_native.c`, its hashing; `_words.c`, the trigger pass's word
finder; `_record.c`, its row decoder): `pip install` builds them where a C compiler, Python's
headers and OpenSSL's headers are (Debian: gcc python3-dev libssl-dev). Tests that compare them
with the Python fallback skip where they were not built, or fail when
MAILGUARD_TEST_REQUIRE_NATIVE=1 (CI, which installs those packages: a silently failed build
would ship a slower relay, not a red test)."""

from __future__ import annotations

import os

import pytest

from mailguard.detect.register import index, keys, triggers

REQUIRE_NATIVE = os.environ.get("MAILGUARD_TEST_REQUIRE_NATIVE") == "1"


def need_native() -> None:
    """Skip (or, in CI, fail) the calling test unless the compiled parts were built."""
    built = {"_native": keys.Hasher is not None, "_words": triggers.WordSet.built, "_record": index._record is not None}
    missing = [name for name, ok in built.items() if not ok]
    if missing:
        message = f"mailguard.detect.register: {', '.join(missing)} not built (needs gcc, python3-dev, libssl-dev)"
        if REQUIRE_NATIVE:
            pytest.fail(message)
        pytest.skip(message)
