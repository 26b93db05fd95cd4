"""A minimal writer of OLE2 compound files (MS-CFB, version 3) and of Outlook .msg files in
them (MS-OXMSG), so the .msg tests need no GPL tool and nothing opaque is committed.

`compound_file(tree)`: a tree is a dict of name -> bytes (a stream) or dict (a storage).
Streams under 4,096 bytes go to the mini stream, as the format requires and readers expect.
The children of a storage are chained through right-sibling links in the format's name
order: a valid binary search tree (not a balanced one, which readers do not check).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Tree = dict[str, "bytes | Tree"]


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = END
    size: int = 0


def _order(name: str) -> tuple[int, str]:
    return len(name), name.upper()  # MS-CFB 2.6.4: shorter names first, then case-insensitive


def _flatten(tree: Tree, entries: list[_Entry], parent: int) -> None:
    for name in sorted(tree, key=_order):
        value = tree[name]
        index = len(entries)
        if isinstance(value, dict):
            entries.append(_Entry(name, 1))
            _flatten(value, entries, index)
        else:
            entries.append(_Entry(name, 2, value))
        entries[parent].children.append(index)


class _Sectors:
    def __init__(self) -> None:
        self.blocks: list[bytes] = []
        self.fat: list[int] = []

    def chain(self, data: bytes, marker: int | None = None) -> int:
        """Store `data` in whole sectors; return the first sector (END when empty)."""
        count = -(-len(data) // SECTOR)
        if count == 0:
            return END
        first = len(self.blocks)
        for i in range(count):
            self.blocks.append(data[i * SECTOR:(i + 1) * SECTOR].ljust(SECTOR, b"\x00"))
            self.fat.append(marker if marker is not None else (first + i + 1 if i + 1 < count else END))
        return first


def compound_file(tree: Tree) -> bytes:
    entries = [_Entry("Root Entry", 5)]
    _flatten(tree, entries, 0)
    for entry in entries:  # each storage points at its first child; siblings chain rightwards
        if entry.children:
            entry.child = entry.children[0]
            for a, b in zip(entry.children, entry.children[1:], strict=False):
                entries[a].right = b
    sectors = _Sectors()
    mini_stream = bytearray()
    mini_fat: list[int] = []
    for entry in entries:
        if entry.kind != 2:
            continue
        entry.size = len(entry.data)
        if entry.size >= CUTOFF:
            entry.start = sectors.chain(entry.data)
        elif entry.size:
            entry.start = len(mini_stream) // MINI
            count = -(-entry.size // MINI)
            mini_fat.extend(entry.start + i + 1 if i + 1 < count else END for i in range(count))
            mini_stream += entry.data.ljust(count * MINI, b"\x00")
    root = entries[0]
    root.start, root.size = sectors.chain(bytes(mini_stream)), len(mini_stream)
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat)
    mini_fat_bytes += b"\xff" * (-len(mini_fat_bytes) % SECTOR)
    first_mini_fat = sectors.chain(mini_fat_bytes)
    directory = b"".join(_directory_entry(e) for e in entries)
    directory += b"".join(_directory_entry(_Entry("", 0)) for _ in range(-len(entries) % 4))
    first_directory = sectors.chain(directory)
    fat_count = 1
    while (len(sectors.blocks) + fat_count) > fat_count * (SECTOR // 4):
        fat_count += 1
    assert fat_count <= 109, "tests only need the header's DIFAT"
    first_fat = len(sectors.blocks)
    sectors.fat.extend([FATSECT] * fat_count)
    fat = sectors.fat + [FREE] * (fat_count * (SECTOR // 4) - len(sectors.fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    header = (
        MAGIC + b"\x00" * 16
        + struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, fat_count, first_directory, 0, CUTOFF,
                      first_mini_fat if mini_fat else END, len(mini_fat_bytes) // SECTOR, END, 0)
        + struct.pack("<109I", *(list(range(first_fat, first_fat + fat_count)) + [FREE] * (109 - fat_count)))
    )
    assert len(header) == SECTOR
    return header + b"".join(sectors.blocks) + fat_bytes


def _directory_entry(entry: _Entry) -> bytes:
    name = entry.name.encode("utf-16-le")
    assert len(name) <= 62, entry.name
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name, len(name) + 2 if entry.name else 0, entry.kind, 1, entry.left, entry.right, entry.child,
        b"\x00" * 16, 0, 0, 0, entry.start if entry.kind in (2, 5) else 0, entry.size,
    )


# --- Outlook .msg (MS-OXMSG) -------------------------------------------------------------
PT_LONG, PT_UNICODE, PT_BINARY = 0x0003, 0x001F, 0x0102
RECIPIENT_TYPES = {"to": 1, "cc": 2, "bcc": 3}


def _props_stream(header: int, longs: dict[int, int]) -> bytes:
    """`__properties_version1.0`: a header, then 16-byte entries (tag, flags, value)."""
    out = b"\x00" * header
    for prop, value in longs.items():
        out += struct.pack("<HHIiI", PT_LONG, prop, 0x6, value, 0)
    return out


def _string(prop: int, text: str) -> tuple[str, bytes]:
    return f"__substg1.0_{prop:04X}{PT_UNICODE:04X}", text.encode("utf-16-le")


def outlook_msg(**fields: Any) -> bytes:
    """A .msg file: `msg_tree`'s arguments."""
    return compound_file(msg_tree(**fields))


