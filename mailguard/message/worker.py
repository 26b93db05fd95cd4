"""An extraction worker process: `python -m mailguard.message.worker FD LIMITS_JSON`.

It is started with exec (not fork, not multiprocessing's spawn), so it never re-runs the
parent's main script and never inherits the relay's threads or sockets. It reads messages
from the connection on FD, answers each with a `Content` packed by `mailguard.message.wire`,
and exits when the pipe closes or after its address space hit RLIMIT_AS (a heap that hit
the limit is not kept)."""

from __future__ import annotations

import contextlib
import gc
import json
import resource
import signal
import sys
from multiprocessing.connection import Connection

from mailguard.memory import pin_mmap_threshold
from mailguard.message import wire
from mailguard.message.extract.bounds import ExtractLimits
from mailguard.message.model import Content, Unscanned, UnscannedReason

OOM_DETAIL = "out of memory"
_GC_YOUNG = 20_000  # allocations between young collections (Python 3.13 default: 2,000)


def memory_limit_hit() -> Content:
    return Content(unscanned=[Unscanned("message", UnscannedReason.TIMEOUT, "worker memory limit")])


def serve(conn: Connection, limits: ExtractLimits) -> None:
    from mailguard.message.extract.content import extract_content  # every extractor, loaded before work

    # A big spreadsheet is 100,000+ live objects (segments, addresses); with the default
    # thresholds the collector walks them (and every imported module) again and again while
    # they pile up: ~5% of the time on the 10 MB benchmark. Modules never die, so freeze them,
    # and collect the young generation less often (cyclic garbage is still collected).
    gc.freeze()
    gc.set_threshold(_GC_YOUNG, *gc.get_threshold()[1:])

    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        recycle = False
        try:
            content = extract_content(data, limits)
            del data
            if any(u.detail == OOM_DETAIL for u in content.unscanned):
                content.unscanned.append(memory_limit_hit().unscanned[0])
                recycle = True
            conn.send_bytes(wire.pack(content))
        except MemoryError:
            recycle = True
            with contextlib.suppress(Exception):
                conn.send_bytes(wire.pack(memory_limit_hit()))
        except (EOFError, OSError):
            return
        if recycle:
            return


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    fd, limits_json = int(argv[1]), argv[2]
    limits = ExtractLimits(**json.loads(limits_json))
    size = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (size, size))
    pin_mmap_threshold()  # decoded attachments go back to the system when freed
    serve(Connection(fd), limits)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
