"""A rehearsal of Exchange Online against the whole relay (docs/exchange.md).

A client plays Exchange Online: it connects from an address in MAILGUARD_EXO_NETWORKS, presents
a client certificate named like Exchange Online's, and stamps the tenant header. The upstream
plays the certificate-based inbound connector back into the tenant: it refuses any client without
mailguard's certificate. What it receives is what the internet would.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from pathlib import Path

import dkim
import pytest
import trustme
from support.dkimkeys import rsa_key
from support.pki import write_pki
from support.stack import Stack, Upstream

TENANT = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT = "99999999-8888-7777-6666-555555555555"
EXO_NAME = "mail.protection.outlook.com"
SENDER = "caseworker@council.example"
PUBLIC = ["resident.one@gmail.com", "resident.two@hotmail.co.uk"]


class Tenant:
    """The test's world: one CA for every certificate, the tenant's DKIM key and ours."""

    def __init__(self, folder: Path) -> None:
        self.ca = trustme.CA()
        self.folder = folder
        self.pki = write_pki(self.ca, folder)
        self.exo_cert = self.ca.issue_cert(EXO_NAME)
        self.stranger_cert = self.ca.issue_cert("mail.example.net")
        self.relay_cert = self.ca.issue_cert("relay.council.example")
        for name, cert in (("relay", self.relay_cert),):
            cert.private_key_and_cert_chain_pem.write_to_path(folder / f"{name}.pem")
        self.exo_dkim, self.exo_dkim_record = rsa_key()
        ours, self.our_dkim_record = rsa_key()
        (folder / "dkim.key").write_bytes(ours)

    def client_context(self, cert: trustme.LeafCert | None) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        if cert is not None:
            cert.configure_cert(context)
        return context

    def upstream_context(self) -> ssl.SSLContext:
        """The inbound connector back into the tenant: only mailguard's certificate gets in."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("upstream.test", "127.0.0.1").configure_cert(context)
        self.ca.configure_trust(context)
        context.verify_mode = ssl.CERT_REQUIRED
        return context

    def dns(self, name: bytes, timeout: int = 5) -> bytes:
        return self.our_dkim_record if name.startswith(b"mg.") else self.exo_dkim_record


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Tenant:
    return Tenant(tmp_path_factory.mktemp("exo"))


