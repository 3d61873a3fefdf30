"""Orchestration overhead: the Airflow DAG run (`dag.test()`) vs the CLI `embedtune run`.

Measures: wall time of one whole fine-tuning run, same PDFs, same config, same small training
budget (--epochs 1 --max-steps, default 10), each in a fresh interpreter and a fresh artifacts
root (cold caches on both sides):
- baseline (same run): `embedtune run --pdfs <folder> --out <root> ...` through the CLI's
  `main()`, timed inside the process (imports, the model check and every stage); the process
  time adds interpreter start-up and exit.
- DAG: `dags/embedtune_finetune.py` run with `dag.test(run_conf=...)` against a throw-away
  SQLite AIRFLOW_HOME, set up the way scripts/run_dag.py does (its `set_environment`). Timed
  apart: import + `db.initdb()` (one-time set-up of a local home; a deployment has its DB
  already), DagBag parse, and `dag.test()` itself; the task instances' own durations too.
Overhead: (dag.test() s − CLI main() s) ÷ CLI main() s. Target: <= 10 %. Also shown: the
same for whole processes (Airflow set-up included).

    .venv/bin/python bench/orchestration.py                    # reference corpus, 10 steps
    .venv/bin/python bench/orchestration.py --write-docs
    .venv/bin/python bench/orchestration.py --pages 4 --max-steps 1 --batch-size 4  # quick dev run
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common as common

log = logging.getLogger("bench.orchestration")

MARKER = "orchestration"
TARGET = 0.10
DAG_ID = "embedtune_finetune"


def run_conf(args: argparse.Namespace, pdf_dir: Path) -> dict:
    """The DAG params and the CLI flags: one set of values for both sides."""
    return {"pdf_dir": str(pdf_dir), "epochs": 1, "max_steps": args.max_steps,
            "batch_size": args.batch_size}


# --- DAG side, in its own interpreter (Airflow reads its config when first imported) ----------


def _run_dag_module() -> object:
    spec = importlib.util.spec_from_file_location("run_dag", common.ROOT / "scripts" / "run_dag.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("scripts/run_dag.py not found")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def dag_child(conf: dict, home: Path, artifacts: Path) -> int:
    started_at = time.time()
    started = time.perf_counter()
    run_dag = _run_dag_module()
    run_dag.set_environment(argparse.Namespace(  # type: ignore[attr-defined]
        airflow_home=home, pdf_dir=Path(conf["pdf_dir"]), artifacts=artifacts))
    from airflow.dag_processing.dagbag import DagBag
    from airflow.utils import db
    from airflow.utils.session import create_session

    db.initdb()
    setup_s = time.perf_counter() - started
    parse_s, bag = common.timed(lambda: DagBag(dag_folder=str(common.ROOT / "dags")))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag = bag.dags[DAG_ID]
    test_started_at = time.time()
    run_s, dag_run = common.timed(lambda: dag.test(run_conf=conf))
    with create_session() as session:
        instances = dag_run.get_task_instances(session=session)
        tasks = {f"{ti.task_id}[{ti.map_index}]" if ti.map_index >= 0 else ti.task_id:
                 (ti.end_date - ti.start_date).total_seconds()
                 for ti in instances if ti.start_date and ti.end_date}
        states = {ti.task_id: str(ti.state) for ti in instances}
        # Task order and start times, for a look at where dag.test() spends its time (-v).
        timeline = sorted(
            (ti.start_date.timestamp() - test_started_at, ti.task_id, ti.map_index,
             (ti.end_date - ti.start_date).total_seconds())
            for ti in instances if ti.start_date and ti.end_date)
    print(json.dumps({"setup_s": setup_s, "parse_s": parse_s, "run_s": run_s,
                      "state": str(dag_run.state), "tasks": tasks, "task_states": states,
                      "timeline": timeline,
                      "started_at": started_at, "done_at": time.time()}), flush=True)
    return 0


def run_dag_side(conf: dict, scratch: Path) -> dict:
    home = scratch / "airflow_home"
    artifacts = scratch / "dag-artifacts"
    command = [common.PYTHON, __file__, "--child-dag", "--conf", json.dumps(conf),
               "--home", str(home), "--artifacts", str(artifacts)]
    # Airflow must not find a stray AIRFLOW_HOME / config of the developer's shell.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    launched_at = time.time()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    process_s = time.perf_counter() - started
    ended_at = time.time()
    if done.returncode:
        raise RuntimeError(f"DAG run failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["state"] != "success":
        raise RuntimeError(f"DAG run ended {result['state']}: {result['task_states']}\n"
                           f"{done.stderr[-4000:]}")
    result["process_s"] = process_s
    for start, task_id, map_index, seconds in result["timeline"]:
        log.debug("DAG task %-20s map %2d starts at %6.1fs, runs %5.1fs", task_id, map_index,
                  start, seconds)
    # Where the process time outside set-up + parse + dag.test() goes: start-up, and exit.
    result["startup_s"] = result["started_at"] - launched_at
    result["exit_s"] = ended_at - result["done_at"]
    return result


def cli_stage_walls(run_dir: Path) -> dict[str, float]:
    """Each CLI stage's wall time, from when its manifest was written (a stage writes it last);
    the ingest stage starts by writing config.json. Stages without a manifest are lumped into
    the next measured point (promote: until run.json)."""
    from embedtune.pipeline import STAGE_DIRS

    previous = (run_dir / "config.json").stat().st_mtime
    walls: dict[str, float] = {}
    pending: list[str] = []
    for stage, folder in STAGE_DIRS.items():
        pending.append(stage)
        manifest = run_dir / folder / "manifest.json"
        if manifest.exists():
            walls["+".join(pending)] = manifest.stat().st_mtime - previous
            previous = manifest.stat().st_mtime
            pending = []
    if pending:
        walls["+".join(pending)] = (run_dir / "run.json").stat().st_mtime - previous
    return walls


#: DAG tasks -> the CLI stage they do the work of.
TASK_STAGE = {"list_pdfs": "ingest", "ingest_one": "ingest", "assemble_ingest": "ingest",
              "chunk": "chunk", "theme": "theme", "synthesize_pairs": "pairs", "train": "train",
              "evaluate": "evaluate", "report": "report", "publish": "publish",
              "promote": "promote"}


def dag_stage_times(tasks: dict[str, float]) -> dict[str, float]:
    times: dict[str, float] = {}
    for name, seconds in tasks.items():
        stage = TASK_STAGE.get(name.split("[")[0], name.split("[")[0])
        times[stage] = times.get(stage, 0.0) + seconds
    return times


def cli_child(argv: list[str]) -> int:
    """`embedtune run ...` through the CLI's own entry point, timed from inside: the same span
    as dag.test() (stage imports and model loads included, interpreter start-up not)."""
    started = time.perf_counter()
    from embedtune.cli import main as cli_main

    with contextlib.redirect_stdout(sys.stderr):  # the CLI's summary; stdout carries the JSON
        code = cli_main(argv)
    print(json.dumps({"code": code, "main_s": time.perf_counter() - started}))
    return 0


def run_cli_side(conf: dict, scratch: Path) -> dict:
    out = scratch / "cli-artifacts"
    argv = ["run", "--pdfs", conf["pdf_dir"], "--out", str(out), "--run-id", "bench-cli",
            "--epochs", str(conf["epochs"]), "--max-steps", str(conf["max_steps"]),
            "--batch-size", str(conf["batch_size"])]
    command = [common.PYTHON, __file__, "--child-cli", "--conf", json.dumps(argv)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    process_s = time.perf_counter() - started
    result = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}
    if done.returncode or result.get("code"):
        raise RuntimeError(f"CLI run failed:\n{done.stderr[-4000:]}")
    run_dir = out / "runs" / "bench-cli"
    summary = json.loads((run_dir / "run.json").read_text())
    return {"main_s": result["main_s"], "pipeline_s": summary["seconds"],
            "process_s": process_s, "stages": cli_stage_walls(run_dir)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_common_args(parser)
    parser.add_argument("--max-steps", type=int, default=10, help="training steps (default 10)")
    parser.add_argument("--batch-size", type=int, default=32, help="(default 32, the default)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="median of this many runs per side, sides alternating (default 1)")
    parser.add_argument("--samples", action="store_true",
                        help="add the generated sample PDFs of resources/ to the corpus")
    parser.add_argument("--child-dag", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-cli", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--conf", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--artifacts", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    common.setup_logging(args.verbose)
    if args.child_dag:
        return dag_child(json.loads(args.conf), args.home, args.artifacts)
    if args.child_cli:
        return cli_child(json.loads(args.conf))
    if not common.check_write_docs(args):
        return 2
    if not (common.ROOT / "dags" / "embedtune_finetune.py").is_file():
        print("skipped: dags/embedtune_finetune.py is not there")
        return 0
    with tempfile.TemporaryDirectory(prefix="embedtune-bench-orchestration-") as tmp:
        scratch = Path(tmp)
        source = common.source_pdf(args.corpus, scratch, args.pages)
        if source is None:
            return 0
        pdf_dir = scratch / "pdfs"
        extra = sorted((common.ROOT / "resources").glob("*.pdf")) if args.samples else []
        common.link_into([source, *extra], pdf_dir)
        conf = run_conf(args, pdf_dir)
        clis: list[dict] = []
        dags: list[dict] = []
        for repeat in range(args.repeats):
            base = scratch / f"repeat-{repeat}"
            order = ["cli", "dag"] if repeat % 2 == 0 else ["dag", "cli"]
            for side in order:
                if side == "cli":
                    clis.append(run_cli_side(conf, base))
                    log.info("CLI: main() %.1fs, process %.1fs", clis[-1]["main_s"],
                             clis[-1]["process_s"])
                else:
                    dags.append(run_dag_side(conf, base))
                    log.info("DAG: set-up %.1fs, parse %.1fs, dag.test() %.1fs, process %.1fs",
                             dags[-1]["setup_s"], dags[-1]["parse_s"], dags[-1]["run_s"],
                             dags[-1]["process_s"])
    # Medians for the headline; the per-stage breakdown is the last repeat's.
    cli, dag = dict(clis[-1]), dict(dags[-1])
    for key in ("main_s", "process_s"):
        cli[key] = common.median([c[key] for c in clis])
    for key in ("setup_s", "parse_s", "run_s", "process_s"):
        dag[key] = common.median([d[key] for d in dags])
    task_sum = sum(dag["tasks"].values())
    between_tasks = dags[-1]["run_s"] - task_sum  # same repeat as the task durations
    overhead = (dag["run_s"] - cli["main_s"]) / cli["main_s"]
    process_overhead = (dag["process_s"] - cli["process_s"]) / cli["process_s"]
    rows = [
        ["CLI `embedtune run` (baseline)", f"{cli['main_s']:.1f}", "-", "-",
         f"{cli['process_s']:.1f}"],
        ["Airflow `dag.test()`", f"{dag['run_s']:.1f} (tasks: {task_sum:.1f})",
         f"{dag['setup_s']:.1f}", f"{dag['parse_s']:.1f}", f"{dag['process_s']:.1f}"],
    ]
    table = common.markdown_table(
        ["run", "pipeline s (CLI main() / dag.test())", "Airflow import + initdb s",
         "DAG parse s", "process s"], rows)
    table += "\n\n" + common.markdown_table(
        ["DAG overhead (dag.test() vs CLI main())", "target", "met",
         "whole process overhead (incl. Airflow set-up)"],
        [[f"{100 * overhead:.1f}%", f"≤ {100 * TARGET:.0f}%", common.verdict(overhead <= TARGET),
          f"{100 * process_overhead:.1f}%"]])
    dag_stages = dag_stage_times(dag["tasks"])
    stage_rows = []
    for stage, cli_s in cli["stages"].items():
        dag_s = sum(dag_stages.pop(name, 0.0) for name in stage.split("+"))
        stage_rows.append([stage, f"{cli_s:.1f}", f"{dag_s:.1f}", f"{dag_s - cli_s:+.1f}"])
    before_stages = clis[-1]["main_s"] - sum(cli["stages"].values())
    stage_rows.append(["(CLI: imports + model check before ingest, exit)",
                       f"{before_stages:.1f}", "-", "-"])
    for name, dag_s in dag_stages.items():  # DAG-only tasks: prepare_run, record_pdf_state
        stage_rows.append([f"(DAG only: {name})", "-", f"{dag_s:.1f}", f"{dag_s:+.1f}"])
    stage_rows.append(["(DAG: between tasks)", "-", f"{between_tasks:.1f}",
                       f"{between_tasks:+.1f}"])
    table += "\n\nWhere the time goes (CLI stage = wall time between its manifest writes; DAG = "
    table += "the task instances' durations):\n\n" + common.markdown_table(
        ["stage", "CLI s", "DAG tasks s", "DAG − CLI"], stage_rows)
    table += (f"\n\nDAG process outside set-up, parse and dag.test(): start-up "
              f"{dag['startup_s']:.1f}s, exit {dag['exit_s']:.1f}s.")
    print(table)
    if args.write_docs:
        common.write_docs_section(
            MARKER, "Orchestration overhead (Airflow DAG vs CLI)", table,
            f"Median of {args.repeats} run(s) per side, fresh artifacts roots, epochs=1, "
            f"max_steps={args.max_steps}, "
            f"batch_size={args.batch_size}. dag.test() runs every task in one process, one "
            "after the other (mapped ingest tasks included), against SQLite.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
