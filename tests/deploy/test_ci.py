"""The CI image run (.ci/image.sh, run for real by `.ci/run`): wired in, never skipped.

The run itself needs root and minutes, so here only what keeps it honest: `.ci/run` calls it,
it fails (never exits 0) where containers cannot run, and it checks what issue 14 asks."""

from __future__ import annotations

import re
import subprocess

from .paths import ROOT

CI = ROOT / ".ci"


def test_ci_runs_the_image_check() -> None:
    run = (CI / "run").read_text()
    assert re.search(r"^bash \.ci/image\.sh$", run, re.M)
    assert subprocess.run(["bash", "-n", str(CI / "image.sh")], check=False).returncode == 0


def test_the_image_run_fails_rather_than_skips() -> None:
    script = (CI / "image.sh").read_text()
    assert "set -euo pipefail" in script
    assert "exit 0" not in script
    for why in (
        "must run as root",
        "runc is not installed",
        "the kernel refuses new namespaces",
        "podman build failed",
    ):
        assert why in script


def test_the_image_run_covers_issue_14() -> None:
    script = (CI / "image.sh").read_text()
    for flag in ("--storage-driver vfs", "--cgroup-manager cgroupfs", "--runtime runc", "nofile=", "nproc="):
        assert flag in script
    assert "debootstrap --variant=minbase" in script and "podman_ import" in script
    check = (CI / "image_check.py").read_text()
    for part in (
        '"--read-only"',
        '"--cap-drop", "ALL"',
        '"no-new-privileges"',
        '"10001:10001"',
        "Healthcheck",
        "/release",
        '"TERM"',
        "deploy/grafana/mailguard.json",
        "/api/v1/query",
    ):
        assert part in check, part
