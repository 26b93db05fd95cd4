"""The affinity table: which outside recipients (and organisations) each case has had mail
delivered to, how often and when. Learning is a batched upsert; a lookup reads only the rows of
the message's cases that match its recipients (one indexed probe per case and recipient).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import permutations
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mailguard.quarantine.affinity import lookup
from mailguard.quarantine.affinity.keyring import AffinityKeyring
from mailguard.quarantine.schema import affinity_cases, affinity_links, affinity_recipients

if TYPE_CHECKING:
    from mailguard.quarantine.store import QuarantineStore


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivered message: its case keys (hashed) and external recipients -> organisation
    (the registrable domain; None for a consumer-mail person, who is a party alone)."""

    case_keys: tuple[str, ...]
    recipients: Mapping[str, str | None]
    at: float
    written: Mapping[str, str] = field(default_factory=dict)  # canonical -> as written, for reviewers


CaseHistory = lookup.History
MAX_LINKED = 10  # keys of one message linked pairwise (a list of 200 references links nothing more)


def _widen(totals: dict[Any, list[float]], key: Any, at: float) -> None:
    """One more message at `at`: count it and widen first/last seen."""
    found = totals.setdefault(key, [0, at, at])
    found[0] += 1
    found[1], found[2] = min(found[1], at), max(found[2], at)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class AffinityStore:
    def __init__(self, store: QuarantineStore, keyring: AffinityKeyring) -> None:
        self.store = store
        self.keyring = keyring
        self._reader = _sqlite_reader(store.engine)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()

    # --- learning -------------------------------------------------------------------------

    async def record(self, deliveries: Sequence[Delivery]) -> None:
        """Add delivered messages (one transaction). A message counts once per case however
        many recipients it had; each recipient counts once per message."""
        cases: dict[str, list[float]] = {}  # key -> [messages, first, last]
        links: dict[tuple[str, str], list[float]] = {}  # (key, linked key) -> [messages, first, last]
        pairs: dict[tuple[str, str], dict[str, Any]] = {}
        mac = self.keyring
        for delivery in deliveries:
            if not delivery.case_keys or not delivery.recipients:
                continue
            hashed = [
                (mac.recipient(r), mac.organisation(org) if org else None, delivery.written.get(r, r))
                for r, org in delivery.recipients.items()
            ]
            keys = list(dict.fromkeys(delivery.case_keys))
            for pair_of_keys in permutations(keys[:MAX_LINKED], 2):  # named together: one case
                _widen(links, pair_of_keys, delivery.at)
            for key in keys:
                _widen(cases, key, delivery.at)
                for rhash, ohash, address in hashed:
                    pair = pairs.get((key, rhash))
                    if pair is None:
                        pairs[(key, rhash)] = {
                            "case_key": key,
                            "recipient": rhash,
                            "organisation": ohash,
                            "sealed": address,  # sealed below, once per pair
                            "messages": 1,
                            "first_seen": delivery.at,
                            "last_seen": delivery.at,
                        }
                    else:
                        pair["messages"] += 1
                        pair["first_seen"] = min(pair["first_seen"], delivery.at)
                        pair["last_seen"] = max(pair["last_seen"], delivery.at)
        if not cases:
            return
        case_rows = [
            {"case_key": k, "messages": int(n), "first_seen": f, "last_seen": last} for k, (n, f, last) in cases.items()
        ]
        pair_rows = [{**p, "sealed": mac.seal(p["sealed"])} for p in pairs.values()]
        link_rows = [
            {"case_key": k, "linked_key": other, "messages": int(n), "first_seen": f, "last_seen": last}
            for (k, other), (n, f, last) in links.items()
        ]
        async with self.store.transaction(write=True) as conn:
            for chunk in _chunks(case_rows, 500):
                await conn.execute(_upsert(conn, affinity_cases, ["case_key"], ()), list(chunk))
            for chunk in _chunks(link_rows, 500):
                await conn.execute(_upsert(conn, affinity_links, ["case_key", "linked_key"], ()), list(chunk))
            for chunk in _chunks(pair_rows, 500):
                await conn.execute(
                    _upsert(conn, affinity_recipients, ["case_key", "recipient"], ("organisation", "sealed")),
                    list(chunk),
                )

    # --- lookup ---------------------------------------------------------------------------

    async def examine(self, case_keys: Sequence[str], recipients: Mapping[str, str | None]) -> dict[str, CaseHistory]:
        """The history of each case the store knows, with which of `recipients` (canonical ->
        organisation) and of their organisations it already has; for a case some recipient is
        new to, how many recipients it has had and a reviewer's sample of them."""
        if not case_keys:
            return {}

        def run(sync: Connection) -> dict[str, CaseHistory]:
            def rows(sql: str, params: Sequence[object]) -> Sequence[Sequence[object]]:
                return sync.exec_driver_sql(sql, tuple(params)).fetchall()

            return lookup.examine(rows, sync.dialect.paramstyle, self.keyring, case_keys, recipients)

        async with self.store.transaction(write=False) as conn:
            return await conn.run_sync(run)

    @property
    def answers_in_thread(self) -> bool:
        return self._reader is not None

    def examine_here(
        self, case_keys: Sequence[str], recipients: Mapping[str, str | None]
    ) -> dict[str, CaseHistory] | None:
        """`examine` in the calling thread on SQLite (no hop to the event loop and the async
        driver's thread); None on PostgreSQL: use `examine`."""
        if self._reader is None:
            return None
        if not case_keys:
            return {}
        return self._reader.examine(self.keyring, case_keys, recipients)

    # --- housekeeping ---------------------------------------------------------------------

    async def purge(self, older_than: float) -> int:
        """Forget pairs and cases not seen since `older_than` (retention); rows removed."""
        async with self.store.transaction(write=True) as conn:
            removed = [
                await conn.execute(table.delete().where(table.c.last_seen < older_than))
                for table in (affinity_recipients, affinity_links, affinity_cases)
            ]
        return sum(int(result.rowcount or 0) for result in removed)

    async def count_cases(self) -> int:
        async with self.store.transaction(write=False) as conn:
            return int((await conn.execute(sa.select(sa.func.count()).select_from(affinity_cases))).scalar() or 0)


def _sqlite_reader(engine: AsyncEngine) -> lookup.SqliteReader | None:
    """Read-only connections to the same SQLite file for the scan threads; None for PostgreSQL."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    return lookup.SqliteReader(engine.url.database)


def _upsert(conn: AsyncConnection, table: sa.Table, keys: list[str], keep: Sequence[str]) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE adding the counts and widening first/last seen."""
    sqlite_dialect = conn.dialect.name == "sqlite"
    stmt = (sqlite.insert if sqlite_dialect else postgresql.insert)(table)
    lower, upper = (sa.func.min, sa.func.max) if sqlite_dialect else (sa.func.least, sa.func.greatest)
    new = stmt.excluded
    values: dict[str, Any] = {
        "messages": table.c.messages + new.messages,
        "first_seen": lower(table.c.first_seen, new.first_seen),
        "last_seen": upper(table.c.last_seen, new.last_seen),
    }
    for name in keep:  # the newest organisation and sealing win (a re-keyed secret heals)
        values[name] = new[name]
    return stmt.on_conflict_do_update(index_elements=keys, set_=values)
