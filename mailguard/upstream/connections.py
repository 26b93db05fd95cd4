"""Connections to the upstream: opening them (TLS, AUTH per settings) and keeping idle ones.

One `UpstreamPool` per runtime (`Runtime.upstream`), shared by the relay and the outbox, so
release and notice mail reuse the relay's TLS/AUTH set-up. Used on one event loop.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque
from typing import Final

import aiosmtplib

from mailguard.host import default_hostname
from mailguard.settings import Settings, UpstreamTLS
from mailguard.upstream.client_tls import client_context
from mailguard.upstream.data_command import use_wire_ready_data
from mailguard.upstream.failures import UpstreamTemporaryError

IDLE_SECONDS: Final = 20.0  # an idle upstream connection older than this is closed, not reused


class UpstreamPool:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._idle: deque[tuple[float, aiosmtplib.SMTP]] = deque()
        self._tls: ssl.SSLContext | None = None

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = client_context(self.settings)
        return self._tls

    async def connect(self) -> aiosmtplib.SMTP:
        """A new connection, greeted, TLS and AUTH done. Raises `UpstreamTemporaryError`."""
        s = self.settings
        mode = s.upstream_tls
        password = s.upstream_password.get_secret_value() if s.upstream_password else None
        smtp = aiosmtplib.SMTP(
            hostname=s.upstream_host,
            port=s.upstream_port,
            local_hostname=s.hostname or default_hostname(),
            timeout=s.upstream_timeout,
            use_tls=mode is UpstreamTLS.IMPLICIT,
            start_tls={UpstreamTLS.NONE: False, UpstreamTLS.REQUIRE_STARTTLS: True}.get(mode),
            tls_context=None if mode is UpstreamTLS.NONE else self._tls_context(),
            username=s.upstream_username,
            password=password,
        )
        try:
            await smtp.connect()
            if smtp.is_ehlo_or_helo_needed:  # start_tls=False skips the greeting dance
                await smtp.ehlo()
            use_wire_ready_data(smtp)
        except aiosmtplib.SMTPAuthenticationError as exc:
            smtp.close()
            raise UpstreamTemporaryError(f"upstream AUTH refused: {exc.code}", kind="auth") from exc
        except (aiosmtplib.SMTPTimeoutError, TimeoutError) as exc:
            smtp.close()
            raise UpstreamTemporaryError("upstream connect timed out", kind="timeout") from exc
        except (aiosmtplib.SMTPException, OSError, ssl.SSLError) as exc:
            smtp.close()
            kind = "tls" if _is_tls_error(exc) else "connect"
            raise UpstreamTemporaryError(f"cannot reach upstream: {exc}", kind=kind) from exc
        return smtp

    async def acquire(self) -> tuple[aiosmtplib.SMTP, bool]:
        """(connection, reused): an idle one if any is fresh and alive, else a new one."""
        now = time.monotonic()
        while self._idle:
            since, smtp = self._idle.pop()  # newest first: least likely to have timed out
            if smtp.is_connected and now - since < IDLE_SECONDS:
                return smtp, True
            smtp.close()
        return await self.connect(), False

    def release(self, smtp: aiosmtplib.SMTP) -> None:
        """Hand back a connection that is between transactions."""
        if smtp.is_connected and len(self._idle) < self.settings.upstream_pool_size:
            self._idle.append((time.monotonic(), smtp))
        else:
            smtp.close()

    async def aclose(self) -> None:
        while self._idle:
            _, smtp = self._idle.popleft()
            try:
                await asyncio.wait_for(smtp.quit(), 1.0)
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                pass
            smtp.close()


def _is_tls_error(exc: BaseException) -> bool:
    while exc is not None:
        if isinstance(exc, ssl.SSLError) or "TLS" in str(exc):
            return True
        exc = exc.__cause__  # type: ignore[assignment]
    return False
