"""aiosmtpd's per-connection set-up, computed once per class instead of once per connection.

`aiosmtpd.smtp.SMTP.__init__` builds its AUTH table with `inspect.getmembers` over the protocol
and the handler (every attribute of both, properties evaluated) and reads the EHLO hook's
signature: about 0.6 ms of the 1 ms a new connection cost on the 2-core machine, for answers
that depend only on the two classes. aiosmtpd uses `inspect` for nothing else (the test
tests/relay/test_class_tables.py checks both, and that the tables come out the same).

`install()` gives aiosmtpd's module a view of `inspect` that answers those two calls from a
per-class cache and passes everything else to the real module.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import aiosmtpd.smtp

_PREFIX = "auth_"  # aiosmtpd keeps only the members whose names start with this


class _CachedInspect:
    def __init__(self) -> None:
        self._names: dict[type, tuple[str, ...]] = {}
        self._signatures: dict[tuple[Callable[..., Any], bool], inspect.Signature] = {}

    def getmembers(self, obj: object) -> list[tuple[str, Any]]:
        """The `auth_*` members of `obj` (all aiosmtpd reads), names looked up once per class;
        a per-instance attribute of that name, never seen in practice, is read as well."""
        names = self._names.get(type(obj))
        if names is None:
            names = tuple(name for name, _ in inspect.getmembers(obj) if name.startswith(_PREFIX))
            self._names[type(obj)] = names
        extra = [n for n in getattr(obj, "__dict__", {}) if n.startswith(_PREFIX) and n not in names]
        return [(name, getattr(obj, name)) for name in sorted((*names, *extra))]

    def signature(self, function: Callable[..., Any]) -> inspect.Signature:
        # a bound method is new per handler; its function and boundness are what the answer depends on
        key = (getattr(function, "__func__", function), hasattr(function, "__self__"))
        found = self._signatures.get(key)
        if found is None:
            found = self._signatures[key] = inspect.signature(function)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(inspect, name)


def install() -> None:
    if not isinstance(aiosmtpd.smtp.inspect, _CachedInspect):
        aiosmtpd.smtp.inspect = _CachedInspect()  # type: ignore[attr-defined]
