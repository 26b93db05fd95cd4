"""Release modes end to end with the default rules for protected holds (a justification, two
reviewers): the API and the CLI give the same copies, the recording upstream gets exactly those
bytes, and no copy that reaches an outside address carries a mailguard field beyond Received:
and the opaque X-Mailguard-Id, on every delivery path (relay pass and rewrite, split, release,
outbox retry)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import docx as python_docx
import openpyxl
import pytest
from support.serve import as_env
from support.stack import RecordedMessage, Stack, wait_until

from mailguard.cli import main

from .conftest import REVIEWER
from .mail import COLLEAGUE, EX_PARTNER, INTERNAL, PROTECTED, PUBLIC, SENDER, _base, exposed, invite, marker, wire

HELD = re.compile(rb"held for review as (Q\w+)")
OURS = re.compile(rb"^(X-Mailguard-[\w-]+):", re.M | re.I)


@pytest.fixture
def strict_stack(settings: dict[str, Any]) -> Iterator[Stack]:
    """The defaults: two-person release and a justification for protected holds."""
    with Stack(**settings | {"two_person_release": "protected"}) as running:
        yield running


def protected_mail(subject: str, *, row: list[str] | None = None) -> bytes:
    """The protected address in the body and in a Word document (or, with `row`, in that row of
    a spreadsheet), made with python-docx and openpyxl as real office files are."""
    msg = _base(subject, f"<{EX_PARTNER}>", cc=COLLEAGUE)
    msg.set_content(f"Note: she now lives at {PROTECTED}.\n")
    out = io.BytesIO()
    if row is not None:
        book = openpyxl.Workbook()
        book.active.append(["Name", "Address"])  # type: ignore[union-attr]
        book.active.append(row)  # type: ignore[union-attr]
        book.save(out)
        subtype = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        msg.add_attachment(out.getvalue(), maintype="application", subtype=subtype, filename="list.xlsx")
    else:
        document = python_docx.Document()
        document.add_paragraph("Family assessment.")
        paragraph = document.add_paragraph("The children now live with their mother at 14 Orchard ")
        paragraph.add_run("Close, Bristol").bold = True  # the address split across two runs
        paragraph.add_run(" BS1 4DJ.")
        document.save(out)
        subtype = "vnd.openxmlformats-officedocument.wordprocessingml.document"
        msg.add_attachment(out.getvalue(), maintype="application", subtype=subtype, filename="assessment.docx")
    return wire(msg)


def hold(stack: Stack, data: bytes, rcpts: list[str] | None = None) -> str:
    code, text = stack.send(data, SENDER, rcpts or [EX_PARTNER, COLLEAGUE])
    found = HELD.search(text)
    assert code == 250 and found, (code, text)
    return found.group(1).decode()


def release(stack: Stack, item_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Rita asks, the administrator confirms (two-person is the default for a protected hold)."""
    url = f"/api/quarantine/{item_id}/release"
    asked = stack.api(REVIEWER).post(url, json=body)
    assert asked.status_code == 200 and asked.json()["status"] == "held", asked.text
    done = stack.api().post(url, json={"comment": "agreed"})
    assert done.status_code == 200 and done.json()["status"] == "released", done.text
    return done.json()


def copies_of(stack: Stack, word: str) -> list[RecordedMessage]:
    stack.outbox_idle()
    return [m for m in stack.delivered(lambda m: word.encode() in m.data) if SENDER not in m.rcpt_tos]


def assert_outsiders_learn_nothing(copies: list[RecordedMessage]) -> None:
    for copy in copies:
        head = copy.data.partition(b"\r\n\r\n")[0]
        if all(r.endswith("@" + INTERNAL) for r in copy.rcpt_tos):
            continue
        assert {m.lower() for m in OURS.findall(head)} <= {b"x-mailguard-id"}, head[:600]
        assert re.search(rb"^X-Mailguard-Id: [0-9a-f]{16}\r$", head, re.M), head[:600]


def attachment(data: bytes, name: str) -> bytes:
    msg = message_from_bytes(data, policy=policy.default)
    [part] = [p for p in msg.walk() if p.get_filename() == name]
    return bytes(part.get_content())


