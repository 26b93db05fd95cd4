"""`mailguard serve` as operations see it (issue 14): a register that would protect nobody stops
the start; metrics exist from the start and count the reply the client got; /readyz turns 503
the moment draining starts and names an unreachable store without its password."""

from __future__ import annotations

import json
import signal
import smtplib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from support.relay import free_port
from support.serve import ServeProcess, as_env, mailguard
from support.stack import Upstream, wait_until
from support.upstream import serving

ROOT = Path(__file__).resolve().parents[2]
HEADER = "id,name,address,postcode,phone,flagged_recipients\n"
ROW = "P000001,,12 Example Street Testtown,TE1 2ST,,ex.partner@example.net\n"
PROTECTED = (
    b"From: a@council.example\r\nTo: ex.partner@example.net\r\nSubject: case\r\n\r\n"
    b"She now lives at 12 Example Street, Testtown TE1 2ST.\r\n"
)
CLEAN = b"From: a@council.example\r\nTo: b@partner.example\r\nSubject: minutes\r\n\r\nHello.\r\n"


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    with serving(Upstream()) as recorder:
        yield recorder


def settings_for(
    tmp_path: Path, upstream_port: int, register: str | None = HEADER + ROW, **more: Any
) -> dict[str, str]:
    values: dict[str, Any] = {
        "rules_dir": ROOT / "rules",
        "internal_domains": "council.example",
        "data_dir": tmp_path / "var",
        "upstream_host": "127.0.0.1",
        "upstream_port": upstream_port,
        "upstream_tls": "none",
        "extract_workers": 1,
        "relay_workers": 1,
        "shutdown_grace": 10,
        "admin_token": "ops-admin-token-0123456789abcdef",
    }
    if register is not None:
        path = tmp_path / "register.csv"
        path.write_text(register)
        values["register"] = path
    return as_env(values | more)


def samples(proc: ServeProcess) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"{proc.admin_url}/metrics", timeout=10).text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


# --- defect 2: protection silently off ------------------------------------------------------


