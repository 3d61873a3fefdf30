"""docker-compose.yaml and Dockerfile describe the stack the README promises (no Docker needed)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"

AIRFLOW_SERVICES = (
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-worker-gpu",
)
PROJECT_MOUNTS = ("dags", "plugins", "include", "resources")
ARTIFACTS = "/opt/airflow/artifacts"
PDF_DIR = "/opt/airflow/resources"
_DEFAULTED_VAR = re.compile(r"\$\{(\w+):-([^}]*)\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    # SafeLoader resolves the x-airflow-common anchor and its "<<" merge keys.
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _airflow_services(services: dict[str, dict[str, Any]]) -> list[str]:
    return [name for name in services if name.startswith("airflow-") or name == "flower"]


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> source (host path with ${VAR:-default} resolved, or volume name)."""
    mounts = {}
    for entry in service.get("volumes", []):
        source, target = _DEFAULTED_VAR.sub(lambda m: m.group(2), entry).split(":")[:2]
        mounts[target] = source
    return mounts


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def _queues(service: dict[str, Any]) -> set[str]:
    args = _command(service)
    for flag in ("--queues", "-q"):
        if flag in args:
            return set(args[args.index(flag) + 1].split(","))
    return {"default"}  # a Celery worker started without --queues serves the default queue


def _dockerfile_lines() -> list[str]:
    # Join backslash continuations so each instruction is one line.
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def test_all_services_exist(services: dict[str, dict[str, Any]]) -> None:
    assert {"postgres", "redis", *AIRFLOW_SERVICES} <= set(services)
    assert services["airflow-apiserver"]["command"] == "api-server"
    assert services["airflow-scheduler"]["command"] == "scheduler"
    assert services["airflow-dag-processor"]["command"] == "dag-processor"
    assert services["airflow-triggerer"]["command"] == "triggerer"
    assert _command(services["airflow-worker"])[:2] == ["celery", "worker"]


def test_every_airflow_service_runs_the_project_image(services: dict[str, dict[str, Any]]) -> None:
    images = set()
    for name in _airflow_services(services):
        service = services[name]
        build = service.get("build")
        assert isinstance(build, dict), f"{name} is not built from the Dockerfile"
        assert (ROOT / build["context"] / build.get("dockerfile", "Dockerfile")) == DOCKERFILE
        images.add(service["image"])
    assert len(images) == 1, f"airflow services use different images: {images}"
    assert not any("apache/airflow" in image for image in images)


def test_project_folders_are_mounted_from_the_repo(services: dict[str, dict[str, Any]]) -> None:
    for name in _airflow_services(services):
        mounts = _mounts(services[name])
        for folder in PROJECT_MOUNTS:
            source = mounts.get(f"/opt/airflow/{folder}")
            assert source is not None, f"{name} does not mount {folder}/"
            assert (ROOT / source).resolve() == ROOT / folder, f"{name}: {folder} from {source}"
            assert (ROOT / folder).is_dir(), f"{folder}/ is missing from the repo"


def test_artifacts_volume_is_declared_shared_and_configured(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    volume_names = set()
    for name in _airflow_services(services):
        service = services[name]
        source = _mounts(service).get(ARTIFACTS)
        assert source is not None, f"{name} does not mount {ARTIFACTS}"
        assert not source.startswith((".", "/")), f"{name}: artifacts should be a named volume"
        volume_names.add(source)
        env = service["environment"]
        assert env["EMBEDTUNE_ARTIFACTS"] == ARTIFACTS
        assert env["EMBEDTUNE_PDF_DIR"] == PDF_DIR
        assert _mounts(service)[PDF_DIR] == "./resources"
    assert len(volume_names) == 1, "every service must share one artifacts volume"
    assert volume_names <= set(compose.get("volumes") or {})


def test_executor_is_celery(services: dict[str, dict[str, Any]]) -> None:
    for name in _airflow_services(services):
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert "@redis:6379" in env["AIRFLOW__CELERY__BROKER_URL"]
        assert "@postgres/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]


def test_gpu_worker_reserves_a_gpu_and_serves_the_gpu_queue(
    services: dict[str, dict[str, Any]],
) -> None:
    worker = services["airflow-worker-gpu"]
    assert worker.get("profiles") == ["gpu"], "the GPU worker must start only with --profile gpu"
    assert _command(worker)[:2] == ["celery", "worker"]
    assert _queues(worker) == {"gpu"}
    devices = worker["deploy"]["resources"]["reservations"]["devices"]
    assert any(
        device.get("driver") == "nvidia" and "gpu" in device.get("capabilities", [])
        for device in devices
    )


def test_default_worker_also_serves_gpu(services: dict[str, dict[str, Any]]) -> None:
    worker = services["airflow-worker"]
    assert "profiles" not in worker, "the default worker must start without a profile"
    assert {"default", "gpu"} <= _queues(worker)


def test_workers_cover_every_queue_the_dags_use(services: dict[str, dict[str, Any]]) -> None:
    used = {"default"}
    for dag_file in (ROOT / "dags").glob("*.py"):
        used |= set(re.findall(r"queue\s*=\s*[\"'](\w+)[\"']", dag_file.read_text("utf-8")))
    assert used <= _queues(services["airflow-worker"])


def test_dockerfile_builds_on_airflow_and_installs_requirements() -> None:
    lines = _dockerfile_lines()
    base = next(line for line in lines if line.upper().startswith("FROM "))
    pinned = re.search(
        r"^apache-airflow==(\S+)", (ROOT / "requirements.txt").read_text(), re.MULTILINE
    )
    assert pinned is not None
    assert base.split()[1] == f"apache/airflow:{pinned.group(1)}-python3.11"

    copies = {}
    for line in lines:
        if line.upper().startswith("COPY "):
            parts = [p for p in line.split()[1:] if not p.startswith("--")]
            copies[parts[0]] = parts[-1]
    assert "requirements.txt" in copies
    installs = [line for line in lines if line.upper().startswith("RUN ") and "pip install" in line]
    assert any(f"-r {copies['requirements.txt']}" in line for line in installs)

    env = " ".join(line for line in lines if line.upper().startswith("ENV "))
    editable = any("install" in line and "-e ." in line for line in installs)
    assert editable or "PYTHONPATH=/opt/airflow/include" in env


def test_dockerignore_keeps_secrets_and_venv_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".git", ".venv", ".env"} <= ignored
