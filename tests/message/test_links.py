"""Link targets a reader sees on hover or click: mailto: addresses and the words in URLs."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailguard.message import extract_content
from mailguard.message.extract.links import _PLACE_PARAMS, link_text
from mailguard.message.model import AddressSource, Content, SegmentKind

from .builders import ODF_NS, docx, message, pptx, rels, w_p, zip_of

MAPS = "https://maps.example/?q=14+Acacia+Avenue+BS1+4AB"


def _segments(c: Content) -> list[tuple[str, str]]:
    return [(s.where, s.text) for s in c.segments]


def _listed(c: Content) -> set[tuple[str, str]]:
    return {(a.address, a.where) for a in c.addresses if a.source is AddressSource.LISTED}


@pytest.mark.parametrize(
    ("target", "addresses", "text"),
    [
        (MAPS, [], "14 Acacia Avenue BS1 4AB"),
        ("https://www.google.com/maps/place/14+Acacia+Avenue,+Bristol/@51.4,-2.5,17z", [],
         "maps\nplace\n14 Acacia Avenue, Bristol\n@51.4,-2.5,17z"),
        ("mailto:Ann.Example%40Outlook.com,bob@x.org?cc=cat@y.org&subject=Case%2014&body=See+you",
         ["ann.example@outlook.com", "bob@x.org", "cat@y.org"],
         "ann.example@outlook.com\nbob@x.org\ncat@y.org\nCase 14\nSee you"),
        ("https://safelinks.example/?url=https%3A%2F%2Fmaps.example%2F%3Fq%3D22%2BElm%2BRoad&data=x", [],
         "22 Elm Road"),  # data=x: the wrapper's own setting, not read
        ("tel:+44%20117%20496%200123", [], "+44 117 496 0123"),
        ("#section-2", [], ""),
        ("javascript:alert(1)", [], ""),
        ("data:text/plain;base64,MTQgQWNhY2lh", [], ""),
        ("https://[::1", [], "https://[::1"),  # malformed: read as written
    ],
)
def test_link_text(target: str, addresses: list[str], text: str) -> None:
    found = link_text(target)
    assert (found.addresses, found.text) == (addresses, text)


def test_html_href_targets_are_read_and_mailto_listed() -> None:
    html = (
        '<p>Write to <a href="mailto:ann.example@outlook.com">her</a>, see <a href="#top">top</a>, '
        f'<a href="{MAPS.replace("&", "&amp;")}">the map</a> and <a href="{MAPS}">again</a>.</p>'
        '<map><area href="https://maps.example/?q=22+Elm+Road"></map>'
    )
    c = extract_content(message("plain part", html=html))
    at = "body (text/html)"
    segments = _segments(c)
    assert (f"{at} › link 1", "ann.example@outlook.com") in segments
    assert (f"{at} › link 2", "14 Acacia Avenue BS1 4AB") in segments  # the repeat is read once
    assert (f"{at} › link 3", "22 Elm Road") in segments
    assert not any(w.endswith("link 4") for w, _ in segments)
    assert ("ann.example@outlook.com", f"{at} › link 1") in _listed(c)
    assert all(s.kind is SegmentKind.FIELD for s in c.segments if "› link" in s.where)


def test_plain_text_urls_are_decoded() -> None:
    c = extract_content(message(f"Directions: {MAPS}.\nPlain: https://example.org/about"))
    assert _segments(c)[-1] == ("body (text/plain) › link 1", "14 Acacia Avenue BS1 4AB")
    assert not any(w.endswith("link 2") for w, _ in _segments(c))  # nothing encoded: nothing more to read


def test_docx_hyperlink_targets() -> None:
    body = w_p("See the file") + (
        '<w:p><w:hyperlink r:id="rId7"><w:r><w:t>her address</w:t></w:r></w:hyperlink>'
        '<w:hyperlink r:id="rId8"><w:r><w:t>email her</w:t></w:r></w:hyperlink></w:p>'
    )
    data = docx(body, links={"rId7": MAPS, "rId8": "mailto:ann.example@outlook.com"})
    c = extract_content(message("see attached", attachments=[("a.docx", data, "application/octet-stream")]))
    at = 'attachment "a.docx"'
    assert (f"{at} › link 1", "14 Acacia Avenue BS1 4AB") in _segments(c)
    assert ("ann.example@outlook.com", f"{at} › link 2") in _listed(c)
    assert c.unscanned == []


def test_pptx_and_odt_hyperlink_targets() -> None:
    with zipfile.ZipFile(io.BytesIO(pptx(["Slide with a link"]))) as deck:
        members: dict[str, bytes | str] = {name: deck.read(name) for name in deck.namelist()}
    members["ppt/slides/_rels/slide1.xml.rels"] = rels({"rId2": MAPS})
    odt = zip_of({
        "mimetype": "application/vnd.oasis.opendocument.text",
        "META-INF/manifest.xml": "<manifest/>",
        "content.xml": f'<office:document-content {ODF_NS} xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<office:body><office:text><text:p>See <text:a xlink:href="mailto:ann.example@outlook.com">her</text:a>'
        "</text:p></office:text></office:body></office:document-content>",
    })
    c = extract_content(message("x", attachments=[
        ("d.pptx", zip_of(members), "application/octet-stream"), ("n.odt", odt, "application/octet-stream"),
    ]))
    assert ('attachment "d.pptx" › slide 1 › link 1', "14 Acacia Avenue BS1 4AB") in _segments(c)
    assert ("ann.example@outlook.com", 'attachment "n.odt" › link 1') in _listed(c)
    assert c.unscanned == []


def test_pdf_uri_link_annotations() -> None:
    from fpdf import FPDF

    doc = FPDF()
    doc.set_font("helvetica", size=12)
    doc.add_page()
    doc.cell(40, 10, "the map", link=MAPS)
    doc.cell(40, 10, "email", link="mailto:ann.example@outlook.com")
    c = extract_content(message("x", attachments=[("m.pdf", bytes(doc.output()), "application/pdf")]))
    at = 'attachment "m.pdf" › page 1'
    assert (f"{at} › link 1", "14 Acacia Avenue BS1 4AB") in _segments(c)
    assert ("ann.example@outlook.com", f"{at} › link 2") in _listed(c)


def test_link_text_counts_against_the_text_budget() -> None:
    from mailguard.message.extract.bounds import ExtractLimits

    html = "".join(f'<a href="https://maps.example/?q={i}+Long+Road+Name+Here">x</a>' for i in range(200))
    c = extract_content(message("x", html=html), ExtractLimits(max_text=2000))
    assert [u.reason.value for u in c.unscanned] == ["too_large"]
    assert c.text_size() <= 2000


_OPTION_NAMES = st.from_regex(r"[a-z]{1,6}", fullmatch=True).filter(lambda n: n not in _PLACE_PARAMS)
_OPTION_VALUES = st.from_regex(r"[A-Za-z0-9_.-]{1,4}", fullmatch=True)


@given(options=st.lists(st.tuples(_OPTION_NAMES, _OPTION_VALUES), max_size=4), before=st.booleans())
def test_a_maps_links_settings_are_not_read_as_words(options: list[tuple[str, str]], before: bool) -> None:
    """`api=1`, `z=15`, `hl=en` around the address: only the address is read (a bare `1` beside
    it would look like another house number)."""
    place = ("query", "14 Acacia Avenue, Bristol BS1 4AB")
    params = [*options, place] if before else [place, *options]
    target = "https://www.google.com/maps/search/?" + urlencode(params)
    assert link_text(target).lines == ["maps", "search", "14 Acacia Avenue, Bristol BS1 4AB"]
