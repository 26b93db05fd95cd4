"""CI: run the built image as production would and check it from the outside (called by image.sh).

Read-only root, uid 10001, every capability dropped, no-new-privileges, two relay processes.
Against a recording upstream on the host it checks: the image's HEALTHCHECK command, a clean
message relayed, a protected one held and released through the admin API, SIGTERM during a
transaction (the client still gets 250, /readyz turns 503, the process exits 0), JSON-only logs,
and Debian's Prometheus scraping the container: the alert rules load and every Grafana dashboard
expression returns data through Prometheus's HTTP API.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import smtplib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "mg-ci"
TOKEN = "ci-admin-token-0123456789abcdef"
REGISTER = """id,name,address,postcode,phone,flagged_recipients
P000001,,12 Example Street Testtown,TE1 2ST,,ex.partner@example.net
"""
PROTECTED = """From: officer@example.com
To: ex.partner@example.net
Subject: case update
Message-ID: <held.1@example.com>

Please note the new address: 12 Example Street, Testtown TE1 2ST.
"""
CLEAN = """From: officer@example.com
To: colleague@example.net
Subject: minutes
Message-ID: <clean.1@example.com>

The minutes of Tuesday's meeting are attached.
"""


def step(text: str) -> None:
    print(f"image: {text}", flush=True)


def fail(text: str) -> None:
    raise SystemExit(f"image: FAILED: {text}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(url: str, *, data: object = None, token: str | None = None, timeout: float = 5.0) -> tuple[int, bytes]:
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def wait_for(what: str, check, timeout: float) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.25)
    fail(f"timed out waiting for {what}")
    return None


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.work = Path(args.work)
        self.podman = shlex.split(args.podman)
        self.ulimits = shlex.split(args.ulimits)
        self.image = args.image
        self.smtp, self.admin, self.upstream, self.prom = (free_port() for _ in range(4))
        self.spool = self.work / "recorded"
        self.procs: list[subprocess.Popen[bytes]] = []

    def pod(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([*self.podman, *args], capture_output=True, text=True, check=False)
        if check and result.returncode != 0:
            fail(f"podman {args[0]}: {result.stderr.strip()[:500]}")
        return result

    def logs(self) -> str:
        result = self.pod("logs", NAME, check=False)
        return result.stdout + result.stderr

    def api(self, path: str, **kw: object) -> tuple[int, bytes]:
        return http(f"http://127.0.0.1:{self.admin}{path}", **kw)  # type: ignore[arg-type]

    # --- parts ---------------------------------------------------------------------------------

    def start_upstream(self) -> None:
        recorder = ROOT / "deploy/upstream/recorder.py"
        cmd = [sys.executable, str(recorder), "--listen", f"127.0.0.1:{self.upstream}", "--spool", str(self.spool)]
        self.procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for("the recording upstream", lambda: _connects(self.upstream), 20)

    def start_relay(self) -> None:
        data = self.work / "data"
        data.mkdir(mode=0o700)
        os.chown(data, 10001, 10001)
        register = self.work / "secrets/register.csv"
        register.parent.mkdir(mode=0o755)
        register.write_text(REGISTER)
        register.chmod(0o644)
        env = {
            "MAILGUARD_LISTEN": f"127.0.0.1:{self.smtp}",
            "MAILGUARD_ADMIN_LISTEN": f"127.0.0.1:{self.admin}",
            "MAILGUARD_CLIENT_NETWORKS": "127.0.0.0/8",
            "MAILGUARD_UPSTREAM_HOST": "127.0.0.1",
            "MAILGUARD_UPSTREAM_PORT": str(self.upstream),
            "MAILGUARD_UPSTREAM_TLS": "none",
            "MAILGUARD_ADMIN_TOKEN": TOKEN,
            "MAILGUARD_REGISTER": "/run/secrets/register.csv",
            "MAILGUARD_INTERNAL_DOMAINS": "example.com",
            "MAILGUARD_TWO_PERSON_RELEASE": "off",
            "MAILGUARD_OUTBOX_POLL_INTERVAL": "0.5",
            "MAILGUARD_RELAY_WORKERS": "2",
            "MAILGUARD_SHUTDOWN_GRACE": "20",
            "MAILGUARD_NOTIFY_SENDER": "false",
        }
        self.pod(
            "run", "-d", "--name", NAME, "--read-only", "--tmpfs", "/tmp", "--user", "10001:10001",
            "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--network", "host",
            *self.ulimits, "-v", f"{data}:/var/lib/mailguard",
            "-v", f"{register}:/run/secrets/register.csv:ro",
            *(f"--env={k}={v}" for k, v in env.items()), self.image, "serve",
        )  # fmt: skip

        def ready() -> bool:
            state = self.pod("inspect", NAME, "--format", "{{.State.Running}}", check=False).stdout.strip()
            if state == "false":
                fail(f"the container stopped at start:\n{self.logs()[-3000:]}")
            return self.api("/readyz")[0] == 200

        try:
            wait_for("/readyz to answer 200", ready, 180)
        except SystemExit:
            print(self.logs()[-3000:], file=sys.stderr)
            raise

    def start_prometheus(self) -> None:
        config = self.work / "prometheus.yml"
        alerts = ROOT / "deploy/prometheus/alerts.yml"
        config.write_text(
            json.dumps(
                {
                    "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                    "rule_files": [str(alerts)],
                    "scrape_configs": [
                        {"job_name": "mailguard", "static_configs": [{"targets": [f"127.0.0.1:{self.admin}"]}]}
                    ],
                }
            )
        )
        cmd = [
            "prometheus", f"--config.file={config}", f"--storage.tsdb.path={self.work / 'prom'}",
            f"--web.listen-address=127.0.0.1:{self.prom}",
        ]  # fmt: skip
        log = open(self.work / "prometheus.log", "wb")
        self.procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT))

        def scraped() -> bool:
            status, body = http(f"http://127.0.0.1:{self.prom}/api/v1/query?query=up")
            result = json.loads(body)["data"]["result"] if status == 200 else []
            return any(r["value"][1] == "1" for r in result)

        wait_for("Prometheus to scrape the container", scraped, 120)

    # --- checks --------------------------------------------------------------------------------

    def healthcheck(self) -> None:
        inspected = self.pod("image", "inspect", self.image, "--format", "{{json .Config.Healthcheck}}").stdout
        test = (json.loads(inspected) or {}).get("Test") or []
        if not test or test[0] not in ("CMD", "CMD-SHELL"):
            fail(f"the image has no HEALTHCHECK command ({inspected.strip()})")
        command = test[1:] if test[0] == "CMD" else ["/bin/sh", "-c", test[1]]
        result = self.pod("exec", NAME, *command, check=False)
        if result.returncode != 0:
            fail(f"HEALTHCHECK command exited {result.returncode}: {result.stderr.strip()[:300]}")
        step("HEALTHCHECK command passes")

    def recorded(self, marker: str) -> dict[str, object] | None:
        for eml in sorted(self.spool.glob("*.eml")):
            meta = eml.with_suffix(".json")
            if marker.encode() in eml.read_bytes() and meta.exists():
                return json.loads(meta.read_text())
        return None

    def relay_and_hold(self) -> None:
        with smtplib.SMTP("127.0.0.1", self.smtp, timeout=60) as smtp:
            smtp.sendmail("officer@example.com", ["colleague@example.net"], CLEAN)
            wait_for("the clean message upstream", lambda: self.recorded("clean.1@example.com"), 20)
            step("clean message relayed")
            code, reply = _send(smtp, "officer@example.com", "ex.partner@example.net", PROTECTED)
        if code != 250 or self.recorded("held.1@example.com"):
            fail(f"the protected message was not held: {code} {reply!r}")
        status, body = self.api("/api/quarantine?status=held", token=TOKEN)
        items = json.loads(body)["items"] if status == 200 else []
        if len(items) != 1:
            fail(f"expected one held item, got {status} {body[:300]!r}")
        release = {"comment": "ci", "justification": "CI: the register row is a test address"}
        status, body = self.api(f"/api/quarantine/{items[0]['id']}/release", data=release, token=TOKEN)
        if status != 200:
            fail(f"release answered {status}: {body[:300]!r}")
        meta = wait_for("the released message upstream", lambda: self.recorded("held.1@example.com"), 30)
        assert isinstance(meta, dict) and meta["rcpt_tos"] == ["ex.partner@example.net"], meta
        step("protected message held, released through the API and delivered")

    def dashboard(self) -> None:
        status, body = http(f"http://127.0.0.1:{self.prom}/api/v1/rules")
        groups = json.loads(body)["data"]["groups"] if status == 200 else []
        rules = [r for g in groups for r in g["rules"]]
        bad = [r["name"] for r in rules if r.get("health") not in ("ok", "unknown")]
        if not rules or bad:
            fail(f"alert rules did not load or evaluate: {bad or 'none loaded'}")
        dashboard = json.loads((ROOT / "deploy/grafana/mailguard.json").read_text())
        exprs = [(p["title"], t["expr"]) for p in dashboard["panels"] for t in p.get("targets", [])]
        empty: list[str] = []

        def all_have_data() -> bool:
            empty.clear()
            for title, expr in exprs:
                query = expr.replace("$__rate_interval", "1m").replace("$job", "mailguard")
                query = query.replace("$instance", ".*")
                url = f"http://127.0.0.1:{self.prom}/api/v1/query?" + urllib.parse.urlencode({"query": query})
                status, body = http(url)
                if status != 200 or not json.loads(body)["data"]["result"]:
                    empty.append(f"{title}: {expr}")
            return not empty

        try:
            wait_for("data for every dashboard expression", all_have_data, 30)
        except SystemExit:
            fail("dashboard expressions without data:\n  " + "\n  ".join(empty))
        step(f"{len(rules)} alert rules loaded; all {len(exprs)} dashboard expressions return data")

    def drain(self) -> None:
        """SIGTERM in the middle of DATA: the client still gets 250, the relay turns unready, exit 0."""
        smtp = smtplib.SMTP("127.0.0.1", self.smtp, timeout=60)
        smtp.ehlo("ci.example.com")
        smtp.mail("officer@example.com")
        smtp.rcpt("colleague@example.net")
        code, _ = smtp.docmd("DATA")
        if code != 354:
            fail(f"DATA answered {code}")
        body = CLEAN.replace("clean.1@", "drain.1@").replace("\n", "\r\n").encode()
        smtp.send(body[:40])
        self.pod("kill", "--signal", "TERM", NAME)
        wait_for("/readyz to answer 503 while draining", lambda: self.api("/readyz")[0] == 503, 10)
        smtp.send(body[40:] + b"\r\n.\r\n")
        code, reply = smtp.getreply()
        smtp.close()
        if code != 250:
            fail(f"the transaction in flight got {code} {reply!r} on SIGTERM")
        exit_code = self.pod("wait", NAME).stdout.strip()
        if exit_code != "0":
            fail(f"the container exited {exit_code} after SIGTERM:\n{self.logs()[-2000:]}")
        if not self.recorded("drain.1@example.com"):
            fail("the message accepted during the drain is not upstream")
        step("SIGTERM during DATA: 250, /readyz 503 while draining, exit 0")

    def json_logs(self) -> None:
        lines = [line for line in self.logs().splitlines() if line.strip()]
        plain = [line for line in lines if not _is_json(line)]
        if not lines or plain:
            fail("log lines that are not JSON:\n  " + "\n  ".join(plain[:5]))
        step(f"{len(lines)} log lines, all JSON")

    def close(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _send(smtp: smtplib.SMTP, sender: str, rcpt: str, message: str) -> tuple[int, bytes]:
    smtp.mail(sender)
    smtp.rcpt(rcpt)
    return smtp.data(message)


def _connects(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
    except OSError:
        return False
    return True


def _is_json(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--podman", required=True, help="the podman command line with its global flags")
    parser.add_argument("--ulimits", default="")
    parser.add_argument("--image", required=True)
    run = Run(parser.parse_args())
    started = time.monotonic()
    try:
        run.start_upstream()
        run.start_relay()
        step(f"container ready in {time.monotonic() - started:.1f} s (read-only, uid 10001, no capabilities)")
        run.start_prometheus()
        run.healthcheck()
        run.relay_and_hold()
        run.dashboard()
        run.drain()
        run.json_logs()
    finally:
        run.close()


if __name__ == "__main__":
    main()
