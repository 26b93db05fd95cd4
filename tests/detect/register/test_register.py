"""Loading, validation, flagged recipients, the compiled cache and the `register` command."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailguard.cli import main
from mailguard.detect.register import Register, RegisterError, RowError
from mailguard.message.model import Segment

HERE = Path(__file__).parent
HEADER = "id,name,address,postcode,phone,flagged_recipients\n"
SECRET = "Zebedee Quimby"  # a name that must never be printed


def write(tmp_path: Path, body: str, name: str = "reg.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


BAD_ROWS = (
    f'P1,{SECRET},"14 Acacia Avenue, Bristol",BS1 4AB,,ex@gmail.com\n'  # line 2: good
    f'P2,{SECRET},"14 Acacia Avenue, Bristol",NOT A PC,,ex@gmail.com\n'  # 3: postcode: skipped
    f'P3,{SECRET},"Acacia Avenue, Bristol",BS1 4AB,,ex@gmail.com\n'  # 4: no number: skipped
    f'P4,{SECRET},"9 Elm Road, Leeds",LS6 3JX,,not-an-address\n'  # 5: flagged: kept, warned
    f'P1,{SECRET},"9 Elm Road, Leeds",LS6 3JX,,ex@gmail.com\n'  # 6: duplicate id: kept, warned
    f'P5,{SECRET},"9 Elm Road, Leeds",LS6 3JX,12345,ex@gmail.com\n'  # 7: phone: kept, warned
    f'P6,{SECRET},"9 Elm Road, Leeds",LS6 3JX,,\n'  # 8: no flagged recipients: kept, warned
    f',{SECRET},"9 Elm Road, Leeds",LS6 3JX,,ex@gmail.com\n'  # 9: id: skipped
    "\n"  # 10: blank, ignored
    f'P7,{SECRET},"Flat 1, 9 Elm Road, Leeds",ls63jx,020 7946 0000,@Example.ORG\n'  # 11: good
)
SKIPPED, WARNED = [3, 4, 9], [5, 6, 7, 8]


def test_bad_rows_are_reported_by_line_and_good_rows_kept(tmp_path: Path) -> None:
    register, errors = Register.from_csv(write(tmp_path, BAD_ROWS))
    assert len(register) == 6
    assert [e.line for e in errors if not e.kept] == SKIPPED
    assert [e.line for e in errors if e.kept] == WARNED
    assert all(isinstance(e, RowError) for e in errors)
    problems = " ".join(e.problem for e in errors)
    for column in ("postcode", "address", "flagged_recipients", "id", "phone"):
        assert column in problems
    assert SECRET not in problems and "Acacia" not in problems and "LS6" not in problems


@pytest.mark.parametrize(
    ("phone", "email", "flagged"),
    [
        ("ex-directory", "", "ex@gmail.com"),  # a phone that is not a number
        ("0117 496 0123; withheld", "", "ex@gmail.com"),  # one good phone, one bad
        ("", "not an email", "ex@gmail.com"),
        ("", "", '"ex@gmail.com; ex.partner@gmail,com"'),  # one good flagged entry, one mistyped
    ],
)
def test_a_bad_optional_field_never_drops_the_address(tmp_path: Path, phone: str, email: str, flagged: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "id,name,address,postcode,phone,flagged_recipients,email\n"
        f'P1,,"9 Linden Close, Derby",DE1 3AB,{phone},{flagged},{email}\n',
        encoding="utf-8",
    )
    register, errors = Register.from_csv(path)
    assert len(register) == 1
    assert [(e.line, e.kept) for e in errors] == [(2, True)] and "row kept" in errors[0].problem
    (m,) = register.find_mentions([Segment("They are at 9 Linden Close, Derby DE1 3AB.", "body")])
    assert m.register_id == "P1" and register.is_flagged("P1", "ex@gmail.com")
    if "0117" in phone:
        assert [m.kind for m in register.find_mentions([Segment("ring 01174960123", "body")])] == ["phone"]
    cached = Register.open(path, cache_dir=tmp_path / "cache")
    assert cached.stats()["warned_rows"] == 1 and cached.row_errors() == errors


def test_multiline_quoted_row_keeps_line_numbers(tmp_path: Path) -> None:
    rows = 'P1,,"14 Acacia Avenue,\nBristol",BS1 4AB,,a@b.com\nP2,,"x",BS1 4AB,,a@b.com\n'
    register, errors = Register.from_csv(write(tmp_path, rows))
    assert len(register) == 1 and [e.line for e in errors] == [4]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,name,address\nP1,x,y\n", r"header lacks column\(s\) postcode, phone, flagged_recipients"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
    ],
)
def test_unusable_file_raises_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(RegisterError, match=message):
        Register.from_csv(path)
    with pytest.raises(RegisterError, match="cannot read register"):
        Register.open(tmp_path / "missing.csv", cache_dir=tmp_path / "cache")


def test_extra_columns_are_ignored_and_bom_accepted(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(
        b"\xef\xbb\xbfID,Name,Address,Postcode,Phone,Flagged_Recipients,notes\n"
        b'P1,,"14 Acacia Avenue, Bristol",BS1 4AB,,a@b.com,whatever\n'
    )
    register, errors = Register.from_csv(path)
    assert (len(register), errors) == (1, [])


def test_flagged_recipients_by_address_and_domain(tmp_path: Path) -> None:
    register, _ = Register.from_csv(write(tmp_path, BAD_ROWS))
    assert register.is_flagged("P1", "Ex@Gmail.com")
    assert register.is_flagged("P1", "<ex@gmail.com>")
    assert not register.is_flagged("P1", "other@gmail.com")
    assert not register.is_flagged("P7", "ex@gmail.com")
    assert register.is_flagged("P7", "anyone@example.org")
    assert register.is_flagged("P7", "anyone@mail.EXAMPLE.org")  # subdomains are the same organisation
    assert not register.is_flagged("P7", "anyone@example.org.evil.com")
    assert not register.is_flagged("P7", "anyone@notexample.org")
    assert not register.is_flagged("NOPE", "ex@gmail.com")
    assert register.flagged_recipients_of("ex@gmail.com") == {"P1", "P5"}
    assert register.flagged_recipients_of("x@sub.example.org") == {"P7"}
    assert register.flagged_recipients_of("nobody@nowhere.test") == set()


def test_stats_are_counts_only(tmp_path: Path) -> None:
    register, _ = Register.from_csv(write(tmp_path, BAD_ROWS))
    stats = register.stats()
    assert stats["rows"] == 6 and stats["bad_rows"] == 3 and stats["warned_rows"] == 4
    assert stats["with_phone"] == 1 and stats["with_flat"] == 1
    assert stats["flagged_addresses"] == 3 and stats["flagged_domains"] == 1
    assert all(isinstance(v, int) for v in stats.values())


def test_compiled_cache_is_reused_and_refreshed(tmp_path: Path) -> None:
    csv_path = tmp_path / "reg.csv"
    shutil.copy(HERE / "register.csv", csv_path)
    cache = tmp_path / "cache"
    first = Register.open(csv_path, cache_dir=cache)
    files = list(cache.glob("register-*.idx"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    again = Register.open(csv_path, cache_dir=cache)  # from the cache: the file is not rewritten
    assert files[0].stat().st_mtime_ns == stamp
    text = [Segment("14 Acacia Avenue, Bristol BS1 4AB", "body")]
    assert first.find_mentions(text) == again.find_mentions(text)
    assert len(again) == 17 and again.is_flagged("R1", "ex.partner@gmail.com")

    with csv_path.open("a") as f:
        f.write('R9,,"3 Oak Road, Derby",DE1 1AA,,n@gmail.com\n')
    changed = Register.open(csv_path, cache_dir=cache)
    assert len(changed) == 18
    assert [p.name for p in cache.glob("register-*.idx")] != [files[0].name]
    assert len(list(cache.glob("register-*.idx"))) == 1


def test_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    Register.open(HERE / "register.csv", cache_dir=cache)
    (idx,) = cache.glob("register-*.idx")
    idx.write_bytes(b"garbage")
    assert len(Register.open(HERE / "register.csv", cache_dir=cache)) == 17


def test_open_without_cache_dir_compiles_in_memory(tmp_path: Path) -> None:
    assert len(Register.open(HERE / "register.csv")) == 17


def test_cli_import_and_stats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MAILGUARD_DATA_DIR", str(tmp_path / "var"))
    source = write(tmp_path, BAD_ROWS, "people.csv")
    assert main(["register", "import", str(source)]) == 1  # some rows were bad
    out, err = capsys.readouterr()
    assert "6 rows, 3 bad rows skipped, 4 kept with an optional field (name or phone) left out as unreadable" in out
    assert "people.csv: line 3: postcode" in err and "line 9: id" in err
    assert SECRET not in out + err and "Acacia" not in out + err
    assert not (tmp_path / "var" / "register" / "register.csv").exists()  # no plain copy at rest
    assert (tmp_path / "var" / "register" / "register.idx").exists()

    assert main(["register", "stats"]) == 0
    out, _ = capsys.readouterr()
    assert "rows" in out and "6" in out and SECRET not in out

    assert main(["register", "stats", "--json"]) == 0
    assert '"rows": 6' in capsys.readouterr().out


def test_cli_errors_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MAILGUARD_DATA_DIR", str(tmp_path / "var"))
    assert main(["register", "stats"]) == 2
    assert "no register" in capsys.readouterr().err
    assert main(["register", "import", str(tmp_path / "missing.csv")]) == 2
    assert "cannot read register" in capsys.readouterr().err
    assert main(["register", "import", "--check", str(HERE / "register.csv")]) == 0
    assert "checked 17 rows" in capsys.readouterr().out
    assert not (tmp_path / "var").exists()


@pytest.mark.parametrize(
    "address",
    [
        "Flat 35, Canal Wharf, 1 Falcon Street, Birmingham",  # buildings named like streets
        "Flat 3, Foundry Court, 1 Falcon Street, Birmingham",
        "Apartment 35, Regency Heights, 1 Falcon Street, Birmingham",
        "Harbour View, 1 Falcon Street, Birmingham",
        "Fair View, Falcon Street, Birmingham",  # a house name with a street type, no number
    ],
)
def test_building_named_like_a_street_keeps_the_numbered_street(tmp_path: Path, address: str) -> None:
    register, errors = Register.from_csv(write(tmp_path, f'P1,,"{address}",B11 8BT,,ex@gmail.com\n'))
    assert errors == []
    named = "1" not in address
    for text in ("Fair View, B11 8BT",) if named else ("1 Falcon Street, Birmingham B11 8BT", "1, B11 8BT", address):
        assert {m.register_id for m in register.find_mentions([Segment(text, "body")])} == {"P1"}, text
    assert register.find_mentions([Segment("3 Falcon Street, Birmingham B11 8BT", "body")]) == []


@settings(max_examples=30, derandomize=True, deadline=None)
@given(
    local=st.from_regex(r"[a-z]{2,6}(\.[a-z]{2,6})?", fullmatch=True),
    tag=st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True),
    upper=st.booleans(),
)
def test_flagged_gmail_aliases_reach_the_flag(local: str, tag: str, upper: bool) -> None:
    """A flagged Gmail mailbox is flagged however the provider still delivers to it: `+tag`,
    dots anywhere, googlemail.com, any case; and a flagged domain covers its subdomains."""
    with tempfile.TemporaryDirectory() as folder:
        row = f'A1,,"3 Oak Road, Derby",DE1 1AA,,"{local}@gmail.com;@council.example.org"\n'
        register = Register.open(write(Path(folder), row))
    base = local.replace(".", "")
    for alias in (f"{local}+{tag}@gmail.com", f"{'.'.join(base)}@googlemail.com", f"{base}@gmail.com"):
        assert register.is_flagged("A1", alias.upper() if upper else alias), alias
    assert register.is_flagged("A1", "officer@mail.council.example.org")
    assert not register.is_flagged("A1", f"{base}x@gmail.com")
