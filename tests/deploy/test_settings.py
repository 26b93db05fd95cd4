"""Settings that fail quietly or loudly in the wrong way (issue 15), and `mailguard config`.

Every bad setting is one line on stderr and exit 2, never a traceback; a misspelt MAILGUARD_*
variable stops the start naming the closest real one; an empty optional value means "not set".
"""

from __future__ import annotations

import json
import os
import typing
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.serve import as_env, mailguard

from mailguard.environment import SettingsError, check_unknown_variables, load_settings
from mailguard.host import cgroup_cpu_quota, cpu_count
from mailguard.settings import Settings

OPTIONAL = sorted(n for n, f in Settings.model_fields.items() if not f.is_required() and f.default is None)
NO_EMPTY_MEANING = sorted(
    n
    for n, f in Settings.model_fields.items()
    if f.default not in (None, "") and typing.get_origin(f.annotation) is not list
)


def one_line_exit_2(done: typing.Any) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("variable", "closest"),
    [
        ("MAILGUARD_UPSTREM_HOST", "MAILGUARD_UPSTREAM_HOST"),
        ("MAILGUARD_OBSERVE_ONYL", "MAILGUARD_OBSERVE_ONLY"),
        ("MAILGUARD_CLIENT_NETWORK", "MAILGUARD_CLIENT_NETWORKS"),
    ],
)
def test_a_misspelt_variable_stops_the_start(tmp_path: Path, variable: str, closest: str) -> None:
    line = one_line_exit_2(mailguard("serve", env=as_env({}) | {variable: "x"}, cwd=tmp_path))
    assert variable in line and f"did you mean {closest}?" in line and "environment" in line


def test_a_misspelt_variable_in_dotenv_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MAILGUARD_OBSERVE_ONYL=true\n")
    line = one_line_exit_2(mailguard("serve", env=as_env({}), cwd=tmp_path))
    assert "MAILGUARD_OBSERVE_ONYL in the .env" in line and "MAILGUARD_OBSERVE_ONLY" in line


def test_variables_that_are_not_settings_are_left_alone() -> None:
    check_unknown_variables(
        {
            "MAILGUARD_TEST_PG": "postgresql://x",  # the test suite's own
            "MAILGUARD_ADMIN_SERVICE_HOST": "10.0.0.1",  # Kubernetes service links
            "MAILGUARD_SMTP_PORT_10025_TCP_ADDR": "10.0.0.2",
            "MAILGUARD_LISTEN": "0.0.0.0:10025",
            "PATH": "/usr/bin",
        }
    )
    with pytest.raises(SettingsError, match="MAILGUARD_LISTN"):
        check_unknown_variables({"MAILGUARD_LISTN": "x"})


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("MAILGUARD_LOG_LEVEL", "VERBOSE", "unknown log level 'VERBOSE'"),
        ("MAILGUARD_UPSTREAM_PORT", "", "is empty"),
        ("MAILGUARD_UPSTREAM_PORT", "smtp", "valid integer"),
        ("MAILGUARD_CLIENT_NETWORKS", "10.0.0.0/33", "MAILGUARD_CLIENT_NETWORKS"),
        ("MAILGUARD_REQUIRE_SHARED_STORE", "true", "postgresql://"),
    ],
)
def test_every_bad_setting_is_one_line_and_exit_2(tmp_path: Path, variable: str, value: str, says: str) -> None:
    line = one_line_exit_2(mailguard("serve", env=as_env({}) | {variable: value}, cwd=tmp_path))
    assert line.startswith("mailguard: ") and says in line


@settings(derandomize=True, max_examples=40, deadline=None)
@given(name=st.sampled_from(OPTIONAL), blank=st.sampled_from(["", " ", "\t", "  "]))
def test_an_empty_optional_value_means_not_set(name: str, blank: str) -> None:
    """The class of issue 14's first defect (an empty Secret key turned upstream AUTH on)."""
    assert getattr(Settings(**{name: blank}), name) is None


