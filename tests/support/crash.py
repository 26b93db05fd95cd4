"""Crash safety: kill -9 a real `mailguard serve` while clients send, restart it, and check
that every message a client was told 250 for is at the upstream or in quarantine, once.

One round (`run_round`):
1. start `mailguard serve` (SQLite store, the repo's rules, a one-row register) in front of a
   recording upstream that lives in this process (it survives the crash, like a real MTA);
2. client threads send a mix of clean, rewritten and to-be-held messages, one after another,
   each retrying a message until it gets 250 (as a real MTA queue would);
3. at a random moment SIGKILL the relay's whole process group, restart it on the same
   database, let the clients finish, stop it with SIGTERM;
4. count, per message, copies at the upstream and in the quarantine table.

A message is *lost* when a client was told 250 and no copy exists; *duplicated* when it has
more copies than attempts that might each have left one (every attempt that ended without a
250, plus the one that got it). Copies caused by a retry after a missing reply are allowed
(Postfix's proxy has the same window) and counted separately.
"""

from __future__ import annotations

import random
import re
import smtplib
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .loop import ThreadLoop
from .relay import free_port
from .serveproc import ServeProcess, wait_port
from .upstream import RecordingUpstream

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
INTERNAL = "dept.example.gov.uk"
REGISTER = (
    "id,name,address,postcode,phone,flagged_recipients\n"
    'P000001,Jane Doe,"14 High Street, Bristol",BS1 4AA,0117 496 0123,ex.partner@gmail.com\n'
)
TOKEN_HEADER = re.compile(rb"^X-Crash-Token: (\S+)\r?$", re.MULTILINE)

# kind -> (recipients, To header, body); "held" mentions the register row to its flagged recipient.
KINDS: dict[str, tuple[list[str], str, str]] = {
    "clean": ([f"colleague@{INTERNAL}"], f"colleague@{INTERNAL}", "Minutes attached. Nothing personal.\r\n"),
    "external": (["info@partner.example"], "info@partner.example", "Thanks for the meeting.\r\n"),
    "rewrite": (
        ["a.one@gmail.com", "b.two@outlook.com"],
        "a.one@gmail.com, b.two@outlook.com",
        "Newsletter for everyone.\r\n",
    ),
    "held": (["ex.partner@gmail.com"], "ex.partner@gmail.com", "They moved to 14 High St, Bristol BS1 4AA.\r\n"),
}
MIX = ["clean", "clean", "external", "rewrite", "held", "held"]


@dataclass
class Sent:
    token: str
    kind: str
    attempts: int = 0
    risky: int = 0  # attempts that ended without a 250 after the data may have gone out
    acked: bool = False


@dataclass
class Tally:
    runs: int = 0
    messages: int = 0
    acknowledged: int = 0
    never_acknowledged: int = 0
    lost: int = 0
    duplicated: int = 0
    retry_copies: int = 0  # extra copies left by an attempt that never got its 250 (allowed)
    at_upstream: int = 0
    in_quarantine: int = 0
    refusals: Counter[str] = field(default_factory=Counter)  # replies other than 250, by code
    bad_exits: int = 0  # the restarted relay did not exit 0 on SIGTERM
    integrity_errors: int = 0
    details: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in (
            "runs", "messages", "acknowledged", "never_acknowledged", "lost", "duplicated",
            "retry_copies", "at_upstream", "in_quarantine", "bad_exits", "integrity_errors",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.refusals.update(other.refusals)
        self.details.extend(other.details)

    @property
    def permanent_refusals(self) -> int:
        return sum(n for code, n in self.refusals.items() if code.startswith("5"))

    def summary(self) -> str:
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(self.refusals.items())) or "none"
        return (
            f"runs: {self.runs}\nmessages acknowledged: {self.acknowledged} (of {self.messages}; "
            f"{self.never_acknowledged} never acknowledged)\nlost: {self.lost}\nduplicated: {self.duplicated}\n"
            f"copies from retries after a missing 250 (allowed): {self.retry_copies}\n"
            f"at upstream: {self.at_upstream}, in quarantine: {self.in_quarantine}\n"
            f"non-250 outcomes seen by clients: {codes}\n"
            f"relay exits other than 0 after restart: {self.bad_exits}; integrity errors: {self.integrity_errors}"
        )


