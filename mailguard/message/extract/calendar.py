"""text/calendar (invites): SUMMARY, LOCATION, DESCRIPTION, COMMENT as FIELD segments (with the
structured locations a calendar shows: LOCATION's ALTREP link and Apple's
X-APPLE-STRUCTURED-LOCATION X-ADDRESS and X-TITLE parameters), and the
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
# a content line; quoted parameter values may hold ":" (ALTREP="https://…"); possessive, so linear
_LINE = re.compile(r'^([A-Za-z0-9-]+)((?:;(?:"[^"]*+"|[^:";])*+)*+):(.*)$')
_CN = re.compile(r';CN=("[^"]*"|[^;:]*)', re.I)
_PERSON_LINE = re.compile(r"^(?:ATTENDEE|ORGANIZER)[;:]", re.I | re.M)
_SKIP = ("VCALENDAR", "VTIMEZONE", "STANDARD", "DAYLIGHT")
_STRUCTURED = "X-APPLE-STRUCTURED-LOCATION"
# parameters that carry a place: (property, parameter) → read as a FIELD (or a link: ALTREP)
_PLACE_PARAMS = (("LOCATION", "ALTREP"), (_STRUCTURED, "X-ADDRESS"), (_STRUCTURED, "X-TITLE"))
_PARAM = re.compile(r';([A-Za-z0-9-]+)=("[^"]*"|[^;:]*)')


def _unescape(value: str) -> str:
    return value.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";")


def _place_items(label: str, prop: str, params: dict[str, str]) -> list[_Item]:
    return [
        _Item(label, f"{prop} {param}", _unescape(params[param].strip('"')))
        for owner, param in _PLACE_PARAMS
        if owner == prop and params.get(param)
    ]


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
            for prop in (*_TEXT_PROPS, *_PEOPLE, _STRUCTURED):
                value = component.get(prop)
                for one in value if isinstance(value, list) else ([] if value is None else [value]):
                    params = getattr(one, "params", {})
                    if prop != _STRUCTURED:  # its value is a geo: URI; its parameters say the place
                        items.append(_Item(label, prop, str(one), str(params.get("CN", ""))))
                    items.extend(_place_items(label, prop, {k.upper(): str(v) for k, v in params.items()}))
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
        if name in (*_TEXT_PROPS, _STRUCTURED):
            label = f"entry {max(number, 1)}"
            if name != _STRUCTURED:
                items.append(_Item(label, name, _unescape(value)))
            items.extend(_place_items(label, name, {k.upper(): v for k, v in _PARAM.findall(params)}))
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
        if item.prop == "LOCATION ALTREP":  # a link the calendar shows with the location
            sink.link((*path, item.component, "LOCATION"), item.value)
        elif item.prop in _PEOPLE:
            address = _mailto(item.value)
            if "@" in address:
                sink.address(address, _PEOPLE[item.prop], here, item.name)
        else:
            sink.text(here, item.value, SegmentKind.FIELD)
