"""aiosmtpd's per-class set-up computed once (relay/class_tables.py) and the plain MAIL/RCPT path
read without the email parser (RelaySMTP._getaddr): both give exactly aiosmtpd's answers."""

from __future__ import annotations

import asyncio
import inspect
import re

import aiosmtpd.smtp
from aiosmtpd.smtp import SMTP
from hypothesis import given
from hypothesis import strategies as st

from mailguard.relay import class_tables
from mailguard.relay.smtp import RelaySMTP


def test_aiosmtpd_uses_inspect_only_for_what_is_cached() -> None:
    source = inspect.getsource(aiosmtpd.smtp)
    assert set(re.findall(r"\binspect\.(\w+)", source)) == {"getmembers", "signature"}
    # and reads only the auth_ members out of getmembers
    assert re.search(r"inspect\.getmembers\(obj\)\s*\n\s*if mname\.startswith\(\"auth_\"\)", source)


class _Handler:
    async def handle_EHLO(
        self, server: object, session: object, envelope: object, hostname: str, responses: list[str]
    ) -> list[str]:
        return responses

    async def auth_CUSTOM(self, server: object, args: list[str]) -> object:
        return None


def _tables(smtp: SMTP) -> tuple[object, ...]:
    auth = {name: (m.method.__func__, m.is_builtin) for name, m in smtp._auth_methods.items()}  # type: ignore[attr-defined]
    return auth, smtp._ehlo_hook_ver, sorted(smtp._smtp_methods), sorted(smtp._handle_hooks)  # type: ignore[attr-defined]


async def test_cached_tables_equal_aiosmtpd_own() -> None:
    loop = asyncio.get_running_loop()
    class_tables.install()
    cached = [_tables(SMTP(_Handler(), loop=loop)) for _ in range(3)]
    aiosmtpd.smtp.inspect = inspect  # type: ignore[attr-defined]
    try:
        own = _tables(SMTP(_Handler(), loop=loop))
    finally:
        class_tables.install()
    assert cached == [own] * 3
    assert "CUSTOM" in own[0] and "PLAIN" in own[0]


_ATOM = st.text(alphabet="abcXYZ019!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=6)
_LABEL = st.text(alphabet="abcZ09-", min_size=1, max_size=6)
_PATH = st.builds(
    lambda local, domain: ".".join(local) + "@" + ".".join(domain),
    st.lists(_ATOM, min_size=1, max_size=3),
    st.lists(_LABEL, min_size=1, max_size=3),
)
_ANY = st.text(alphabet='<>@."\\ ()[]:;,aZ0-=\t', max_size=20)


@given(
    st.one_of(
        st.builds(
            lambda p, rest: f"<{p}>{rest}",
            _PATH,
            st.sampled_from(["", " SIZE=100", " BODY=8BITMIME SMTPUTF8", "x", "  ", ">", " (c) X=1", "\tA  ", " \t(x"]),
        ),
        _ANY,
        st.builds(lambda p, junk: f"<{p}{junk}>", _PATH, _ANY),
    ),
    st.sampled_from([0, 3, 64]),
)
def test_getaddr_is_aiosmtpd_reading(arg: str, limit: int) -> None:
    ours = RelaySMTP.__new__(RelaySMTP)
    theirs = SMTP.__new__(SMTP)
    ours.local_part_limit = theirs.local_part_limit = limit
    assert _outcome(ours, arg) == _outcome(theirs, arg)


def _outcome(smtp: SMTP, arg: str) -> object:
    try:
        return smtp._getaddr(arg)
    except Exception as exc:  # aiosmtpd's parser raises on some inputs (IndexError on '"'): so must we
        return type(exc)
