"""Assembly: build the parts a running relay needs from the settings, and close them again.

`mailguard serve`, `mailguard demo` and `mailguard check` all start here, so they run the
same pipeline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from mailguard.pipeline import Decider, Disposer, pass_everything
from mailguard.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    decider: Decider = pass_everything
    disposer: Disposer | None = None  # None: hold and split verdicts answer 4xx (nothing to hold in)
    store: Any = None  # the quarantine store, once opened
    started_at: float = field(default_factory=time.time)

    async def aclose(self) -> None:
        pass


async def build_runtime(settings: Settings) -> Runtime:
    return Runtime(settings)
