"""Facts about the host that settings default to: the CPUs this process may use, where its
data lives, and its name."""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path


def cpu_count() -> int:
    """CPUs this process may use: its cpuset, capped by a cgroup CPU quota (a container's
    `cpu: "2"` limit on a 64-core node is 2), between 1 and 64."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    if (quota := cgroup_cpu_quota()) is not None:
        cpus = min(cpus, quota)
    return max(1, min(64, cpus))


def cgroup_cpu_quota(root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """CPUs granted by the cgroup (v2 `cpu.max`, or v1 `cpu.cfs_quota_us`), rounded up; None: no limit."""
    try:
        quota, _, period = (root / "cpu.max").read_text().partition(" ")
    except OSError:
        try:
            quota = (root / "cpu" / "cpu.cfs_quota_us").read_text()
            period = (root / "cpu" / "cpu.cfs_period_us").read_text()
        except OSError:
            return None
    quota, period = quota.strip(), period.strip()
    if quota in ("max", "-1") or not quota.lstrip("-").isdigit() or not period.isdigit() or int(period) <= 0:
        return None
    return max(1, -(-int(quota) // int(period)))


def default_data_dir() -> Path:
    """/var/lib/mailguard when it exists and is writable, else the user's XDG state folder:
    never the current folder, so every command finds the same store wherever it is run."""
    system = Path("/var/lib/mailguard")
    if system.is_dir() and os.access(system, os.W_OK | os.X_OK):
        return system
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "mailguard"


@cache
def default_hostname() -> str:
    """The machine's FQDN, looked up once (getfqdn may wait on DNS): our name when
    MAILGUARD_HOSTNAME is empty (banner, Received:, EHLO to the upstream)."""
    return socket.getfqdn()