@pytest.fixture(scope="module")
def stack(world: Tenant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    upstream = Upstream(tls_context=world.upstream_context(), require_starttls=True)
    data_dir = tmp_path_factory.mktemp("data")
    with Stack(
        upstream=upstream,
        data_dir=data_dir,
        internal_domains="council.example",
        tls_cert_file=world.pki["cert"],
        tls_key_file=world.pki["key"],
        tls_client_ca_file=world.pki["ca"],
        tls_client_cert_names=EXO_NAME,
        exo_tenant_ids=TENANT,
        exo_networks="127.0.0.0/8",
        upstream_tls="require-starttls",
        upstream_ca_file=world.pki["ca"],
        upstream_client_cert_file=world.folder / "relay.pem",
        upstream_client_key_file=world.folder / "relay.pem",
        dkim_domain="council.example",
        dkim_selector="mg",
        dkim_key_file=world.folder / "dkim.key",
        split_invites=True,  # an invite to members of the public leaves as one copy each
    ) as s:
        yield s


def message(*headers: str, to: list[str] | None = None, tenant: str | None = TENANT) -> bytes:
    lines = [f"From: Case Team <{SENDER}>", f"To: {', '.join(to or PUBLIC)}", "Subject: Consultation"]
    lines += ["Date: Fri, 04 Dec 2026 10:00:00 +0000", "Message-ID: <exo-1@council.example>"]
    if tenant is not None:
        lines.append(f"X-MS-Exchange-CrossTenant-Id: {tenant}")
    lines += list(headers)
    return ("\r\n".join(lines) + "\r\n\r\nThe meeting is on Monday.\r\n").encode()


def exo_send(
    stack: Stack, world: Tenant, data: bytes, *, cert: trustme.LeafCert | None, mail_from: str = SENDER
) -> tuple[int, bytes]:
    with smtplib.SMTP(stack.host, stack.port, timeout=30) as client:
        client.ehlo("outbound.protection.outlook.com")
        client.starttls(context=world.client_context(cert))
        client.ehlo("outbound.protection.outlook.com")
        code, text = client.mail(mail_from)
        if code != 250:
            return code, text
        for rcpt in PUBLIC:
            assert client.rcpt(rcpt)[0] == 250
        try:
            return client.data(data)
        except smtplib.SMTPDataError as exc:
            return exc.smtp_code, exc.smtp_error


def delivered(stack: Stack, marker: bytes) -> bytes:
    return stack.wait_for(lambda m: marker in m.data)[0].data


def test_our_tenant_relays_and_the_upstream_sees_our_certificate(stack: Stack, world: Tenant) -> None:
    data = message("X-Test: ours", to=["officer@police.example.uk"])
    code, _ = exo_send(stack, world, data, cert=world.exo_cert)
    assert code == 250
    got = stack.wait_for(lambda m: b"X-Test: ours" in m.data)[0]
    assert got.tls  # the upstream demanded a client certificate and the handshake passed


def test_another_tenant_with_the_right_certificate_is_refused(stack: Stack, world: Tenant) -> None:
    code, text = exo_send(stack, world, message("X-Test: foreign", tenant=OTHER_TENANT), cert=world.exo_cert)
    assert (code, text[:5]) == (550, b"5.7.1")


def test_a_forged_second_tenant_header_does_not_help(stack: Stack, world: Tenant) -> None:
    data = message(f"X-MS-Exchange-CrossTenant-Id: {TENANT}", "X-Test: two", tenant=OTHER_TENANT)
    code, _ = exo_send(stack, world, data, cert=world.exo_cert)
    assert code == 550


def test_no_tenant_header_is_refused(stack: Stack, world: Tenant) -> None:
    code, _ = exo_send(stack, world, message("X-Test: none", tenant=None), cert=world.exo_cert)
    assert code == 550


@pytest.mark.parametrize("which", ["none", "stranger"])
def test_without_exchange_onlines_certificate_mail_from_is_refused(stack: Stack, world: Tenant, which: str) -> None:
    cert = None if which == "none" else world.stranger_cert
    code, text = exo_send(stack, world, message(), cert=cert)
    assert (code, text[:5]) == (550, b"5.7.1")


@pytest.mark.parametrize(
    "header, mail_from",
    [
        ("X-Test: bounce", ""),
        ("X-MS-Journal-Report: ", SENDER),
        ("Auto-Submitted: auto-replied", SENDER),
    ],
    ids=["null-sender", "journal-report", "auto-reply"],
)
def test_system_mail_passes_byte_for_byte(stack: Stack, world: Tenant, header: str, mail_from: str) -> None:
    # Two members of the public in To would be rewritten in ordinary mail.
    data = message(header, f"X-Case: system-{abs(hash(header))}")
    code, _ = exo_send(stack, world, data, cert=world.exo_cert, mail_from=mail_from)
    assert code == 250
    got = delivered(stack, f"X-Case: system-{abs(hash(header))}".encode())
    assert got.endswith(data)  # only a Received: line (and nothing that names a verdict) in front
    assert b"DKIM-Signature" not in got[: len(got) - len(data)]


def test_a_signed_message_rewritten_is_re_signed(stack: Stack, world: Tenant) -> None:
    original = message("X-Test: dkim")
    signed = (
        dkim.sign(original, b"exo", b"council.example", world.exo_dkim, canonicalize=(b"relaxed", b"relaxed"))
        + original
    )
    assert dkim.verify(signed, dnsfunc=world.dns)
    code, _ = exo_send(stack, world, signed, cert=world.exo_cert)
    assert code == 250
    got = delivered(stack, b"X-Test: dkim")
    assert b"undisclosed-recipients" in got  # the rewrite happened: To changed
    # Ours comes first and verifies; Exchange's is kept (and now fails, as expected).
    assert got.startswith(b"Received:") or got.startswith(b"DKIM-Signature:")
    body_from_ours = got[got.index(b"DKIM-Signature:") :]
    assert dkim.verify(body_from_ours, dnsfunc=world.dns)
    assert body_from_ours.count(b"DKIM-Signature:") == 2


def _signed(world: Tenant, data: bytes) -> bytes:
    """As Exchange Online hands it over: signed with the tenant's key, To and Cc covered."""
    return dkim.sign(data, b"exo", b"council.example", world.exo_dkim, canonicalize=(b"relaxed", b"relaxed")) + data


def _ours_verifies(world: Tenant, delivered: bytes) -> bool:
    return dkim.verify(delivered[delivered.index(b"DKIM-Signature:") :], dnsfunc=world.dns)


def test_split_invite_copies_are_re_signed(stack: Stack, world: Tenant) -> None:
    invite = message("X-Test: split", "Content-Type: text/calendar; method=REQUEST; charset=utf-8")
    head, _, _ = invite.partition(b"\r\n\r\n")
    calendar = "\r\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "METHOD:REQUEST", "BEGIN:VEVENT", "UID:exo-split@council.example",
         "DTSTART:20261210T100000Z", "SUMMARY:Drop-in", f"ORGANIZER:mailto:{SENDER}",
         *(f"ATTENDEE;RSVP=TRUE:mailto:{a}" for a in PUBLIC), "END:VEVENT", "END:VCALENDAR"]
    )  # fmt: skip
    code, _ = exo_send(
        stack, world, _signed(world, head + b"\r\n\r\n" + calendar.encode() + b"\r\n"), cert=world.exo_cert
    )
    assert code == 250
    copies = stack.wait_for(lambda m: b"X-Test: split" in m.data, count=len(PUBLIC))
    assert sorted(r for c in copies for r in c.rcpt_tos) == sorted(PUBLIC)  # one copy each
    for copy in copies:
        other = next(a for a in PUBLIC if a not in copy.rcpt_tos)
        assert other.encode() not in copy.data  # the other attendee is pruned from this copy
        assert _ours_verifies(world, copy.data)


def test_a_released_bcc_copy_is_re_signed(stack: Stack, world: Tenant) -> None:
    from mailguard.envelope import Envelope
    from mailguard.policy.verdict import Action, Reason, Verdict

    data = _signed(world, message("X-Test: release"))
    verdict = Verdict(
        Action.HOLD,
        reasons=[Reason("exposure-headers", "exposure", "2 members of the public in To", action=Action.HOLD)],
    )
    assert stack.runtime is not None and stack.runtime.store is not None
    item = stack.call(stack.runtime.store.hold(Envelope(SENDER, tuple(PUBLIC)), data, verdict))
    reply = stack.api().post(f"/api/quarantine/{item}/release", json={"mode": "bcc", "comment": "checked"})
    assert reply.status_code == 200, reply.text
    delivered = stack.wait_for(lambda m: b"X-Test: release" in m.data)[0].data
    assert b"undisclosed-recipients" in delivered
    assert _ours_verifies(world, delivered)
