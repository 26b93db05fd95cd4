"""Make invisible and direction-changing characters visible, for anyone reading message fields.

A subject, a display name or a file name is the sender's text. Format characters can hide or
reorder it: `invoice\u202efdp.exe` (RIGHT-TO-LEFT OVERRIDE) reads as "invoiceexe.pdf", a
zero-width space splits a word a reviewer searches for, a BOM or bidi isolate hides what follows.
The review page and the CLI both show each such character as an escape, `⟨U+202E⟩`, so what a
reviewer reads is what the message says. Used by admin/templating.py (every value a template
prints) and cli/quarantine.py.
"""

from __future__ import annotations

import unicodedata

# Letters that render as nothing (Hangul fillers and the like) join the format characters.
_BLANK_LETTERS = "\u115f\u1160\u3164\uffa0"
_LINE_BREAKS = "\n\t"


def _invisible(ch: str, keep: str) -> bool:
    if ch in keep:
        return False
    category = unicodedata.category(ch)
    # Cf: format (bidi embeddings/overrides/isolates, zero widths, BOM, soft hyphen, tags);
    # Cc: controls; Zl/Zp: line and paragraph separators; Cs: lone surrogates.
    return category in ("Cf", "Cc", "Zl", "Zp", "Cs") or ch in _BLANK_LETTERS


def visible(text: str, *, multiline: bool = False) -> str:
    """`text` with every invisible or direction-changing character as `⟨U+XXXX⟩`.
    `multiline` keeps newlines and tabs (a message body); otherwise they are escaped too."""
    if text.isprintable() and not any(ch in text for ch in _BLANK_LETTERS):
        return text  # the common case: nothing to show (isprintable is False for Cf, Cc, Zl, Zp, Cs)
    keep = _LINE_BREAKS if multiline else ""
    return "".join(f"⟨U+{ord(ch):04X}⟩" if _invisible(ch, keep) else ch for ch in text)
