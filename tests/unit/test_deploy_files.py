"""The deployment files (deploy/) say what the code does: the image, compose file and systemd
units run the real commands with the real settings; the alert rules and the dashboard use
metrics that callroute exports, and every alert's runbook is a section of
docs/operations.md. Fast and offline: promtool and systemd-analyze run only where installed."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from callroute.config import Settings
from callroute.metrics import Metrics

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
OPERATIONS = ROOT / "docs" / "operations.md"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "callroute.json"
SYSTEMD = DEPLOY / "systemd"
INSTALLED_CALLROUTE = "/opt/callroute/bin/callroute"

METRIC_NAME = re.compile(r"\bcallroute_[a-z_]+")
SETTINGS = {"CALLROUTE_" + name.upper() for name in Settings.model_fields}


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def _rules() -> list[dict[str, Any]]:
    return [rule for group in _yaml(ALERTS)["groups"] for rule in group["rules"]]


def _dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return data


def _panels() -> list[dict[str, Any]]:
    return [p for p in _dashboard()["panels"] if p["type"] != "row"]


def github_anchor(heading: str) -> str:
    """The anchor GitHub (and most Markdown renderers) give a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def markdown_anchors(text: str) -> set[str]:
    anchors: set[str] = set()
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"#{1,6} (.+)", line)):
            anchors.add(github_anchor(m.group(1)))
    return anchors


# --- alert rules ----------------------------------------------------------------------------

# The conditions an operator is paged for; each has a runbook section of the same name.
REQUIRED_ALERTS = {
    "CallrouteNobodyOnCall",
    "CallrouteTimerBacklog",
    "CallrouteProviderErrors",
    "CallrouteVoicemailSpike",
    "CallrouteCallersAbandoning",
    "CallrouteHttp5xx",
    "CallrouteDown",
}


def test_alert_rules_are_grouped_and_named_once() -> None:
    groups = _yaml(ALERTS)["groups"]
    assert groups
    for group in groups:
        assert group["name"]
        assert group["rules"]
    names = [rule["alert"] for rule in _rules()]
    assert len(names) == len(set(names)), "alert names repeat"
    assert set(names) >= REQUIRED_ALERTS


@pytest.mark.parametrize("rule", _rules(), ids=lambda rule: str(rule["alert"]))
def test_alert_rule_has_what_an_operator_needs(rule: dict[str, Any]) -> None:
    assert re.fullmatch(r"Callroute[A-Z][A-Za-z0-9]+", rule["alert"])
    assert isinstance(rule["expr"], str)
    assert rule["expr"].strip()
    assert re.fullmatch(r"\d+[smh]", str(rule["for"]))
    assert rule["labels"]["severity"] in {"critical", "warning"}
    annotations = rule["annotations"]
    assert annotations["summary"].strip()
    assert annotations["description"].strip()
    url, _, anchor = annotations["runbook_url"].partition("#")
    assert url.endswith("/docs/operations.md")
    assert anchor == github_anchor(rule["alert"])


def test_every_runbook_anchor_is_a_heading_of_the_operations_guide() -> None:
    anchors = markdown_anchors(OPERATIONS.read_text())
    missing = [
        rule["runbook_url"]
        for rule in (r["annotations"] for r in _rules())
        if rule["runbook_url"].partition("#")[2] not in anchors
    ]
    assert not missing, f"no such heading in docs/operations.md: {missing}"


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_checks_the_rules_and_their_unit_tests() -> None:
    here = ALERTS.parent
    checks = [
        ["check", "rules", "alerts.yml"],
        ["test", "rules", "alerts.test.yml", "alerts-week.test.yml"],
    ]
    for args in checks:
        done = subprocess.run(
            ["promtool", *args], cwd=here, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr


# --- dashboard ------------------------------------------------------------------------------

# Each metric of the call path has a panel.
DASHBOARD_METRICS = {
    "callroute_calls_started_total",
    "callroute_calls_ended_total",
    "callroute_call_answer_seconds_bucket",
    "callroute_call_first_ring_seconds_bucket",
    "callroute_callers_abandoned_total",
    "callroute_legs_ended_total",
    "callroute_provider_requests_total",
    "callroute_provider_errors_total",
    "callroute_webhook_deliveries_total",
    "callroute_timer_lateness_seconds_bucket",
    "callroute_timers_due",
    "callroute_timers_oldest_due_seconds",
    "callroute_http_requests_total",
    "callroute_http_request_duration_seconds_bucket",
    "callroute_db_pool_connections_in_use",
    "callroute_router_responders_on_call",
}


def _dashboard_queries() -> list[str]:
    queries = [t["expr"] for p in _panels() for t in p["targets"]]
    for variable in _dashboard()["templating"]["list"]:
        query = variable.get("query")
        if isinstance(query, dict):
            queries.append(query["query"])
    return queries


def test_dashboard_picks_its_prometheus_data_source() -> None:
    variables = {v["name"]: v for v in _dashboard()["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for variable in variables.values():
        if variable["type"] == "query":
            assert variable["datasource"]["uid"] == "${datasource}"


def test_dashboard_panels_query_prometheus() -> None:
    panels = _panels()
    assert panels
    ids = [p["id"] for p in _dashboard()["panels"]]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    for panel in panels:
        assert panel["title"]
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        position = panel["gridPos"]
        assert position["x"] + position["w"] <= 24
        assert panel["targets"], f"{panel['title']!r} has no query"
        for target in panel["targets"]:
            assert target["expr"].strip(), f"{panel['title']!r} has an empty query"
            assert METRIC_NAME.search(target["expr"]) or "up{" in target["expr"]
            assert target["datasource"]["uid"] == "${datasource}"


def test_dashboard_shows_each_metric_of_the_call_path() -> None:
    shown = {name for query in _dashboard_queries() for name in METRIC_NAME.findall(query)}
    assert DASHBOARD_METRICS - shown == set()


# --- every metric the rules and the dashboard use is exported -------------------------------

SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("_count", "_sum", "_created"),
    "gauge": ("",),
    "info": ("_info",),
}


def exported_names() -> set[str]:
    """Every series name the registry can expose, whether or not a labelled child exists yet
    (a labelled metric has no samples until it is first used)."""
    names: set[str] = set()
    for family in Metrics().registry.collect():
        names.add(family.name)
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ("",)))
        names.update(sample.name for sample in family.samples)
    return names