def msg_tree(
    *,
    subject: str = "",
    body: str = "",
    html: bytes | None = None,
    sender: str = "",
    recipients: Sequence[tuple[str, str, str]] = (),  # (to|cc|bcc, address, display name)
    attachments: Sequence[tuple[str, bytes, str]] = (),  # (file name, data, MIME type)
    attached_messages: Sequence[tuple[str, Tree]] = (),  # (name, msg_tree(top=False))
    top: bool = True,
) -> Tree:
    """The storage tree of one message; `top=False` for one embedded in an attachment."""
    count = len(attachments) + len(attached_messages)
    header = struct.pack("<8xIIII8x", len(recipients), count, len(recipients), count) if top else (
        struct.pack("<8xIIII", len(recipients), count, len(recipients), count))
    tree: Tree = {"__properties_version1.0": header, "__nameid_version1.0": {}}
    displays: dict[str, list[str]] = {"to": [], "cc": [], "bcc": []}
    for number, (kind, address, name) in enumerate(recipients):
        displays[kind].append(name or address)
        tree[f"__recip_version1.0_#{number:08X}"] = {
            "__properties_version1.0": _props_stream(8, {0x0C15: RECIPIENT_TYPES[kind], 0x3000: number}),
            **dict([_string(0x39FE, address), _string(0x3003, address), _string(0x3001, name)]),
        }
    fields = [(0x0037, subject), (0x1000, body), (0x0C1F, sender), (0x0E04, "; ".join(displays["to"])),
              (0x0E03, "; ".join(displays["cc"])), (0x0E02, "; ".join(displays["bcc"]))]
    tree.update(dict(_string(prop, text) for prop, text in fields if text))
    if html is not None:
        tree[f"__substg1.0_1013{PT_BINARY:04X}"] = html
    number = 0
    for name, data, mime in attachments:
        tree[f"__attach_version1.0_#{number:08X}"] = {
            "__properties_version1.0": _props_stream(8, {0x3705: 1, 0x0E21: number}),
            **dict([_string(0x3707, name), _string(0x3704, name[:12]), _string(0x370E, mime)]),
            f"__substg1.0_3701{PT_BINARY:04X}": data,
        }
        number += 1
    for name, inner in attached_messages:
        tree[f"__attach_version1.0_#{number:08X}"] = {
            "__properties_version1.0": _props_stream(8, {0x3705: 5, 0x0E21: number}),
            **dict([_string(0x3707, name)]),
            "__substg1.0_3701000D": inner,
        }
        number += 1
    return tree
