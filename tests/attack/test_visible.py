"""mailguard.visible: whatever a sender puts in a subject or file name, nothing invisible or
direction-changing survives to the reader, and everything else is shown as it was."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from mailguard.visible import visible

HIDDEN = ("Cf", "Cc", "Zl", "Zp", "Cs")
ESCAPE = re.compile(r"⟨U\+([0-9A-F]{4,6})⟩")


@settings(derandomize=True, max_examples=400)
@given(st.text(alphabet=st.characters(codec=None), max_size=60), st.booleans())
def test_nothing_hidden_survives_and_nothing_else_changes(text: str, multiline: bool) -> None:
    shown = visible(text, multiline=multiline)
    kept = "\n\t" if multiline else ""
    assert not any(unicodedata.category(ch) in HIDDEN and ch not in kept for ch in shown)
    # Undoing the escapes gives the text back: each hidden character became exactly its escape.
    assert ESCAPE.sub(lambda m: chr(int(m[1], 16)), shown) == text or "⟨U+" in text


def test_the_known_tricks() -> None:
    assert visible("invoice\u202efdp.exe") == "invoice⟨U+202E⟩fdp.exe"
    assert visible("pay\u200broll\ufeff") == "pay⟨U+200B⟩roll⟨U+FEFF⟩"
    assert visible("\u2066x\u2069 \u200f") == "⟨U+2066⟩x⟨U+2069⟩ ⟨U+200F⟩"
    assert visible("\u3164") == "⟨U+3164⟩"  # a Hangul filler: a letter that renders as nothing
    assert visible("Café — 14 High St") == "Café — 14 High St"
