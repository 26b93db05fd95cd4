"""Protected families in HTML: the address hidden by entities, markup, invisible text or look-alikes."""

from __future__ import annotations

from collections.abc import Callable

from .corpus import Corpus, Row
from .documents import esc
from .mail import canonical, hold_case


def html_tricks(c: Corpus) -> None:
    """The canonical address in an HTML body, obscured one way per family."""

    def entities(t: str) -> str:
        return "".join(f"&#{ord(ch)};" if ch.isalnum() and i % 2 else ch for i, ch in enumerate(t))

    def zw(t: str) -> str:
        return "\u200b".join(t)

    def comment(row: Row) -> str:
        n = row.number
        return f"{n[0]}<!-- x -->{n[1:]} {esc(row.street)}<!---->&nbsp;{row.stype}, {row.town} {row.postcode}"

    def spans(t: str) -> str:
        return "".join(f"<span>{esc(ch)}</span>" for ch in t)

    tricks: list[tuple[str, Callable[[Row], str]]] = [
        ("entities", lambda r: entities(canonical(r))),
        ("named_entities", lambda r: canonical(r).replace(" ", "&nbsp;").replace(",", "&#44;")),
        ("zero_width", lambda r: esc(zw(canonical(r)))),
        (
            "soft_hyphen",
            lambda r: esc(canonical(r).replace(r.street, r.street[:3] + "\u00ad" + r.street[3:])),
        ),
        ("comment_in_number", comment),
        ("hidden_span", lambda r: f'<span style="display:none">{esc(canonical(r))}</span>'),
        ("white_text", lambda r: f'<font color="#ffffff" size="1">{esc(canonical(r))}</font>'),
        ("span_per_char", lambda r: spans(canonical(r))),
        ("br_split", lambda r: f"{r.number}<br>{r.street} {r.stype}<br>{r.town}<br>{r.postcode}"),
        (
            "div_split",
            lambda r: f"<div>{r.number} {r.street}</div><div>{r.stype}</div><div>{r.town} {r.postcode}</div>",
        ),
        (
            "fullwidth_digits",
            lambda r: esc(
                canonical(r).replace(r.number, r.number.translate(str.maketrans("0123456789", "０１２３４５６７８９")))
            ),
        ),
        (
            "homoglyph_cyrillic",
            lambda r: esc(
                canonical(r).replace(
                    r.street,
                    r.street.translate(str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e", "c": "\u0441"})),
                )
            ),
        ),
        ("title_attr", lambda r: f'<a title="{esc(canonical(r))}" href="#">details</a>'),
        (
            "mailto_in_href",
            lambda r: f'<a href="https://maps.example.com/?q={canonical(r).replace(" ", "+")}">map</a>',
        ),
    ]
    for name, fn in tricks:
        row = c.new_row(stype=c.rnd.choice(["Road", "Avenue", "Close"]))
        html = f"<html><body><p>{c.filler()}</p><p>Address: {fn(row)}</p><p>{c.filler()}</p></body></html>"
        alt = c.rnd.random() < 0.5
        hold_case(
            c,
            row,
            f"protected/html_{name}/canonical",
            "Please view this message in HTML." if alt else None,
            html=html,
        )
