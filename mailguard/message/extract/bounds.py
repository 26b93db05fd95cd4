"""The bounds of one extraction. Hostile input must cost little: every cap here is checked
before the work it guards (declared sizes before inflating, depth before recursing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailguard.settings import Settings


@dataclass(frozen=True, slots=True)
class ExtractLimits:
    max_depth: int = 10  # MIME nesting + archives + attached messages + embedded documents
    max_parts: int = 1000  # MIME parts, archive members and embedded documents together
    max_text: int = 20 * 1024 * 1024  # characters of text over the whole message
    max_member: int = 100 * 1024 * 1024  # bytes of one inflated archive member / decoded part
    max_ratio: int = 200  # inflated / compressed size of one archive member
    timeout: float = 20.0  # wall clock per message (hard in the pool, cooperative in-process)
    memory_mb: int = 1024  # RLIMIT_AS of a pool worker

    @classmethod
    def from_settings(cls, settings: Settings) -> ExtractLimits:
        return cls(
            max_depth=settings.extract_max_depth,
            max_parts=settings.extract_max_parts,
            max_text=settings.extract_max_text,
            max_member=settings.extract_max_member,
            max_ratio=settings.extract_max_ratio,
            timeout=settings.extract_timeout,
            memory_mb=settings.extract_memory_mb,
        )
