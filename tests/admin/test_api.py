"""The JSON API against the real SQLite store: tokens and roles, list/detail/raw, release,
reject, two-person release, audit, health and readiness."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from mailguard.quarantine import QuarantineStore
from mailguard.quarantine.database import create_engine
from mailguard.runtime import Runtime
from mailguard.settings import Settings

from .conftest import (
    ADMIN,
    MATCH,
    REVIEWER,
    REVIEWER2,
    VIEWER,
    asgi_client,
    bearer,
    closed_port,
    hold,
    make_settings,
)

ID = "QAAAAAAAAAAAA"
ROUTES = [  # every API route, with a body where it takes one
    ("GET", "/api/quarantine", None),
    ("GET", f"/api/quarantine/{ID}", None),
    ("GET", f"/api/quarantine/{ID}/raw", None),
    ("POST", f"/api/quarantine/{ID}/release", {"comment": "", "mode": "as_is"}),
    ("POST", f"/api/quarantine/{ID}/reject", {"comment": "", "notify_sender": True}),
    ("GET", "/api/audit", None),
]
SUMMARY_KEYS = ("id", "message_id", "mail_from", "rcpt", "subject", "received_at", "status", "reasons")
WRONG = [
    {},
    bearer("not-a-token"),
    bearer(ADMIN + "x"),
    bearer(ADMIN[:-1]),
    {"Authorization": ADMIN},  # no scheme
    {"Authorization": f"Basic {ADMIN}"},
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_every_route_refuses_a_missing_or_wrong_token(
    client: httpx.AsyncClient, method: str, path: str, body: object
) -> None:
    for headers in WRONG:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json() == {"detail": "missing or invalid token"}


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_no_token_configured_refuses_everything(
    tmp_path: Path, store: QuarantineStore, method: str, path: str, body: object
) -> None:
    bare = Settings(data_dir=tmp_path, upstream_port=1)
    async with asgi_client(Runtime(bare, store=store)) as c:
        for headers in [{}, bearer(""), bearer("None"), bearer(ADMIN)]:
            response = await c.request(method, path, json=body, headers=headers)
            assert response.status_code == 401


async def test_a_viewer_reads_but_may_not_decide(client: httpx.AsyncClient, store: QuarantineStore) -> None:
    item = await hold(store)
    assert (await client.get("/api/quarantine", headers=bearer(VIEWER))).status_code == 200
    assert (await client.get(f"/api/quarantine/{item}", headers=bearer(VIEWER))).status_code == 200
    assert (await client.get(f"/api/quarantine/{item}/raw", headers=bearer(VIEWER))).status_code == 200
    assert (await client.get("/api/audit", headers=bearer(VIEWER))).status_code == 200
    for action in ("release", "reject"):
        response = await client.post(f"/api/quarantine/{item}/{action}", json={}, headers=bearer(VIEWER))
        assert response.status_code == 403
        assert response.json() == {"detail": "this token's role may not do that"}
    assert (await store.get_item(item))["status"] == "held"  # type: ignore[index]


async def test_list_detail_and_raw(client: httpx.AsyncClient, store: QuarantineStore) -> None:
    first = await hold(store, subject="First")
    second = await hold(store, subject="Second")
    response = await client.get("/api/quarantine?status=held&limit=1&offset=0", headers=bearer(ADMIN))
    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 2 and len(page["items"]) == 1
    item = page["items"][0]
    assert {"id", "message_id", "mail_from", "rcpt", "subject", "received_at", "status", "reasons"} <= set(
        item
    )
    assert item["id"] in (first, second) and item["status"] == "held"
    assert item["rcpt"] == ["ex.partner@gmail.com"]
    assert item["reasons"][0]["rule"] == "protected-address"

    by_rule = await client.get("/api/quarantine?rule=protected-address&q=second", headers=bearer(ADMIN))
    assert [i["id"] for i in by_rule.json()["items"]] == [second]
    assert (await client.get("/api/quarantine?status=released", headers=bearer(ADMIN))).json()["total"] == 0

    detail = (await client.get(f"/api/quarantine/{first}", headers=bearer(ADMIN))).json()
    assert detail["subject"] == "First"
    assert detail["snippets"][0]["match"] == MATCH and detail["snippets"][0]["where"] == "body"
    assert detail["attachments"] == [
        {
            "filename": "assessment.pdf",
            "content_type": "application/pdf",
            "size": 13,
            "where": "assessment.pdf",
        }
    ]
    assert detail["reasons"][0]["register_id"] == "P000123"
    assert [e["action"] for e in detail["audit"]] == ["hold"]

    raw = await client.get(f"/api/quarantine/{first}/raw", headers=bearer(ADMIN))
    assert raw.status_code == 200
    assert raw.headers["content-type"] == "message/rfc822"
    assert raw.content == await store.raw(first) and b"Subject: First" in raw.content


async def test_unknown_ids_and_bad_parameters(client: httpx.AsyncClient) -> None:
    for path in (f"/api/quarantine/{ID}", f"/api/quarantine/{ID}/raw"):
        assert (await client.get(path, headers=bearer(ADMIN))).status_code == 404
    for action in ("release", "reject"):
        response = await client.post(f"/api/quarantine/{ID}/{action}", json={}, headers=bearer(ADMIN))
        assert response.status_code == 404
    for query in ("status=bogus", "limit=0", "limit=100000", "offset=-1", "q=%00"):
        assert (await client.get(f"/api/quarantine?{query}", headers=bearer(ADMIN))).status_code == 422
    for body in ({"mode": "loud"}, {"comment": "x" * 2001}, {"comment": "a\x00b"}, {"extra": 1}):
        response = await client.post(f"/api/quarantine/{ID}/release", json=body, headers=bearer(ADMIN))
        assert response.status_code == 422
    assert (await client.get("/api/quarantine/bad%20id", headers=bearer(ADMIN))).status_code == 422


async def test_release_then_409(client: httpx.AsyncClient, store: QuarantineStore) -> None:
    item = await hold(store)
    body = {"comment": "checked with the family worker", "mode": "as_is"}
    response = await client.post(f"/api/quarantine/{item}/release", json=body, headers=bearer(REVIEWER))
    assert response.status_code == 200
    assert response.json()["status"] == "released"
    again = await client.post(f"/api/quarantine/{item}/release", json=body, headers=bearer(REVIEWER))
    assert again.status_code == 409
    rejected = await client.post(f"/api/quarantine/{item}/reject", json={}, headers=bearer(ADMIN))
    assert rejected.status_code == 409

    audit = (await client.get(f"/api/audit?item_id={item}", headers=bearer(VIEWER))).json()
    release = next(e for e in audit["items"] if e["action"] == "release")
    assert release["actor"] == "api:rita"
    assert release["comment"] == "mode as_is; checked with the family worker"  # the mode, then why
    assert release["item_id"] == item and release["at"]


async def test_reject_with_and_without_notice(client: httpx.AsyncClient, store: QuarantineStore) -> None:
    quiet, loud = await hold(store), await hold(store)
    body = {"comment": "wrong family", "notify_sender": False}
    response = await client.post(f"/api/quarantine/{quiet}/reject", json=body, headers=bearer(REVIEWER))
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    response = await client.post(f"/api/quarantine/{loud}/reject", json={}, headers=bearer(ADMIN))
    assert response.status_code == 200
    assert (
        await client.post(f"/api/quarantine/{loud}/reject", json={}, headers=bearer(ADMIN))
    ).status_code == 409
    listed = (await client.get("/api/quarantine?status=rejected", headers=bearer(VIEWER))).json()
    assert {i["id"] for i in listed["items"]} == {quiet, loud}
    entries = (await client.get("/api/audit?limit=50", headers=bearer(VIEWER))).json()
    rejects = [e for e in entries["items"] if e["action"] == "reject"]
    assert {(e["item_id"], e["actor"], e["comment"]) for e in rejects} == {
        (quiet, "api:rita", "wrong family"),
        (loud, "api:admin", ""),
    }


async def test_two_person_release(tmp_path: Path, store: QuarantineStore) -> None:
    settings = make_settings(tmp_path, two_person_release=True)
    item = await hold(store)
    async with asgi_client(Runtime(settings, store=store)) as c:
        url = f"/api/quarantine/{item}/release"
        first = await c.post(url, json={"comment": "ok by me", "mode": "as_is"}, headers=bearer(REVIEWER))
        assert first.status_code == 200
        assert first.json()["status"] == "held"
        assert first.json()["pending_confirmation"]["actor"] == "api:rita"
        same = await c.post(url, json={}, headers=bearer(REVIEWER))
        assert same.status_code == 409 and "different reviewer" in same.json()["detail"]
        second = await c.post(url, json={"comment": "confirmed"}, headers=bearer(REVIEWER2))
        assert second.status_code == 200 and second.json()["status"] == "released"
    actions = [(e["action"], e["actor"]) for e in (await store.get_item(item))["audit"]]  # type: ignore[index]
    assert actions == [("hold", "relay"), ("release_requested", "api:rita"), ("release", "api:rob")]


async def test_store_missing_answers_503(settings: Settings) -> None:
    async with asgi_client(Runtime(settings)) as c:
        assert (await c.get("/api/quarantine", headers=bearer(ADMIN))).status_code == 503
        assert (await c.get("/api/quarantine", headers=bearer("wrong"))).status_code == 401
        ready = await c.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["store"] == "not configured"


async def test_health_readiness_and_metrics_need_no_token(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    not_ready = await client.get("/readyz")  # the upstream port is closed
    assert not_ready.status_code == 503
    assert not_ready.json() == {"status": "not ready", "checks": {"store": "ok", "upstream": "failed"}}
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    assert 'mailguard_quarantine_messages{status="held"}' in metrics.text


async def test_ready_when_store_and_upstream_answer(settings: Settings, store: QuarantineStore) -> None:
    upstream = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = upstream.sockets[0].getsockname()[1]
    ready_settings = settings.model_copy(update={"upstream_port": port})
    async with upstream, asgi_client(Runtime(ready_settings, store=store)) as c:
        response = await c.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"store": "ok", "upstream": "ok"}}


async def test_store_down_is_not_ready(settings: Settings) -> None:
    down = QuarantineStore(settings, create_engine(f"postgresql://postgres@127.0.0.1:{closed_port()}/x"))
    try:
        async with asgi_client(Runtime(settings, store=down)) as c:
            store_check = (await c.get("/readyz")).json()["checks"]["store"]
            assert store_check == "configured but unreachable: 127.0.0.1:" + str(down.engine.url.port)
            response = await c.get("/api/quarantine", headers=bearer(ADMIN))
            assert response.status_code == 503
            assert response.json() == {"detail": "quarantine store not available"}
            metrics = await c.get("/metrics")  # stale gauges, but still metrics
            assert metrics.status_code == 200
    finally:
        await down.aclose()


async def test_openapi_documents_every_answer(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    assert set(paths) == {
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/quarantine",
        "/api/quarantine/{item_id}",
        "/api/quarantine/{item_id}/raw",
        "/api/quarantine/{item_id}/release",
        "/api/quarantine/{item_id}/release/preview",
        "/api/quarantine/{item_id}/reject",
        "/api/audit",
    }
    for path, operations in paths.items():
        for operation in operations.values():
            codes = set(operation["responses"])
            if path.startswith("/api/"):
                assert {"200", "401", "403", "422", "503"} <= codes, path
            if "{item_id}" in path:
                assert "404" in codes, path
            if path.endswith(("/release", "/reject")):
                assert "409" in codes, path
    assert "/readyz" in paths and "503" in paths["/readyz"]["get"]["responses"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
