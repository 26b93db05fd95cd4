"""Compiling a register CSV on every CPU the process may use: rows are independent, so the
parent reads the CSV and hands batches of raw rows (with their line numbers) to worker
processes, which validate and compile them (`build.compile_part`); the parent joins the parts
in row order as they come back (`build.Image`), checks ids for duplicates across the whole
file and keeps each problem by line, exactly as a compile in one process would. A small
register is compiled in this process (starting workers would cost more than they save)."""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain, islice
from pathlib import Path

from mailguard.detect.register.build import Image, Part, compile_entries, compile_part
from mailguard.detect.register.keys import Keyring
from mailguard.detect.register.load import Ids, csv_rows, good_entries, parse_rows
from mailguard.detect.register.record import Recorder
from mailguard.detect.register.values import Entry, RowError
from mailguard.host import cpu_count

SERIAL_BELOW = 20_000  # data rows
_BATCH_ROWS = 10_000
_AHEAD = 2  # batches queued per worker: it never waits for the parent, and few rows wait in memory

Rows = list[tuple[int, list[str]]]
# what a worker returns for a batch: the part of its valid rows, their lines, ids and warnings
# (by row in the part), and the rows skipped with their problem
Done = tuple[Part, list[int], list[str], dict[int, str], list[tuple[int, str]]]
log = logging.getLogger(__name__)


def compile_csv(path: Path, keys: Keyring, errors: list[RowError], meta: Callable[[], dict[str, object]]) -> bytes:
    """The compiled image of the CSV's valid rows; each problem is added to `errors` by line
    (rows skipped: kept=False; kept without a bad optional field: kept=True)."""
    header, rows = csv_rows(path)
    workers = cpu_count()
    first = list(islice(rows, SERIAL_BELOW))
    if workers < 2 or len(first) < SERIAL_BELOW or multiprocessing.current_process().daemon:  # may have no children
        return compile_entries(good_entries(header, chain(first, rows), errors), meta, keys)
    source = chain(first, rows)
    del first, rows  # the CSV's text is freed once read, before the image is joined
    try:
        return _in_workers(header, source, workers, keys, errors, meta)
    except BrokenProcessPool:  # a worker died (killed, or a main script without `if __name__ == "__main__"`)
        log.warning("register: the compile's worker processes failed; compiling in this process")
        del errors[:]
        header, rows = csv_rows(path)
        return compile_entries(good_entries(header, rows, errors), meta, keys)


def _in_workers(
    header: list[str],
    rows: Iterator[tuple[int, list[str]]],
    workers: int,
    keys: Keyring,
    errors: list[RowError],
    meta: Callable[[], dict[str, object]],
) -> bytes:
    image, ids = Image(), Ids()
    context = multiprocessing.get_context("spawn")  # no copy of this process's state (fork is unsafe with threads)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=(keys, header)) as pool:
        running: deque[Future[Done]] = deque()
        for batch in _batches(rows):
            running.append(pool.submit(_compile_batch, batch))
            if len(running) >= _AHEAD * workers:  # the rows read ahead stay few
                _join(running.popleft().result(), image, ids, errors)
        while running:
            _join(running.popleft().result(), image, ids, errors)
        del rows
        return image.image(keys, meta, pool)


def _batches(rows: Iterator[tuple[int, list[str]]]) -> Iterator[Rows]:
    while batch := list(islice(rows, _BATCH_ROWS)):
        yield batch


def _join(
    done: Done,
    image: Image,
    ids: Ids,
    errors: list[RowError],
) -> None:
    """Add a worker's part; its rows' problems in line order, with the ids checked against every
    earlier row."""
    part, lines, row_ids, warnings, skipped = done
    image.add(part)
    found = [RowError(line, problem) for line, problem in skipped]
    for i, rid in enumerate(row_ids):
        if problem := ids.problem(rid, warnings.get(i)):
            found.append(RowError(lines[i], problem, kept=True))
    errors.extend(sorted(found, key=lambda e: e.line))


_worker: dict[str, object] = {}  # a worker process's keys, header and recorder (its made parts are reused)


def _start(keys: Keyring, header: list[str]) -> None:
    _worker.update(keys=keys, header=header, recorder=Recorder(keys.hash_once))


def _compile_batch(batch: Rows) -> Done:
    keys, header, recorder = _worker["keys"], _worker["header"], _worker["recorder"]
    lines: list[int] = []
    row_ids: list[str] = []
    warnings: dict[int, str] = {}
    skipped: list[tuple[int, str]] = []

    def entries() -> Iterator[Entry]:
        for line, entry, problem in parse_rows(header, batch):  # type: ignore[arg-type]
            if entry is None:
                skipped.append((line, problem or "invalid row"))
                continue
            if problem:
                warnings[len(lines)] = problem
            lines.append(line)
            row_ids.append(entry.id)
            yield entry

    part = compile_part(entries(), keys, recorder)  # type: ignore[arg-type]
    return part, lines, row_ids, warnings, skipped
