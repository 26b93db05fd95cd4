"""text/calendar (invites): SUMMARY, LOCATION, DESCRIPTION, COMMENT as FIELD segments, and the
ATTENDEE/ORGANIZER addresses everybody invited can see. icalendar is strict and sometimes
silently drops what it cannot parse, so when it fails or finds fewer people than the raw
lines name, the unfolded lines are read directly instead."""

from __future__ import annotations

import re
from dataclasses import dataclass

from icalendar import Calendar

from mailguard.message.extract.sink import Path, Sink
from mailguard.message.model import AddressSource, SegmentKind

_TEXT_PROPS = ("SUMMARY", "LOCATION", "DESCRIPTION", "COMMENT", "CONTACT")
_PEOPLE = {"ATTENDEE": AddressSource.CALENDAR_ATTENDEE, "ORGANIZER": AddressSource.CALENDAR_ORGANIZER}
_LINE = re.compile(r"^([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$")
_CN = re.compile(r';CN=("[^"]*"|[^;:]*)', re.I)
_PERSON_LINE = re.compile(r"^(?:ATTENDEE|ORGANIZER)[;:]", re.I | re.M)
_SKIP = ("VCALENDAR", "VTIMEZONE", "STANDARD", "DAYLIGHT")


@dataclass(frozen=True)
class _Item:
    component: str  # "event 1"
    prop: str
    value: str
    name: str = ""  # CN of a person


def _mailto(value: str) -> str:
    value = value.strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    return value.strip().lower()


def _strict(text: str) -> list[_Item]:
    items: list[_Item] = []
    number = 0
    for cal in Calendar.from_ical(text, multiple=True):
        for component in cal.walk():
            if component.name in _SKIP:
                continue
            number += 1
            label = f"{component.name.lower().removeprefix('v')} {number}"
            for prop in (*_TEXT_PROPS, *_PEOPLE):
                value = component.get(prop)
                for one in value if isinstance(value, list) else ([] if value is None else [value]):
                    params = getattr(one, "params", {})
                    items.append(_Item(label, prop, str(one), str(params.get("CN", ""))))
    return items


def _lenient(text: str) -> list[_Item]:
    items: list[_Item] = []
    number = 0
    for line in re.sub(r"\r?\n[ \t]", "", text).splitlines():
        match = _LINE.match(line.strip())
        if not match:
            continue
        name, params, value = match[1].upper(), match[2], match[3]
        if name == "BEGIN" and value.strip().upper() not in _SKIP:
            number += 1
        if name in _TEXT_PROPS:
            value = value.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";")
            items.append(_Item(f"entry {max(number, 1)}", name, value))
        elif name in _PEOPLE:
            cn = _CN.search(params)
            items.append(_Item(f"entry {max(number, 1)}", name, value, cn[1].strip('"') if cn else ""))
    return items


def extract_calendar(sink: Sink, text: str, path: Path) -> None:
    sink.content.has_calendar = True
    try:
        items = _strict(text)
    except Exception:  # icalendar raises a variety of errors on broken files
        items = []
    people = sum(1 for i in items if i.prop in _PEOPLE)
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    if not items or people < len(_PERSON_LINE.findall(unfolded)):
        items = _lenient(text)
    for item in items:
        here = (*path, item.component, item.prop)
        if item.prop in _PEOPLE:
            address = _mailto(item.value)
            if "@" in address:
                sink.address(address, _PEOPLE[item.prop], here, item.name)
        else:
            sink.text(here, item.value, SegmentKind.FIELD)
