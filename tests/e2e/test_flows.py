"""Through the real relay: rewrite to Bcc, split invites, hold → review → release / reject,
release while the upstream is down, and the admin API's refusals. Real SMTP clients, the real
Scanner with the repo's rules and a register CSV, the real store, HTTP to the admin listener."""

from __future__ import annotations

import re

from support.stack import Match, Stack, bearer, wait_until

from .conftest import REVIEWER, VIEWER
from .mail import (
    COLLEAGUE,
    EX_PARTNER,
    EXPOSED_BODY,
    ORGANISER,
    PUBLIC,
    SENDER,
    attendees,
    exposed,
    header_and_body,
    invite,
    marker,
    protected_attachment,
    subject_of,
    text_of,
    visible,
)

HELD = re.compile(rb"2\.0\.0 Ok: held for review as (Q[A-Z0-9]+)$")
NULL_SENDER = ("", "<>")  # aiosmtpd records MAIL FROM:<> as "<>"
STAGED = re.compile(rb"2\.0\.0 Ok: queued as (S[A-Z0-9]+)$")


def about(word: str) -> Match:
    """Match delivered mail (not notices about it) whose subject carries `word`."""
    return lambda m: m.mail_from not in NULL_SENDER and word in subject_of(m.data)


def notice_about(word: str, kind: str) -> Match:
    """Match a sender notice: from the null sender, `kind` in its subject, `word` in its text."""
    return lambda m: m.mail_from in NULL_SENDER and kind in subject_of(m.data) and word in text_of(m.data)


def hold(stack: Stack, subject: str, kind: str = "pdf") -> str:
    code, text = stack.send(protected_attachment(subject, kind), SENDER, [EX_PARTNER, COLLEAGUE])
    found = HELD.match(text)
    assert code == 250 and found, (code, text)
    return found.group(1).decode()


def test_rewrite_hides_outside_parties_delivers_to_all_and_tells_the_sender(stack: Stack) -> None:
    word = marker()
    rcpts = [*PUBLIC, COLLEAGUE, "bcc.only@yahoo.co.uk"]
    assert stack.send(exposed(word), SENDER, rcpts)[0] == 250

    [got] = stack.wait_for(about(word))
    assert got.rcpt_tos == tuple(rcpts)  # every envelope recipient still gets it, in one copy
    assert visible(got.data) == {COLLEAGUE}  # no outside party in To or Cc
    head, body = header_and_body(got.data)
    assert body == EXPOSED_BODY  # the body's bytes are untouched
    assert b"X-Mailguard-Verdict" not in head and b"X-Mailguard-Rewritten" not in head  # outsiders get it
    assert b"X-Mailguard-Id: " in head

    [note] = stack.wait_for(notice_about(word, "addresses hidden"))
    assert note.rcpt_tos == (SENDER,)
    assert not any(a.encode() in note.data for a in PUBLIC)  # a notice never lists the recipients


def test_invite_is_split_into_one_copy_per_attendee(stack: Stack) -> None:
    word = marker()
    rcpts = [*PUBLIC, COLLEAGUE]
    code, text = stack.send(invite(word), SENDER, rcpts)
    assert code == 250 and STAGED.match(text), text

    copies = stack.wait_for(about(word), count=len(PUBLIC) + 1)
    stack.outbox_idle()
    copies = stack.delivered(about(word))
    assert sorted(c.rcpt_tos for c in copies) == sorted([(p,) for p in PUBLIC] + [(COLLEAGUE,)])  # once each
    for copy in copies:
        [rcpt] = copy.rcpt_tos
        shown = {rcpt, COLLEAGUE}  # the internal copy shows only the colleague
        people, organisers = attendees(copy.data)
        assert people == shown, rcpt
        assert organisers == {ORGANISER}
        assert visible(copy.data) == shown, rcpt


