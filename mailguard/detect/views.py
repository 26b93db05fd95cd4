"""Extra readings of the message text for the register matcher, found by the red-team corpus.
(Look-alike letters are folded by the matcher itself: mailguard/detect/register/scanned.py.)

- Label/value tables: a form lays an address out one field per row ("House number | 14",
  "Street | Acacia Avenue", "Postcode | BS1 4AB"). Read row by row, the labels sit between the
  parts ("14 street acacia avenue") and hide the address; the values joined in order are the
  address as a person reads it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mailguard.message.model import Segment, SegmentKind

# A row "label | value" whose label names a part of a postal address.
_LABEL_ROW = re.compile(r"\s*([A-Za-z][A-Za-z0-9 .#/]{1,30}?)\s*:?\s*\|\s*(.+?)\s*")
_ADDRESS_LABELS = re.compile(
    r"(?i)^(?:house|flat|apartment|building|property|street|road|address|addr|line|town|city|county|"
    r"locality|district|area|post ?code|post ?town|zip|no|number|house no|door)\b"
)
_ROW_NUMBER = re.compile(r"row \d+$")


def _label_value(seg: Segment) -> str | None:
    if seg.kind is not SegmentKind.ROW:
        return None
    m = _LABEL_ROW.fullmatch(seg.text)
    if not m or "|" in m.group(2) or not _ADDRESS_LABELS.match(m.group(1)):
        return None
    return m.group(2)


def label_value_views(segments: Sequence[Segment]) -> list[Segment]:
    """One segment per run of address-labelled table rows: the values joined by commas."""
    out: list[Segment] = []
    run: list[tuple[Segment, str]] = []

    def flush() -> None:
        if len(run) >= 2:
            where = _ROW_NUMBER.sub("", run[0][0].where).rstrip(" ,") + " (labelled fields read together)"
            out.append(Segment(", ".join(v for _, v in run), where, SegmentKind.FIELD))
        run.clear()

    table = None
    for seg in segments:
        value = _label_value(seg)
        this_table = _ROW_NUMBER.sub("", seg.where)
        if value is None or this_table != table:
            flush()
        table = this_table
        if value is not None:
            run.append((seg, value))
    flush()
    return out
