"""`mailguard serve` as a real process: hold over SMTP, list over the API, release with the
`mailguard quarantine release` command, delivered by the server's outbox, SIGTERM → exit 0."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from support.serve import ServeProcess, as_env, mailguard
from support.stack import ADMIN_TOKEN, Upstream, bearer, send, wait_until

from .conftest import serve_settings
from .mail import COLLEAGUE, EX_PARTNER, SENDER, marker, protected_attachment, subject_of


def test_serve_hold_list_release_by_cli_and_sigterm(
    settings: dict[str, Any], upstream: Upstream, tmp_path: Path
) -> None:
    env = as_env(serve_settings(settings, upstream))
    word = marker()
    with ServeProcess(env, tmp_path) as proc:
        code, text = send(proc.host, proc.smtp_port, protected_attachment(word), SENDER, [EX_PARTNER, COLLEAGUE])
        held = re.search(rb"held for review as (Q\w+)$", text)
        assert code == 250 and held, text
        item_id = held.group(1).decode()

        listed = httpx.get(f"{proc.admin_url}/api/quarantine", headers=bearer(ADMIN_TOKEN), timeout=10).json()
        assert [(i["id"], i["rcpt"]) for i in listed["items"]] == [(item_id, [EX_PARTNER, COLLEAGUE])]
        assert httpx.get(f"{proc.admin_url}/api/quarantine", timeout=10).status_code == 401

        released = mailguard(
            "quarantine", "release", item_id, "--comment", "checked",
            "--justification", "the address is the organisation's own office",
            env=proc.env, cwd=tmp_path,
        )  # fmt: skip
        assert released.returncode == 0, released.stderr

        def delivered() -> list[Any]:
            return [m for m in list(upstream.messages) if m.mail_from == SENDER and word in subject_of(m.data)]

        [got] = wait_until(delivered, timeout=20, what="the release")  # the outbox polls every 5 s
        assert got.rcpt_tos == (EX_PARTNER, COLLEAGUE)
        assert proc.terminate() == 0, proc.log
    assert "Traceback" not in proc.log, proc.log