def test_held_attachment_is_reviewed_released_once_and_rejected_with_a_notice(db_stack: Stack) -> None:
    stack = db_stack
    word = marker()
    pdf_id = hold(stack, f"{word} pdf", "pdf")
    docx_id = hold(stack, f"{word} docx", "docx")
    sent_pdf = stack.call(stack.runtime.store.raw(pdf_id))

    held_notices = stack.wait_for(notice_about(word, "being held for review"), count=2)
    assert {n.rcpt_tos for n in held_notices} == {(SENDER,)}
    assert not any(b"Orchard" in n.data or EX_PARTNER.encode() in n.data for n in held_notices)
    assert stack.delivered(about(word)) == []  # nothing reached the ex-partner

    api = stack.api()
    listed = api.get("/api/quarantine", params={"status": "held"}).json()
    items = {i["id"]: i for i in listed["items"]}
    assert {pdf_id, docx_id} <= set(items) and listed["total"] >= 2
    for item_id, name in ((pdf_id, "assessment.pdf"), (docx_id, "assessment.docx")):
        item = items[item_id]
        assert item["rcpt"] == [EX_PARTNER, COLLEAGUE] and item["mail_from"] == SENDER
        assert item["status"] == "held" and word in item["subject"]
        assert {r["rule"] for r in item["reasons"]} == {"protected-to-flagged"}
        detail = api.get(f"/api/quarantine/{item_id}").json()
        assert any("Orchard" in s["match"] for s in detail["snippets"]), detail["snippets"]
        assert name in {a["filename"] for a in detail["attachments"]}
    raw = api.get(f"/api/quarantine/{pdf_id}/raw")
    assert raw.headers["content-type"].startswith("message/rfc822") and raw.content == sent_pdf

    with stack.api(token=None) as browser:  # the review page, logged in through its form
        form = browser.get("/review/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        assert browser.post("/review/login", data={"csrf": csrf, "token": REVIEWER}).status_code == 303
        queue = browser.get("/review").text
        assert pdf_id in queue and docx_id in queue
        page = browser.get(f"/review/item/{pdf_id}").text
        assert "<mark>" in page and "Orchard Close" in page and "assessment.pdf" in page

    release = {"comment": "checked", "mode": "as_is", "justification": "the social worker agreed"}
    answer = api.post(f"/api/quarantine/{pdf_id}/release", json=release, headers=bearer(REVIEWER))
    assert answer.status_code == 200 and answer.json()["status"] == "released"
    [delivered] = stack.wait_for(about(f"{word} pdf"))
    assert delivered.mail_from == SENDER and delivered.rcpt_tos == (EX_PARTNER, COLLEAGUE)
    assert re.fullmatch(rb"X-Mailguard-Id: [0-9a-f]{16}\r\n", delivered.data[: -len(sent_pdf)])
    assert delivered.data.endswith(sent_pdf)  # released exactly as it arrived, with only the opaque id on top
    assert api.post(f"/api/quarantine/{pdf_id}/release", json=release).status_code == 409
    assert api.post(f"/api/quarantine/{pdf_id}/reject", json={}).status_code == 409

    reject = {"comment": "wrong recipient", "notify_sender": True}
    answer = api.post(f"/api/quarantine/{docx_id}/reject", json=reject, headers=bearer(REVIEWER))
    assert answer.status_code == 200 and answer.json()["status"] == "rejected"
    [note] = stack.wait_for(notice_about(word, "was not sent"))
    assert note.rcpt_tos == (SENDER,) and b"Orchard" not in note.data
    assert api.post(f"/api/quarantine/{docx_id}/release", json=release).status_code == 409

    stack.outbox_idle()
    assert len(stack.delivered(about(word))) == 1  # the PDF once; the DOCX never
    audit = api.get("/api/audit", params={"limit": 100}).json()["items"]
    story = {(e["item_id"], e["action"], e["actor"]) for e in audit}
    assert {
        (pdf_id, "hold", "relay"),
        (pdf_id, "release", "api:rita"),
        (pdf_id, "delivered", "system:outbox"),
        (docx_id, "reject", "api:rita"),
    } <= story


def test_release_while_the_upstream_is_down_is_delivered_once_when_it_returns(db_stack: Stack) -> None:
    stack = db_stack
    word = marker()
    item_id = hold(stack, word)
    stack.outbox_idle()  # the held notice went out while the upstream was up
    port = stack.upstream.port
    stack.call(stack.upstream.go_down())

    api = stack.api()
    body = {"comment": "ok", "justification": "checked"}
    assert api.post(f"/api/quarantine/{item_id}/release", json=body).status_code == 200

    def failed_attempt() -> bool:
        delivery = api.get(f"/api/quarantine/{item_id}").json()["delivery"]
        return bool(delivery and delivery["status"] == "pending" and delivery["attempts"] >= 1)

    wait_until(failed_attempt, what="a failed delivery attempt")
    assert stack.delivered(about(word)) == []
    stack.call(stack.upstream.start(port=port))

    stack.wait_for(about(word))
    stack.outbox_idle()
    assert len(stack.delivered(about(word))) == 1
    delivery = api.get(f"/api/quarantine/{item_id}").json()["delivery"]
    assert delivery["status"] == "sent" and delivery["attempts"] >= 2


def test_every_api_route_refuses_a_missing_or_wrong_token(stack: Stack) -> None:
    item_id = hold(stack, marker())
    with stack.api(token=None) as anonymous:
        spec = anonymous.get("/openapi.json").json()
        routes = [
            (method.upper(), path.replace("{item_id}", item_id))
            for path, ops in spec["paths"].items()
            if path.startswith("/api/")
            for method in ops
        ]
        assert len(routes) >= 6
        for method, path in routes:
            for headers in ({}, bearer("wrong-token"), {"Authorization": "Basic YWRtaW46YWRtaW4="}):
                answer = anonymous.request(method, path, headers=headers, json={})
                assert answer.status_code == 401, (method, path, headers, answer.status_code)
            if method == "POST":  # a viewer may look, not decide
                assert anonymous.request(method, path, headers=bearer(VIEWER), json={}).status_code == 403
        for path in ("/review", f"/review/item/{item_id}", f"/review/item/{item_id}/raw"):
            answer = anonymous.get(path)
            assert answer.status_code == 303 and answer.headers["location"] == "/review/login"
        for action in ("release", "reject"):
            assert anonymous.post(f"/review/item/{item_id}/{action}", data={}).status_code == 403
    assert stack.api().get(f"/api/quarantine/{item_id}").json()["status"] == "held"


def test_metrics_count_each_held_message_once(stack: Stack) -> None:
    """/metrics over HTTP: one held message is one hold and one hit of its rule (the Scanner and
    the relay both used to count rule hits, so every hit counted twice)."""

    def sample(name: str) -> float:
        text = stack.api(token=None).get("/metrics").text
        found = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", text, re.M)
        return float(found.group(1)) if found else 0.0

    hits = 'mailguard_rule_hits_total{rule="protected-to-flagged"}'
    holds = 'mailguard_messages_total{verdict="hold"}'
    before = sample(hits), sample(holds)
    hold(stack, marker())
    assert (sample(hits), sample(holds)) == (before[0] + 1, before[1] + 1)


def test_an_automatic_forward_to_a_flagged_recipient_is_held(stack: Stack) -> None:
    """`Auto-Submitted` makes mail system mail, which is passed untouched; an insider's header or
    a mailbox forwarding rule must not carry a protected address to a flagged person that way."""
    word = marker()
    data = b"Auto-Submitted: auto-forwarded\r\n" + protected_attachment(word)
    code, text = stack.send(data, SENDER, [EX_PARTNER])
    assert code == 250 and HELD.match(text), (code, text)
    word2 = marker()
    data = b"Auto-Submitted: auto-forwarded\r\n" + protected_attachment(word2)
    assert stack.send(data, SENDER, [COLLEAGUE])[0] == 250  # nobody flagged: passed as it came
    [got] = stack.wait_for(about(word2))
    assert got.data.endswith(data)
    assert stack.delivered(about(word)) == []
