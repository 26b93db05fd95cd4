"""Parsing and extraction: a raw message to the content model (`model.py`).

`extract_content` is re-exported lazily, so importing the model stays cheap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mailguard.message.extract.content import extract_content

__all__ = ["extract_content"]


def __getattr__(name: str) -> Any:
    if name == "extract_content":
        from mailguard.message.extract.content import extract_content

        return extract_content
    raise AttributeError(name)
