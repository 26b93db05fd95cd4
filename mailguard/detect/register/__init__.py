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
from collections.abc import Callable, Sequence
from pathlib import Path

from mailguard.detect.register import compiled as store
from mailguard.detect.register.index import CompiledIndex
from mailguard.detect.register.keys import LOCAL_KEY, Keyring, ephemeral, local_secret, secret_from
from mailguard.detect.register.match import Matcher
from mailguard.detect.register.parallel import compile_csv
from mailguard.detect.register.values import Mention, RegisterError, RowError
from mailguard.memory import gc_paused
from mailguard.message.model import Segment
from mailguard.organisation.mailbox import canonical_mailbox, domain_and_parents
from mailguard.settings import Settings

__all__ = ["Mention", "Register", "RegisterError", "RowError"]

log = logging.getLogger(__name__)
_MAX_KEPT_ERRORS = 1000


class Register:
    def __init__(self, index: CompiledIndex) -> None:
        self._index = index
        self._matcher = Matcher(index)

    @classmethod
    def from_csv(cls, path: Path, key: bytes | None = None) -> tuple[Register, list[RowError]]:
        """Validate and compile the CSV in memory (with `key`, else a key of its own). Returns the
        problems by line: rows skipped (`kept=False`) and rows kept without a bad optional field
        such as the phone (`kept=True`)."""
        keys = Keyring(key) if key else ephemeral()
        return cls._compile(Path(path), store.csv_digest(Path(path)), None, keys)

    @classmethod
    def compile_image(cls, path: Path, key: bytes) -> tuple[bytes, int, list[RowError]]:
        """The compiled index of a CSV as bytes (for `register import`), its row count, its problems."""
        errors: list[RowError] = []
        keys = Keyring(key)
        image = compile_csv(Path(path), keys, errors, _meta(store.csv_digest(Path(path)), errors))
        return image, CompiledIndex(image, keys).n_rows, errors

    @classmethod
    def open(cls, path: Path, cache_dir: Path | None = None, key: bytes | None = None) -> Register:
        """The register in `path`: a compiled index (needs the key it was built with: `key`, else
        the local key beside it), or a CSV, compiled with `key` (else a local key in `cache_dir`)
        and cached in `cache_dir` while the CSV is unchanged; without `cache_dir` in memory.
        Raises RegisterError on an unreadable file, a bad header or another key's index; bad
        rows are logged by line number."""
        path = Path(path)
        if store.is_index(path):
            if key is None and not (path.parent / LOCAL_KEY).exists():
                raise RegisterError(
                    f"{path} is a compiled register: set MAILGUARD_REGISTER_KEY to the key it was built with"
                )
            return cls(store.open_index(path, Keyring(key or local_secret(path.parent))))
        digest = store.csv_digest(path)
        keys = Keyring(key) if key else Keyring(local_secret(Path(cache_dir))) if cache_dir else ephemeral()
        if cache_dir is not None:
            index = store.load(Path(cache_dir), digest, keys)
            if index is not None:
                return cls(index)
        register, errors = cls._compile(path, digest, Path(cache_dir) if cache_dir else None, keys)
        for kept, what in ((False, "bad row(s) skipped"), (True, "row(s) kept without a bad optional field")):
            some = [e for e in errors if e.kept is kept]
            if some:
                lines = ", ".join(str(e.line) for e in some[:20])
                log.warning("register: %d %s (lines %s%s)", len(some), what, lines, ", …" if len(some) > 20 else "")
        return register

    @classmethod
    def _compile(
        cls, path: Path, digest: str, cache_dir: Path | None, keys: Keyring
    ) -> tuple[Register, list[RowError]]:
        errors: list[RowError] = []
        image = compile_csv(path, keys, errors, _meta(digest, errors))
        if cache_dir is not None:
            try:
                store.save(cache_dir, digest, image)
            except OSError as exc:
                log.warning("register: cannot write the compiled cache in %s: %s", cache_dir, exc.strerror)
        return cls(CompiledIndex(image, keys)), errors

    @classmethod
    def from_settings(cls, settings: Settings) -> Register | None:
        """The configured register: MAILGUARD_REGISTER (a CSV or a compiled index), else the index
        `register import` left in the data dir; None when there is neither. A CSV's compiled
        cache lives under `<data dir>/register/`."""
        secret = secret_from(
            settings.register_key.get_secret_value() if settings.register_key else None, settings.register_key_file
        )
        path = settings.register
        if path is None:
            path = store.imported_index(settings.data_dir)
            if not path.exists():
                path = store.legacy_csv(settings.data_dir)  # imported by an older version
                if not path.exists():
                    return None
                log.warning("register: a plain copy of the register is in the data dir; run 'register import' again")
        return cls.open(path, cache_dir=store.register_dir(settings.data_dir), key=secret)

    def __len__(self) -> int:
        return self._index.n_rows

    def find_mentions(self, segments: Sequence[Segment]) -> list[Mention]:
        with gc_paused():  # its per-text stores and caches would have the collector walk the heap
            return self._matcher.find(segments)

    def _rows_flagging(self, recipient: str) -> set[int]:
        recipient = recipient.strip().strip("<>")
        domain = recipient.rpartition("@")[2].rstrip(".")
        keys = ["r:" + canonical_mailbox(recipient)] if "@" in recipient else []
        keys += ["d:" + d for d in domain_and_parents(domain) if "." in d]  # a flagged domain covers its subdomains
        return self._index.lookup_many(keys)

    def flagged_recipients_of(self, recipient: str) -> set[str]:
        """Register ids for which this recipient is flagged (by address or by domain)."""
        return {self._index.row_id(r) for r in self._rows_flagging(recipient)}

    def is_flagged(self, register_id: str, recipient: str) -> bool:
        rows = [r for r in self._index.lookup("i:" + register_id) if self._index.row_id(r) == register_id]
        return bool(rows) and not self._rows_flagging(recipient).isdisjoint(rows)

    def stats(self) -> dict[str, int]:
        meta = self._index.meta
        return dict(meta["stats"], bad_rows=meta.get("bad_rows", 0), warned_rows=meta.get("warned_rows", 0))

    def row_errors(self) -> list[RowError]:
        """Rows skipped (kept=False) or kept without a bad optional field (kept=True) when this
        register was compiled (kept in the cache, first 1000)."""
        return [RowError(*item) for item in self._index.meta.get("errors", [])]


def _meta(digest: str, errors: list[RowError]) -> Callable[[], dict[str, object]]:
    def meta() -> dict[str, object]:  # called after the rows are read: reports what they showed
        listed = [[e.line, e.problem, e.kept] for e in errors[:_MAX_KEPT_ERRORS]]
        skipped = sum(not e.kept for e in errors)
        return {"sha256": digest, "bad_rows": skipped, "warned_rows": len(errors) - skipped, "errors": listed}

    return meta
