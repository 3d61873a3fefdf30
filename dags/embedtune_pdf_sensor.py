"""
### embedtune: classic file-sensor start of the fine-tuning DAG

An alternative to the asset watcher on `embedtune_finetune` for deployments that prefer polling
from a DAG: every `EMBEDTUNE_SENSOR_CRON` (default every 30 minutes)

1. `wait_for_pdfs`: a deferrable `FileSensor` waits for `*.pdf` in the PDF folder
   (skips the run if none appear within 25 minutes);
2. `check_for_new_pdfs`: compares the folder with the last processed state (`embedtune.watch`)
   and short-circuits when nothing changed or a fine-tuning run is already queued/running;
3. `trigger_finetune`: starts `embedtune_finetune` with its default params.

**Connection needed**: `FileSensor` always resolves its path through an `fs` connection
(`EMBEDTUNE_FS_CONN_ID`, default `fs_default`), and `airflow db migrate` no longer creates
`fs_default` in Airflow 3. Create it once, with any base path (the glob here is absolute):

    airflow connections add fs_default --conn-type fs --conn-extra '{"path": "/"}'

or export `AIRFLOW_CONN_FS_DEFAULT='{"conn_type": "fs", "extra": {"path": "/"}}'`
(or run `airflow connections create-default-connections`).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.sdk import dag, get_current_context, task

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
FINETUNE_DAG_ID = "embedtune_finetune"


def _ensure_importable() -> None:
    if importlib.util.find_spec("embedtune") is None and (REPO_ROOT / "include").is_dir():
        sys.path.append(str(REPO_ROOT / "include"))


def _env_path(name: str, default: Path) -> Path:
    return Path(os.environ.get(name) or default).expanduser().resolve()


def artifacts_root() -> Path:
    return _env_path("EMBEDTUNE_ARTIFACTS", REPO_ROOT / "artifacts")


def pdf_dir() -> Path:
    return _env_path("EMBEDTUNE_PDF_DIR", REPO_ROOT / "resources")


@dag(
    dag_id="embedtune_pdf_sensor",
    dag_display_name="embedtune: new-PDF file sensor",
    description="Poll the PDF folder with a FileSensor and start the fine-tuning DAG on changes",
    doc_md=__doc__,
    schedule=os.environ.get("EMBEDTUNE_SENSOR_CRON") or "*/30 * * * *",
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 0},
    tags=["embedtune", "sensor"],
)
def embedtune_pdf_sensor() -> None:
    wait_for_pdfs = FileSensor(
        task_id="wait_for_pdfs",
        fs_conn_id=os.environ.get("EMBEDTUNE_FS_CONN_ID", "fs_default"),
        # Absolute glob: os.path.join(<connection base path>, <absolute>) keeps it as is.
        filepath=str(pdf_dir() / "*.[pP][dD][fF]"),
        deferrable=True,  # waits in the triggerer, not in a worker slot
        poke_interval=60,
        timeout=25 * 60,
        soft_fail=True,  # no PDFs this time: skip, not fail
    )

    @task.short_circuit
    def check_for_new_pdfs() -> bool:
        _ensure_importable()
        from embedtune.watch import check_folder

        changes = check_folder(pdf_dir(), artifacts_root())
        log.info("PDF folder vs last processed state: %s", changes.to_dict())
        if not (changes.has_changes and changes.current):
            return False
        # A queued/running fine-tune will see the folder anyway (or the next check will).
        active = get_current_context()["ti"].get_dr_count(
            dag_id=FINETUNE_DAG_ID, states=["queued", "running"]
        )
        if active:
            log.info("%s already has %d queued/running run(s): not starting another",
                     FINETUNE_DAG_ID, active)
            return False
        return True

    trigger_finetune = TriggerDagRunOperator(
        task_id="trigger_finetune",
        trigger_dag_id=FINETUNE_DAG_ID,
        conf={},  # the fine-tuning DAG's param defaults
        wait_for_completion=False,
    )

    wait_for_pdfs >> check_for_new_pdfs() >> trigger_finetune


embedtune_pdf_sensor()
