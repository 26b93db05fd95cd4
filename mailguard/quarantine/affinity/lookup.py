"""The lookup on the scan's path, in plain SQL: building a SQLAlchemy statement costs more than
the indexed query itself. Per message: the cases linked to its cases (named together in earlier
mail), then one joined query (a probe per case, and per case and recipient through the primary
key); a case of the message some recipient is new to also reads its recipient count and a
reviewer's sample. Histories of linked cases come back too: their recipients are known.

On SQLite the scan thread queries through its own read-only `sqlite3` connections (WAL: readers
never wait for the writer); on PostgreSQL the same SQL runs on the store's pool.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from urllib.parse import quote

from mailguard.quarantine.affinity.keyring import AffinityKeyring

REVIEWER_SAMPLE = 10  # earlier recipients a reviewer is shown per case
IDLE_READERS = 8
MAX_LINKS = 100  # linked cases read per message

Run = Callable[[str, Sequence[object]], Sequence[Sequence[object]]]  # SQL, parameters -> rows


class History:
    """What the store knows about one case, as far as one message's recipients are concerned."""

    __slots__ = ("first_seen", "known", "known_organisations", "last_seen", "messages", "other_count", "others")

    def __init__(self, messages: int, first_seen: float, last_seen: float) -> None:
        self.messages, self.first_seen, self.last_seen = messages, first_seen, last_seen
        self.known: set[str] = set()  # the message's recipients already in the set
        self.known_organisations: set[str] = set()  # their organisations in the set
        self.others: list[str] = []  # the case's recipients, most frequent first: reviewers only
        self.other_count = 0  # all recipients the case has had (read when a recipient is new)

    def days(self) -> float:
        return max(0.0, self.last_seen - self.first_seen) / 86400


def _marks(style: str, start: int, count: int) -> str:
    if style == "qmark":
        return ", ".join("?" * count)
    if style == "numeric_dollar":
        return ", ".join(f"${n}" for n in range(start + 1, start + count + 1))
    return ", ".join(["%s"] * count)  # format / pyformat drivers


def examine(
    run: Run, style: str, keyring: AffinityKeyring, case_keys: Sequence[str], recipients: Mapping[str, str | None]
) -> dict[str, History]:
    own = list(dict.fromkeys(case_keys))
    keys = own + _linked(run, style, own)
    by_hash = {keyring.recipient(r): r for r in recipients}
    by_org = {keyring.organisation(o): o for o in recipients.values() if o}
    params: list[object] = [*by_hash]
    match = f"r.recipient IN ({_marks(style, 0, len(by_hash))})" if by_hash else "0 = 1"
    if by_org:
        match = f"({match} OR r.organisation IN ({_marks(style, len(params), len(by_org))}))"
        params += list(by_org)
    sql = (
        "SELECT c.case_key, c.messages, c.first_seen, c.last_seen, r.recipient, r.organisation "
        "FROM affinity_cases c LEFT JOIN affinity_recipients r ON r.case_key = c.case_key AND "
        f"{match} WHERE c.case_key IN ({_marks(style, len(params), len(keys))})"
    )
    out: dict[str, History] = {}
    for key, messages, first, last, recipient, organisation in run(sql, [*params, *keys]):
        history = out.get(str(key))
        if history is None:
            history = out[str(key)] = History(int(messages), float(first), float(last))  # type: ignore[arg-type]
        if recipient in by_hash:
            history.known.add(by_hash[str(recipient)])
        if organisation in by_org:
            history.known_organisations.add(by_org[str(organisation)])
    for key in own:
        history = out.get(key)
        if history is not None and any(
            r not in history.known and org not in history.known_organisations for r, org in recipients.items()
        ):
            _sample(run, style, keyring, key, history)
    return out


def _linked(run: Run, style: str, keys: list[str]) -> list[str]:
    """Cases named together with these in earlier delivered mail (their recipients are known)."""
    rows = run(
        f"SELECT linked_key FROM affinity_links WHERE case_key IN ({_marks(style, 0, len(keys))}) LIMIT {MAX_LINKS}",
        keys,
    )
    return [k for k in dict.fromkeys(str(row[0]) for row in rows) if k not in keys]


def _sample(run: Run, style: str, keyring: AffinityKeyring, key: str, history: History) -> None:
    mark = _marks(style, 0, 1)
    history.other_count = int(run(f"SELECT count(*) FROM affinity_recipients WHERE case_key = {mark}", [key])[0][0])  # type: ignore[call-overload]
    rows = run(
        f"SELECT sealed FROM affinity_recipients WHERE case_key = {mark} "
        f"ORDER BY messages DESC, last_seen DESC LIMIT {REVIEWER_SAMPLE}",
        [key],
    )
    history.others = [a for (token, *_) in rows if (a := keyring.unseal(str(token))) is not None]


class SqliteReader:
    """Read-only `sqlite3` connections to the store's file, for the scan threads."""

    def __init__(self, path: str) -> None:
        self._uri = f"file:{quote(path)}?mode=ro"  # quoted: a path may hold ? or #
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = sqlite3.connect(self._uri, uri=True, timeout=10, check_same_thread=False)
        try:
            yield conn
        except sqlite3.Error:
            conn.close()
            raise
        else:
            with self._lock:
                if len(self._idle) < IDLE_READERS:
                    self._idle.append(conn)
                    return
            conn.close()

    def examine(
        self, keyring: AffinityKeyring, case_keys: Sequence[str], recipients: Mapping[str, str | None]
    ) -> dict[str, History]:
        with self.connection() as conn:
            return examine(
                lambda sql, params: conn.execute(sql, params).fetchall(), "qmark", keyring, case_keys, recipients
            )

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
