"""One real Scanner (rules, a register of the fifth corpus's homes, the extraction worker pool)
for every property test in this folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from support.scanning import SyncScanner, settings_for

from corpora.fifth import homes as register

INTERNAL = "housing.example-council.gov.uk"
SENDER = f"officer@{INTERNAL}"
HOMES = register.build(n=96, seed=1204)

# Fixed seed, bounded examples: CI runs the same cases every time and stays fast.
settings.register_profile(
    "properties",
    derandomize=True,
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: a miss prints its text as is
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncScanner]:
    tmp: Path = tmp_path_factory.mktemp("properties")
    csv = tmp / "register.csv"
    register.write(HOMES, csv)
    s = SyncScanner(settings_for(tmp, csv, INTERNAL))
    yield s
    s.close()
