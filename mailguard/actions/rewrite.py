"""The rewrite action: move external To/Cc recipients out of the headers ("to Bcc").

Only header bytes change. The envelope still delivers to everyone (the relay's business);
the body bytes after the header block are identical, and fields other than To/Cc keep their
exact bytes. A To/Cc field that loses nobody is not touched either, which makes the action
idempotent: a second pass finds nothing to move and returns the input unchanged.

Kept recipients keep their original text (display names, comments, encoded words). A
recipient stays visible only if every address its text names is internal (see
`addrlist.entry_is_kept`): when our parser and Python's disagree, we hide more, never less.
"""

from __future__ import annotations

from collections.abc import Callable

from mailguard.actions.addrlist import Entry, ascii_domain_form, entry_is_kept, parse_address_list
from mailguard.actions.header_block import HeaderBlock, HeaderField, fold_field, make_field, split_message

REWRITTEN_HEADER = "X-Mailguard-Rewritten"
UNDISCLOSED = "undisclosed-recipients:;"
RECIPIENT_FIELDS = ("to", "cc", "resent-to", "resent-cc")  # Resent-* are shown like To/Cc

Predicate = Callable[[str], bool]


def rewrite_to_bcc(data: bytes, is_internal: Predicate) -> bytes:
    """Hide every external To/Cc recipient; add `X-Mailguard-Rewritten` if any was moved.

    `is_internal` is asked about the lower-cased address (IDN domain in Unicode and, failing
    that, in xn-- form) and about its bare domain, so both an address predicate and a domain
    predicate such as `Settings.is_internal` work.
    """
    block = split_message(data)
    moved = hide_recipients(block, internal_predicate(is_internal))
    if not moved:
        return data
    stamp(block, f"moved {moved} external recipient{'s' if moved != 1 else ''} to Bcc")
    return block.to_bytes()


def internal_predicate(is_internal: Predicate) -> Predicate:
    def keep(address: str) -> bool:
        for form in dict.fromkeys((address, ascii_domain_form(address))):
            if is_internal(form) or is_internal(form.rpartition("@")[2]):
                return True
        return False

    return keep


def stamp(block: HeaderBlock, note: str) -> None:
    """Put our note first (where trace fields go), replacing any copy a client sent."""
    block.fields[:] = [make_field(REWRITTEN_HEADER, note, block.eol)] + [
        f for f in block.fields if f.key != REWRITTEN_HEADER.lower()
    ]


def hide_recipients(block: HeaderBlock, keep: Predicate) -> int:
    """Edit To/Cc of `block` in place so only kept recipients show; return how many distinct
    recipients were hidden. An emptied Cc is dropped; if no one is left in To, the first To
    becomes `To: undisclosed-recipients:;`."""
    hidden: set[str] = set()
    new_fields: list[HeaderField | None] = []
    to_slot: int | None = None  # where `To: undisclosed-recipients:;` goes if it is needed
    to_left = False
    for field in block.fields:
        if field.key not in RECIPIENT_FIELDS:
            new_fields.append(field)
            continue
        texts, lost = _filter_entries(parse_address_list(field.value), keep)
        hidden |= lost
        if not lost:
            new_fields.append(field)
        elif texts:
            new_fields.append(HeaderField(field.name, fold_field(field.name, texts, block.eol)))
        else:
            if to_slot is None:
                to_slot = len(new_fields)
            new_fields.append(None)
            continue
        to_left |= field.key == "to"
    if not hidden:
        return 0
    if not to_left and to_slot is not None:
        new_fields[to_slot] = HeaderField("To", fold_field("To", [UNDISCLOSED], block.eol))
    block.fields[:] = [f for f in new_fields if f is not None]
    return len(hidden)


def _filter_entries(entries: list[Entry], keep: Predicate) -> tuple[list[str], set[str]]:
    """(texts of the entries that stay, identities of the recipients hidden)."""
    texts: list[str] = []
    lost: set[str] = set()
    for entry in entries:
        if not entry.is_group:
            if entry_is_kept(entry, keep):
                texts.append(entry.text)
            else:
                lost.add(entry.address or entry.text)
            continue
        name_ok = entry_is_kept(Entry(entry.group or ""), keep)
        members = [m for m in entry.members if name_ok and entry_is_kept(m, keep)]
        lost |= {m.address or m.text for m in entry.members if m not in members}
        if len(members) == len(entry.members) and name_ok:
            texts.append(entry.text)  # untouched, including an empty group
        elif members:
            texts.append(f"{entry.group}: {', '.join(m.text for m in members)};")
        elif not name_ok and not entry.members:
            lost.add(entry.text)
    return texts, lost
