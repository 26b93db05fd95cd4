"""Cluster mode (issue 6): two `mailguard serve` processes, each with its own ports and data
folder, sharing ONE PostgreSQL database. Holds through both show in one review list (from
either API); each release is delivered exactly once while both outboxes run."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.pg import private_database
from support.serve import ServeProcess, as_env
from support.stack import ADMIN_TOKEN, Upstream, bearer, send, wait_until

from .conftest import serve_settings
from .mail import EX_PARTNER, SENDER, marker, protected_attachment, subject_of

pytestmark = pytest.mark.postgres

PER_NODE = 2


def test_two_relays_share_one_quarantine(settings: dict[str, Any], upstream: Upstream, tmp_path: Path) -> None:
    with private_database() as url:
        nodes = []
        for name in ("a", "b"):
            env = as_env(serve_settings(settings, upstream, database_url=url, data_dir=tmp_path / name))
            nodes.append(ServeProcess(env, tmp_path, name=name).start())  # both start (and migrate) at once
        try:
            for node in nodes:
                node.wait_ready()
            _hold_review_release(nodes, upstream)
        finally:
            codes = [node.terminate() for node in nodes]
        assert codes == [0, 0], [node.log for node in nodes]


def _hold_review_release(nodes: list[ServeProcess], upstream: Upstream) -> None:
    word = marker()
    held: dict[str, str] = {}  # item id -> subject
    for node in nodes:
        for _ in range(PER_NODE):
            subject = f"{word} {marker()}"
            code, text = send(node.host, node.smtp_port, protected_attachment(subject), SENDER, [EX_PARTNER])
            found = re.search(rb"held for review as (Q\w+)$", text)
            assert code == 250 and found, text
            held[found.group(1).decode()] = subject

    apis = [httpx.Client(base_url=n.admin_url, headers=bearer(ADMIN_TOKEN), timeout=10) for n in nodes]
    for api in apis:  # one review list, whichever instance is asked
        listed = api.get("/api/quarantine", params={"status": "held"}).json()
        assert {i["id"] for i in listed["items"]} == set(held) and listed["total"] == len(held)
    for n, item_id in enumerate(held):  # decided through alternating instances
        body = {"comment": "ok", "justification": "checked"}
        answer = apis[n % 2].post(f"/api/quarantine/{item_id}/release", json=body)
        assert answer.status_code == 200, answer.text
    for api in apis:
        assert all(api.post(f"/api/quarantine/{i}/release", json={}).status_code == 409 for i in held)

    def all_sent() -> bool:
        details = [apis[0].get(f"/api/quarantine/{i}").json()["delivery"] for i in held]
        return all(d and d["status"] == "sent" for d in details)

    wait_until(all_sent, timeout=30, what="every release delivered")  # each outbox polls every 5 s
    for api in apis:
        api.close()


    def notices() -> list[Any]:
        return [m for m in list(upstream.messages) if m.mail_from in ("", "<>")]

    wait_until(lambda: len(notices()) >= len(held), timeout=10, what="the held notices")
    time.sleep(0.5)  # a second claim of a row would be in flight by now
    releases = [m for m in list(upstream.messages) if m.mail_from == SENDER and word in subject_of(m.data)]
    assert sorted(subject_of(m.data) for m in releases) == sorted(held.values())  # each exactly once
    assert len(notices()) == len(held)  # one "held" notice per item, also exactly once
