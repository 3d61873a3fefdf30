"""The whole pipeline in order: what the CLI's `run` and the benchmarks call.

The Airflow DAG calls the same stage functions one task each; this module is the plain-Python
equivalent, with the same run-folder layout.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

from embedtune.artifacts import read_manifest, write_json
from embedtune.config import EmbedtuneConfig
from embedtune.errors import ConfigError

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


def run_stage(stage: str, layout: RunLayout, config: EmbedtuneConfig,
              pdf_dir: str | Path | None = None, publish_token: str | None = None,
              extra_question_sets: dict[str, str | Path] | None = None) -> dict:
    """Run one stage of a run, reading the previous stages' manifests from the run folder."""
    from embedtune import (
        chunking,
        evaluation,
        ingest,
        pairs,
        publishing,
        registry,
        report,
        themes,
        training,
    )

    if stage == "ingest" and pdf_dir is None:
        raise ConfigError("the ingest stage needs the PDF folder")
    if stage == "ingest":
        write_json(layout.run_dir / "config.json", config.to_dict())
        return ingest.ingest_pdfs(pdf_dir, layout.stage("ingest"), config,
                                  cache_dir=layout.cache_dir / "ingest")
    if stage == "chunk":
        return chunking.chunk_pages(layout.stage("ingest"), layout.stage("chunk"), config,
                                    cache_dir=layout.cache_dir / "chunks")
    if stage == "theme":
        return themes.theme_chunks(layout.stage("chunk"), layout.stage("theme"), config,
                                   pdf_dir=pdf_dir, cache_dir=layout.cache_dir / "themes")
    if stage == "pairs":
        return pairs.synthesize_pairs(layout.stage("theme"), layout.stage("pairs"), config,
                                      cache_dir=layout.cache_dir / "pairs")
    if stage == "train":
        return training.train_model(layout.stage("pairs"), layout.stage("train"), config)
    if stage == "evaluate":
        return evaluation.evaluate_models(layout.stage("pairs"), layout.stage("train"),
                                          layout.stage("evaluate"), config,
                                          extra_question_sets=extra_question_sets)
    if stage == "report":
        return report.write_report(layout.run_dir, layout.stage("report"))
    if stage == "publish":
        promoted = bool(read_manifest(layout.stage("evaluate"))["promote"])
        return publishing.publish_model(layout.stage("train"), layout.stage("evaluate"),
                                        layout.stage("publish"), config, layout.run_id,
                                        token=publish_token, promoted=promoted)
    if stage == "promote":
        return registry.promote_if_better(layout.stage("evaluate"), layout.registry_dir,
                                          layout.run_id)
    raise ConfigError(f"unknown stage {stage!r}; stages: {', '.join(STAGE_DIRS)}")


def run_pipeline(pdf_dir: str | Path, artifacts_root: str | Path, config: EmbedtuneConfig,
                 run_id: str | None = None, publish_token: str | None = None,
                 extra_question_sets: dict[str, str | Path] | None = None) -> dict:
    """Run every stage in order; returns each stage's small summary, keyed by stage name."""
    from embedtune.models import load_tokenizer

    layout = RunLayout(artifacts_root, run_id or new_run_id())
    load_tokenizer(config.train.base_model)  # an unknown model fails now, not after ingest
    log.info("run %s -> %s", layout.run_id, layout.run_dir)
    started = time.perf_counter()
    results = {
        stage: run_stage(stage, layout, config, pdf_dir=pdf_dir, publish_token=publish_token,
                         extra_question_sets=extra_question_sets)
        for stage in STAGE_DIRS
    }
    summary = {"run_id": layout.run_id, "run_dir": str(layout.run_dir),
               "seconds": round(time.perf_counter() - started, 2), "stages": results}
    write_json(layout.run_dir / "run.json", summary)
    return summary
