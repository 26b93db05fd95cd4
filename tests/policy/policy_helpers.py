"""Helpers for policy tests: content built by hand (imported by name: no conftest clash)."""

from __future__ import annotations

from collections.abc import Callable

from mailguard.message.model import AddressSource, Content, Segment, Unscanned, VisibleAddress
from mailguard.policy.engine import Decision

INTERNAL = "dept.example.gov.uk"


def make_content(
    to: list[str] = (),  # type: ignore[assignment]
    cc: list[str] = (),  # type: ignore[assignment]
    attendees: list[str] = (),  # type: ignore[assignment]
    organizer: str = "",
    listed: list[str] = (),  # type: ignore[assignment]
    texts: list[str] = (),  # type: ignore[assignment]
    unscanned: list[Unscanned] = (),  # type: ignore[assignment]
) -> Content:
    addresses = [VisibleAddress(a, AddressSource.TO, "To") for a in to]
    addresses += [VisibleAddress(a, AddressSource.CC, "Cc") for a in cc]
    addresses += [
        VisibleAddress(a, AddressSource.CALENDAR_ATTENDEE, 'attachment "invite.ics"') for a in attendees
    ]
    if organizer:
        addresses.append(
            VisibleAddress(organizer, AddressSource.CALENDAR_ORGANIZER, 'attachment "invite.ics"')
        )
    addresses += [VisibleAddress(a, AddressSource.LISTED, 'attachment "people.csv"') for a in listed]
    return Content(
        subject="s",
        segments=[Segment(t, "body") for t in texts],
        addresses=addresses,
        unscanned=list(unscanned),
        has_calendar=bool(attendees or organizer),
    )


Decide = Callable[..., Decision]
