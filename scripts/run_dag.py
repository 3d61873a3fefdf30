#!/usr/bin/env python
"""Run the `embedtune_finetune` Airflow DAG end to end with one command, no services needed.

Sets up a local AIRFLOW_HOME with a SQLite metadata DB (created / migrated in-process), then
runs one DAG run with `dag.test()` on the PDFs of `resources/` (or --pdf-dir), each task in turn
in this process, and prints where the model and the report are.

    .venv/bin/python scripts/run_dag.py --quick   # tiny training budget (minutes on CPU)
    .venv/bin/python scripts/run_dag.py --epochs 1 --batch-size 16
    .venv/bin/python scripts/run_dag.py --conf '{"generator": "keyphrase", "min_gain": 0.01}'
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DAG_ID = "embedtune_finetune"
QUICK = {"epochs": 1, "batch_size": 8, "max_steps": 10}

log = logging.getLogger("run_dag")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--airflow-home", type=Path, default=REPO / "airflow_home",
                        help="AIRFLOW_HOME to use (created; default: <repo>/airflow_home)")
    parser.add_argument("--pdf-dir", type=Path, default=REPO / "resources",
                        help="folder of PDFs (default: <repo>/resources)")
    parser.add_argument("--artifacts", type=Path, default=REPO / "artifacts",
                        help="artifacts root (default: <repo>/artifacts)")
    parser.add_argument("--quick", action="store_true",
                        help=f"tiny training budget for a demo: {QUICK}")
    for name, kind in (("base-model", str), ("generator", str), ("epochs", int),
                       ("batch-size", int), ("learning-rate", float), ("max-steps", int),
                       ("min-gain", float)):
        parser.add_argument(f"--{name}", type=kind, help="DAG param (default: the DAG's)")
    parser.add_argument("--conf", default="{}", help="more DAG params as a JSON object")
    return parser.parse_args(argv)


def run_conf(args: argparse.Namespace) -> dict[str, Any]:
    conf: dict[str, Any] = dict(QUICK) if args.quick else {}
    for name in ("base_model", "generator", "epochs", "batch_size", "learning_rate", "max_steps",
                 "min_gain"):
        if getattr(args, name) is not None:
            conf[name] = getattr(args, name)
    conf.update(json.loads(args.conf))
    conf.setdefault("pdf_dir", str(args.pdf_dir.resolve()))
    return conf


def set_environment(args: argparse.Namespace) -> None:
    """Airflow reads its configuration when first imported: everything is set before that."""
    home = args.airflow_home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "EMBEDTUNE_PDF_DIR": str(args.pdf_dir.resolve()),
        "EMBEDTUNE_ARTIFACTS": str(args.artifacts.resolve()),
    })
    # Forked helpers (ingest's per-PDF parser) after a tokenizer ran: avoid the Rust pool warning.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    for extra in (REPO / "include", REPO / "plugins"):
        if str(extra) not in sys.path:
            sys.path.insert(0, str(extra))


def return_values(dag_id: str, run_id: str) -> dict[tuple[str, int], Any]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.scalars(select(XComModel).where(
            XComModel.dag_id == dag_id, XComModel.run_id == run_id,
            XComModel.key == "return_value"))
        return {(row.task_id, row.map_index): XComModel.deserialize_value(row) for row in rows}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    set_environment(args)
    conf = run_conf(args)

    from airflow.dag_processing.dagbag import DagBag
    from airflow.utils import db
    from airflow.utils.session import create_session

    log.info("AIRFLOW_HOME=%s: creating / migrating the SQLite metadata DB", args.airflow_home)
    db.initdb()
    bag = DagBag(dag_folder=str(REPO / "dags"))
    if bag.import_errors:
        for path, error in bag.import_errors.items():
            log.error("cannot import %s:\n%s", path, error)
        return 2
    dag = bag.dags[DAG_ID]
    log.info("running %s with params %s", DAG_ID, conf)
    started = time.perf_counter()
    dag_run = dag.test(run_conf=conf)
    seconds = time.perf_counter() - started

    with create_session() as session:
        states = sorted((ti.task_id, ti.map_index, ti.rendered_map_index, ti.state)
                        for ti in dag_run.get_task_instances(session=session))
    values = return_values(DAG_ID, dag_run.run_id)
    print(f"\nDAG run {dag_run.run_id}: {dag_run.state} in {seconds:.0f}s")
    for task_id, map_index, label, state in states:
        name = f"{task_id}[{label or map_index}]" if map_index >= 0 else task_id
        print(f"  {name:<32} {state}")
    run = values.get(("prepare_run", -1), {})
    trained = values.get(("train", -1), {})
    evaluation = values.get(("evaluate", -1), {})
    report = values.get(("report", -1), {})
    promoted = values.get(("promote", -1), {})
    if run:
        print(f"\nrun folder: {run['run_dir']}")
    if trained:
        print(f"model:      {trained['model_dir']}")
    if report:
        print(f"report:     {report['report_path']}")
    if evaluation:
        print(f"evaluation: {evaluation['reason']}")
    if promoted:
        print(f"registry:   current model = {promoted.get('current')} "
              f"({'promoted now' if promoted.get('promoted') else 'unchanged'})")
    return 0 if dag_run.state == "success" else 1


if __name__ == "__main__":
    sys.exit(main())
