"""`mailguard demo`: a relay with an embedded recording upstream, the bundled samples pushed
through it, what happened to each printed, and the review page left up until Ctrl-C.

Samples are `mailguard/demo/samples/*.eml`; `samples/index.json` (optional) gives envelopes as
`[{"file", "mail_from", "rcpt": [...]}, ...]`, else the From and To/Cc/Bcc headers do.
State lives in a temporary folder, so the demo never touches ./var.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailguard.cli import UserError
from mailguard.detect.header_facts import read_headers
from mailguard.policy.verdict import reason_line

PACKAGE_DEMO = Path(__file__).resolve().parent.parent / "demo"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0, help="relay port (default: a free one)")
    parser.add_argument(
        "--admin-port", type=int, default=0, help="admin/review page port (default: a free one)"
    )
    parser.add_argument("--samples", type=Path, default=PACKAGE_DEMO / "samples", help="folder of .eml files")
    parser.add_argument("--no-wait", action="store_true", help="exit after printing, do not wait for Ctrl-C")


def run(args: argparse.Namespace) -> int:
    from mailguard.relay.startup import StartupError
    from mailguard.runtime import PipelineError

    try:
        asyncio.run(_demo(args))
    except (StartupError, PipelineError) as exc:
        raise UserError(str(exc)) from None
    return 0


@dataclass
class Sample:
    path: Path
    mail_from: str
    rcpt: list[str]


def load_samples(folder: Path) -> list[Sample]:
    """Every .eml in `folder`, with envelopes from index.json where it has them."""
    if not folder.is_dir():
        raise UserError(f"no samples folder at {folder}")
    index: dict[str, dict[str, Any]] = {}
    index_file = folder / "index.json"
    if index_file.exists():
        try:
            index = {entry["file"]: entry for entry in json.loads(index_file.read_text(encoding="utf-8"))}
        except (ValueError, KeyError, TypeError) as exc:
            raise UserError(f"{index_file}: not a list of {{file, mail_from, rcpt}} ({exc})") from None
    samples = []
    for path in sorted(folder.glob("*.eml")):
        entry = index.get(path.name)
        if entry is not None:
            samples.append(Sample(path, entry.get("mail_from", ""), list(entry.get("rcpt", []))))
            continue
        facts = read_headers(path.read_bytes())  # the envelope `mailguard check` would take
        samples.append(Sample(path, facts.from_address, [*facts.to, *facts.cc, *facts.bcc]))
    return samples


def demo_settings(data_dir: Path, port: int, admin_port: int, upstream_port: int, token: str) -> Any:
    from mailguard.environment import load_settings

    values: dict[str, Any] = {}
    settings_file = PACKAGE_DEMO / "settings.json"
    if settings_file.exists():
        values = {
            k: v for k, v in json.loads(settings_file.read_text(encoding="utf-8")).items() if k != "note"
        }
        if values.get("register"):
            values["register"] = str(PACKAGE_DEMO / values["register"])
    values.update(
        listen=f"127.0.0.1:{port}",
        admin_listen=f"127.0.0.1:{admin_port}",
        upstream_host="127.0.0.1",
        upstream_port=upstream_port,
        upstream_tls="none",
        data_dir=str(data_dir),
        database_url=None,
        admin_token=token,
        outbox_poll_interval=0.2,  # the demo prints what the outbox delivered a moment later
    )
    return load_settings(**values)


async def _demo(args: argparse.Namespace) -> None:
    from mailguard.cli.serve import AdminServer
    from mailguard.logs import setup_logging
    from mailguard.relay.recorder import RecordingHandler, start_recorder
    from mailguard.relay.server import RelayServer, bind_socket, preflight
    from mailguard.runtime import build_runtime

    samples = load_samples(args.samples)
    recorder = RecordingHandler()
    upstream = await start_recorder(recorder)
    upstream_port = upstream.sockets[0].getsockname()[1]
    token = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="mailguard-demo-") as tmp:
        settings = demo_settings(Path(tmp), args.port, args.admin_port, upstream_port, token)
        setup_logging(settings.model_copy(update={"log_level": "WARNING"}))
        preflight(settings)
        relay_sock = bind_socket(*settings.listen_address)
        admin_sock = bind_socket(*settings.admin_address)
        runtime = await build_runtime(settings)
        try:
            relay = RelayServer(runtime, sock=relay_sock)
            await relay.start()
            from mailguard.admin.app import create_app

            admin = AdminServer(create_app(runtime), admin_sock, runtime.settings, "warning")
            admin.start()
            runtime.start_background()
            host, port = relay.address
            print(
                f"mailguard demo: relay on {host}:{port}, recording upstream on 127.0.0.1:{upstream_port}\n"
            )
            await _push_all(samples, host, port, recorder, runtime.decider)
            admin_host, admin_port = admin_sock.getsockname()[:2]
            print(f"\nReview page and API: http://{admin_host}:{admin_port}/  (admin token: {token})")
            print(f"Metrics: http://{admin_host}:{admin_port}/metrics")
            if not args.no_wait:
                print("Send more mail to the relay with any SMTP client; Ctrl-C to stop.")
                await _wait_for_signal()
            await relay.stop(5.0)
            await admin.stop()
        finally:
            await runtime.aclose()
            upstream.close()


async def _push_all(samples: list[Sample], host: str, port: int, recorder: Any, decider: Any) -> None:
    import aiosmtplib

    from mailguard.envelope import Envelope

    for sample in samples:
        before = len(recorder.messages)
        data = sample.path.read_bytes()
        # The same decider the relay calls: its verdict says why, without reading our own headers.
        verdict = await decider(Envelope(sample.mail_from, tuple(sample.rcpt)), data)
        try:
            async with aiosmtplib.SMTP(hostname=host, port=port, start_tls=False, timeout=120) as client:
                refused, reply = await client.sendmail(sample.mail_from, sample.rcpt, data)
            delivered = _to_sample(recorder.messages[before:], sample)
            outcome = _describe(reply, verdict.action.value, bool(delivered), len(sample.rcpt) - len(refused))
        except aiosmtplib.SMTPResponseException as exc:
            outcome, delivered = f"refused: {exc.code} {exc.message}", []
        except (aiosmtplib.SMTPException, OSError) as exc:
            outcome, delivered = f"failed: {exc}", []
        print(f"\n{sample.path.name}: {outcome}")
        for reason in verdict.reasons:
            print(f"    why: {reason_line(reason.record())[:300]}")
        if delivered:
            print(f"    the upstream received (to {', '.join(delivered[0].rcpt_tos)}):")
            for line in _first_lines(delivered[0].data):
                print(f"      | {line}")
    await asyncio.sleep(1.0)  # let the outbox deliver any split copies before the summary
    print(
        f"\nThe upstream recorded {len(recorder.messages)} message(s): the mail delivered above, plus"
        " split copies and sender notices sent by the quarantine outbox."
    )


SHOWN_FIELDS = (b"from:", b"to:", b"cc:", b"bcc:", b"subject:")


def _first_lines(data: bytes, body_lines: int = 2) -> list[str]:
    """The addressing fields and the first lines of the body, as the recipient's client shows them."""
    head, _, body = data.partition(b"\r\n\r\n")
    shown = [line for line in head.split(b"\r\n") if line.lower().startswith(SHOWN_FIELDS)]
    shown += [line for line in body.split(b"\r\n") if line.strip()][:body_lines]
    return [line.decode("utf-8", "replace")[:100] for line in shown]


def _to_sample(recorded: list[Any], sample: Sample) -> list[Any]:
    """What the relay itself delivered for `sample` (not the sender notices the outbox sends)."""
    wanted = {r.lower() for r in sample.rcpt}
    return [m for m in recorded if wanted & {r.lower() for r in m.rcpt_tos}]


def _describe(reply: str, verdict: str, delivered: bool, accepted: int) -> str:
    if "held for review as" in reply:
        return f"HELD for review ({reply.rsplit(' ', 1)[-1]}), nothing delivered"
    if "Ok: queued as" in reply and verdict != "pass" and not delivered:
        return "SPLIT: one copy per external recipient, queued for delivery"
    if not reply.startswith("2"):
        return f"answered {reply}"
    if verdict == "rewrite":
        return f"REWRITTEN: To/Cc moved to Bcc, delivered to {accepted} recipient(s)"
    return f"delivered unchanged to {accepted} recipient(s)"


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    print("\nstopping")