@pytest.mark.parametrize(
    ("register", "says"),
    [
        (HEADER, "has no usable rows"),  # the placeholder Secret kustomize applied
        (HEADER + ROW.replace("TE1 2ST", "ZZ99 9ZZ"), "has no usable rows"),  # every row refused
        (None, "not found"),
    ],
    ids=["header-only", "all-rows-refused", "missing"],
)
def test_a_register_that_protects_nobody_stops_the_start(tmp_path: Path, register: str | None, says: str) -> None:
    env = settings_for(tmp_path, free_port(), register)
    if register is None:
        env["MAILGUARD_REGISTER"] = str(tmp_path / "absent.csv")
    done = mailguard("serve", env=env, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert "MAILGUARD_REGISTER" in last and says in last and "Traceback" not in done.stderr


def test_an_empty_register_starts_only_when_allowed_and_says_so(tmp_path: Path, upstream: Upstream) -> None:
    env = settings_for(tmp_path, upstream.port, HEADER, register_allow_empty=True)
    with ServeProcess(env, tmp_path) as proc:
        ready = httpx.get(f"{proc.admin_url}/readyz", timeout=10).json()
        assert ready["checks"]["register"].startswith("empty")
        assert samples(proc)[("mailguard_register_rows", ())] == 0
        assert proc.terminate() == 0


# --- defect 5: metrics that miss what matters -----------------------------------------------


def test_metrics_exist_at_zero_from_the_start(tmp_path: Path, upstream: Upstream) -> None:
    env = settings_for(tmp_path, upstream.port, relay_workers=2)  # multiprocess mode too
    with ServeProcess(env, tmp_path) as proc:
        got = samples(proc)
        for verdict in ("pass", "rewrite", "hold", "reject", "tempfail"):
            assert got[("mailguard_messages_total", (("verdict", verdict),))] == 0
        for kind in ("connect", "tls", "auth", "timeout", "refused"):
            assert got[("mailguard_upstream_errors_total", (("kind", kind),))] == 0
        for decision in ("release", "reject"):
            assert got[("mailguard_review_decisions_total", (("decision", decision),))] == 0
        assert got[("mailguard_rule_hits_total", (("rule", "protected-to-flagged"),))] == 0
        assert got[("mailguard_register_rows", ())] == 1
        assert got[("mailguard_upstream_up", ())] == 1 and got[("mailguard_ready", ())] == 1
        assert proc.terminate() == 0


def test_a_451_after_a_store_fault_counts_as_tempfail_not_hold(tmp_path: Path, upstream: Upstream) -> None:
    """The verdict was counted before the hold was tried: store faults showed as `hold`."""
    url = f"postgresql://mailguard:pw@127.0.0.1:{free_port()}/mailguard"  # nothing listens there
    env = settings_for(tmp_path, upstream.port, database_url=url)
    with ServeProcess(env, tmp_path) as proc:
        with smtplib.SMTP(proc.host, proc.smtp_port, timeout=30) as client:
            client.ehlo("client.example")
            client.mail("a@council.example")
            assert client.rcpt("ex.partner@example.net")[0] == 250
            code, text = client.data(PROTECTED)
        assert code == 451, text
        got = samples(proc)
        assert got[("mailguard_messages_total", (("verdict", "tempfail"),))] == 1
        assert got[("mailguard_messages_total", (("verdict", "hold"),))] == 0
        assert got[("mailguard_rule_hits_total", (("rule", "protected-to-flagged"),))] == 1
        assert proc.terminate() == 0


# --- defect 4: drain ------------------------------------------------------------------------


def test_readyz_turns_503_when_draining_starts_and_the_open_transaction_completes(
    tmp_path: Path, upstream: Upstream
) -> None:
    env = settings_for(tmp_path, upstream.port)
    with ServeProcess(env, tmp_path) as proc:
        assert httpx.get(f"{proc.admin_url}/readyz", timeout=10).status_code == 200
        client = smtplib.SMTP(proc.host, proc.smtp_port, timeout=30)
        client.ehlo("client.example")
        client.mail("a@council.example")
        client.rcpt("b@partner.example")
        assert client.docmd("DATA")[0] == 354
        client.send(CLEAN[:30])
        assert proc.process is not None
        proc.process.send_signal(signal.SIGTERM)

        def draining() -> dict[str, Any] | None:
            response = httpx.get(f"{proc.admin_url}/readyz", timeout=5)
            return response.json() if response.status_code == 503 else None

        body = wait_until(draining, timeout=5, what="/readyz 503")
        assert body["checks"]["relay"] == "draining"
        client.send(CLEAN[30:] + b"\r\n.\r\n")
        assert client.getreply()[0] == 250
        client.close()
        assert proc.terminate() == 0, proc.log
    assert any(b"Subject: minutes" in m.data for m in upstream.messages)


# --- issue 15: an unreachable store is not a missing one --------------------------------------


def test_an_unreachable_store_is_named_without_its_password(tmp_path: Path, upstream: Upstream) -> None:
    port = free_port()
    url = f"postgresql://mailguard:pg-secret-pw@127.0.0.1:{port}/mailguard"
    env = settings_for(tmp_path, upstream.port, database_url=url, log_format="json")
    with ServeProcess(env, tmp_path) as proc:
        response = httpx.get(f"{proc.admin_url}/readyz", timeout=10)
        assert response.status_code == 503
        assert response.json()["checks"]["store"] == f"configured but unreachable: 127.0.0.1:{port}"
        time.sleep(0.2)
        assert proc.terminate() == 0
    assert "pg-secret-pw" not in proc.log and "pg-secret-pw" not in response.text
    assert f"127.0.0.1:{port} configured but unreachable" in proc.log
    # uvicorn's own start-up lines are JSON too (defect 7: log_config=None)
    lines = [line for line in proc.log.splitlines() if line.strip()]
    assert lines and all(json.loads(line) for line in lines)