def policy_relay(folder: Path, upstream_port: int, **settings: object) -> ServeProcess:
    """A real `mailguard serve` with the test rules and register (written into `folder`) on free
    ports, relaying to `upstream_port`; `settings` override the defaults."""
    (folder / "register.csv").write_text(REGISTER)
    values: dict[str, object] = {
        "listen": f"127.0.0.1:{free_port()}",
        "admin_listen": f"127.0.0.1:{free_port()}",
        "upstream_port": upstream_port,
        "upstream_tls": "none",
        "data_dir": folder / "var",
        "rules_dir": RULES,
        "register": folder / "register.csv",
        "internal_domains": INTERNAL,
        "extract_workers": 1,
        "notify_sender": "false",
        **settings,
    }
    return ServeProcess(folder / "serve.log", **values)


@contextmanager
def admin_relay(folder: Path, upstream_port: int, **settings: object) -> Iterator[tuple[ServeProcess, int]]:
    """A `policy_relay` started with its admin port answering: (relay, admin port); stopped after."""
    admin_port = free_port()
    relay = policy_relay(folder, upstream_port, admin_listen=f"127.0.0.1:{admin_port}", **settings)
    relay.start()
    try:
        wait_port("127.0.0.1", admin_port, 30)
        yield relay, admin_port
    finally:
        relay.stop()


def message(token: str, kind: str) -> tuple[str, list[str], bytes]:
    rcpts, to, body = KINDS[kind]
    head = (
        f"From: Officer <officer@{INTERNAL}>\r\nTo: {to}\r\nSubject: round message {token}\r\n"
        f"Message-ID: <{token}@{INTERNAL}>\r\nX-Crash-Token: {token}\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    return f"officer@{INTERNAL}", rcpts, head.encode() + body.encode()


def tokens_in(data: bytes) -> list[str]:
    """The token of a copy: from the top-level header block only (a notice never carries it)."""
    head = data.split(b"\r\n\r\n", 1)[0]
    return [t.decode() for t in TOKEN_HEADER.findall(head)]


class Clients:
    """Client threads that each send messages one by one, retrying each until it gets a 250."""

    def __init__(self, host: str, port: int, count: int, rng: random.Random, retry_for: float = 60.0) -> None:
        self.host, self.port = host, port
        self.rng = rng
        self.retry_for = retry_for
        self.sent: list[Sent] = []
        self.refusals: Counter[str] = Counter()
        self.stop_new = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(count)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self, timeout: float = 90.0) -> None:
        self.stop_new.set()
        for thread in self._threads:
            thread.join(timeout)

    def _new(self, index: int) -> Sent:
        with self._lock:
            item = Sent(f"c{index}m{len(self.sent):05d}r{self.rng.randrange(1 << 30):x}", self.rng.choice(MIX))
            self.sent.append(item)
        return item

    def _refused(self, code: str) -> None:
        with self._lock:
            self.refusals[code] += 1

    def _run(self, index: int) -> None:
        smtp: smtplib.SMTP | None = None
        while not self.stop_new.is_set():
            item = self._new(index)
            mail_from, rcpts, data = message(item.token, item.kind)
            deadline = time.monotonic() + self.retry_for
            while not item.acked and time.monotonic() < deadline:
                item.attempts += 1
                try:
                    if smtp is None:
                        smtp = smtplib.SMTP(self.host, self.port, timeout=20)
                        smtp.ehlo("crash-client.test")
                    refused = smtp.sendmail(mail_from, rcpts, data)
                    if refused:  # some recipients refused: counts as a refusal of those
                        self._refused(str(next(iter(refused.values()))[0]))
                    item.acked = True
                except smtplib.SMTPRecipientsRefused as exc:  # before DATA: nothing went out
                    self._refused(str(next(iter(exc.recipients.values()))[0]))
                    smtp = _close(smtp)
                except smtplib.SMTPSenderRefused as exc:
                    self._refused(str(exc.smtp_code))
                    smtp = _close(smtp)
                except smtplib.SMTPResponseException as exc:  # a reply to DATA or to its end
                    self._refused(str(exc.smtp_code))
                    item.risky += 1
                    smtp = _close(smtp)
                except ConnectionRefusedError:  # the relay is down: nothing went out
                    self._refused("connection refused")
                    smtp = _close(smtp)
                except (smtplib.SMTPException, OSError):
                    self._refused("connection lost")
                    item.risky += 1
                    smtp = _close(smtp)
                if not item.acked:
                    time.sleep(0.05)
        _close(smtp)


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        try:
            smtp.close()
        except OSError:
            pass


