"""Exposure: members of the public seeing each other, or a mass mailing (INTERFACE.md "Who is
exposed"); the counting is explained in rules/exposure.yaml and docs/exposure.md."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from mailguard.detect.roles import is_role_address
from mailguard.message.extract.sink import SEP
from mailguard.message.model import AddressSource, VisibleAddress
from mailguard.organisation.organisation import Organisation


class Visibility(StrEnum):
    """Where a rule looks for visible addresses (the names rule files use)."""

    TO = "to"
    CC = "cc"
    CALENDAR = "calendar"  # ATTENDEE / ORGANIZER lines of a text/calendar part
    LISTED = "listed"  # written in a body or an attachment: a list of people

    @property
    def sources(self) -> frozenset[AddressSource]:
        return _SOURCES[self]


_SOURCES = {
    Visibility.TO: frozenset({AddressSource.TO, AddressSource.RESENT_TO}),  # Resent-To is shown like To
    Visibility.CC: frozenset({AddressSource.CC, AddressSource.RESENT_CC}),
    Visibility.CALENDAR: frozenset({AddressSource.CALENDAR_ATTENDEE, AddressSource.CALENDAR_ORGANIZER}),
    Visibility.LISTED: frozenset({AddressSource.LISTED}),
}

HEADERS = frozenset({Visibility.TO, Visibility.CC})


@dataclass(frozen=True, slots=True)
class Exposure:
    """Who is visible together: members of the public (each a party of their own) and
    organisations (all of one registrable domain is one), plus the recipient's own party when
    the rule counts it in."""

    parties: dict[str, list[str]]  # each visible external party -> its addresses, first seen first
    where: tuple[str, ...]  # where they were seen ("To", "Cc", attachment "staff.csv", ...)
    seen_by: str | None = None  # the recipient's own party, when the rule counts it in
    recipient_addresses: tuple[str, ...] = ()  # the external recipients, as the envelope has them

    def _keys(self) -> list[str]:
        extra = [self.seen_by] if self.seen_by and self.seen_by not in self.parties else []
        return [*self.parties, *extra]

    @property
    def public(self) -> int:
        """Members of the public visible together."""
        return sum(1 for key in self._keys() if Organisation.is_public_party(key))

    @property
    def organisations(self) -> int:
        return sum(1 for key in self._keys() if not Organisation.is_public_party(key))

    @property
    def count(self) -> int:
        return len(self._keys())

    def reaches(self, threshold: int, org_threshold: int) -> bool:
        return self.public >= threshold or self.organisations >= org_threshold

    def describe(self, recipients: Iterable[str] = (), limit: int = 5) -> str:
        """One line for the reviewer: how many are visible, where (one location, however many
        rows of a list), and who. Only parties that are also `recipients` (their party keys) are
        named, as first written; the rest are counted, and then the recipients that would see
        them are named instead: a list of strangers' addresses is not copied into the reason."""
        receiving = set(recipients)
        # A member of the public by the address as written (the party key is its canonical
        # mailbox, e.g. without Gmail's dots), an organisation by its domain.
        named = [
            addrs[0] if Organisation.is_public_party(key) else key
            for key, addrs in self.parties.items()
            if key in receiving
        ]
        others = len(self.parties) - len(named)
        public, orgs = self.public, self.organisations
        counted = " and ".join(
            part
            for part in (
                f"{public} member{'s' if public != 1 else ''} of the public" if public else "",
                f"{orgs} organisation{'s' if orgs != 1 else ''}" if orgs else "",
            )
            if part
        )
        text = f"{counted} visible in {one_location(self.where)}"
        if named:
            text += ": " + _some(named, limit)
        if others:
            text += (
                f" and {others} more not among the recipients"
                if named
                else f", {others} of them not among the recipients"
                if self.seen_by
                else ", none of them a recipient"
            )
        if (others or self.seen_by) and self.recipient_addresses:
            many = len(self.recipient_addresses) > 1
            text += f"; shown to recipient{'s' if many else ''} {_some(self.recipient_addresses, limit)}"
        return text


def _some(names: Sequence[str], limit: int) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def one_location(places: Iterable[str], limit: int = 3) -> str:
    """Where, once: `attachment "people.csv" › row 2 … row 9 (8 places)` rather than eight rows
    each naming the attachment again; distinct places (To, Cc) are listed, at most `limit`."""
    unique = list(dict.fromkeys(places))
    if len(unique) <= 1:
        return unique[0] if unique else "the message"
    containers = list(dict.fromkeys(p.rpartition(SEP)[0] or p for p in unique))
    if len(containers) == 1 and containers[0] not in unique:
        first, last = unique[0].rpartition(SEP)[2], unique[-1].rpartition(SEP)[2]
        return f"{containers[0]}{SEP}{first} … {last} ({len(unique)} places)"
    shown = containers[:limit]
    more = len(containers) - len(shown)
    return ", ".join(shown) + (f" and {more} more place{'s' if more != 1 else ''}" if more else "")


def visible(addresses: Iterable[VisibleAddress], places: Iterable[Visibility]) -> list[VisibleAddress]:
    sources = frozenset().union(*(p.sources for p in places))
    return [a for a in addresses if a.source in sources]


def detect_exposure(
    addresses: Sequence[VisibleAddress],
    organisation: Organisation,
    places: Iterable[Visibility],
    threshold: int,
    org_threshold: int,
    recipient_parties: Iterable[str] = (),
    count_recipient: bool = False,
    ignore_roles: bool = False,
) -> Exposure | None:
    """The exposure, or None: at least `threshold` members of the public visible together, or
    at least `org_threshold` organisations (a mass mailing). Professionals working together,
    with or without one member of the public, are not an exposure.

    With `count_recipient`, each external recipient sees the visible parties plus itself:
    an invite listing one outsider, sent to another, shows the first to the second even
    though the headers (which the relay can rewrite) show nobody. With `ignore_roles`, shared
    mailboxes (info@, help@, ...) are not people and do not count.
    """
    seen = visible(addresses, places)
    parties: dict[str, list[str]] = {}
    where: list[str] = []
    for item in seen:
        key = organisation.party(item.address)
        if key is None or (ignore_roles and is_role_address(item.address)):
            continue
        if item.address not in parties.setdefault(key, []):
            parties[key].append(item.address)
        where.append(item.where)
    if not parties:
        return None
    found = Exposure(parties, tuple(where))
    if found.reaches(threshold, org_threshold):
        return found
    if count_recipient:
        for party in recipient_parties:
            widened = Exposure(parties, tuple(where), seen_by=party)
            if widened.reaches(threshold, org_threshold):
                return widened
    return None
