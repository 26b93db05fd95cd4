"""The PROXY protocol (v1 text and v2 binary) from trusted SMTP balancers.

Behind a TCP balancer (haproxy, an AWS NLB, ...) every session seems to come from the
balancer, so MAILGUARD_CLIENT_NETWORKS would have to list the balancer and would let anyone
who reaches it relay. A balancer that sends the PROXY header tells us the real client. Only
connections from MAILGUARD_PROXY_PROTOCOL_FROM must send one (and are closed without a banner
when they do not, as Postfix's `smtpd_upstream_proxy_protocol` does); a header from anyone
else is an unknown SMTP command and changes nothing. Parsing is aiosmtpd's own.
"""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.proxy_protocol import get_proxy

from mailguard.relay.admission import in_networks
from mailguard.relay.smtp import RelaySMTP

log = logging.getLogger(__name__)

HEADER_TIMEOUT = 10.0  # seconds a balancer may take to send the header (Postfix: 5 s)


class ProxySMTP(RelaySMTP):
    """RelaySMTP that reads the PROXY header first when the peer is a configured balancer."""

    async def _handle_client(self) -> None:
        session = self.relay_session()
        balancer = session.client_ip
        if in_networks(balancer, self.relay.settings.proxy_networks):
            try:
                async with asyncio.timeout(HEADER_TIMEOUT):
                    header = await get_proxy(self._reader)
            except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
                header = None
            if not header:
                log.warning(
                    "%s: no valid PROXY header from a balancer (MAILGUARD_PROXY_PROTOCOL_FROM), closed", balancer
                )
                self._close()
                return
            session.proxy_data = header
            if header.src_addr is not None:  # v2 LOCAL (the balancer's own check) keeps its address
                session.peer = (str(header.src_addr), header.src_port or 0)
                log.debug("%s: PROXY header: client %s", balancer, session.client_ip)
        await super()._handle_client()