@settings(derandomize=True, max_examples=40, deadline=None)
@given(name=st.sampled_from(NO_EMPTY_MEANING))
def test_an_empty_value_without_an_empty_meaning_is_an_error(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings(**{name: ""})


def test_relay_workers_default_to_the_cpus() -> None:
    assert Settings().relay_workers == cpu_count() == Settings(relay_workers="auto").relay_workers
    assert 1 <= cpu_count() <= min(64, len(os.sched_getaffinity(0)))
    assert Settings(relay_workers="3").relay_workers == 3


@pytest.mark.parametrize(
    ("files", "cpus"),
    [
        ({"cpu.max": "200000 100000\n"}, 2),  # cgroup v2, Kubernetes `cpu: "2"`
        ({"cpu.max": "150000 100000\n"}, 2),  # 1.5 CPUs: round up
        ({"cpu.max": "max 100000\n"}, None),  # no limit
        ({"cpu/cpu.cfs_quota_us": "50000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 1),  # cgroup v1
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({}, None),
    ],
)
def test_a_container_cpu_limit_caps_auto(tmp_path: Path, files: dict[str, str], cpus: int | None) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert cgroup_cpu_quota(tmp_path) == cpus


def test_data_dir_never_depends_on_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    expected = Path("/var/lib/mailguard")
    if not (expected.is_dir() and os.access(expected, os.W_OK)):
        expected = tmp_path / "state" / "mailguard"
    for folder in (tmp_path / "a", tmp_path / "b"):
        folder.mkdir()
        monkeypatch.chdir(folder)
        assert Settings().data_dir == expected
        assert Path(Settings().effective_database_url.removeprefix("sqlite:///")).parent == expected.resolve()


def test_load_settings_refuses_unknown_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILGUARD_INTERNAL_DOMAIN", "example.gov.uk")
    with pytest.raises(SettingsError, match="did you mean MAILGUARD_INTERNAL_DOMAINS"):
        load_settings()


# --- mailguard config ---------------------------------------------------------------------


def test_config_shows_values_sources_and_masks_secrets(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "organisation.yaml").write_text("internal_domains: [council.example]\n")
    (tmp_path / ".env").write_text("MAILGUARD_UPSTREAM_HOST=smtp.council.example\n")
    env = as_env(
        {
            "rules_dir": rules,
            "admin_token": "s3cret-token-value",
            "upstream_password": "hunter2-password",
            "database_url": "postgresql://mg:pg-password@db.council.example:5432/mailguard",
            "register": tmp_path / "register.csv",
        }
    )
    done = mailguard("config", "--json", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for secret in ("s3cret-token-value", "hunter2-password", "pg-password"):
        assert secret not in done.stdout
    shown = json.loads(done.stdout)["settings"]
    assert shown["database_url"] == {
        "value": "postgresql://mg:***@db.council.example:5432/mailguard",
        "source": "environment",
    }
    assert shown["admin_token"]["value"] == "********"
    assert shown["upstream_host"] == {"value": "smtp.council.example", "source": ".env"}
    assert shown["internal_domains"] == {"value": ["council.example"], "source": "rule file organisation.yaml"}
    assert shown["exposure_threshold"]["source"] == "default"
    text = mailguard("config", env=env, cwd=tmp_path)
    assert "MAILGUARD_UPSTREAM_HOST" in text.stdout and "(.env)" in text.stdout and "hunter2" not in text.stdout


def test_config_warns_about_what_protects_less_than_expected(tmp_path: Path) -> None:
    env = as_env({"client_networks": "0.0.0.0/0,81.2.69.0/24", "observe_only": True, "rules_dir": tmp_path})
    env["KUBERNETES_SERVICE_HOST"] = "10.96.0.1"
    done = mailguard("config", "--json", env=env, cwd=tmp_path)
    found = "\n".join(json.loads(done.stdout)["warnings"])
    for expected in (
        "no protected register",
        "no internal domains",
        "SQLite store in a cluster",
        "0.0.0.0/0: anyone who reaches the port may relay",
        "public network 81.2.69.0/24",
        "MAILGUARD_OBSERVE_ONLY is on",
    ):
        assert expected in found
    text = mailguard("config", env=env, cwd=tmp_path)
    assert text.returncode == 0 and text.stderr.count("warning: ") == 6
