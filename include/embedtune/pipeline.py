"""The whole pipeline in order: what the CLI's `run` and the benchmarks call.

The Airflow DAG calls the same stage functions one task each; this module is the plain-Python
equivalent, with the same run-folder layout.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

from embedtune.artifacts import write_json
from embedtune.config import EmbedtuneConfig

log = logging.getLogger(__name__)

#: Stage name -> folder inside a run folder, in pipeline order.
STAGE_DIRS = {
    "ingest": "ingest",
    "chunk": "chunks",
    "theme": "themes",
    "pairs": "pairs",
    "train": "train",
    "evaluate": "eval",
    "report": "report",
    "publish": "publish",
    "promote": "promote",
}


def new_run_id() -> str:
    return time.strftime("run-%Y%m%dT%H%M%S") + f"-{time.time_ns() % 1_000_000:06d}"


def safe_run_id(run_id: str) -> str:
    """Airflow run ids hold ':' and '+'; keep a run folder name portable and confined."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", run_id).strip("._")
    if not cleaned:
        raise ValueError(f"unusable run id {run_id!r}")
    return cleaned[:120]


class RunLayout:
    """Where a run's stages, the shared caches and the model registry live."""

    def __init__(self, artifacts_root: str | Path, run_id: str):
        self.root = Path(artifacts_root).resolve()
        self.run_id = safe_run_id(run_id)
        self.run_dir = self.root / "runs" / self.run_id
        self.cache_dir = self.root / "cache"
        self.registry_dir = self.root / "registry"

    def stage(self, name: str) -> Path:
        return self.run_dir / STAGE_DIRS[name]


def run_pipeline(pdf_dir: str | Path, artifacts_root: str | Path, config: EmbedtuneConfig,
                 run_id: str | None = None, publish_token: str | None = None,
                 extra_question_sets: dict[str, str | Path] | None = None) -> dict:
    """Run every stage; returns each stage's small summary, keyed by stage name."""
    from embedtune import chunking, evaluation, ingest, pairs, report, themes, training

    layout = RunLayout(artifacts_root, run_id or new_run_id())
    log.info("run %s -> %s", layout.run_id, layout.run_dir)
    write_json(layout.run_dir / "config.json", config.to_dict())
    results: dict[str, dict] = {}
    started = time.perf_counter()
    results["ingest"] = ingest.ingest_pdfs(pdf_dir, layout.stage("ingest"), config,
                                           cache_dir=layout.cache_dir / "ingest")
    results["chunk"] = chunking.chunk_pages(layout.stage("ingest"), layout.stage("chunk"), config)
    results["theme"] = themes.theme_chunks(layout.stage("chunk"), layout.stage("theme"), config,
                                           pdf_dir=pdf_dir)
    results["pairs"] = pairs.synthesize_pairs(layout.stage("theme"), layout.stage("pairs"), config)
    results["train"] = training.train_model(layout.stage("pairs"), layout.stage("train"), config)
    results["evaluate"] = evaluation.evaluate_models(
        layout.stage("pairs"), layout.stage("train"), layout.stage("evaluate"), config,
        extra_question_sets=extra_question_sets)
    results["report"] = report.write_report(layout.run_dir, layout.stage("report"))
    results["publish"] = _publish(layout, config, publish_token, results["evaluate"])
    results["promote"] = _promote(layout, results["evaluate"])
    summary = {"run_id": layout.run_id, "run_dir": str(layout.run_dir),
               "seconds": round(time.perf_counter() - started, 2), "stages": results}
    write_json(layout.run_dir / "run.json", summary)
    return summary


def _publish(layout: RunLayout, config: EmbedtuneConfig, token: str | None,
             evaluation_summary: dict) -> dict:
    from embedtune import publishing

    return publishing.publish_model(layout.stage("train"), layout.stage("evaluate"),
                                    layout.stage("publish"), config, layout.run_id, token=token,
                                    promoted=bool(evaluation_summary["promote"]))


def _promote(layout: RunLayout, evaluation_summary: dict) -> dict:
    from embedtune import registry

    return registry.promote_if_better(layout.stage("evaluate"), layout.registry_dir,
                                      layout.run_id)
