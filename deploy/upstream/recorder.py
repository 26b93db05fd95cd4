"""A recording SMTP upstream for the compose stack: accepts everything, delivers nothing.

Each message is written to SPOOL/<n>.eml with its envelope in SPOOL/<n>.json, so what
mailguard relayed (and how it rewrote it) can be inspected:

    docker compose exec upstream ls /var/lib/mailguard/recorded

Runs on the mailguard image (aiosmtpd is a dependency):
    python recorder.py [--listen 0.0.0.0:2525] [--spool /var/spool/recorder]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import signal
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

log = logging.getLogger("recorder")


class Recorder:
    def __init__(self, spool: Path) -> None:
        self.spool = spool
        spool.mkdir(parents=True, exist_ok=True)
        start = max((int(p.stem) for p in spool.glob("*.eml") if p.stem.isdigit()), default=0) + 1
        self._numbers = itertools.count(start)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        number = next(self._numbers)
        data = envelope.original_content or b""
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "peer": str(session.peer[0])}
        # The envelope first: a reader that sees <n>.eml can then always read <n>.json.
        _write_synced(self.spool / f"{number:08d}.json", json.dumps(meta).encode())
        _write_synced(self.spool / f"{number:08d}.eml", data)
        log.info("recorded message %d: %d bytes, %d recipients", number, len(data), len(envelope.rcpt_tos))
        return "250 2.0.0 Recorded"


def _write_synced(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


async def serve(host: str, port: int, spool: Path) -> None:
    handler = Recorder(spool)
    loop = asyncio.get_running_loop()
    sessions: set[SMTP] = set()

    def session() -> SMTP:
        smtp = SMTP(handler, hostname="recorder", data_size_limit=100 * 1024 * 1024)
        sessions.add(smtp)
        return smtp

    server = await loop.create_server(session, host, port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("recording SMTP on %s:%d into %s", host, port, spool)
    print(f"listening {server.sockets[0].getsockname()[1]}", flush=True)
    await stop.wait()
    server.close()
    # Relays keep pooled connections open: close them, or wait_closed() waits for them until the
    # container runtime gives up and kills us. Every message already recorded is on disk.
    for smtp in sessions:
        if smtp.transport is not None:
            smtp.transport.close()
    await server.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default=os.environ.get("RECORDER_LISTEN", "0.0.0.0:2525"))
    parser.add_argument(
        "--spool", type=Path, default=Path(os.environ.get("RECORDER_SPOOL", "/var/spool/recorder"))
    )
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    asyncio.run(serve(host or "0.0.0.0", int(port), args.spool))


if __name__ == "__main__":
    main()
