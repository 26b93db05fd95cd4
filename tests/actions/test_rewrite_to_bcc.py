"""rewrite_to_bcc: only To/Cc header bytes change; externals vanish, internals stay as written."""

from __future__ import annotations

import hashlib
from email import message_from_bytes, policy

from hypothesis import given, settings
from hypothesis import strategies as st

from mailguard.actions.rewrite import rewrite_to_bcc
from mailguard.organisation.organisation import Organisation

COUNCIL = "council.example.gov.uk"


def internal(address: str) -> bool:
    domain = address.rpartition("@")[2]
    return domain == COUNCIL or domain.endswith("." + COUNCIL) or domain == "bücher.example"


BODY = b"Body line =E9 \xe9\r\n\r\n-- \r\nsig\r\n"


def message(headers: str, body: bytes = BODY, eol: str = "\r\n") -> bytes:
    head = "".join(line + eol for line in headers.strip("\n").split("\n"))
    return head.encode("utf-8") + eol.encode() + body


def body_hash(data: bytes) -> str:
    sep = b"\r\n\r\n" if b"\r\n\r\n" in data else b"\n\n"
    return hashlib.sha256(data.partition(sep)[2]).hexdigest()


def visible(data: bytes) -> list[str]:
    msg = message_from_bytes(data, policy=policy.default)
    return [a.addr_spec.lower() for h in ("to", "cc") for v in msg.get_all(h, []) for a in v.addresses]


def header_lines(data: bytes) -> list[bytes]:
    sep = b"\r\n\r\n" if b"\r\n\r\n" in data else b"\n\n"
    return data.partition(sep)[0].splitlines()


def test_body_identical_externals_gone_internals_kept_verbatim() -> None:
    data = message(
        'From: Ann <ann@council.example.gov.uk>\n'
        'To: "Smith, John" <j.smith@gmail.com>, "Obi, Grace (Housing)" <Grace.Obi@Council.Example.gov.uk>,\n'
        ' bob@outlook.com\n'
        'Cc: Partner <p@housing.example.org.uk>, =?utf-8?q?Z=C3=B6e_Ash?= <zoe@hr.council.example.gov.uk>\n'
        'Subject: =?utf-8?q?Consultation?=\n'
        'Content-Type: text/plain; charset=utf-8\n'
        'Content-Transfer-Encoding: 8bit'
    )
    out = rewrite_to_bcc(data, internal)
    assert body_hash(out) == body_hash(data)
    assert out.endswith(data.partition(b"\r\n\r\n")[2])
    assert sorted(visible(out)) == ["grace.obi@council.example.gov.uk", "zoe@hr.council.example.gov.uk"]
    assert b'To: "Obi, Grace (Housing)" <Grace.Obi@Council.Example.gov.uk>\r\n' in out
    assert b"Cc: =?utf-8?q?Z=C3=B6e_Ash?= <zoe@hr.council.example.gov.uk>\r\n" in out
    assert b"X-Mailguard-Rewritten: moved 3 external recipients to Bcc\r\n" in out
    for field in (b"From: Ann", b"Subject: =?utf-8?q?Consultation?=", b"Content-Transfer-Encoding: 8bit"):
        assert field in out
    assert b"gmail" not in out and b"outlook" not in out and b"housing.example" not in out


def test_no_one_left_gives_undisclosed_and_drops_cc() -> None:
    data = message(f"From: a@{COUNCIL}\nTo: x@gmail.com, y@btinternet.com\nCc: z@icloud.com\nSubject: s")
    out = rewrite_to_bcc(data, internal)
    lines = header_lines(out)
    assert b"To: undisclosed-recipients:;" in lines
    assert not any(line.lower().startswith(b"cc:") for line in lines)
    assert visible(out) == []
    assert b"moved 3 external recipients" in out


def test_nothing_to_move_returns_input_unchanged() -> None:
    data = message(f"From: a@{COUNCIL}\nTO: b@{COUNCIL}\nCc: undisclosed-recipients:;")
    assert rewrite_to_bcc(data, internal) is data


def test_idempotent_and_stable_fold() -> None:
    many = ", ".join(f"Person {i} <p{i}@{'gmail.com' if i % 2 else COUNCIL}>" for i in range(300))
    data = message(f"From: a@{COUNCIL}\nTo: {many}\nSubject: s")
    once = rewrite_to_bcc(data, internal)
    assert rewrite_to_bcc(once, internal) == once
    assert len(visible(once)) == 150
    assert all(len(line) <= 998 for line in header_lines(once))
    to_lines = [ln for ln in header_lines(once) if ln.startswith((b"To:", b" "))]
    assert len(to_lines) > 10 and all(len(ln) <= 78 for ln in to_lines)
    assert all(ln.rstrip().endswith(b",") for ln in to_lines[:-1])  # folded at commas


def test_groups() -> None:
    data = message(
        "From: a@council.example.gov.uk\n"
        "To: Residents: r1@gmail.com, r2@outlook.com;, Staff: s1@council.example.gov.uk, x@gmail.com;\n"
        "Cc: Board: s2@council.example.gov.uk;"
    )
    out = rewrite_to_bcc(data, internal)
    assert sorted(visible(out)) == ["s1@council.example.gov.uk", "s2@council.example.gov.uk"]
    assert b"To: Staff: s1@council.example.gov.uk;\r\n" in out
    assert b"Cc: Board: s2@council.example.gov.uk;\r\n" in out
    assert b"Residents" not in out
    assert b"moved 3 external" in out


