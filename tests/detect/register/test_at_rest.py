"""The register at rest is keyed hashes only: after an import and a relay run over mail that
mentions its rows, no file under the data directory (index, key, logs) holds any row's
postcode, street or phone in any case or spacing; the index holds no word of any row even
in the forms the matcher compares (OCR skeleton, postcode key), and nothing in the relay can
decrypt a row (there is no ciphertext); an index of another key is refused."""

from __future__ import annotations

import csv
import re
import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.crash import INTERNAL, RULES
from support.relay import free_port
from support.serveproc import ServeProcess
from support.upstream import RecordingUpstream, serving

import mailguard.detect.register as register_package
from mailguard.cli import main
from mailguard.detect.register import Register, RegisterError
from mailguard.detect.register.ukforms import STREET_TYPES, postcode_key, skeleton
from mailguard.message.model import Segment

HERE = Path(__file__).parent
KEY = "correct horse battery staple 0123456789"


def _rows() -> list[dict[str, str]]:
    with (HERE / "register.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def _needles() -> set[str]:
    """Each row's postcode and street (letters and digits only, lower case) and phone (digits)."""
    out = set()
    for row in _rows():
        out.add(re.sub(r"[^a-z0-9]", "", row["postcode"].lower()))
        parts = [p for p in row["address"].split(",") if re.search(r"[A-Za-z]{3}", p)]
        street = next((p for p in parts if re.match(r"\s*\d", p)), parts[0])
        out.add(re.sub(r"[^a-z]", "", street.lower()))  # "14 Acacia Avenue" -> "acaciaavenue"
        if row["phone"]:
            out.add("phone:" + re.sub(r"\D", "", row["phone"])[-10:])
    return out


def _leaks(folder: Path) -> list[tuple[str, str]]:
    found = []
    needles = _needles()
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        raw = path.read_bytes().lower()
        letters = re.sub(rb"[^a-z0-9]", b"", raw).decode("latin-1")
        digits = re.sub(rb"\D", b"", raw).decode()
        for needle in needles:
            hay, word = (digits, needle[6:]) if needle.startswith("phone:") else (letters, needle)
            if word in hay:
                found.append((path.name, needle))
    return found


@pytest.fixture
def upstream() -> Iterator[RecordingUpstream]:
    with serving(RecordingUpstream()) as up:
        yield up


def test_nothing_of_the_register_is_readable_at_rest(
    tmp_path: Path, upstream: RecordingUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "var"
    monkeypatch.setenv("MAILGUARD_DATA_DIR", str(data))
    monkeypatch.setenv("MAILGUARD_REGISTER_KEY", KEY)
    assert main(["register", "import", str(HERE / "register.csv")]) == 0
    relay = ServeProcess(
        data / "serve.log",  # the relay's log is searched too
        listen=f"127.0.0.1:{free_port()}",
        admin_listen=f"127.0.0.1:{free_port()}",
        upstream_port=upstream.port,
        upstream_tls="none",
        data_dir=data,
        database_url=f"sqlite:///{tmp_path / 'quarantine.db'}",  # held mail is what senders wrote, not the register
        rules_dir=RULES,
        internal_domains=INTERNAL,
        extract_workers=1,
        notify_sender="false",
        register_key=KEY,
    )
    relay.start()
    try:
        with smtplib.SMTP(relay.host, relay.port, timeout=30) as client:
            for i, row in enumerate(_rows()):
                flagged = row["flagged_recipients"].split(";")[0]
                rcpt = flagged if "@" in flagged[1:] else "someone" + flagged
                body = f"Subject: visit {i}\r\n\r\nThe family lives at {row['address']}, {row['postcode']}.\r\n"
                client.sendmail(f"officer@{INTERNAL}", [rcpt], f"From: officer@{INTERNAL}\r\nTo: {rcpt}\r\n{body}")
                client.sendmail(f"officer@{INTERNAL}", [f"colleague@{INTERNAL}"], body)
    finally:
        assert relay.stop() == 0
    # the internal copies went out, the copies to flagged recipients were held (read from the index)
    assert len(upstream.messages) == len(_rows())
    assert (data / "register" / "register.idx").exists()
    assert _leaks(data) == []


def test_the_index_can_be_built_elsewhere_and_another_key_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MAILGUARD_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MAILGUARD_REGISTER_KEY", raising=False)
    out = tmp_path / "shipped" / "register.idx"
    assert main(["register", "import", str(HERE / "register.csv"), "--out", str(out)]) == 2
    assert "--out needs MAILGUARD_REGISTER_KEY" in capsys.readouterr().err

    monkeypatch.setenv("MAILGUARD_REGISTER_KEY", KEY)
    assert main(["register", "import", str(HERE / "register.csv"), "--out", str(out)]) == 0
    assert not (tmp_path / "var").exists()  # built elsewhere: nothing on this machine's data dir
    register = Register.open(out, key=KEY.encode())
    found = register.find_mentions([Segment("14 Acacia Avenue, Bristol BS1 4AB", "body")])
    assert [m.register_id for m in found] == ["R1"]
    assert register.is_flagged("R1", "ex.partner@gmail.com")

    with pytest.raises(RegisterError, match="built with another register key"):
        Register.open(out, key=b"some other key of enough length")
    with pytest.raises(RegisterError, match="set MAILGUARD_REGISTER_KEY"):
        Register.open(out)
    monkeypatch.setenv("MAILGUARD_REGISTER", str(out))
    monkeypatch.setenv("MAILGUARD_REGISTER_KEY", "a rotated key, not the one it was built with")
    assert main(["register", "stats"]) == 2
    assert "built with another register key" in capsys.readouterr().err
    monkeypatch.setenv("MAILGUARD_REGISTER_KEY", KEY)
    assert main(["register", "stats", "--json"]) == 0
    assert '"rows": 17' in capsys.readouterr().out
    assert _leaks(out.parent) == []


def _words(row: dict[str, str]) -> set[str]:
    """Every word of a row (but the public street types and short words) as written, in OCR
    skeleton, and its address's parts joined, its postcode as written and as keyed."""
    out = set()
    for part in row["address"].lower().split(","):
        words = [w for w in re.findall(r"[a-z]+", part) if w != "flat"]  # "with_flat" is a statistic's name
        out.add("".join(words))
        out.update(w for w in words if w not in STREET_TYPES)
    out |= {skeleton(w) for w in out}
    pc = row["postcode"].replace(" ", "")
    out |= {pc.lower(), postcode_key(pc.upper()).lower()}
    return {w for w in out if len(w) >= 4}


def test_the_index_holds_no_word_of_any_row_in_any_compared_form() -> None:
    image, rows, _ = Register.compile_image(HERE / "register.csv", KEY.encode())
    assert rows == len(_rows())
    hay = re.sub(rb"[^a-z0-9]", b"", image.lower()).decode("latin-1")
    assert [(row["id"], w) for row in _rows() for w in sorted(_words(row)) if w in hay] == []


def test_the_relay_has_no_way_to_decrypt_a_row() -> None:
    """Rows are hashes, not ciphertext: no module of the register encrypts or decrypts."""
    sources = Path(register_package.__file__).parent.glob("*.py")
    assert [p.name for p in sources if re.search(r"AESGCM|decrypt|cryptography", p.read_text())] == []


def test_an_index_of_the_sealed_format_is_refused_with_a_re_import_hint(tmp_path: Path) -> None:
    old = tmp_path / "register.idx"
    old.write_bytes(b"MGREG\x00v2" + bytes(64))  # the format whose rows were sealed, not hashed
    with pytest.raises(RegisterError, match="import the register again"):
        Register.open(old, key=KEY.encode())
