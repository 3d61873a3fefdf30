"""The Airflow DAGs: parse cleanly, shape, params, schedule, no heavy imports, and end-to-end runs.

Airflow runs in-process against a throw-away SQLite metadata DB in a temporary AIRFLOW_HOME that
this module sets up itself (before Airflow is first imported).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
DAGS = REPO / "dags"
# Airflow reads its config on first import: a throw-away home, never ~/airflow or a real DB.
_home = os.environ.get("EMBEDTUNE_TEST_AIRFLOW_HOME")
if not _home or _home != os.environ.get("AIRFLOW_HOME"):
    os.environ["AIRFLOW_HOME"] = os.environ["EMBEDTUNE_TEST_AIRFLOW_HOME"] = tempfile.mkdtemp(
        prefix="embedtune-airflow-"
    )
AIRFLOW_HOME = Path(os.environ["AIRFLOW_HOME"])
AIRFLOW_ENV = {
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
    "AIRFLOW__CORE__PARALLELISM": "2",
    "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "2",
    "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{AIRFLOW_HOME / 'airflow.db'}",
    # The tests' own PDF folder and artifacts root (read when the DAG file is parsed and run).
    "EMBEDTUNE_PDF_DIR": str(AIRFLOW_HOME / "pdfs"),
    "EMBEDTUNE_ARTIFACTS": str(AIRFLOW_HOME / "artifacts"),
    "EMBEDTUNE_RETRAIN_CRON": "0 4 * * 0",
    "TOKENIZERS_PARALLELISM": "false",
}
os.environ.update(AIRFLOW_ENV)
for extra in (REPO / "include", REPO / "plugins", REPO / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from embedtune import watch  # noqa: E402  (after the environment above)
from embedtune.config import EmbedtuneConfig  # noqa: E402

FINETUNE = "embedtune_finetune"
SENSOR = "embedtune_pdf_sensor"
HEAVY = ("torch", "sentence_transformers", "transformers", "pypdf", "datasets")
PDF_DIR = Path(AIRFLOW_ENV["EMBEDTUNE_PDF_DIR"])
ARTIFACTS = Path(AIRFLOW_ENV["EMBEDTUNE_ARTIFACTS"])
FAKE_TOKEN = "hf_embedtuneTestSecretDoNotLeak123"

EXPECTED_UPSTREAM = {
    "prepare_run": set(),
    "list_pdfs": {"prepare_run"},
    "ingest_one": {"prepare_run", "list_pdfs"},
    "assemble_ingest": {"prepare_run", "ingest_one"},
    "record_pdf_state": {"prepare_run", "ingest_one", "assemble_ingest"},
    "chunk": {"prepare_run", "assemble_ingest"},
    "theme": {"prepare_run", "chunk"},
    "synthesize_pairs": {"prepare_run", "theme"},
    "train": {"prepare_run", "synthesize_pairs"},
    "evaluate": {"prepare_run", "synthesize_pairs", "train"},
    "report": {"prepare_run", "evaluate"},
    "publish": {"prepare_run", "train", "evaluate", "report"},
    "promote": {"prepare_run", "evaluate", "publish"},
}
PARAM_NAMES = {"pdf_dir", "base_model", "generator", "epochs", "batch_size", "learning_rate",
               "max_steps", "publish", "repo_id", "min_gain"}
TINY = {"epochs": 1, "batch_size": 4, "max_steps": 2}


# --- sample PDFs ----------------------------------------------------------------------------------

TOPICS = {
    "security": [
        "Access control should be reviewed every quarter by the security team.",
        "Multi-factor authentication (MFA) must be enabled for every administrator account.",
        "Encryption keys shall be rotated annually and kept in a hardware security module.",
        "A vulnerability found in a production system must be patched within thirty days.",
    ],
    "privacy": [
        "Personal data should be collected only for a stated and legitimate purpose.",
        "A data protection impact assessment (DPIA) is required before processing health records.",
        "Customers may request deletion of their personal information at any time.",
        "Retention periods for employee records are defined by the records schedule.",
    ],
    "incident": [
        "An incident response plan describes how staff report and contain a breach.",
        "The on-call engineer must acknowledge a critical alert within fifteen minutes.",
        "After every major incident the team writes a blameless post-incident review.",
        "Evidence such as server logs should be preserved for the forensic investigation.",
    ],
}
LEXICON = """\
security: [encryption, authentication, vulnerability, access control]
privacy: [personal data, retention, deletion]
incident: [incident, breach, alert, forensic]
"""


def _pages(topic: str, sentences: list[str]) -> list[str]:
    pages = []
    for page in range(3):
        lines = [f"{topic.title()} handbook, section {page + 1}"]
        for i in range(6):
            lines.append(
                f"{sentences[(page + i) % len(sentences)]} Rule {page}.{i}: teams in region {i} "
                f"follow the {topic} guidance for system {page * 7 + i}, for example when "
                "onboarding a new supplier."
            )
        pages.append("\n".join(lines))
    return pages


def write_pdf(path: Path, pages: list[str]) -> Path:
    try:  # the project's shared generator, when present
        from pdf_factory import text_pdf
    except ImportError:
        text_pdf = None
    if text_pdf is not None:
        text_pdf(path, pages)
        return path
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        for line in text.splitlines():
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def write_sample_pdfs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "themes.yaml").write_text(LEXICON)  # the theme stage's lexicon beside the PDFs
    return [write_pdf(folder / f"{topic}.pdf", _pages(topic, s)) for topic, s in TOPICS.items()]


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def airflow_db() -> None:
    from airflow import settings
    from airflow.utils import db

    if str(AIRFLOW_HOME) not in str(settings.SQL_ALCHEMY_CONN):
        pytest.skip(f"Airflow was configured before this module ({settings.SQL_ALCHEMY_CONN})")
    db.initdb()


@pytest.fixture(scope="module")
def dagbag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@pytest.fixture(scope="module")
def finetune(dagbag: Any) -> Any:
    return dagbag.dags[FINETUNE]


@pytest.fixture(scope="module")
def sensor_dag(dagbag: Any) -> Any:
    return dagbag.dags[SENSOR]


def fresh_dag(dag_id: str) -> Any:
    """A newly parsed DAG for each dag.test(): running in-process resolves the Param objects
    in place, so a run's conf would otherwise leak into the next run's defaults (a real worker
    parses the file afresh for every task)."""
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS)).dags[dag_id]


@pytest.fixture
def sample_pdfs() -> Iterator[list[Path]]:
    """The three sample PDFs, none of them processed yet."""
    for old in PDF_DIR.glob("*"):
        old.unlink()
    watch.state_path(ARTIFACTS, PDF_DIR).unlink(missing_ok=True)
    yield write_sample_pdfs(PDF_DIR)


def _xcom_keys(dag_id: str, run_id: str) -> set[str]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return set(session.scalars(select(XComModel.key).where(
            XComModel.dag_id == dag_id, XComModel.run_id == run_id)))


def _xcoms(dag_id: str, run_id: str) -> dict[tuple[str, int], Any]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.scalars(
            select(XComModel).where(XComModel.dag_id == dag_id, XComModel.run_id == run_id,
                                    XComModel.key == "return_value")
        ).all()
        return {(row.task_id, row.map_index): XComModel.deserialize_value(row) for row in rows}


def _task_states(dag_run: Any) -> dict[tuple[str, int], tuple[str | None, str | None]]:
    from airflow.utils.session import create_session

    with create_session() as session:
        return {(ti.task_id, ti.map_index): (ti.state, ti.rendered_map_index)
                for ti in dag_run.get_task_instances(session=session)}


# --- parsing and structure -----------------------------------------------------------------------


def test_dag_folder_imports_without_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert {FINETUNE, SENSOR} <= set(dagbag.dag_ids)


def test_task_ids_and_dependencies(finetune: Any) -> None:
    assert {t.task_id: set(t.upstream_task_ids) for t in finetune.tasks} == EXPECTED_UPSTREAM


def test_ingest_fans_out_per_pdf_labelled_by_file_name(finetune: Any) -> None:
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    ingest = finetune.get_task("ingest_one")
    assert isinstance(ingest, MappedOperator)
    assert ingest.map_index_template == "{{ pdf_name }}"


def test_each_task_pushes_one_manifest_xcom(finetune: Any) -> None:
    # A dict return annotation would make TaskFlow push every key as an extra XCom.
    for task in finetune.tasks:
        multiple = getattr(task, "multiple_outputs", None)
        if multiple is None:  # mapped task: the flag sits in its partial kwargs
            multiple = task.partial_kwargs.get("multiple_outputs", False)
        assert multiple is False, task.task_id


def test_retries_queue_and_concurrency(finetune: Any) -> None:
    assert finetune.max_active_runs == 1
    publish = finetune.get_task("publish")
    assert publish.retries == 3 and publish.retry_exponential_backoff
    for task in finetune.tasks:
        if task.task_id != "publish":
            assert task.retries == 0, task.task_id  # a bad config is not fixed by retrying
    assert finetune.get_task("train").queue == "gpu"
    assert {t.queue for t in finetune.tasks if t.task_id != "train"} == {"default"}


def test_params_form(finetune: Any) -> None:
    from embedtune.pairs import GENERATORS

    assert set(finetune.params) == PARAM_NAMES
    for name in PARAM_NAMES:
        param = finetune.params.get_param(name)
        assert param.description, name
        assert param.schema.get("type"), name
        assert param.schema.get("title"), name
    # A drop-down of exactly the library's generators (kept in step by this test).
    assert set(finetune.params.get_param("generator").schema["enum"]) == set(GENERATORS)
    assert finetune.params["pdf_dir"] == str(PDF_DIR.resolve())


def test_params_validate_as_the_ui_form_sends_them(finetune: Any) -> None:
    # The trigger form sends an empty text field as null: an empty-string default on a plain
    # "string" param makes the form invalid (and its Trigger button disabled).
    finetune.params.validate()
    for name in PARAM_NAMES:
        param = finetune.params.get_param(name)
        if param.value in ("", None):
            assert "null" in param.schema["type"], name
            param.resolve(None)  # what an emptied field submits


def test_param_defaults_are_the_library_defaults(finetune: Any) -> None:
    dag_module = sys.modules[_module_name(finetune)]
    defaults = {name: finetune.params[name] for name in dag_module.CONFIG_PARAMS}
    config = EmbedtuneConfig()
    assert defaults == {
        "base_model": config.train.base_model,
        "generator": config.pairs.generator,
        "epochs": config.train.epochs,
        "batch_size": config.train.batch_size,
        "learning_rate": config.train.learning_rate,
        "max_steps": config.train.max_steps,
        "publish": config.publish.publish,
        "repo_id": None,  # empty: the library default ("") stays
        "min_gain": config.eval.min_gain,
    }
    assert config.publish.repo_id == ""
    # Running without the form = the library defaults, through the same call the DAG makes.
    assert EmbedtuneConfig().with_overrides(defaults).to_dict() == config.to_dict()


def _module_name(dag: Any) -> str:
    return next(name for name, module in sys.modules.items()
                if getattr(module, "__file__", None) == dag.fileloc)


def test_schedule_is_cron_or_new_pdfs(finetune: Any) -> None:
    from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable

    from embedtune_triggers import NewPdfTrigger

    schedule = finetune.timetable
    assert isinstance(schedule, AssetOrTimeSchedule)
    assert isinstance(schedule.timetable, CronTriggerTimetable)
    assert schedule.timetable.expression == AIRFLOW_ENV["EMBEDTUNE_RETRAIN_CRON"]
    # No start_date: unpausing does not fire last week's cron slot, the next one comes first.
    from airflow.sdk import timezone
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    assert finetune.start_date is None and not finetune.catchup
    first = coerce_to_core_timetable(schedule).next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=None, latest=None, catchup=False),
    )
    assert first is not None and first.run_after > timezone.utcnow()
    asset = schedule.asset_condition
    assert isinstance(asset, Asset)
    [watcher] = asset.watchers
    assert isinstance(watcher.trigger, NewPdfTrigger)
    assert watcher.trigger.pdf_dir == str(PDF_DIR.resolve())
    assert watcher.trigger.artifacts_root == str(ARTIFACTS.resolve())


def test_default_retrain_cron_is_weekly() -> None:
    code = (
        "import sys; sys.path[:0] = ['include', 'plugins']\n"
        "import runpy; ns = runpy.run_path('dags/embedtune_finetune.py')\n"
        "print(ns['SCHEDULE'].timetable.expression)"
    )
    env = {k: v for k, v in os.environ.items() if k != "EMBEDTUNE_RETRAIN_CRON"}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    _minute, _hour, day, month, weekday = result.stdout.strip().splitlines()[-1].split()
    assert (day, month) == ("*", "*") and weekday.isdigit()  # once a week


def test_serializes_for_the_scheduler(finetune: Any, sensor_dag: Any) -> None:
    from airflow.serialization.serialized_objects import DagSerialization

    for dag in (finetune, sensor_dag):
        data = DagSerialization.to_dict(dag)
        json.dumps(data)
        assert DagSerialization.from_dict(data).dag_id == dag.dag_id
    assert "embedtune_triggers.NewPdfTrigger" in json.dumps(DagSerialization.to_dict(finetune))


def test_no_heavy_imports_when_parsing() -> None:
    code = (
        "import json, sys\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"bag = DagBag(dag_folder={str(DAGS)!r})\n"
        "assert not bag.import_errors, bag.import_errors\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=dict(os.environ),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_sensor_dag_shape(sensor_dag: Any) -> None:
    from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
    from airflow.providers.standard.sensors.filesystem import FileSensor

    assert {t.task_id: set(t.upstream_task_ids) for t in sensor_dag.tasks} == {
        "wait_for_pdfs": set(),
        "check_for_new_pdfs": {"wait_for_pdfs"},
        "trigger_finetune": {"check_for_new_pdfs"},
    }
    sensor = sensor_dag.get_task("wait_for_pdfs")
    assert isinstance(sensor, FileSensor) and sensor.deferrable
    assert sensor.filepath == str(PDF_DIR.resolve() / "*.[pP][dD][fF]")
    trigger = sensor_dag.get_task("trigger_finetune")
    assert isinstance(trigger, TriggerDagRunOperator) and trigger.trigger_dag_id == FINETUNE
    assert sensor_dag.max_active_runs == 1


# --- helpers of the DAG file -------------------------------------------------------------------


def test_hf_token_from_connection_else_env(
    airflow_db: None, finetune: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.sdk.execution_time.cache import SecretCache

    hf_token = sys.modules[_module_name(finetune)]._hf_token
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_HUGGINGFACE_DEFAULT", raising=False)
    SecretCache.reset()
    assert hf_token() is None
    monkeypatch.setenv("HF_TOKEN", "hf_from_env")
    assert hf_token() == "hf_from_env"
    monkeypatch.setenv("AIRFLOW_CONN_HUGGINGFACE_DEFAULT",
                       json.dumps({"conn_type": "generic", "password": "hf_from_connection"}))
    SecretCache.reset()
    assert hf_token() == "hf_from_connection"  # the connection wins over the environment


# --- runs (dag.test) -----------------------------------------------------------------------------


@pytest.mark.slow
def test_pdf_dir_outside_the_root_is_rejected(
    airflow_db: None, sample_pdfs: list[Path], capfd: pytest.CaptureFixture[str]
) -> None:
    dag_run = fresh_dag(FINETUNE).test(run_conf={"pdf_dir": "../../", **TINY})
    states = _task_states(dag_run)
    assert dag_run.state == "failed"
    assert states[("prepare_run", -1)][0] == "failed"
    assert "outside the allowed folder" in capfd.readouterr().out


@pytest.mark.slow
def test_unknown_base_model_fails_before_ingest(
    airflow_db: None, sample_pdfs: list[Path], monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # no network wait: the id cannot resolve
    dag_run = fresh_dag(FINETUNE).test(run_conf={"base_model": "no-such-org/no-such-model"})
    states = _task_states(dag_run)
    assert states[("prepare_run", -1)][0] == "failed"
    assert states[("list_pdfs", -1)][0] == "upstream_failed"
    assert "no-such-org/no-such-model" in capfd.readouterr().out


@pytest.mark.slow
def test_sensor_dag_triggers_finetune_only_on_changes(
    airflow_db: None, sample_pdfs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import delete, select

    # FileSensor resolves paths through an fs connection; db migrate does not create fs_default.
    monkeypatch.setenv("AIRFLOW_CONN_FS_DEFAULT",
                       json.dumps({"conn_type": "fs", "extra": {"path": "/"}}))

    def finetune_runs() -> list[str]:
        with create_session() as session:
            return list(session.scalars(select(DagRun.state).where(DagRun.dag_id == FINETUNE,
                                                                   DagRun.state == "queued")))

    with create_session() as session:
        session.execute(delete(DagRun).where(DagRun.dag_id == FINETUNE))

    # 1. Folder already processed: the check short-circuits, nothing is triggered.
    watch.save_state(ARTIFACTS, PDF_DIR, watch.scan_folder(PDF_DIR))
    states = _task_states(fresh_dag(SENSOR).test())
    assert states[("wait_for_pdfs", -1)][0] == "success"
    assert states[("check_for_new_pdfs", -1)][0] == "success"
    assert states[("trigger_finetune", -1)][0] == "skipped"
    assert finetune_runs() == []

    # 2. A new PDF: the fine-tuning DAG is triggered.
    write_pdf(PDF_DIR / "extra.pdf", ["An extra page about encryption and access control."])
    states = _task_states(fresh_dag(SENSOR).test())
    assert states[("trigger_finetune", -1)][0] == "success"
    assert finetune_runs() == ["queued"]

    # 3. Still new, but a fine-tuning run is already queued: not triggered twice.
    states = _task_states(fresh_dag(SENSOR).test())
    assert states[("trigger_finetune", -1)][0] == "skipped"
    assert finetune_runs() == ["queued"]

    with create_session() as session:
        session.execute(delete(DagRun).where(DagRun.dag_id == FINETUNE))


@pytest.mark.slow
def test_end_to_end_tiny_training(
    airflow_db: None, sample_pdfs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", FAKE_TOKEN)
    state_before = watch.check_folder(PDF_DIR, ARTIFACTS)
    assert state_before.has_changes

    dag_run = fresh_dag(FINETUNE).test(run_conf=TINY)
    states = _task_states(dag_run)
    xcoms = _xcoms(FINETUNE, dag_run.run_id)
    failed = {key: state for key, (state, _) in states.items() if state != "success"}
    assert dag_run.state == "success", failed

    # One small JSON manifest per task, and never the token.
    assert _xcom_keys(FINETUNE, dag_run.run_id) == {"return_value"}
    for key, value in xcoms.items():
        blob = json.dumps(value)
        assert len(blob) < 20_000, key
        assert FAKE_TOKEN not in blob, key

    run = xcoms[("prepare_run", -1)]
    run_dir = Path(run["run_dir"])
    assert run_dir.parent == ARTIFACTS.resolve() / "runs"
    config = json.loads(Path(run["config"]).read_text())
    train_config = config["train"]
    assert [train_config[k] for k in ("epochs", "batch_size", "max_steps")] == [1, 4, 2]

    names = ["incident.pdf", "privacy.pdf", "security.pdf"]
    assert sorted(Path(p).name for p in xcoms[("list_pdfs", -1)]) == names
    records = [xcoms[("ingest_one", i)] for i in range(3)]
    assert all(r["status"] == "ingested" for r in records)
    labels = sorted(states[("ingest_one", i)][1] for i in range(3))
    assert labels == names  # map_index_template

    # Each stage's summary points at its folder in this run, with a manifest in it; the next stage
    # was handed that folder.
    for task_id in ("assemble_ingest", "chunk", "theme", "synthesize_pairs", "train", "evaluate",
                    "report"):
        summary = xcoms[(task_id, -1)]
        assert Path(summary["dir"]).parent == run_dir, task_id
        assert Path(summary["manifest"]).is_file(), task_id
    assert xcoms[("assemble_ingest", -1)]["files_ingested"] == 3

    # The ingested PDFs are now the processed state: the trigger would stay quiet.
    assert Path(xcoms[("record_pdf_state", -1)]["state"]).is_file()
    assert not watch.check_folder(PDF_DIR, ARTIFACTS).has_changes

    trained = xcoms[("train", -1)]
    assert trained["steps"] == 2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(trained["model_dir"], device="cpu")
    embedding = model.encode(["How often are encryption keys rotated?"])
    assert embedding.shape[0] == 1 and embedding.shape[1] > 0

    evaluation = xcoms[("evaluate", -1)]
    assert isinstance(evaluation["promote"], bool) and evaluation["reason"]
    assert Path(xcoms[("report", -1)]["report_path"]).is_file()
    assert ("publish", -1) in xcoms
    promoted = xcoms[("promote", -1)]
    assert promoted["promoted"] == evaluation["promote"]
    if promoted["promoted"]:
        pointer = json.loads((Path(run["registry_dir"]) / "current.json").read_text())
        assert pointer["current"] == run["run_id"]
