"""Shared, published mailboxes (info@, help@, ...): an organisation's front door, not a person."""

from __future__ import annotations

# A body that says "contact help@charity.org" lists no one's private address.
ROLE_LOCAL_PARTS = frozenset(
    """abuse accounts admin advice bookings careers complaints contact contactus customerservice
    customerservices donotreply do-not-reply dpo enquiries enquiry feedback foi general hello help
    helpdesk hr info information jobs mail marketing media news newsletter no-reply noreply office
    post postmaster press privacy reception sales service services support team webmaster""".split()
)


def is_role_address(address: str) -> bool:
    local = address.rpartition("@")[0].lower()
    return local in ROLE_LOCAL_PARTS
