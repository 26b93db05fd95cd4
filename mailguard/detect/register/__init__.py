"""The protected register: load and validate the CSV, keep a compiled index, find mentions.

    register = Register.open(settings.register, cache_dir=settings.data_dir / "register")
    for m in register.find_mentions(content.segments):
        if any(register.is_flagged(m.register_id, r) for r in envelope.rcpt_tos): ...

Flagged `@domain` entries cover the domain and its subdomains (`@example.org` flags
`a@example.org` and `a@mail.example.org`): a recipient's mail server at a subdomain is the
same organisation, and failing closed is the safe side. Addresses compare case-insensitively.
Nothing here logs or returns register contents beyond ids and the text found in the message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

from mailguard.detect.register import store
from mailguard.detect.register.index import CompiledIndex, compile_entries
from mailguard.detect.register.load import read_entries
from mailguard.detect.register.match import Matcher
from mailguard.detect.register.model import Entry, Mention, RegisterError, RowError
from mailguard.message.model import Segment
from mailguard.settings import Settings

__all__ = ["Mention", "Register", "RegisterError", "RowError"]

log = logging.getLogger(__name__)
_MAX_KEPT_ERRORS = 1000


class Register:
    def __init__(self, index: CompiledIndex) -> None:
        self._index = index
        self._matcher = Matcher(index)

    @classmethod
    def from_csv(cls, path: Path) -> tuple[Register, list[RowError]]:
        """Validate and compile the CSV in memory. Returns the problems by line: rows skipped
        (`kept=False`) and rows kept without a bad optional field such as the phone (`kept=True`)."""
        return cls._compile(Path(path), store.csv_digest(Path(path)), None)

    @classmethod
    def open(cls, path: Path, cache_dir: Path | None = None) -> Register:
        """The register for this CSV, from the compiled cache in `cache_dir` when the CSV is unchanged
        (recompiled and saved there when not). Without `cache_dir` it is compiled in memory.
        Raises RegisterError on an unreadable file or header; bad rows are logged by line number."""
        path = Path(path)
        digest = store.csv_digest(path)
        if cache_dir is not None:
            index = store.load(Path(cache_dir), digest)
            if index is not None:
                return cls(index)
        register, errors = cls._compile(path, digest, Path(cache_dir) if cache_dir else None)
        for kept, what in (
            (False, "bad row(s) skipped"),
            (True, "row(s) kept with an unreadable optional field left out"),
        ):
            some = [e for e in errors if e.kept is kept]
            if some:
                lines = ", ".join(str(e.line) for e in some[:20])
                log.warning("register: %d %s (lines %s%s)", len(some), what, lines, ", …" if len(some) > 20 else "")
        return register

    @classmethod
    def _compile(cls, path: Path, digest: str, cache_dir: Path | None) -> tuple[Register, list[RowError]]:
        errors: list[RowError] = []

        def good_rows() -> Iterator[Entry]:
            for line, entry, problem in read_entries(path):
                if entry is None or problem:
                    errors.append(RowError(line, problem or "invalid row", kept=entry is not None))
                if entry is not None:
                    yield entry

        def meta() -> dict[str, object]:
            listed = [[e.line, e.problem, e.kept] for e in errors[:_MAX_KEPT_ERRORS]]
            skipped = sum(not e.kept for e in errors)
            return {"sha256": digest, "bad_rows": skipped, "warned_rows": len(errors) - skipped, "errors": listed}

        image = compile_entries(good_rows(), meta)
        if cache_dir is not None:
            try:
                store.save(cache_dir, digest, image)
            except OSError as exc:
                log.warning("register: cannot write the compiled cache in %s: %s", cache_dir, exc.strerror)
        return cls(CompiledIndex(image)), errors

    @classmethod
    def from_settings(cls, settings: Settings) -> Register | None:
        """The configured register: MAILGUARD_REGISTER, else the copy `register import` left in the
        data dir; None when there is neither. Compiled cache under `<data dir>/register/`."""
        path = settings.register
        if path is None:
            path = store.imported_csv(settings.data_dir)
            if not path.exists():
                return None
        return cls.open(path, cache_dir=store.register_dir(settings.data_dir))

    def __len__(self) -> int:
        return self._index.n_rows

    def find_mentions(self, segments: Sequence[Segment]) -> list[Mention]:
        return self._matcher.find(segments)

    def _rows_flagging(self, recipient: str) -> set[int]:
        recipient = recipient.strip().strip("<>").lower()
        domain = recipient.rpartition("@")[2].rstrip(".")
        keys = ["r:" + recipient] if "@" in recipient else []
        labels = domain.split(".")
        keys += ["d:" + ".".join(labels[i:]) for i in range(len(labels) - 1)]
        return self._index.lookup_many(keys)

    def flagged_recipients_of(self, recipient: str) -> set[str]:
        """Register ids for which this recipient is flagged (by address or by domain)."""
        return {self._index.row(r).id for r in self._rows_flagging(recipient)}

    def is_flagged(self, register_id: str, recipient: str) -> bool:
        rows = [r for r in self._index.lookup("i:" + register_id) if self._index.row(r).id == register_id]
        return bool(rows) and not self._rows_flagging(recipient).isdisjoint(rows)

    def stats(self) -> dict[str, int]:
        meta = self._index.meta
        return dict(meta["stats"], bad_rows=meta.get("bad_rows", 0), warned_rows=meta.get("warned_rows", 0))

    def row_errors(self) -> list[RowError]:
        """Rows skipped (kept=False) or kept without a bad optional field (kept=True) when this
        register was compiled (kept in the cache, first 1000)."""
        return [RowError(*item) for item in self._index.meta.get("errors", [])]
