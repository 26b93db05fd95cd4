"""The worker's compact hand-back of a Content, and the batched spreadsheet-row path."""

from __future__ import annotations

import dataclasses

import pytest

from mailguard.message import extract_content, wire
from mailguard.message.extract.bounds import ExtractLimits
from mailguard.message.model import Segment, VisibleAddress

from .builders import message


def test_pack_unpack_round_trip() -> None:
    csv = "name,email,map\n" + "".join(
        f"P{i},p{i}@x.org,https://maps.example/?q={i}+Elm+Road\n" for i in range(3000))
    data = message("body ann@one.org", html="<a href='mailto:b@two.org'>b</a>", cc="c@three.org",
                   attachments=[("l.csv", csv.encode(), "text/csv"), ("p.png", b"\x89PNG....", "image/png")])
    content = extract_content(data)
    assert content.unscanned and content.attachments and len(content.segments) > 3000
    assert wire.unpack(wire.pack(content)) == content


def test_wire_knows_every_field() -> None:
    # pack() writes these two as columns: a field added to either must be added there too
    assert [f.name for f in dataclasses.fields(Segment)] == ["text", "where", "kind"]
    assert [f.name for f in dataclasses.fields(VisibleAddress)] == ["address", "source", "where", "display_name"]


def test_unpack_refuses_anything_else() -> None:
    import pickle

    with pytest.raises(ValueError):
        wire.unpack(pickle.dumps(("something", "else")))


def test_rows_list_addresses_and_links_per_row() -> None:
    csv = b"name,email,map\nAnn,Ann@One.org,x\nBen,ben@two.org; ann@one.org,https://maps.example/?q=9+Oak+Lane\n"
    c = extract_content(message("x", attachments=[("l.csv", csv, "text/csv")]))
    listed = [(a.address, a.where) for a in c.addresses]
    at = 'attachment "l.csv"'
    assert (("ann@one.org", f"{at} › row 2") in listed and ("ben@two.org", f"{at} › row 3") in listed
            and ("ann@one.org", f"{at} › row 3") in listed)
    assert (f"{at} › row 3 › link 1", "9 Oak Lane") in [(s.where, s.text) for s in c.segments]


def test_rows_stop_at_the_text_budget() -> None:
    csv = "".join(f"{i},{i} Acacia Avenue,Bristol\n" for i in range(5000)).encode()
    c = extract_content(message("x", attachments=[("l.csv", csv, "text/csv")]), ExtractLimits(max_text=10_000))
    assert [u.reason.value for u in c.unscanned] == ["too_large"]
    assert 9_000 < c.text_size() <= 10_000