def test_protected_release_needs_a_justification_and_a_second_reviewer(strict_stack: Stack) -> None:
    item_id = hold(strict_stack, protected_mail(marker()))
    url = f"/api/quarantine/{item_id}/release"
    refused = strict_stack.api(REVIEWER).post(url, json={"mode": "as_is"})
    assert refused.status_code == 422 and "justification" in refused.json()["detail"]
    body = {"mode": "split", "justification": "the social worker confirmed"}
    assert strict_stack.api(REVIEWER).post(url, json=body).json()["status"] == "held"
    again = strict_stack.api(REVIEWER).post(url, json=body)
    assert again.status_code == 409  # the same reviewer cannot confirm
    listed = strict_stack.api().get(f"/api/quarantine/{item_id}").json()
    assert listed["pending_confirmation"]["mode"] == "split"


def test_every_mode_delivers_what_it_says(strict_stack: Stack) -> None:
    stack = strict_stack
    why = {"justification": "checked with the family's social worker"}
    words = {mode: marker() for mode in ("as_is", "bcc", "split", "subset", "strip", "redact")}
    ids = {mode: hold(stack, protected_mail(word)) for mode, word in words.items()}

    preview = stack.api(REVIEWER).post(f"/api/quarantine/{ids['split']}/release/preview", json={"mode": "split"})
    assert preview.status_code == 200
    assert [c["recipients"] for c in preview.json()["copies"]] == [[COLLEAGUE], [EX_PARTNER]]

    release(stack, ids["as_is"], {"mode": "as_is", **why})
    [got] = copies_of(stack, words["as_is"])
    assert got.rcpt_tos == (EX_PARTNER, COLLEAGUE)

    release(stack, ids["bcc"], {"mode": "bcc", **why})
    [got] = copies_of(stack, words["bcc"])
    head = got.data.partition(b"\r\n\r\n")[0]
    assert EX_PARTNER.encode() not in head and got.rcpt_tos == (EX_PARTNER, COLLEAGUE)

    release(stack, ids["split"], {"mode": "split", **why})
    split = copies_of(stack, words["split"])
    assert sorted(c.rcpt_tos for c in split) == [(EX_PARTNER,), (COLLEAGUE,)]

    release(stack, ids["subset"], {"mode": "subset", "recipients": [COLLEAGUE], **why})
    [got] = copies_of(stack, words["subset"])
    assert got.rcpt_tos == (COLLEAGUE,)
    [partial] = stack.wait_for(lambda m: words["subset"].encode() in m.data and m.rcpt_tos == (SENDER,) and
                               b"some of its recipients" in m.data)  # fmt: skip
    assert EX_PARTNER.encode() in partial.data  # the sender is told who did not get it

    release(stack, ids["strip"], {"mode": "strip", "attachments": ["assessment.docx"], **why})
    [got] = copies_of(stack, words["strip"])
    assert b'The attachment "assessment.docx" was removed' in got.data
    assert not [p for p in message_from_bytes(got.data, policy=policy.default).walk() if p.get_filename()]

    redacted = release(stack, ids["redact"], {"mode": "redact", **why})
    assert redacted["mode"] == "redact"
    [got] = copies_of(stack, words["redact"])
    document = python_docx.Document(io.BytesIO(attachment(got.data, "assessment.docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Orchard" not in text and "BS1 4DJ" not in text and "[address withheld]" in text
    assert b"Orchard" not in got.data

    assert_outsiders_learn_nothing([c for w in words.values() for c in copies_of(stack, w)])
    audit = stack.api().get("/api/audit", params={"limit": 200}).json()["items"]
    released = {e["item_id"]: e for e in audit if e["action"] == "release"}
    assert released[ids["split"]]["comment"].startswith("mode split") and released[ids["split"]]["actor"] == "api:admin"


def test_redacted_xlsx_holds_no_protected_text(strict_stack: Stack) -> None:
    word = marker()
    item_id = hold(strict_stack, protected_mail(word, row=["Jane", PROTECTED]))
    preview = strict_stack.api(REVIEWER).post(f"/api/quarantine/{item_id}/release/preview", json={"mode": "redact"})
    assert preview.status_code == 200 and any("[address withheld]" in p for p in preview.json()["preview"])
    release(strict_stack, item_id, {"mode": "redact", "justification": "address is the recipient's own"})
    for copy in copies_of(strict_stack, word):
        book = openpyxl.load_workbook(io.BytesIO(attachment(copy.data, "list.xlsx")))
        cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value]  # type: ignore[union-attr]
        assert "[address withheld]" in cells and not any("Orchard" in c or "BS1 4DJ" in c for c in cells)


def test_redaction_that_leaves_protected_text_is_refused(strict_stack: Stack) -> None:
    # the house number, street, town and postcode in cells of their own: no cell holds a mention,
    # the row does, and the re-scan (which reads rows) finds it
    item_id = hold(strict_stack, protected_mail(marker(), row=["Jane", "14", "Orchard Close", "Bristol", "BS1 4DJ"]))
    body = {"mode": "redact", "justification": "checked"}
    refused = strict_stack.api(REVIEWER).post(f"/api/quarantine/{item_id}/release", json=body)
    assert refused.status_code == 422, refused.text
    assert "still found after redaction" in refused.json()["detail"]
    assert strict_stack.api().get(f"/api/quarantine/{item_id}").json()["status"] == "held"


def test_api_and_cli_give_the_same_copies(
    strict_stack: Stack, settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = strict_stack
    words = [marker(), marker()]
    first, second = (hold(stack, protected_mail(w)) for w in words)
    release(stack, first, {"mode": "redact", "justification": "ok"})
    for key, value in as_env(settings | {"two_person_release": "off"}).items():
        if key.startswith("MAILGUARD_"):
            monkeypatch.setenv(key, value)
    before = stack.api().get("/metrics").text
    assert main(["quarantine", "release", second, "--mode", "redact", "--justification", "ok"]) == 0
    by_api, by_cli = (copies_of(stack, w) for w in words)

    def comparable(copies: list[RecordedMessage], word: str) -> list[tuple[tuple[str, ...], str]]:
        out = []
        for c in copies:
            msg = message_from_bytes(c.data, policy=policy.default)
            body = msg.get_body(("plain",))
            document = python_docx.Document(io.BytesIO(attachment(c.data, "assessment.docx")))
            text = str(body.get_content() if body else "") + "\n".join(p.text for p in document.paragraphs)
            out.append((c.rcpt_tos, text.replace(word, "WORD")))
        return sorted(out)

    assert comparable(by_api, words[0]) == comparable(by_cli, words[1])
    after = stack.api().get("/metrics").text
    assert _counter(after, "release") == _counter(before, "release") + 1  # the CLI's, counted by the server


def _counter(text: str, decision: str) -> float:
    found = re.search(rf'^mailguard_review_decisions_total{{decision="{decision}"}} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def test_outsiders_see_no_verdict_on_any_path(strict_stack: Stack) -> None:
    stack = strict_stack
    word = marker()
    assert stack.send(wire_clean(word), SENDER, [PUBLIC[0]])[0] == 250  # pass
    assert stack.send(exposed(word), SENDER, [*PUBLIC, COLLEAGUE])[0] == 250  # rewrite
    assert stack.send(invite(word), SENDER, [*PUBLIC, COLLEAGUE])[0] == 250  # split
    item_id = hold(stack, protected_mail(word))
    stack.outbox_idle()
    port = stack.upstream.port
    stack.call(stack.upstream.go_down())  # the release waits in the outbox and is retried
    release(stack, item_id, {"mode": "as_is", "justification": "ok"})

    def failed_attempt() -> bool:
        delivery = stack.api().get(f"/api/quarantine/{item_id}").json()["delivery"]
        return bool(delivery and delivery["attempts"] >= 1)

    wait_until(failed_attempt, what="a failed delivery attempt")
    stack.call(stack.upstream.start(port=port))
    stack.wait_for(lambda m: word.encode() in m.data and m.rcpt_tos == (EX_PARTNER, COLLEAGUE))
    copies = copies_of(stack, word)
    assert len(copies) >= 1 + 1 + len(PUBLIC) + 1 + 1
    assert_outsiders_learn_nothing(copies)
    insiders = [c for c in copies if c.rcpt_tos == (COLLEAGUE,)]
    assert any(b"X-Mailguard-Verdict" in c.data for c in insiders)  # journaling stays inside


def wire_clean(word: str) -> bytes:
    msg = _base(word, PUBLIC[0])
    msg.set_content("Thank you for your letter.\n")
    return wire(msg)
