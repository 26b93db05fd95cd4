"""What every session of one relay server shares: settings, runtime, limits, live sessions."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mailguard.memory import pin_mmap_threshold
from mailguard.relay.admission import ByteBudget, ConnectionLimiter
from mailguard.relay.smtp_auth import Authenticator, AuthThrottle
from mailguard.relay.tenant import TenantGate
from mailguard.runtime import Runtime
from mailguard.settings import Settings

if TYPE_CHECKING:
    from mailguard.relay.smtp import RelaySMTP


@dataclass
class RelayContext:
    runtime: Runtime
    hostname: str
    limiter: ConnectionLimiter
    tls_context: ssl.SSLContext | None = None
    authenticator: Authenticator | None = None
    auth_throttle: AuthThrottle = field(default_factory=AuthThrottle)
    sessions: set[RelaySMTP] = field(default_factory=set)
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)  # work that outlives a client
    closing: bool = False
    inflight: ByteBudget = field(init=False)  # message bytes held by all sessions (max_inflight_bytes)
    tenant_gate: TenantGate = field(init=False)  # Exchange Online: only our tenant may relay

    def __post_init__(self) -> None:
        self.inflight = ByteBudget(self.settings.max_inflight_bytes)
        self.tenant_gate = TenantGate(self.settings)
        pin_mmap_threshold()  # message buffers go back to the system when freed

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `coro` to completion even if its session goes away (shutdown waits for it)."""
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task
