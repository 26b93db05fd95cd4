"""Admin tests run against the real quarantine store (SQLite in a tmp folder; PostgreSQL where
marked) and the real app: in-process through httpx's ASGI transport, or a real uvicorn server
on a free port (browser and schemathesis tests)."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import AsyncIterator, Coroutine, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright
from support.loop import ThreadLoop

from mailguard.admin.app import create_app
from mailguard.envelope import Envelope
from mailguard.message.model import Attachment
from mailguard.policy.verdict import Action, Reason, Snippet, Verdict
from mailguard.quarantine import QuarantineStore
from mailguard.runtime import Runtime
from mailguard.settings import Settings

T = TypeVar("T")

ADMIN = "admin-token-0123456789abcdef"
TOKENS = {  # name -> (token, role)
    "vera": ("viewer-token-0123456789", "viewer"),
    "rita": ("reviewer-token-0123456789", "reviewer"),
    "rob": ("reviewer-token-9876543210", "reviewer"),
    "ada": ("admin-file-token-0123456789", "admin"),
}
VIEWER, REVIEWER, REVIEWER2 = TOKENS["vera"][0], TOKENS["rita"][0], TOKENS["rob"][0]

MATCH = "14 Orchard Close, Bristol BS1 4DJ"
BODY = f"Hello,\n\nThe family has moved to {MATCH} since March.\nPlease update your records.\n"


CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (never a downloaded browser), headless, through Playwright."""
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def release_as_is(page: Page) -> None:
    """On an item's page: release it as sent, with a comment and a justification, through the
    preview that shows who receives what before the final click."""
    page.fill("#release-comment", "Checked with the family worker")
    page.check("input[name=mode][value=as_is]")
    page.fill("#release-justification", "The family worker confirmed the address may go")
    page.click("button:has-text('Preview the release')")
    expect(page.locator("table.copies")).to_contain_text("@")  # who receives what, before the click
    page.click("button:has-text('Release now')")
    expect(page.locator(".notice.ok")).to_have_text(re.compile("^Released"))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    tokens_file = data_dir / "tokens"
    tokens_file.write_text(
        "# token role name\n" + "".join(f"{t} {role} {name}\n" for name, (t, role) in TOKENS.items())
    )
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "admin_token": ADMIN,
        "admin_tokens_file": tokens_file,
        "upstream_host": "127.0.0.1",
        "upstream_port": closed_port(),
        "internal_domains": ["council.example"],
        # one reviewer and no justification unless a test asks (tests/actions/release cover both)
        "two_person_release": "off",
        "release_justification": False,
    }
    return Settings(**(values | overrides))


def message(
    subject: str = "Case update",
    body: str | None = BODY,
    filename: str = "assessment.pdf",
    html: str | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Sam Worker <sam@council.example>"
    msg["To"] = "ex.partner@gmail.com"
    msg["Subject"] = subject
    msg["Message-ID"] = "<case-1@council.example>"
    if body is None:  # HTML only
        msg.set_content(html or "", subtype="html")
    else:
        msg.set_content(body)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    msg.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename=filename)
    return msg.as_bytes()


def verdict(subject: str = "Case update", filename: str = "assessment.pdf", match: str = MATCH) -> Verdict:
    snippet = Snippet(where="body", before="The family has moved to ", match=match, after=" since March.")
    reason = Reason(
        rule="protected-address",
        detector="protected",
        detail="a protected address is sent to a flagged recipient",
        register_id="P000123",
        snippet=snippet,
        action=Action.HOLD,
    )
    attachment = Attachment(filename=filename, content_type="application/pdf", size=13, where=filename)
    return Verdict(Action.HOLD, reasons=[reason], attachments=[attachment], subject=subject)


async def hold(store: QuarantineStore, **kwargs: Any) -> str:
    """Put one message in quarantine the way the relay does."""
    envelope = Envelope("sam@council.example", ("ex.partner@gmail.com",), client_ip="127.0.0.1")
    vkeys = {k: kwargs[k] for k in ("subject", "filename", "match") if k in kwargs}
    mkeys = {k: kwargs[k] for k in ("subject", "body", "filename", "html") if k in kwargs}
    return await store.hold(envelope, message(**mkeys), verdict(**vkeys))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[QuarantineStore]:
    opened = await QuarantineStore.open(settings)
    yield opened
    await opened.aclose()


def asgi_client(runtime: Runtime) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(runtime))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def client(settings: Settings, store: QuarantineStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(Runtime(settings, store=store)) as c:
        yield c


class LiveServer:
    """A real uvicorn server with a real store and an upstream that accepts connections (so
    /readyz is ready), on a background event loop so sync callers (Playwright's sync API,
    schemathesis) can use it."""

    def __init__(self, settings: Settings) -> None:
        self.thread = ThreadLoop()
        self._upstream = self.call(asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0))
        port = self._upstream.sockets[0].getsockname()[1]
        self.settings = settings.model_copy(update={"upstream_port": port})
        self.store = self.call(QuarantineStore.open(self.settings))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.app = create_app(Runtime(self.settings, store=self.store))
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        self._serving = asyncio.run_coroutine_threadsafe(self._server.serve(sockets=[sock]), self.thread.loop)
        for _ in range(500):
            if self._server.started:
                return
            time.sleep(0.01)
        raise RuntimeError("live admin server did not start")

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.thread.run(coro)

    def hold(self, **kwargs: Any) -> str:
        return self.call(hold(self.store, **kwargs))

    def stop(self) -> None:
        self._server.should_exit = True
        self._serving.result(30)
        self.call(self.store.aclose())
        self._upstream.close()
        self.thread.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(make_settings(tmp_path))
    yield server
    server.stop()
