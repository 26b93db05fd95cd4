"""What every detector hands the policy: findings, and the snippet a reviewer sees."""

from __future__ import annotations

from mailguard.message.model import Snippet

SNIPPET_CONTEXT = 40  # characters of message text either side of a match


def _squash(text: str) -> str:
    return " ".join(text.split())


def make_snippet(text: str, start: int, end: int, where: str, context: int = SNIPPET_CONTEXT) -> Snippet:
    """The match `text[start:end]` with a little message text either side, whitespace folded.

    Context is cut at a word boundary so a reviewer never sees half a word; only the message's
    own text appears here, never anything from the register.
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    before = text[max(0, start - context) : start]
    if start - context > 0 and " " in before:
        before = before[before.index(" ") + 1 :]
    after = text[end : end + context]
    if end + context < len(text) and " " in after:
        after = after[: after.rindex(" ")]
    squashed_before = _squash(before)
    if before[-1:].isspace() and squashed_before:
        squashed_before += " "
    squashed_after = _squash(after)
    if after[:1].isspace() and squashed_after:
        squashed_after = " " + squashed_after
    return Snippet(where=where, before=squashed_before, match=_squash(text[start:end]), after=squashed_after)
