"""The deployment manifests parse, say what operations rely on, and hold no secrets."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from ruamel.yaml import YAML

from agent.config import SECRET_VARIABLES
from agent.policy import PolicyErrors, load_policy_text

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBE = DEPLOY / "kubernetes"
METRICS_PORT = 9102
RULES_MOUNT = "/etc/escalation-agent/rules"

# What a real credential looks like; placeholders such as "<slack-bot-token>" do not match.
TOKEN_PATTERNS = {
    "Slack token": re.compile(r"xox[abposr]-\d"),
    "Atlassian API token": re.compile(r"ATATT[A-Za-z0-9_\-=]{20,}"),
    "long base64 string": re.compile(r"[A-Za-z0-9+/]{40,}={0,2}"),
    "password in a URL": re.compile(r"://[^:/@\s<>${}]+:(?![<$])[^@\s]+@"),
}


def load_all(path: Path) -> list[dict[str, Any]]:
    docs = [d for d in YAML(typ="safe").load_all(path.read_text(encoding="utf-8")) if d]
    assert docs, f"{path} holds no YAML document"
    return docs


def manifests() -> dict[str, list[dict[str, Any]]]:
    return {p.name: load_all(p) for p in sorted(KUBE.glob("*.yaml"))}


def one(kind: str, name: str | None = None) -> dict[str, Any]:
    found = [
        d
        for docs in manifests().values()
        for d in docs
        if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)
    ]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def known_variables() -> set[str]:
    """Every variable ``config.example.env`` documents, commented-out optional ones included."""
    text = (ROOT / "config.example.env").read_text(encoding="utf-8")
    names = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    assert {"JIRA_URL", "AGENT_STATE_URL", "AGENT_METRICS_PORT"} <= names
    return names


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    if workload["kind"] == "CronJob":
        return workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return workload["spec"]["template"]["spec"]


def agent_container(workload: dict[str, Any]) -> dict[str, Any]:
    (container,) = pod_spec(workload)["containers"]
    return container


def workloads() -> list[dict[str, Any]]:
    return [one("Deployment", "escalation-agent"), one("CronJob", "escalation-agent")]


def env_names_of(container: dict[str, Any]) -> set[str]:
    """Names set by ``env`` and by every ConfigMap/Secret the container takes whole."""
    names = {e["name"] for e in container.get("env", [])}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            names |= set(one("ConfigMap", source["configMapRef"]["name"])["data"])
        if "secretRef" in source:
            names |= set(one("Secret", source["secretRef"]["name"])["stringData"])
    return names


# -- every manifest -----------------------------------------------------------


def test_every_kubernetes_document_parses_and_names_itself() -> None:
    found = manifests()
    assert set(found) >= {
        "cronjob.yaml",
        "deployment.yaml",
        "secret.example.yaml",
        "configmap.yaml",
    }
    for file, docs in found.items():
        for doc in docs:
            assert {"apiVersion", "kind", "metadata"} <= set(doc), file
            assert doc["metadata"]["labels"]["app.kubernetes.io/name"] == "escalation-agent"
    assert (KUBE / "postgres.md").is_file()


def test_every_env_var_in_the_manifests_is_a_known_setting() -> None:
    known = known_variables()
    used: dict[str, set[str]] = {
        "configmap escalation-agent-config": set(
            one("ConfigMap", "escalation-agent-config")["data"]
        ),
        "secret.example.yaml": set(one("Secret")["stringData"]),
        "docker-compose agent": set(compose()["services"]["agent"]["environment"]),
    }
    for workload in workloads():
        used[workload["kind"]] = env_names_of(agent_container(workload))
    for where, names in used.items():
        unknown = names - known
        assert not unknown, f"{where} sets {sorted(unknown)}, unknown to config.example.env"
    assert set(SECRET_VARIABLES) <= known
    secrets_in_configmap = set(SECRET_VARIABLES) & used["configmap escalation-agent-config"]
    assert not secrets_in_configmap, f"secrets belong in the Secret: {secrets_in_configmap}"


# Kubernetes field names long enough to look like base64 to the pattern above.
LONG_FIELD_NAMES = re.compile(r"\b(preferred|required)DuringSchedulingIgnoredDuringExecution\b")


def scan_for_tokens(text: str) -> list[str]:
    text = LONG_FIELD_NAMES.sub("", text)
    return [what for what, pattern in TOKEN_PATTERNS.items() if pattern.search(text)]


def test_the_token_scanner_catches_what_it_should() -> None:
    slack = "xoxb-" + "123456789012-123456789012-" + "a" * 24
    assert scan_for_tokens(f"SLACK_BOT_TOKEN: {slack}") == ["Slack token"]
    assert "long base64 string" in scan_for_tokens("token: " + "QUJD" * 12 + "==")
    assert scan_for_tokens("url: postgresql://agent:hunter2@db:5432/x") == ["password in a URL"]
    assert scan_for_tokens('SLACK_BOT_TOKEN: "<slack-bot-token>"') == []
    assert scan_for_tokens("postgresql://<user>:<password>@<host>:5432/<database>") == []
    assert scan_for_tokens("preferredDuringSchedulingIgnoredDuringExecution:") == []


def test_no_deploy_file_holds_anything_like_a_real_secret() -> None:
    files = [p for p in sorted(DEPLOY.rglob("*")) if p.is_file()]
    assert len(files) >= 7
    for path in files:
        found = scan_for_tokens(path.read_text(encoding="utf-8"))
        assert not found, f"{path.relative_to(ROOT)} looks like it holds a {found[0]}"


def test_the_secret_example_has_placeholders_only() -> None:
    secret = one("Secret", "escalation-agent-secrets")
    assert "data" not in secret  # base64 values would hide what they hold
    for key, placeholder in secret["stringData"].items():
        assert re.search(r"<[a-z-]+>", placeholder), f"{key} is not a <placeholder>"
    assert {"JIRA_API_TOKEN", "CONFLUENCE_API_TOKEN", "SLACK_BOT_TOKEN", "AGENT_STATE_URL"} <= set(
        secret["stringData"]
    )
    assert "secret manager" in (KUBE / "secret.example.yaml").read_text(encoding="utf-8")


def test_secret_references_point_at_keys_the_secret_has() -> None:
    keys = set(one("Secret", "escalation-agent-secrets")["stringData"])
    for workload in workloads():
        for entry in agent_container(workload).get("env", []):
            ref = entry.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                assert ref["name"] == "escalation-agent-secrets"
                assert ref["key"] in keys, f"{workload['kind']} reads missing key {ref['key']}"


# -- the workloads ------------------------------------------------------------


def test_cronjob_runs_once_a_minute_without_overlap() -> None:
    cron = one("CronJob", "escalation-agent")
    assert cron["spec"]["schedule"] == "* * * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    deadline = cron["spec"]["startingDeadlineSeconds"]
    assert isinstance(deadline, int) and 0 < deadline < 60
    container = agent_container(cron)
    assert container["args"] == ["run", "--once"]
    assert pod_spec(cron)["restartPolicy"] == "Never"
    # PostgreSQL from the Secret: SQLite on a cluster volume is a trap, and it says why
    assert "AGENT_STATE_URL" in one("Secret", "escalation-agent-secrets")["stringData"]
    assert "AGENT_STATE_URL" not in {e["name"] for e in container.get("env", [])}
    assert not [v for v in pod_spec(cron)["volumes"] if "persistentVolumeClaim" in v]
    header = (KUBE / "cronjob.yaml").read_text(encoding="utf-8").split("apiVersion", 1)[0]
    assert "SQLite on a PersistentVolumeClaim is a trap" in header
    assert "ReadWriteOnce" in header and "network file systems" in header


@pytest.mark.parametrize("kind", ["Deployment", "CronJob"])
def test_every_secret_key_reaches_the_container(kind: str) -> None:
    """envFrom, so a Data Center Secret (JIRA_PAT, CONFLUENCE_PAT) works unedited."""
    container = agent_container(one(kind, "escalation-agent"))
    refs = [s["secretRef"]["name"] for s in container["envFrom"] if "secretRef" in s]
    assert refs == ["escalation-agent-secrets"]
    assert not [e for e in container.get("env", []) if "valueFrom" in e]
    text = (KUBE / "secret.example.yaml").read_text(encoding="utf-8")
    assert "# JIRA_PAT:" in text and "# CONFLUENCE_PAT:" in text


def test_the_replicas_survive_a_drain_and_spread_over_nodes() -> None:
    deployment = one("Deployment", "escalation-agent")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    budget = one("PodDisruptionBudget", "escalation-agent")
    assert budget["spec"]["minAvailable"] == 1
    assert budget["spec"]["selector"]["matchLabels"] == labels
    (term,) = pod_spec(deployment)["affinity"]["podAntiAffinity"][
        "preferredDuringSchedulingIgnoredDuringExecution"
    ]
    assert term["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
    assert term["podAffinityTerm"]["labelSelector"]["matchLabels"] == labels


def test_deployment_runs_the_loop_on_postgres_with_probes_and_scraping() -> None:
    deployment = one("Deployment", "escalation-agent")
    assert deployment["spec"]["replicas"] == 2
    container = agent_container(deployment)
    assert container["args"] == ["run"]
    env = {e["name"]: e for e in container["env"]}
    assert "AGENT_STATE_URL" in env_names_of(container)  # from the Secret
    assert int(env["AGENT_METRICS_PORT"]["value"]) == METRICS_PORT
    for probe in ("livenessProbe", "readinessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == "/healthz", probe
        assert get["port"] == METRICS_PORT, probe
    assert {p["containerPort"] for p in container["ports"]} == {METRICS_PORT}
    assert set(container["resources"]) == {"requests", "limits"}
    assert container["resources"]["limits"]["memory"]
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(METRICS_PORT)
    assert annotations["prometheus.io/path"] == "/metrics"


@pytest.mark.parametrize("kind", ["Deployment", "CronJob"])
def test_workloads_run_as_uid_10001_on_a_read_only_root(kind: str) -> None:
    workload = one(kind, "escalation-agent")
    spec = pod_spec(workload)
    container = agent_container(workload)
    for context in (spec["securityContext"], container["securityContext"]):
        assert context["runAsNonRoot"] is True
        assert context["runAsUser"] == 10001
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]


@pytest.mark.parametrize("kind", ["Deployment", "CronJob"])
def test_policy_packs_are_mounted_where_agent_rules_points(kind: str) -> None:
    config = one("ConfigMap", "escalation-agent-config")["data"]
    assert config["AGENT_RULES"] == RULES_MOUNT
    workload = one(kind, "escalation-agent")
    container = agent_container(workload)
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    rules_mount = mounts[RULES_MOUNT]
    assert rules_mount["readOnly"] is True
    volumes = {v["name"]: v for v in pod_spec(workload)["volumes"]}
    assert volumes[rules_mount["name"]]["configMap"]["name"] == "escalation-agent-rules"
    config_refs = [s["configMapRef"]["name"] for s in container["envFrom"] if "configMapRef" in s]
    assert config_refs == ["escalation-agent-config"]


def test_the_rules_configmap_ships_starters_not_the_example_packs(tmp_path: Path) -> None:
    """Deployed as shipped, the agent names the placeholders to fill and acts on nothing."""
    data = one("ConfigMap", "escalation-agent-rules")["data"]
    packs = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "rules").glob("*.yaml"))}
    refresh = "run: python deploy/kubernetes/render_rules_configmap.py"
    assert set(data) == set(packs), refresh
    for name, text in data.items():
        assert text != packs[name]
        assert "sandbox.example" not in text, name
        with pytest.raises(PolicyErrors) as refused:
            load_policy_text(text, name)
        assert all(
            "placeholder from 'escalation-agent init'" in e.message for e in refused.value.errors
        )
    renderer = _load_script(KUBE / "render_rules_configmap.py")
    current = (KUBE / "configmap.yaml").read_text(encoding="utf-8")
    assert current == renderer.rendered(current), refresh
    # and a team's own folder goes in as it is
    (tmp_path / "ours.yaml").write_text("name: ours\n")
    theirs = renderer.rendered(current, tmp_path)
    assert "  ours.yaml: |\n    name: ours\n" in theirs
    assert theirs.startswith(current.partition(renderer.MARKER)[0])


def _load_script(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- docker compose and cron --------------------------------------------------


def compose() -> dict[str, Any]:
    (doc,) = load_all(DEPLOY / "docker-compose.yml")
    return doc


def test_compose_runs_the_agent_on_a_healthy_postgres_16() -> None:
    services = compose()["services"]
    agent, postgres = services["agent"], services["postgres"]
    assert agent["build"]["context"] == ".."
    assert (DEPLOY / agent["build"]["context"] / agent["build"]["dockerfile"]).is_file()
    assert agent["command"] == ["run"]
    assert agent["env_file"] == [".env"]
    env = agent["environment"]
    url = env["AGENT_STATE_URL"]
    assert url.startswith("postgresql://") and "@postgres:5432/" in url
    assert re.search(r":\$\{POSTGRES_PASSWORD[^}]*\}@", url), "the password must be a reference"
    assert int(env["AGENT_METRICS_PORT"]) == METRICS_PORT
    assert agent["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert postgres["image"].split(":")[1].startswith("16")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert postgres["environment"]["POSTGRES_PASSWORD"].startswith("${")
    volume, _, mount = postgres["volumes"][0].partition(":")
    assert mount == "/var/lib/postgresql/data"
    assert volume in compose()["volumes"]


def test_crontab_is_one_flocked_once_a_minute_line_with_an_env_file_and_a_log() -> None:
    lines = [
        line
        for line in (DEPLOY / "crontab").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert len(lines) == 1, lines
    (line,) = lines
    fields = line.split()
    assert fields[:5] == ["*"] * 5
    command = " ".join(fields[5:])
    assert re.search(r"flock -n \S+ \S*escalation-agent ", command)
    assert re.search(r"--env-file /\S+ .*run --once", command)
    assert re.search(r">> /\S+\.log 2>&1$", command)
    assert (DEPLOY / "crontab").read_text(encoding="utf-8").endswith("\n")  # cron skips it else
