"""Every reply the relay makes up itself, as named constants (aiosmtpd style).

Replies the upstream gives (RCPT refusals, the final queue id) are relayed as they came,
through `mailguard.upstream.transaction.Reply.line`. Nothing here carries internal detail:
a 4xx says "try again", no more.
"""

from __future__ import annotations

from typing import Final

# --- session ---
TOO_MANY_CONNECTIONS: Final = "421 4.7.0 Too many connections, try again later"
SHUTTING_DOWN: Final = "421 4.3.2 Service shutting down, try again later"
SESSION_EXPIRED: Final = "421 4.4.2 Session time limit reached"
AUTH_THROTTLED: Final = "421 4.7.0 Too many failed authentication attempts, try again later"

# --- envelope ---
RELAY_DENIED: Final = "554 5.7.1 Relay access denied"
BAD_ADDRESS_CHARS: Final = "501 5.1.3 Bad address syntax: control characters are not allowed"
TOO_MANY_RECIPIENTS: Final = "452 4.5.3 Too many recipients"
EMBEDDED_ROUTE: Final = "550 5.1.3 Recipient address routes to another destination (%, !, quoted @ or source route)"
SMTPUTF8_UNAVAILABLE: Final = "553 5.6.7 SMTPUTF8 addresses are not supported by the next hop"

# --- message ---
MESSAGE_TOO_BIG: Final = "552 5.3.4 Message size exceeds fixed maximum message size"
BARE_NEWLINE: Final = "550 5.5.2 Bare CR or LF line ends are not allowed, use CRLF"
POLICY_REJECT: Final = "550 5.7.1 Message refused by policy"
HELD: Final = "250 2.0.0 Ok: held for review as {qid}"
STAGED: Final = "250 2.0.0 Ok: queued as {ref}"

# --- temporary failures: the client keeps the message and retries ---
TEMPFAIL: Final = "451 4.3.0 Temporary local problem, try again later"
UPSTREAM_UNAVAILABLE: Final = "451 4.4.1 Next hop temporarily unavailable, try again later"
UPSTREAM_LOST: Final = "451 4.4.2 Connection to the next hop lost, try again later"
NO_ROOM: Final = "452 4.3.1 Insufficient system storage, try again later"  # in-flight byte budget spent
