"""Docs and packaging stay honest: registered parts are documented, Docker matches the README."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from guard.config import Settings
from guard.generators import registered_generators

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_registered_generator_has_a_readme_section() -> None:
    for name in registered_generators():
        assert f"### `{name}`" in README, f"generator {name!r} is not documented in the README"


def test_every_registered_detector_has_a_policy_reference_section() -> None:
    from guard.detectors import registered_detectors

    for name in registered_detectors():
        assert f"#### `{name}`" in README, f"detector {name!r} is not in the policy reference"


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    for name in Settings.model_fields:
        assert f"GUARD_{name.upper()}" in README, f"GUARD_{name.upper()} is not documented"


def test_quick_start_is_exactly_make_run_and_make_test() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = re.search(r"```bash\n(.*?)```", quick_start, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_docker_images_install_what_the_makefile_installs_and_serve() -> None:
    makefile = (ROOT / "Makefile").read_text()
    torch = re.search(r"TORCH_SPEC\s*\?=\s*(\S+)", makefile)
    model = re.search(r"SMOLLM2_SPEC\s*\?=\s*(\S+)", makefile)
    specs = re.search(r"MODEL_SPECS\s*\?=\s*(.+)", makefile)
    assert torch and model and specs
    for name in ("Dockerfile.cpu", "Dockerfile.cuda"):
        dockerfile = (ROOT / "docker" / name).read_text()
        assert torch.group(1) in dockerfile and model.group(1) in dockerfile
        for spec in specs.group(1).split():
            assert spec in dockerfile, f"{name} does not install {spec}"
        assert 'CMD ["guard", "serve"]' in dockerfile
        assert "-c constraints.txt" in dockerfile
        for copied in re.findall(r"^COPY (\S+)", dockerfile, re.M):
            assert (ROOT / copied).exists(), f"{name} copies {copied}, which is missing"
        spool = re.search(r"GUARD_SPOOL_DIR=(\S+)", dockerfile)
        assert spool and f"VOLUME {spool.group(1)}" in dockerfile, "the spool must be on a volume"
        checkpoints = re.search(r"GUARD_AUDIT_CHECKPOINT_DIR=(\S+)", dockerfile)
        assert checkpoints and re.search(rf"VOLUME .*{checkpoints.group(1)}", dockerfile)
        health = re.search(r"HEALTHCHECK[^\n]*\\\n\s*CMD (.+)", dockerfile)
        assert health and health.group(1) == '["guard", "health"]', "no hard-coded port"
        assert "8000/healthz" not in dockerfile


def test_compose_file_wires_guard_to_postgres_and_optional_vllm() -> None:
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "guard", "vllm"}
    guard = services["guard"]
    assert (ROOT / guard["build"]["dockerfile"]).exists()
    assert guard["command"] == ["guard", "serve"]
    assert guard["environment"]["GUARD_DATABASE_URL"].startswith("postgresql://")
    assert guard["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["vllm"]["profiles"] == ["vllm"]
    assert "/v1" in guard["environment"]["GUARD_UPSTREAM_URL"]
    cpu = (ROOT / "docker" / "Dockerfile.cpu").read_text()
    spool = re.search(r"GUARD_SPOOL_DIR=(\S+)", cpu)
    assert spool and any(
        v.startswith("spool:") and v.split(":")[1] == spool.group(1) for v in guard["volumes"]
    )
    assert "spool" in compose["volumes"]


def test_every_package_is_listed_and_the_migrations_ship_in_it() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "guard").rglob("__init__.py")
    }
    listed = set(project["packages"])
    assert found <= listed, f"packages missing from pyproject.toml: {sorted(found - listed)}"
    assert project["package-dir"]["guard.migrations"] == "migrations"
    assert (ROOT / "migrations" / "env.py").is_file()
    import guard.audit.migrate as migrate

    assert sorted(p.name for p in (migrate.MIGRATIONS / "versions").glob("0*.py"))[0] == (
        "0001_initial_schema.py"
    )


def test_the_scaled_compose_file_runs_replicas_behind_nginx_on_shared_state() -> None:
    compose = yaml.safe_load((ROOT / "docker" / "compose.scale.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "guard", "nginx", "vllm"} <= set(services)
    guard = services["guard"]
    assert guard["deploy"]["replicas"] == 3 and guard["command"] == ["guard", "serve"]
    env = guard["environment"]
    assert env["GUARD_DATABASE_URL"].startswith("postgresql://")
    assert env["GUARD_REDIS_URL"].startswith("redis://redis:")
    assert env["GUARD_DB_AUTO_UPGRADE"] == "false" and "GUARD_HASH_KEY" in env
    assert services["migrate"]["command"] == ["guard", "db", "upgrade"]
    assert guard["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "ports" not in guard, "only nginx is reachable"
    nginx = (ROOT / "docker" / "nginx.conf").read_text()
    assert "server guard:8000 resolve" in nginx and "proxy_buffering off" in nginx
    assert any(v.startswith("./nginx.conf:") for v in services["nginx"]["volumes"])


def test_the_kubernetes_manifests_probe_migrate_and_scale_guard() -> None:
    docs = {
        d["kind"]: d
        for d in yaml.safe_load_all((ROOT / "deploy" / "kubernetes" / "guard.yaml").read_text())
    }
    assert set(docs) == {"Job", "Deployment", "Service", "HorizontalPodAutoscaler"}
    [migrate] = docs["Job"]["spec"]["template"]["spec"]["containers"]
    assert migrate["command"] == ["guard", "db", "upgrade"]
    deployment = docs["Deployment"]["spec"]
    [container] = deployment["template"]["spec"]["containers"]
    assert container["command"] == ["guard", "serve"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    names = {e["name"]: e for e in container["env"]}
    assert {"GUARD_DATABASE_URL", "GUARD_REDIS_URL", "GUARD_HASH_KEY"} <= set(names)
    assert names["GUARD_DB_AUTO_UPGRADE"]["value"] == "false"
    from guard.config import Settings

    for name in names:  # every variable is a setting guard reads
        assert name.removeprefix("GUARD_").lower() in Settings.model_fields, name
    labels = deployment["template"]["metadata"]["labels"]
    assert docs["Service"]["spec"]["selector"].items() <= labels.items()
    target = docs["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert (
        target["kind"] == "Deployment" and target["name"] == docs["Deployment"]["metadata"]["name"]
    )
