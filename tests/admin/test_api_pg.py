"""The API's list, detail and a decision once against PostgreSQL, in a private database that
the quarantine tests' `pg_database` fixture creates and drops. Unreachable PostgreSQL skips,
or fails when MAILGUARD_TEST_REQUIRE_PG=1."""

from __future__ import annotations

from pathlib import Path

import pytest
from quarantine.conftest import pg_database  # noqa: F401 - the fixture, shared with the store's tests

from mailguard.quarantine import QuarantineStore
from mailguard.runtime import Runtime

from .conftest import ADMIN, MATCH, REVIEWER, asgi_client, bearer, hold, make_settings

pytestmark = pytest.mark.postgres


async def test_list_detail_and_release_on_postgresql(pg_database: str, tmp_path: Path) -> None:  # noqa: F811
    settings = make_settings(tmp_path, database_url=pg_database)
    store = await QuarantineStore.open(settings)
    try:
        item = await hold(store, subject="On PostgreSQL <b>")
        async with asgi_client(Runtime(settings, store=store)) as c:
            listed = await c.get("/api/quarantine?q=postgresql&rule=protected-address", headers=bearer(ADMIN))
            assert listed.status_code == 200
            assert [(i["id"], i["subject"]) for i in listed.json()["items"]] == [(item, "On PostgreSQL <b>")]
            detail = (await c.get(f"/api/quarantine/{item.lower()}", headers=bearer(ADMIN))).json()
            assert detail["id"] == item and detail["snippets"][0]["match"] == MATCH
            assert (await c.get("/api/quarantine/QNOSUCHITEM00", headers=bearer(ADMIN))).status_code == 404
            body = {"comment": "ok", "mode": "as_is"}
            url = f"/api/quarantine/{item}/release"
            assert (await c.post(url, json=body, headers=bearer(REVIEWER))).status_code == 200
            assert (await c.post(url, json=body, headers=bearer(REVIEWER))).status_code == 409
            assert (await c.get("/readyz")).json()["checks"]["store"] == "ok"
    finally:
        await store.aclose()
