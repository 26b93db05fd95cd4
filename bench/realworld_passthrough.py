"""Send every message of ../shared/corpus/realworld through a real relay and check byte-identity.

    .venv/bin/python -m bench.realworld_passthrough [CORPUS_DIR]

Each file goes twice: as a compliant client sends it (CRLF, dot-stuffed) and as smtplib sends
raw bytes (bare LF kept, legacy style). Prints counts and any message that came out different,
was refused, or crashed anything; exits 1 if there was one.
"""

from __future__ import annotations

import smtplib
import sys
from pathlib import Path

from tests.support.passthrough import send_compliant, strip_trace, wire_form
from tests.support.relay import RelayHarness

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "realworld"
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix == ".eml")
    if not files:
        print(f"no .eml files under {corpus}")
        return 1
    problems: list[str] = []
    with RelayHarness(max_message_size=100 * 1024 * 1024) as relay:
        for mode in ("crlf-client", "raw-bytes-client"):
            relay.upstream.messages.clear()
            for path in files:
                data = path.read_bytes()
                try:
                    with smtplib.SMTP(relay.host, relay.port, timeout=60) as client:
                        if mode == "crlf-client":
                            send_compliant(client, data)
                        else:
                            client.sendmail("sender@example.com", ["rcpt@example.org"], data)
                except smtplib.SMTPException as exc:
                    problems.append(f"{mode} {path.relative_to(corpus)}: refused {exc}")
                    continue
                got = relay.upstream.messages[-1].data
                if strip_trace(got) != wire_form(data):
                    problems.append(f"{mode} {path.relative_to(corpus)}: bytes differ")
            print(f"{mode}: {len(files)} sent, {len(relay.upstream.messages)} relayed")
    for line in problems:
        print("  " + line)
    verdict = "all byte-identical" if not problems else f"{len(problems)} problems"
    print(f"{len(files)} files x 2 modes: {verdict}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
