"""Process memory hygiene shared by the relay and the extraction workers."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
import threading
from collections.abc import Iterator

_M_MMAP_THRESHOLD = -3  # glibc mallopt parameter
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value


def pin_mmap_threshold() -> None:
    """Keep glibc serving every allocation of 128 KiB or more by its own mmap (once per process).

    By default glibc raises that threshold to the size of the largest block freed so far (up to
    32 MiB), so after the first multi-megabyte message every later message buffer comes from the
    heap, which fragments and is never given back: measured with 20 concurrent 5 MB messages,
    the relay process peaked at ~2.5 MiB per MB in flight and stayed 130+ MiB above idle after;
    pinned, ~1.5 MiB per MB and back to idle. Extraction workers decode multi-megabyte
    attachments the same way. No effect on other C libraries.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


_gc_lock = threading.Lock()
_gc_pausers = 0  # pausers running now (the relay unpacks and matches in several threads)
_gc_was_enabled = False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Keep the cyclic collector from walking the whole heap again and again while work that
    makes many objects and little cyclic garbage runs: unpacking a big result, matching a text.
    The relay's modules alone are 178,000 objects, and each full walk found nothing: with it,
    matching the densest postcode list the worst-input search finds took 2.4x as long.
    The first pauser in pauses it, the last out restores it; garbage made meanwhile is
    collected after (reference counting frees the rest at once)."""
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()
