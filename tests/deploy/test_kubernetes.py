"""deploy/kubernetes: the Kubernetes JSON schemas (kubernetes-validate, offline) for the core
kinds, and structural checks for what an operator relies on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mailguard.policy.loader import load_rule_files
from mailguard.settings import Settings

from . import prometheusrule
from .paths import DEPLOY, SETTINGS_ENV

K8S = DEPLOY / "kubernetes"
NOT_IN_SCHEMAS = {"ServiceMonitor", "PrometheusRule", "Kustomization"}  # CRD / kustomize: checked structurally


def _documents() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        docs += [(path.name, d) for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return docs


def _kinds() -> dict[str, list[dict[str, Any]]]:
    kinds: dict[str, list[dict[str, Any]]] = {}
    for _, doc in _documents():
        kinds.setdefault(doc["kind"], []).append(doc)
    return kinds


def _one(kind: str, name: str | None = None) -> dict[str, Any]:
    found = [d for d in _kinds()[kind] if name is None or d["metadata"]["name"] == name]
    assert len(found) == 1, (kind, name)
    return found[0]


@pytest.mark.parametrize(
    ("file", "doc"),
    [(f, d) for f, d in _documents() if d["kind"] not in NOT_IN_SCHEMAS],
    ids=lambda v: v if isinstance(v, str) else v["kind"],
)
def test_schema(file: str, doc: dict[str, Any]) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)


def test_every_object_is_namespaced_and_listed_in_the_kustomization() -> None:
    kustomization = _one("Kustomization")
    assert sorted(kustomization["resources"]) == sorted(
        p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml"
    )
    for file, doc in _documents():
        if doc["kind"] not in {"Namespace", "Kustomization"}:
            assert doc["metadata"]["namespace"] == "mailguard", file


def test_deployment_is_redundant_probed_bounded_and_locked_down() -> None:
    deployment = _one("Deployment")
    spec = deployment["spec"]
    assert spec["replicas"] >= 2
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    pod = spec["template"]["spec"]
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert pod["terminationGracePeriodSeconds"] >= 90  # open SMTP transactions finish
    (container,) = pod["containers"]
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    resources = container["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"]) and "memory" in resources["limits"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"smtp": 10025, "admin": 8025}
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert mounts["/app/rules"]["readOnly"] and mounts["/etc/mailguard/register"]["readOnly"]
    assert "/tmp" in mounts  # PROMETHEUS_MULTIPROC_DIR on a read-only root
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["rules"]["configMap"]["name"] == "mailguard-rules"
    assert volumes["register"]["secret"]["secretName"] == "mailguard-register"
    secret_refs = {
        e["valueFrom"]["secretKeyRef"]["key"]
        for e in container["env"]
        if "secretKeyRef" in e.get("valueFrom", {})
    }
    assert {"admin-token", "database-url"} <= secret_refs


def test_settings_in_the_manifests_are_real_settings() -> None:
    config = _one("ConfigMap", "mailguard-config")["data"]
    env = [e["name"] for e in _one("Deployment")["spec"]["template"]["spec"]["containers"][0]["env"]]
    for name in [*config, *env]:
        assert name in SETTINGS_ENV or name == "PROMETHEUS_MULTIPROC_DIR", name
    assert config["MAILGUARD_LISTEN"].startswith("0.0.0.0:") and config["MAILGUARD_ADMIN_LISTEN"].startswith(
        "0.0.0.0:"
    )
    assert config["MAILGUARD_REGISTER"].startswith("/etc/mailguard/register/")
    assert config["MAILGUARD_RULES_DIR"] == "/app/rules"


def test_rules_configmap_is_a_valid_rule_set(tmp_path: Path) -> None:
    rules = _one("ConfigMap", "mailguard-rules")["data"]
    assert rules
    for name, text in rules.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    loaded = load_rule_files(tmp_path)
    assert len(loaded.read) == len(rules)


def test_secrets_hold_the_tokens_but_never_a_placeholder_register() -> None:
    """Applying the kustomization must not replace the real register with a header-only one
    (issue 14, defect 2): the register Secret is created from the file, never shipped."""
    secrets = _one("Secret", "mailguard-secrets")["stringData"]
    assert {"admin-token", "database-url"} <= set(secrets)
    assert [d["metadata"]["name"] for d in _kinds()["Secret"]] == ["mailguard-secrets"]
    assert "kubectl create secret generic mailguard-register" in (K8S / "kustomization.yaml").read_text()


def test_the_manifests_settings_load_as_the_pod_would_get_them() -> None:
    """ConfigMap and Secret values as the pod's environment: empty upstream credentials mean
    no AUTH (issue 14, defect 1: every message was deferred), SQLite is refused, and the
    Service links Kubernetes would inject are switched off (they are not settings)."""
    from mailguard.environment import check_unknown_variables

    env = dict(_one("ConfigMap", "mailguard-config")["data"])
    secrets = _one("Secret", "mailguard-secrets")["stringData"]
    for entry in _one("Deployment")["spec"]["template"]["spec"]["containers"][0]["env"]:
        ref = entry.get("valueFrom", {}).get("secretKeyRef")
        if ref is not None:
            env[entry["name"]] = secrets[ref["key"]]
    pod = _one("Deployment")["spec"]["template"]["spec"]
    assert pod["enableServiceLinks"] is False
    check_unknown_variables(env)
    keys = {k.removeprefix("MAILGUARD_").lower(): v for k, v in env.items() if k.startswith("MAILGUARD_")}
    settings = Settings(**keys)
    assert settings.upstream_username is None and settings.upstream_password is None
    assert settings.require_shared_store and settings.effective_database_url.startswith("postgresql")
    with pytest.raises(ValueError, match="postgresql"):
        Settings(**(keys | {"database_url": ""}))


def test_prometheusrule_is_alerts_yml() -> None:
    assert (K8S / "prometheusrule.yaml").read_text(encoding="utf-8") == prometheusrule.render()
    rule = _one("PrometheusRule")
    assert rule["metadata"]["labels"]["release"] == _one("ServiceMonitor")["metadata"]["labels"]["release"]


def test_services_pdb_hpa_and_servicemonitor() -> None:
    smtp = _one("Service", "mailguard-smtp")["spec"]
    admin = _one("Service", "mailguard-admin")["spec"]
    assert smtp["type"] == "LoadBalancer" and smtp["externalTrafficPolicy"] == "Local"
    assert smtp["ports"][0]["targetPort"] == "smtp"
    assert admin["type"] == "ClusterIP" and admin["ports"][0]["name"] == "admin"
    pod_labels = _one("Deployment")["spec"]["template"]["metadata"]["labels"]
    for selector in (
        smtp["selector"],
        admin["selector"],
        _one("PodDisruptionBudget")["spec"]["selector"]["matchLabels"],
    ):
        assert selector.items() <= pod_labels.items()
    pdb = _one("PodDisruptionBudget")["spec"]
    assert pdb["minAvailable"] == 1 or pdb.get("maxUnavailable") == 1
    hpa = _one("HorizontalPodAutoscaler")["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "mailguard"}
    assert hpa["minReplicas"] >= 2 and hpa["maxReplicas"] > hpa["minReplicas"]

    monitor = _one("ServiceMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    admin_labels = _one("Service", "mailguard-admin")["metadata"]["labels"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= admin_labels.items()
    assert monitor["spec"]["endpoints"] == [
        {"port": "admin", "path": "/metrics", "interval": "30s", "scrapeTimeout": "10s"}
    ]
    # job="mailguard", as the alerts and dashboard expect
    assert admin_labels[monitor["spec"]["jobLabel"]] == "mailguard"