def test_encoded_words_comments_quoted_commas_and_routes() -> None:
    data = message(
        "From: a@council.example.gov.uk\n"
        "To: =?utf-8?q?Smith,_J?= <js@gmail.com>, \"Doe, Jane\" (home, evenings) <jd@yahoo.co.uk>,\n"
        " (note, here) Kim <kim@council.example.gov.uk> (desk 4), <@relay.example:r@hotmail.co.uk>,\n"
        " \"bob@gmail.com\" <bob@council.example.gov.uk>,\n"
        " Ann <ann@council.example.gov.uk> (was ann@gmail.com),\n"
        " =?utf-8?b?ZXZlQGdtYWlsLmNvbQ==?= <eve@council.example.gov.uk>"
    )
    out = rewrite_to_bcc(data, internal)
    assert visible(out) == ["kim@council.example.gov.uk"]
    assert b"(note, here) Kim <kim@council.example.gov.uk> (desk 4)" in out
    # a name or comment naming an external address would show it: those entries are hidden too
    assert b"bob@gmail.com" not in out and b"ann@gmail.com" not in out and b"ZXZl" not in out


def test_multiple_to_headers_folded_mixed_case_and_lf_style() -> None:
    data = message(
        "from: a@council.example.gov.uk\nTO: X <x@GMAIL.com>\n"
        "to: Kim\n  <KIM@COUNCIL.EXAMPLE.GOV.UK>\ncc: y@gmail.com",
        body=b"plain body\n",
        eol="\n",
    )
    out = rewrite_to_bcc(data, internal)
    assert b"\r" not in out  # keeps the LF style it was given
    assert visible(out) == ["kim@council.example.gov.uk"]
    assert b"to: Kim\n  <KIM@COUNCIL.EXAMPLE.GOV.UK>\n" in out  # a field that lost no one keeps its bytes
    assert out.endswith(b"\n\nplain body\n")
    assert not any(ln.lower().startswith((b"to: x", b"cc:")) for ln in header_lines(out))


def test_idn_and_utf8_addresses() -> None:
    data = message(
        "From: a@council.example.gov.uk\n"
        "To: Jörg <jörg@bücher.example>, B <b@xn--bcher-kva.example>, Ext <e@xn--mnchen-3ya.example>, "
        "Ü <ü@münchen.example>"
    )
    out = rewrite_to_bcc(data, internal)
    assert "Jörg <jörg@bücher.example>".encode() in out and b"b@xn--bcher-kva.example" in out
    assert b"xn--mnchen" not in out and "münchen".encode() not in out


def test_header_injection_is_inert() -> None:
    data = message(
        "From: a@council.example.gov.uk\n"
        "To: =?utf-8?q?x=0D=0ABcc:_evil@gmail.com?= <k@council.example.gov.uk>, "
        "=?utf-8?q?Kim=0D=0AX-Evil:_1?= <kim@council.example.gov.uk>, e@gmail.com"
    ).replace(b"e@gmail.com", b"\re@gmail.com\rBcc: z@council.example.gov.uk")
    out = rewrite_to_bcc(data, internal)
    names = [ln.split(b":")[0].lower() for ln in header_lines(out) if not ln.startswith((b" ", b"\t"))]
    assert names == [b"x-mailguard-rewritten", b"from", b"to"]
    assert b"\r" not in out.replace(b"\r\n", b"")  # no bare CR survives in what we wrote
    msg = message_from_bytes(out, policy=policy.default)
    assert msg.get_all("x-evil") is None and msg.get_all("bcc") is None


def test_client_supplied_rewritten_header_is_replaced() -> None:
    data = message(f"X-Mailguard-Rewritten: forged\nFrom: a@{COUNCIL}\nTo: x@gmail.com, k@{COUNCIL}")
    out = rewrite_to_bcc(data, internal)
    assert out.count(b"X-Mailguard-Rewritten") == 1 and b"forged" not in out
    assert b"moved 1 external recipient to Bcc" in out


def test_the_organisations_predicate_works() -> None:
    organisation = Organisation.of([COUNCIL])  # is_internal(address or domain)
    data = message(f"From: a@{COUNCIL}\nTo: x@gmail.com, Kim <kim@social.{COUNCIL}>")
    out = rewrite_to_bcc(data, organisation.is_internal)
    assert visible(out) == [f"kim@social.{COUNCIL}"]


def test_no_header_separator_and_garbage_lines() -> None:
    data = b"From a@b Mon\r\nTo: x@gmail.com,\r\n\tk@council.example.gov.uk\r\n: odd\r\n"
    out = rewrite_to_bcc(data, internal)
    assert b"x@gmail.com" not in out and b"k@council.example.gov.uk" in out
    assert b"From a@b Mon\r\n" in out and b": odd\r\n" in out


name_text = st.text(
    alphabet=st.sampled_from(list("abcXYZ ,;:<>\"()\\@.=?é-")), min_size=0, max_size=12
)
local = st.text(alphabet=st.sampled_from(list("abcdefxyz0123.")), min_size=1, max_size=8).filter(
    lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s
)
domain = st.sampled_from([COUNCIL, f"hr.{COUNCIL}", "gmail.com", "outlook.com", "partner.example.org"])


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(name_text, local, domain), min_size=1, max_size=8))
def test_property_no_external_survives(people: list[tuple[str, str, str]]) -> None:
    to = ",\n ".join(f"{_quoted(n)} <{lp}@{d}>" for n, lp, d in people)
    data = message(f"From: a@{COUNCIL}\nTo: {to}")
    out = rewrite_to_bcc(data, internal)
    assert body_hash(out) == body_hash(data)
    assert all(internal(a) for a in visible(out))
    assert rewrite_to_bcc(out, internal) == out
    for n, lp, d in people:
        if internal(f"{lp}@{d}") and "@" not in n:
            assert f"{_quoted(n)} <{lp}@{d}>".encode() in out