def referenced_names() -> list[str]:
    queries = [rule["expr"] for rule in _rules()] + _dashboard_queries()
    return sorted({name for query in queries for name in METRIC_NAME.findall(query)})


@pytest.mark.parametrize("name", referenced_names())
def test_metric_used_by_alerts_or_dashboard_is_exported(name: str) -> None:
    assert name in exported_names(), f"callroute.metrics exports no {name}"


# --- Dockerfile -----------------------------------------------------------------------------


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order: continuations joined, comments and blank lines
    (also inside a continuation, as Docker reads them) skipped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continuation"
    return instructions


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, args in dockerfile_instructions((DEPLOY / "Dockerfile").read_text()):
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, args))
    return stages


def _args(stage: list[tuple[str, str]], keyword: str) -> list[str]:
    return [args for k, args in stage if k == keyword]


def _env(stage: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for args in _args(stage, "ENV"):
        for word in shlex.split(args):
            key, _, value = word.partition("=")
            env[key] = value
    return env


def test_dockerfile_builds_a_wheel_then_runs_a_slim_python_311() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    stages = _stages()
    assert len(stages) >= 2, "the image is multi-stage"
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)", text, re.M)
    assert base is not None
    assert base.group(1).startswith("python:3.11-slim")
    assert all(_args(s, "FROM")[0].startswith("${PYTHON_IMAGE}") for s in stages)
    builder, final = stages[0], stages[-1]
    assert any("pip wheel" in run for run in _args(builder, "RUN"))
    assert any(c.startswith("--from=builder ") for c in _args(final, "COPY"))
    assert not any("pip install" in run for run in _args(final, "RUN"))


def test_dockerfile_runs_callroute_serve_as_an_unprivileged_user() -> None:
    final = _stages()[-1]
    users = _args(final, "USER")
    assert users, "the final stage sets USER"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert json.loads(_args(final, "ENTRYPOINT")[-1]) == ["callroute"]
    serve = ["serve", "--host", "0.0.0.0", "--port", "8080"]  # noqa: S104  (the image's default)
    assert json.loads(_args(final, "CMD")[-1]) == serve
    assert "8080" in _args(final, "EXPOSE")[-1].split()
    env = _env(final)
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["CALLROUTE_LOG_FORMAT"] == "json"


def test_dockerfile_health_check_asks_readyz_with_python() -> None:
    check = _args(_stages()[-1], "HEALTHCHECK")[-1]
    command = json.loads(check.partition("CMD ")[2])
    assert command[:2] == ["python", "-c"]
    assert "urllib" in command[2]
    assert "127.0.0.1:8080/readyz" in command[2]
    compile(command[2], "HEALTHCHECK", "exec")


def test_dockerignore_lets_in_only_what_the_image_is_built_from() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*", "everything is left out unless let in"
    allowed = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    copied: set[str] = set()
    for stage in _stages():
        for args in _args(stage, "COPY"):
            if not args.startswith("--from="):
                copied.update(word.rstrip("/") for word in args.split()[:-1])
    assert copied <= allowed
    assert not allowed & {".env", ".git", ".venv", "callroute.db", "callroute.db.key", "tests"}


# --- docker compose -------------------------------------------------------------------------


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = _yaml(DEPLOY / "docker-compose.yml")
    return data


