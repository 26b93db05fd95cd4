"""The bundled demo data: consistent, regenerable, and carrying what each sample re-enacts."""

from __future__ import annotations

import csv
import io
import json
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from mailguard.demo import REGISTER_CSV, SAMPLES_DIR, SETTINGS_JSON, make_samples
from mailguard.environment import load_settings

CONSUMER = ("gmail.com", "outlook.com", "btinternet.com", "hotmail.co.uk", "yahoo.co.uk", "icloud.com")
INDEX = json.loads((SAMPLES_DIR / "index.json").read_text())


def parse(name: str) -> EmailMessage:
    msg = message_from_bytes((SAMPLES_DIR / name).read_bytes(), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def attachment(name: str, suffix: str) -> bytes:
    for part in parse(name).iter_attachments():
        if (part.get_filename() or "").endswith(suffix):
            return part.get_payload(decode=True)
    raise AssertionError(f"no {suffix} in {name}")


def test_committed_files_are_what_the_generator_makes(tmp_path: Path) -> None:
    make_samples.main(tmp_path)
    for produced in tmp_path.rglob("*"):
        if produced.is_file():
            committed = SAMPLES_DIR.parent / produced.relative_to(tmp_path)
            assert committed.read_bytes() == produced.read_bytes(), committed.name


@pytest.mark.parametrize("entry", INDEX, ids=[e["file"] for e in INDEX])
def test_index_entries_match_their_messages(entry: dict) -> None:
    raw = (SAMPLES_DIR / entry["file"]).read_bytes()
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF throughout, as sent over SMTP
    msg = parse(entry["file"])
    assert msg["From"].addresses[0].addr_spec == entry["mail_from"]
    shown = [a.addr_spec for h in ("to", "cc") for v in msg.get_all(h, []) for a in v.addresses]
    assert sorted(shown) == sorted(entry["rcpt"])
    assert entry["expect"] in {"pass", "rewrite", "hold"} and entry["note"]


def test_consultation_invite_exposes_55_with_26_public() -> None:
    (entry,) = [e for e in INDEX if e["file"].startswith("01-")]
    assert len(entry["rcpt"]) == 55
    assert sum(a.endswith(CONSUMER) for a in entry["rcpt"]) == 26
    msg = parse(entry["file"])
    cal = next(p for p in msg.walk() if p.get_content_type() == "text/calendar").get_content()
    unfolded = re.sub(r"\r?\n[ \t]", "", cal).splitlines()
    assert sum(line.startswith("ATTENDEE;") for line in unfolded) == 55
    book = load_workbook(io.BytesIO(attachment(entry["file"], ".xlsx")), read_only=True)
    sheet = " ".join(str(v) for row in book.active.iter_rows(values_only=True) for v in row)
    assert "council.example.gov.uk" in sheet and "example.nhs.uk" in sheet


def register() -> dict[str, dict[str, str]]:
    with REGISTER_CSV.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["id", "name", "address", "postcode", "phone", "flagged_recipients"]
        return {row["id"]: row for row in reader}


def test_family_assessment_pdf_carries_p0001_to_its_flagged_recipient() -> None:
    row = register()["P0001"]
    (entry,) = [e for e in INDEX if e["file"].startswith("02-")]
    assert entry["rcpt"] == [row["flagged_recipients"]]
    text = " ".join(PdfReader(io.BytesIO(attachment(entry["file"], ".pdf"))).pages[0].extract_text().split())
    assert "27 Larkspur Close" in text and row["postcode"] in text
    assert "Larkspur" not in parse(entry["file"]).get_body(("plain",)).get_content()


def test_neglect_report_docx_has_p0002_in_a_table_and_goes_to_a_flagged_domain() -> None:
    row = register()["P0002"]
    (entry,) = [e for e in INDEX if e["file"].startswith("03-")]
    domains = [f[1:] for f in row["flagged_recipients"].split(";") if f.startswith("@")]
    assert entry["rcpt"][0].rpartition("@")[2] in domains
    doc = Document(io.BytesIO(attachment(entry["file"], ".docx")))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "41 Wrenfield Road" in cells and row["postcode"] in cells


def test_settings_file_loads() -> None:
    values = {k: v for k, v in json.loads(SETTINGS_JSON.read_text()).items() if k != "note"}
    values["register"] = str(SETTINGS_JSON.parent / values["register"])
    settings = load_settings(**values)
    assert "council.example.gov.uk" in settings.internal_domains and not settings.split_invites
    assert Path(settings.register).is_file()
