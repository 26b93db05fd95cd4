"""Realistic outbound traffic for bench/relay.py: what a council's relay sees in a day.

    70 % short text mail (1-6 KB, one to three recipients, some HTML alternatives)
    20 % with one or two attachments of 100 KB - 2 MB (PDF, DOCX, XLSX): PDF and DOCX carry up
         to 120 KB of text each and images for the rest of their size, as real reports do;
         spreadsheets are cells all the way
    10 % meeting invites to several outsiders or letters to several members of the public
         (the exposure rewrite's work)

and a protected register of 1,000 rows (none of which the traffic mentions, so every message
is scanned in full and passed or rewritten, as most mail is). Everything is built once per run
with the test extras' writers (fpdf2, python-docx, openpyxl) and a fixed seed, then replayed by
`send_stream` over N concurrent sessions with aiosmtplib, timing each reply.
"""

from __future__ import annotations

import asyncio
import io
import random
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

SEED = 20261204
TOWNS = ["Bristol", "Leeds", "Wakefield", "Halifax", "Cardiff", "Exeter", "Derby", "Luton", "York", "Bath"]
STREETS = ["Orchard Close", "Mill Lane", "Station Road", "Church Street", "Park Avenue", "Victoria Terrace"]
PUBLIC = ["gmail.com", "hotmail.co.uk", "yahoo.co.uk", "outlook.com", "btinternet.com", "icloud.com"]
PARTNERS = ["westyorkshire.police.uk", "nhs.net", "brookfield.wakefield.sch.uk", "leeds.gov.uk"]
WORDS = (
    "the family review meeting housing support visit report school attendance plan referral "
    "officer agreed actions update next week please confirm contact details thank you regards"
).split()


@dataclass(frozen=True, slots=True)
class Mail:
    kind: str  # "text", "attachment", "exposure"
    mail_from: str
    rcpts: tuple[str, ...]
    data: bytes


def write_register(path: Path, rows: int = 1000, seed: int = SEED) -> Path:
    """A protected register of `rows` fictional rows in valid-format postcodes (never ZZ99)."""
    rng = random.Random(seed)
    lines = ["id,name,address,postcode,phone,flagged_recipients"]
    for i in range(rows):
        area = rng.choice(["BS", "LS", "WF", "HX", "CF", "EX", "DE", "LU", "YO", "BA"])
        inward = "".join(rng.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in range(2))
        postcode = f"{area}{rng.randint(1, 29)} {rng.randint(1, 9)}{inward}"
        street = f"{rng.choice(['Alder', 'Beech', 'Cedar', 'Hazel'])} {rng.choice(['Way', 'Gardens', 'Drive'])}"
        address = f"{rng.randint(1, 250)} {street}, {rng.choice(TOWNS)}"
        lines.append(f"P{i:06d},,\"{address}\",{postcode},,ex.partner{i}@gmail.com")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _prose(rng: random.Random, size: int) -> str:
    out: list[str] = []
    length = 0
    while length < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16))).capitalize() + "."
        if rng.random() < 0.1:  # addresses that are not protected: the matcher must still look
            sentence += f" The visit is at {rng.randint(1, 300)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}."
        out.append(sentence)
        length += len(sentence) + 1
    return " ".join(out)


def _photo(rng: random.Random, size: int) -> bytes:
    """A JPEG of about `size` bytes that does not compress further: the scanned pages, photos
    and logos that make up most of a real attachment's bytes."""
    from PIL import Image

    side = max(64, int((size / 0.6) ** 0.5))  # noise at quality 75: about 0.6 bytes a pixel
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=75)
    return buffer.getvalue()


def _text_share(size: int) -> int:
    """How much readable text an attachment of `size` bytes carries: a report's prose is tens
    of kilobytes; the rest of a large file is images."""
    return min(size // 3, 120_000)


def _pdf(rng: random.Random, size: int) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=8)
    words = _prose(rng, _text_share(size)).split()
    lines = [" ".join(words[i : i + 14]) for i in range(0, len(words), 14)]
    for start in range(0, len(lines), 60):  # pre-wrapped lines: far cheaper than multi_cell
        pdf.add_page()
        for row, line in enumerate(lines[start : start + 60]):
            pdf.text(10, 12 + row * 4.5, line)
    text_bytes = _text_share(size) // 3  # fpdf2 deflates page content about 3:1
    if size > text_bytes:
        pdf.add_page()
        pdf.image(io.BytesIO(_photo(rng, size - text_bytes)), x=10, y=10, w=150)
    return bytes(pdf.output())