def quarantine_tokens(db: Path) -> tuple[list[str], bool]:
    """(tokens of every quarantined copy, integrity ok)."""
    with sqlite3.connect(db) as conn:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        found = [t for (data,) in conn.execute("SELECT data FROM quarantine_items") for t in tokens_in(data)]
    return found, ok


def run_round(
    workdir: Path, loop: ThreadLoop, rng: random.Random, *, clients: int = 4, kill_window: float = 1.5
) -> Tally:
    """One kill -9 round in `workdir` (created); returns its tally."""
    workdir.mkdir(parents=True)
    upstream = RecordingUpstream()
    upstream_port = loop.run(upstream.start())
    db = workdir / "var" / "mailguard.db"
    relay = policy_relay(
        workdir,
        upstream_port,
        upstream_host="127.0.0.1",
        database_url=f"sqlite:///{db}",
        shutdown_grace=10,
    )
    tally = Tally(runs=1)
    crowd = Clients(relay.host, relay.port, clients, rng)
    try:
        relay.start()
        crowd.start()
        time.sleep(rng.uniform(0.05, kill_window))
        relay.kill9()
        time.sleep(rng.uniform(0.0, 0.3))
        relay.start()
        # Some traffic through the restarted relay too: wait for acknowledgements rather than a
        # fixed time, since a restart (workers included) takes seconds on a busy machine.
        through_restart = sum(s.acked for s in crowd.sent) + 4 * clients
        deadline = time.monotonic() + 20.0
        while sum(s.acked for s in crowd.sent) < through_restart and time.monotonic() < deadline:
            time.sleep(0.05)
        crowd.join()
        code = relay.stop()
        if code != 0:
            tally.bad_exits += 1
            tally.details.append(f"{workdir.name}: restarted relay exited {code}")
    finally:
        crowd.stop_new.set()
        if relay.alive():
            relay.kill9()
        loop.run(upstream.stop())
    copies = Counter(t for m in upstream.messages for t in tokens_in(m.data))
    tally.at_upstream = sum(copies.values())
    held, ok = quarantine_tokens(db)
    tally.in_quarantine = len(held)
    tally.integrity_errors = 0 if ok else 1
    copies.update(held)
    tally.refusals = crowd.refusals
    for item in crowd.sent:
        tally.messages += 1
        n = copies.get(item.token, 0)
        allowed = item.risky + (1 if item.acked else 0)
        if item.acked:
            tally.acknowledged += 1
            if n == 0:
                tally.lost += 1
                tally.details.append(f"{workdir.name}: LOST {item.token} ({item.kind}, {item.attempts} attempts)")
        else:
            tally.never_acknowledged += 1
        if n > allowed:
            tally.duplicated += 1
            tally.details.append(f"{workdir.name}: DUPLICATED {item.token} ({item.kind}): {n} copies")
        elif n > 1:
            tally.retry_copies += n - 1
    return tally
