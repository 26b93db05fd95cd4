#!/usr/bin/env bash
# CI: build the Dockerfile unchanged with podman (no daemon) and run the image as production
# would: read-only, uid 10001, every capability dropped, no-new-privileges. Then check it through
# its own interfaces (.ci/image_check.py): HEALTHCHECK, relay, hold and release, SIGTERM during a
# transaction, and Debian's Prometheus scraping it for every Grafana dashboard expression.
#
# Everything installs from Debian packages. The FROM image cannot be pulled here, so a stand-in
# (debootstrap minbase + Debian's Python) is imported under the FROM name. All container state
# lives under .ci/work in the clone and is removed at the end.
#
# Where this machine cannot run containers at all, this says why and fails: never a silent skip.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
say() { echo "image: $*"; }
fail() { echo "image: FAILED: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || fail "must run as root (podman with the vfs driver, as CI does)"

export DEBIAN_FRONTEND=noninteractive
need=()
for pkg in podman runc debootstrap prometheus; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
if ((${#need[@]})); then
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# MAILGUARD_CI_KEEP=1 (development only) keeps .ci/work and reuses its stand-in base next time.
work=$PWD/.ci/work
if [[ -z ${MAILGUARD_CI_KEEP:-} ]]; then rm -rf "$work"; else rm -rf "$work"/{data,secrets,recorded,prom}; fi
mkdir -p "$work"
cleanup() {
  podman_ rm -f -t 0 mg-ci >/dev/null 2>&1 || true
  if [[ -z ${MAILGUARD_CI_KEEP:-} ]]; then
    rm -rf "$work"  # podman's whole state lives here: nothing else to reset
  fi
}
trap cleanup EXIT

# The settings that work on this kind of machine (RESEARCH.md, "Containers without a daemon"):
# vfs (no overlay mounts in the sandbox), cgroupfs (no systemd), runc (crun refuses hybrid cgroups),
# file events (no journald), state under .ci/work only.
podman_() {
  podman --root "$work/storage" --runroot "$work/run" --storage-driver vfs \
    --cgroup-manager cgroupfs --events-backend file --runtime runc "$@"
}
ulimits=(--ulimit nofile=20000:20000 --ulimit nproc=4096:4096)

# Can this machine run a container at all? Say exactly what is missing.
command -v runc >/dev/null || fail "runc is not installed"
unshare --mount --pid --fork --uts --ipc true 2>"$work/unshare.err" \
  || fail "the kernel refuses new namespaces (unshare: $(head -c 300 "$work/unshare.err")): no container can run here"

# ---- the stand-in for the FROM image ---------------------------------------------------------
from=$(sed -n 's/^ARG PYTHON_IMAGE=//p' Dockerfile)
[[ -n $from ]] || fail "Dockerfile has no ARG PYTHON_IMAGE default"
t0=$SECONDS
if [[ -n ${MAILGUARD_CI_KEEP:-} ]] && podman_ image exists "docker.io/library/$from"; then
  say "reusing the stand-in base (MAILGUARD_CI_KEEP)"
else
# The machine's own Debian mirror, as apt is configured (deb822 sources, else sources.list).
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
[[ -n $mirror ]] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
[[ -n $mirror ]] || fail "no Debian mirror in the apt configuration (/etc/apt/sources.list*)"
say "debootstrap minbase bookworm from $mirror as a stand-in for $from"
# python3-dev: the official image has Python's headers, which the build stage compiles against
debootstrap --variant=minbase --include=python3,python3-venv,python3-dev,python-is-python3,ca-certificates \
  bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap failed (is $mirror reachable?)"; }
# Egress TLS may be intercepted: the host's CA bundle, for pip inside the build.
cp /etc/ssl/certs/ca-certificates.crt "$work/rootfs/etc/ssl/certs/ca-certificates.crt"
printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$work/rootfs/etc/pip.conf"
rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/*
tar -C "$work/rootfs" -c . | podman_ import --change 'CMD ["python3"]' - "docker.io/library/$from" >/dev/null
rm -rf "$work/rootfs"
fi
say "stand-in base ready in $((SECONDS - t0)) s"

# ---- build the project's Dockerfile unchanged --------------------------------------------------
t0=$SECONDS
# docker format keeps HEALTHCHECK (OCI image configs have no such field). --layers=false commits
# one image per stage instead of one per instruction: with vfs every commit is a full copy.
podman_ build --pull=never --layers=false --format docker --network host "${ulimits[@]}" -t mailguard:ci . \
  >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; fail "podman build failed"; }
size=$(podman_ image inspect mailguard:ci --format '{{.Size}}')
say "image built in $((SECONDS - t0)) s, $((size / 1000000)) MB"

# ---- run it as production would, and check it from the outside ---------------------------------
python=${PYTHON:-.venv/bin/python}
[[ -x $python ]] || python=python3
"$python" .ci/image_check.py --work "$work" --podman "podman --root $work/storage --runroot $work/run \
--storage-driver vfs --cgroup-manager cgroupfs --events-backend file --runtime runc" \
  --ulimits "${ulimits[*]}" --image mailguard:ci
say "done in $((SECONDS - started)) s"