def _docx(rng: random.Random, size: int) -> bytes:
    import docx

    document = docx.Document()
    for i in range(max(4, _text_share(size) // 2400)):
        document.add_paragraph(_prose(rng, 2400))
        if i % 10 == 9:
            cells = document.add_table(rows=1, cols=3).rows[0].cells
            cells[0].text, cells[1].text, cells[2].text = rng.choice(STREETS), rng.choice(TOWNS), _prose(rng, 40)
    document.add_picture(io.BytesIO(_photo(rng, max(10_000, size - _text_share(size) // 3))))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx(rng: random.Random, size: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    rows = max(100, size // 60)
    for i in range(rows):
        sheet.append([i, rng.choice(STREETS), rng.choice(TOWNS), rng.randint(1, 300), _prose(rng, 20)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ATTACHMENTS = {
    "pdf": ("application", "pdf", _pdf),
    "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document", _docx),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx),
}


def _message(sender: str, to: list[str], subject: str, body: str, cc: list[str] | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(to), subject
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Date"] = "Fri, 04 Dec 2026 10:00:00 +0000"
    msg.set_content(body)
    return msg


def _invite(rng: random.Random, sender: str, attendees: list[str]) -> EmailMessage:
    msg = _message(sender, attendees, "Consultation drop-in", _prose(rng, 800))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "METHOD:REQUEST", "BEGIN:VEVENT", "UID:bench@council.example"]
    lines += ["DTSTART:20261210T100000Z", "SUMMARY:Consultation drop-in", f"ORGANIZER:mailto:{sender}"]
    lines += [f"ATTENDEE;CN=Resident;RSVP=TRUE:mailto:{a}" for a in attendees]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    msg.add_alternative("\r\n".join(lines) + "\r\n", subtype="calendar", params={"method": "REQUEST"})
    return msg


def build_stream(count: int, seed: int = SEED) -> list[Mail]:
    """`count` messages in the mix above, in a shuffled but fixed order."""
    rng = random.Random(seed)
    sender = "caseworker@council.example"
    sizes = [100_000, 500_000, 1_000_000, 2_000_000]
    files = {
        (kind, size): maker(random.Random(f"{seed}{kind}{size}"), size)
        for kind, (_, _, maker) in ATTACHMENTS.items()
        for size in sizes
    }
    stream: list[Mail] = []
    for i in range(count):
        roll = rng.random()
        partners = [f"officer{i}@{rng.choice(PARTNERS)}" for _ in range(rng.randint(1, 3))]
        if roll < 0.70:
            msg = _message(sender, partners, f"Case update {i}", _prose(rng, rng.randint(1000, 6000)))
            kind = "text"
        elif roll < 0.90:
            msg = _message(sender, partners, f"Report {i}", _prose(rng, 1500))
            for _ in range(rng.randint(1, 2)):
                name = rng.choice(list(ATTACHMENTS))
                maintype, subtype, _maker = ATTACHMENTS[name]
                data = files[(name, rng.choice(sizes))]
                msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=f"report-{i}.{name}")
            kind = "attachment"
        else:
            public = [f"resident{i}.{j}@{rng.choice(PUBLIC)}" for j in range(rng.randint(3, 12))]
            msg = _invite(rng, sender, public) if rng.random() < 0.5 else _message(
                sender, public, f"Consultation {i}", _prose(rng, 2000)
            )
            partners = public
            kind = "exposure"
        data = msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        stream.append(Mail(kind, sender, tuple(partners), data))
    return stream


@dataclass(slots=True)
class StreamResult:
    seconds: float
    latencies: list[float]
    bytes_sent: int
    failures: int
    small_latencies: list[float] = field(default_factory=list)  # text and exposure mail only
    loop_lags: list[float] = field(default_factory=list)  # NOOP round trips on an idle session


async def _noop_probe(port: int, stop: asyncio.Event, lags: list[float]) -> None:
    """NOOP every 10 ms on an idle session: the reply time is the serving process's event-loop
    lag plus a loopback round trip (bench/load.py measures it the same way)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        await reader.readline()
        while not stop.is_set():
            started = time.perf_counter()
            writer.write(b"NOOP\r\n")
            await reader.readline()
            lags.append(time.perf_counter() - started)
            await asyncio.sleep(0.01)
    finally:
        writer.close()


async def send_stream(port: int, stream: list[Mail], sessions: int, probe: bool = False) -> StreamResult:
    """Replay the stream over `sessions` concurrent connections (one message per connection, as
    Exchange's smart-host delivery mostly is); time each reply to the end of data."""
    import aiosmtplib

    queue: asyncio.Queue[Mail] = asyncio.Queue()
    for mail in stream:
        queue.put_nowait(mail)
    latencies: list[float] = []
    small: list[float] = []
    failures = 0

    async def worker() -> None:
        nonlocal failures
        while not queue.empty():
            mail = queue.get_nowait()
            started = time.perf_counter()
            try:
                async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=120) as client:
                    await client.sendmail(mail.mail_from, list(mail.rcpts), mail.data)
                latencies.append(time.perf_counter() - started)
                if mail.kind != "attachment":
                    small.append(latencies[-1])
            except (aiosmtplib.SMTPException, OSError):
                failures += 1

    lags: list[float] = []
    stop = asyncio.Event()
    prober = asyncio.create_task(_noop_probe(port, stop, lags)) if probe else None
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(sessions)))
    seconds = time.perf_counter() - started
    stop.set()
    if prober is not None:
        await prober
    return StreamResult(seconds, latencies, sum(len(m.data) for m in stream), failures, small, lags)
