"""deploy/compose.yaml: two relays behind one port, PostgreSQL, Prometheus with the alerts,
Grafana with the dashboard, a recording upstream (checked structurally: no Docker engine here)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .paths import DEPLOY, SETTINGS_ENV

COMPOSE = DEPLOY / "compose.yaml"
RELAYS = ("mailguard-1", "mailguard-2")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))  # merges the x-mailguard anchor


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """container path -> host path, for bind mounts."""
    out = {}
    for volume in service.get("volumes", []):
        host, container = volume.split(":")[:2]
        out[container] = host
    return out


def test_services(compose: dict[str, Any]) -> None:
    assert {"lb", *RELAYS, "postgres", "upstream", "prometheus", "grafana"} <= set(compose["services"])


def test_two_relays_behind_one_port(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in RELAYS:
        relay = services[name]
        assert relay["build"]["dockerfile"] == "Dockerfile" and relay["read_only"] is True
        assert "ports" not in relay  # reached only through the balancer
        env = relay["environment"]
        assert set(env) <= SETTINGS_ENV
        assert (
            env["MAILGUARD_DATABASE_URL"].startswith("postgresql://")
            and "@postgres:" in env["MAILGUARD_DATABASE_URL"]
        )
        assert env["MAILGUARD_UPSTREAM_HOST"] == "upstream"
        assert relay["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert _mounts(relay)["/app/rules"] == "../rules"
    lb = services["lb"]
    assert "${BIND_ADDRESS:-127.0.0.1}:10025:10025" in lb["ports"]
    cfg_host = _mounts(lb)["/usr/local/etc/haproxy/haproxy.cfg"]
    cfg = (DEPLOY / cfg_host).read_text()
    assert re.search(r"^\s*mode tcp", cfg, re.M)
    smtp_backend = cfg.split("backend mailguard_smtp", 1)[1].split("\nfrontend", 1)[0]
    for name in RELAYS:
        assert f"server {name} {name}:10025" in smtp_backend
    assert "GET /readyz" in smtp_backend


def test_observability_stack(compose: dict[str, Any]) -> None:
    services = compose["services"]
    prom = _mounts(services["prometheus"])
    assert prom["/etc/prometheus/alerts.yml"] == "./prometheus/alerts.yml"
    assert prom["/etc/prometheus/prometheus.yml"] == "./prometheus/prometheus.yml"
    graf = _mounts(services["grafana"])
    assert graf["/etc/grafana/provisioning"] == "./grafana/provisioning"
    assert graf["/var/lib/grafana/dashboards/mailguard.json"] == "./grafana/mailguard.json"


def test_recording_upstream_and_postgres(compose: dict[str, Any]) -> None:
    services = compose["services"]
    upstream = services["upstream"]
    assert upstream["entrypoint"][-1] == "/opt/recorder/recorder.py"
    assert _mounts(upstream)["/opt/recorder/recorder.py"] == "./upstream/recorder.py"
    assert "--listen" in upstream["command"] and "0.0.0.0:2525" in upstream["command"]
    assert compose["services"]["mailguard-1"]["environment"]["MAILGUARD_UPSTREAM_PORT"] == "2525"
    postgres = services["postgres"]
    assert "pg_isready" in postgres["healthcheck"]["test"]


def test_every_bind_mounted_file_exists(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for host in _mounts(service).values():
            if host.startswith((".", "/")):
                assert (DEPLOY / host).resolve().exists(), f"{name}: {host}"
    default_register = re.search(r":-([^}]+)\}", compose["secrets"]["register.csv"]["file"]).group(1)
    assert (
        (DEPLOY / default_register)
        .read_text()
        .startswith("id,name,address,postcode,phone,flagged_recipients")
    )


def test_no_open_relay_to_anyone_who_reaches_the_host(compose: dict[str, Any]) -> None:
    """Issue 14, defect 6: ports on every interface, and relaying allowed from the balancer's
    subnet, made the stack an open relay. Now: published on 127.0.0.1 unless BIND_ADDRESS says
    otherwise, and the relays take the real client address from haproxy's PROXY header."""
    services = compose["services"]
    for name, service in services.items():
        for port in service.get("ports", []):
            assert port.startswith("${BIND_ADDRESS:-127.0.0.1}:"), (name, port)
    env = services["mailguard-1"]["environment"]
    lb_address = services["lb"]["networks"]["mail"]["ipv4_address"]
    assert env["MAILGUARD_PROXY_PROTOCOL_FROM"] == f"{lb_address}/32"
    subnet = compose["networks"]["mail"]["ipam"]["config"][0]["subnet"]
    assert subnet not in env["MAILGUARD_CLIENT_NETWORKS"]
    cfg = (DEPLOY / "haproxy" / "haproxy.cfg").read_text()
    smtp_backend = cfg.split("backend mailguard_smtp", 1)[1].split("\nfrontend", 1)[0]
    assert "send-proxy-v2" in smtp_backend
    # The admin port too (issue 12, item 8): throttles count each reviewer, not the balancer.
    assert env["MAILGUARD_ADMIN_TRUSTED_PROXIES"] == f"{lb_address}/32"
    assert "send-proxy-v2" in cfg.split("backend mailguard_admin", 1)[1]


def test_haproxy_survives_a_relay_draining_or_being_recreated() -> None:
    """Issue 14, defect 4: 6 of 13 sessions failed through haproxy during one relay's drain."""
    cfg = (DEPLOY / "haproxy" / "haproxy.cfg").read_text()
    defaults = cfg.split("\ndefaults", 1)[1].split("\nfrontend", 1)[0]
    assert re.search(r"^\s*option redispatch", defaults, re.M)
    assert re.search(r"^\s*retries [1-9]", defaults, re.M)
    assert re.search(r"^resolvers docker\n\s*nameserver \w+ 127\.0\.0\.11:53", cfg, re.M)
    for line in re.findall(r"^\s*default-server .*$", cfg, re.M):
        assert "resolvers docker" in line


@pytest.mark.skipif(not shutil.which("haproxy"), reason="haproxy (Debian package) not installed")
def test_haproxy_accepts_the_config() -> None:
    done = subprocess.run(
        ["haproxy", "-c", "-f", str(DEPLOY / "haproxy" / "haproxy.cfg")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_upstream_does_not_inherit_the_mailguard_healthcheck(compose: dict[str, Any]) -> None:
    assert compose["services"]["upstream"]["healthcheck"] == {"disable": True}


def test_the_example_register_has_valid_rows(compose: dict[str, Any], tmp_path: Path) -> None:
    """Issue 14, defect 3: ZZ99 postcodes were refused, so the compose stack ran with 0 rows."""
    from mailguard.detect.register import Register

    default_register = re.search(r":-([^}]+)\}", compose["secrets"]["register.csv"]["file"]).group(1)
    path = DEPLOY / default_register
    rows = len(path.read_text().splitlines()) - 1
    assert rows >= 2
    assert len(Register.open(path, cache_dir=tmp_path)) == rows


def test_paths_in_compose_are_relative_to_deploy() -> None:
    assert Path(COMPOSE).parent == DEPLOY