def _command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def test_compose_runs_database_migration_server_and_worker() -> None:
    services = _compose()["services"]
    assert {"db", "migrate", "server", "worker"} <= set(services)
    assert str(services["db"]["image"]).startswith("postgres:15")
    assert _command(services["migrate"]) == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    server = _command(services["server"])
    assert server[0] == "serve"
    assert server[server.index("--workers") + 1] == "2"
    assert services["server"]["environment"]["CALLROUTE_RUN_TIMERS"] == "false"
    worker = _command(services["worker"])
    assert worker[0] == "worker"
    assert worker[worker.index("--port") + 1] == "9090"


def test_compose_starts_server_and_worker_after_a_successful_migration() -> None:
    services = _compose()["services"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("server", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["db"]["condition"] == "service_healthy"


def test_compose_health_checks_and_named_volume() -> None:
    compose = _compose()
    services = compose["services"]
    assert "pg_isready" in services["db"]["healthcheck"]["test"]
    volume = services["db"]["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    for name, port in (("server", "8080"), ("worker", "9090")):
        test = " ".join(services[name]["healthcheck"]["test"])
        assert f"127.0.0.1:{port}/readyz" in test


INTERPOLATION = re.compile(r"\$\{[A-Z_]+:\?[^}]+\}")


def test_compose_takes_every_secret_from_the_environment() -> None:
    for name, service in _compose()["services"].items():
        for key, value in service.get("environment", {}).items():
            if re.search(r"SECRET|PASSWORD|TOKEN", key):
                assert INTERPOLATION.fullmatch(str(value)), f"{name}: {key} is written in"
            if key == "CALLROUTE_DATABASE_URL":
                password = re.fullmatch(r"postgresql://callroute:(.+)@db:5432/callroute", value)
                assert password, f"{name}: {key} is not a URL of the db service"
                assert INTERPOLATION.fullmatch(password.group(1)), (
                    f"{name}: a password is written in"
                )
    env = _compose()["services"]["server"]["environment"]
    for key in ("CALLROUTE_SECRET_KEY", "CALLROUTE_PUBLIC_URL"):
        assert INTERPOLATION.fullmatch(env[key])


def test_compose_sets_only_settings_callroute_knows() -> None:
    for name in ("migrate", "server", "worker"):
        keys = set(_compose()["services"][name]["environment"])
        assert keys <= SETTINGS, f"{name}: {keys - SETTINGS}"


# --- systemd --------------------------------------------------------------------------------

UNITS = {
    "callroute-migrate.service": ["migrate"],
    "callroute.service": ["serve"],
    "callroute-worker.service": ["worker"],
}
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "CapabilityBoundingSet": "",
}


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string((SYSTEMD / name).read_text())
    return parser


@pytest.mark.parametrize("name", UNITS)
def test_unit_runs_callroute_as_its_own_user_hardened(name: str) -> None:
    service = _unit(name)["Service"]
    command = shlex.split(service["ExecStart"])
    assert command[0] == INSTALLED_CALLROUTE
    assert command[1:2] == UNITS[name]
    assert service["User"] == "callroute"
    assert service["EnvironmentFile"] == "/etc/callroute/callroute.env"
    for key, value in HARDENING.items():
        assert service[key] == value, key


@pytest.mark.parametrize("name", ["callroute.service", "callroute-worker.service"])
def test_server_and_worker_restart_and_wait_for_the_migration(name: str) -> None:
    unit = _unit(name)
    assert unit["Service"]["Restart"] == "on-failure"
    assert "callroute-migrate.service" in unit["Unit"]["Requires"].split()
    assert "callroute-migrate.service" in unit["Unit"]["After"].split()
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_migration_unit_runs_once_and_stays_done() -> None:
    service = _unit("callroute-migrate.service")["Service"]
    assert service["Type"] == "oneshot"
    assert service["RemainAfterExit"] == "yes"


def test_environment_example_sets_only_settings_callroute_knows() -> None:
    lines = (SYSTEMD / "callroute.env.example").read_text().splitlines()
    keys = {line.split("=")[0] for line in lines if line and not line.startswith("#")}
    assert {"CALLROUTE_DATABASE_URL", "CALLROUTE_SECRET_KEY", "CALLROUTE_PUBLIC_URL"} <= keys
    assert keys <= SETTINGS, keys - SETTINGS


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    # verify checks that ExecStart exists: point the units at a stand-in for the installed one.
    stand_in = tmp_path / "callroute"
    stand_in.write_text("#!/bin/sh\n")
    stand_in.chmod(0o755)
    for name in UNITS:
        text = (SYSTEMD / name).read_text().replace(INSTALLED_CALLROUTE, str(stand_in))
        (tmp_path / name).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert not (done.stdout + done.stderr).strip(), "warnings: " + done.stdout + done.stderr
