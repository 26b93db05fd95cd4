"""The release planner the admin API, the review page and the CLI share, so all three give the
same copies: plan the mode, sign what changed (DKIM), and mark each copy for its recipients
(an opaque X-Mailguard-Id; no verdict or rule on a copy that goes outside)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mailguard.actions.dkim import DkimSigner, sign_change
from mailguard.actions.marks import for_recipients, id_field, new_opaque_id
from mailguard.actions.release.modes import Plan, ReleaseRequest
from mailguard.actions.release.plan import plan_release
from mailguard.actions.rewrite import internal_predicate
from mailguard.organisation.organisation import Organisation
from mailguard.settings import Settings


@dataclass(slots=True)
class Releaser:
    settings: Settings
    organisation: Organisation
    dkim: DkimSigner | None = None
    scanner: Any = None  # a policy Scanner (find_protected, protected_places) for redact; None: refused

    @classmethod
    def of(cls, runtime: Any) -> Releaser:
        """The runtime's: its settings, DKIM key and (when it scans) its scanner."""
        scanner = getattr(runtime, "scanner", None)
        return cls(runtime.settings, runtime.organisation, runtime.dkim, scanner)

    async def __call__(self, data: bytes, rcpts: Sequence[str], request: ReleaseRequest) -> Plan:
        scanner = self.scanner
        plan = await plan_release(
            data,
            rcpts,
            request,
            is_internal=self.organisation.is_internal,
            finder=scanner.find_protected if scanner is not None else None,
            rescan=scanner.protected_places if scanner is not None else None,
        )
        internal = internal_predicate(self.organisation.is_internal)
        mark = id_field(new_opaque_id())
        plan.copies = [
            (
                list(r),
                for_recipients(
                    copy if copy == data else sign_change(self.dkim, data, copy, body=True), r, internal, mark
                ),
            )
            for r, copy in plan.copies
        ]
        return plan
