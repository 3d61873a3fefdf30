"""
### embedtune: fine-tune an embedding model on the organisation's PDFs

One task per stage of the `embedtune` library: `prepare_run` (checks the form, writes the run's
config) → `list_pdfs` → `ingest_one` (mapped, one per PDF) → `assemble_ingest` → `chunk` →
`theme` → `synthesize_pairs` → `train` → `evaluate` → `report` → `publish` → `promote`, plus
`record_pdf_state`, which records the PDFs just ingested as processed (the new-PDF trigger
compares the folder with that state).

Tasks hand each other **paths and small manifests** (XCom JSON), never texts or models. Each run
writes under `<artifacts_root>/runs/<run_id>/` (`EMBEDTUNE_ARTIFACTS`, default `<repo>/artifacts`).

**Schedule**: a retraining cron (`EMBEDTUNE_RETRAIN_CRON`, default weekly) *or* new / changed /
removed PDFs in the PDF folder (`EMBEDTUNE_PDF_DIR`, default `<repo>/resources`), seen by the
`NewPdfTrigger` watcher in the triggerer (plugins folder must be this repo's `plugins/`).

**Trigger form**: every field has a default; running without the form trains with them.
`pdf_dir` must stay inside `EMBEDTUNE_PDF_ROOT` (default: the default PDF folder).
Publishing to the Hugging Face Hub uses the password of the connection `huggingface_default`,
else the environment variable `HF_TOKEN`.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import (
    Asset,
    AssetOrTimeSchedule,
    AssetWatcher,
    CronTriggerTimetable,
    Param,
    dag,
    get_current_context,
    task,
)

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
#: What tasks hand each other through XCom: paths and counts, never data.
Manifest = dict[str, Any]


def _ensure_importable() -> None:
    # A plain checkout (no `pip install -e .`, plugins folder elsewhere) still parses and runs.
    for module, folder in (("embedtune", "include"), ("embedtune_triggers", "plugins")):
        if importlib.util.find_spec(module) is None and (REPO_ROOT / folder).is_dir():
            sys.path.append(str(REPO_ROOT / folder))


_ensure_importable()

# After the path set-up above: the trigger class lives in the plugins folder.
from embedtune_triggers import NewPdfTrigger  # noqa: E402

DAG_ID = "embedtune_finetune"
DEFAULT_RETRAIN_CRON = "0 3 * * 1"  # Mondays 03:00 UTC
#: Same defaults as `embedtune.config` (a test keeps them in step); the DAG file does not import
#: the library at parse time.
DEFAULT_BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
GENERATORS = ["mixed", "keyphrase", "sentence", "summary", "template"]  # embedtune.pairs
#: Params that map 1:1 onto `EmbedtuneConfig.with_overrides` flat options.
CONFIG_PARAMS = (
    "base_model",
    "generator",
    "epochs",
    "batch_size",
    "learning_rate",
    "max_steps",
    "publish",
    "repo_id",
    "min_gain",
)


# --- locations (read from the environment of whichever process parses the file) -------------


def _env_path(name: str, default: Path) -> Path:
    return Path(os.environ.get(name) or default).expanduser().resolve()


def artifacts_root() -> Path:
    return _env_path("EMBEDTUNE_ARTIFACTS", REPO_ROOT / "artifacts")


def default_pdf_dir() -> Path:
    return _env_path("EMBEDTUNE_PDF_DIR", REPO_ROOT / "resources")


def pdf_root() -> Path:
    """Folder that a `pdf_dir` param must stay inside."""
    return _env_path("EMBEDTUNE_PDF_ROOT", default_pdf_dir())


def stage_task(**kwargs: Any) -> Any:
    """`@task` for this DAG: a returned manifest is one XCom (with a `dict` return type, TaskFlow
    would otherwise also push every key as its own XCom)."""
    return task(multiple_outputs=False, **kwargs)


# --- helpers used inside tasks -----------------------------------------------------------------


def _config(run: Manifest) -> Any:
    from embedtune.artifacts import read_json
    from embedtune.config import EmbedtuneConfig

    return EmbedtuneConfig.from_dict(read_json(run["config"]))


def _stage_dir(run: Manifest, stage: str) -> Path:
    # One run-folder layout for the CLI and the DAG.
    from embedtune.pipeline import STAGE_DIRS

    return Path(run["run_dir"]) / STAGE_DIRS[stage]


def _all(records: Sequence[Manifest]) -> list[Manifest]:
    """The mapped tasks' results as a list. A slice is one XCom request; iterating the lazy
    sequence instead ends on a "not found" that the task SDK logs as an ERROR line."""
    return list(records[:])


def _hf_token() -> str | None:
    """The Hub token: connection `huggingface_default` (password), else env HF_TOKEN."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException
    from airflow.sdk.log import mask_secret

    try:
        token = Connection.get("huggingface_default").password  # masked in logs by Airflow
    except AirflowNotFoundException:
        token = None
    token = token or os.environ.get("HF_TOKEN") or None
    if token:
        mask_secret(token)  # the env token is not a connection: mask it ourselves
    return token


# --- the DAG -------------------------------------------------------------------------------------

PDF_ASSET = Asset(
    name="embedtune_pdfs",
    uri=default_pdf_dir().as_uri(),
    group="embedtune",
    watchers=[
        AssetWatcher(
            name="embedtune_new_pdfs",
            trigger=NewPdfTrigger(
                pdf_dir=str(default_pdf_dir()),
                artifacts_root=str(artifacts_root()),
                poll_interval=float(os.environ.get("EMBEDTUNE_WATCH_POLL_S", "30")),
            ),
        )
    ],
)

SCHEDULE = AssetOrTimeSchedule(
    timetable=CronTriggerTimetable(
        os.environ.get("EMBEDTUNE_RETRAIN_CRON") or DEFAULT_RETRAIN_CRON, timezone="UTC"
    ),
    assets=PDF_ASSET,
)

PARAMS: dict[str, Param] = {
    "pdf_dir": Param(
        str(default_pdf_dir()),
        type="string",
        title="PDF folder",
        description=f"Folder of PDFs to train on; must be inside {pdf_root()} "
        "(a relative path is taken from there).",
        section="Data",
    ),
    "generator": Param(
        "mixed",
        type="string",
        title="Pair generator",
        description="How (question, passage) training pairs are synthesised from the chunks.",
        enum=GENERATORS,
        section="Data",
    ),
    "base_model": Param(
        DEFAULT_BASE_MODEL,
        type="string",
        minLength=1,
        title="Base model",
        description="Sentence-transformers model to fine-tune: Hub id or local folder "
        "(the default MiniLM is packaged and works offline).",
        section="Training",
    ),
    "epochs": Param(3, type="integer", minimum=1, title="Epochs", section="Training",
                    description="Passes over the training pairs."),
    "batch_size": Param(32, type="integer", minimum=2, title="Batch size", section="Training",
                        description="Pairs per step; larger = more in-batch negatives."),
    "learning_rate": Param(1e-4, type="number", exclusiveMinimum=0, title="Learning rate",
                           section="Training", description="Peak learning rate (AdamW)."),
    "max_steps": Param(0, type="integer", minimum=0, title="Max steps", section="Training",
                       description="Stop after this many optimizer steps; 0 = epochs decide."),
    "min_gain": Param(0.005, type="number", title="Minimum NDCG@10 gain", section="Evaluation",
                      description="The fine-tuned model is promoted only if it beats the base "
                      "model by at least this much on the held-out questions."),
    "publish": Param(False, type="boolean", title="Publish to the Hugging Face Hub",
                     section="Publishing",
                     description="Push the model (and its card) to the Hub; needs a token in the "
                     "connection huggingface_default or env HF_TOKEN."),
    # Optional: the UI form submits an empty field as null, so null must be a valid value.
    "repo_id": Param(None, type=["null", "string"], title="Hub repository", section="Publishing",
                     pattern=r"^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$",
                     description="owner/name on the Hub; required when publishing."),
}


@dag(
    dag_id=DAG_ID,
    dag_display_name="embedtune: fine-tune on PDFs",
    description="Fine-tune a sentence-transformers model on the PDFs of a folder",
    doc_md=__doc__,
    schedule=SCHEDULE,
    # No start_date: with one, catchup=False still runs the latest *past* cron slot as soon as
    # the DAG is unpaused; without, the first cron run is the next one (run_immediately=False).
    # New PDFs start a run right away anyway, through the asset watcher.
    catchup=False,
    max_active_runs=1,
    params=PARAMS,
    # A bad config or a bad PDF is not fixed by retrying; only publish (network) retries.
    default_args={"retries": 0},
    tags=["embedtune", "ml"],
)
def embedtune_finetune() -> None:
    @stage_task()
    def prepare_run() -> Manifest:
        """Check the params, write the run's effective config; hand on the run's paths."""
        from embedtune.artifacts import write_json
        from embedtune.config import EmbedtuneConfig
        from embedtune.models import load_tokenizer
        from embedtune.pipeline import RunLayout
        from embedtune.watch import confine_path

        context = get_current_context()
        params = context["params"]
        pdf_dir = confine_path(params.get("pdf_dir"), pdf_root(),
                               hint="set EMBEDTUNE_PDF_ROOT to allow another folder")
        if not pdf_dir.is_dir():
            raise FileNotFoundError(f"PDF folder not found: {pdf_dir}")
        base = os.environ.get("EMBEDTUNE_CONFIG")  # optional org-wide YAML (lexicon, passwords...)
        config = EmbedtuneConfig.from_file(base) if base else EmbedtuneConfig()
        config = config.with_overrides({key: params.get(key) for key in CONFIG_PARAMS})
        load_tokenizer(config.train.base_model)  # an unknown model fails now, not after ingest
        layout = RunLayout(artifacts_root(), context["run_id"])  # run id made folder-safe
        config_path = write_json(layout.run_dir / "config.json", config.to_dict())
        log.info("run folder %s, PDFs from %s", layout.run_dir, pdf_dir)
        return {
            "run_id": layout.run_id,
            "airflow_run_id": context["run_id"],
            "run_dir": str(layout.run_dir),
            "pdf_dir": str(pdf_dir),
            "artifacts_root": str(layout.root),
            "cache_dir": str(layout.cache_dir),
            "registry_dir": str(layout.registry_dir),
            "config": str(config_path),
        }

    @stage_task()
    def list_pdfs(run: Manifest) -> list[str]:
        from embedtune.ingest import list_pdfs

        paths = [str(path) for path in list_pdfs(run["pdf_dir"])]
        if not paths:
            raise FileNotFoundError(f"no *.pdf files in {run['pdf_dir']}")
        return paths

    @stage_task(map_index_template="{{ pdf_name }}")
    def ingest_one(run: Manifest, pdf_path: str) -> Manifest:
        from embedtune.ingest import ingest_one

        get_current_context()["pdf_name"] = Path(pdf_path).name  # type: ignore[typeddict-unknown-key]
        return ingest_one(pdf_path, Path(run["cache_dir"]) / "ingest", _config(run))

    @stage_task()
    def assemble_ingest(run: Manifest, records: list[Manifest]) -> Manifest:
        from embedtune.ingest import assemble_ingest

        return assemble_ingest(_all(records), _stage_dir(run, "ingest"), _config(run),
                               Path(run["cache_dir"]) / "ingest")

    @stage_task()
    def record_pdf_state(run: Manifest, records: list[Manifest]) -> Manifest:
        """Mark the PDFs just ingested (by content hash) as processed for the new-PDF trigger."""
        from embedtune.watch import save_state

        files = {r["file"]: r["sha256"] for r in _all(records) if r.get("sha256")}
        path = save_state(run["artifacts_root"], run["pdf_dir"], files, run_id=run["run_id"])
        return {"state": str(path), "files": len(files)}

    @stage_task()
    def chunk(run: Manifest, ingested: Manifest) -> Manifest:
        from embedtune.chunking import chunk_pages

        # Per-document chunk cache shared by runs: only new or changed PDFs are re-chunked.
        return chunk_pages(ingested["dir"], _stage_dir(run, "chunk"), _config(run),
                           cache_dir=Path(run["cache_dir"]) / "chunks")

    @stage_task()
    def theme(run: Manifest, chunks: Manifest) -> Manifest:
        from embedtune.themes import theme_chunks

        # pdf_dir: a themes.yaml lexicon beside the PDFs wins over the packaged one.
        return theme_chunks(chunks["dir"], _stage_dir(run, "theme"), _config(run),
                            pdf_dir=run["pdf_dir"], cache_dir=Path(run["cache_dir"]) / "themes")

    @stage_task()
    def synthesize_pairs(run: Manifest, themes: Manifest) -> Manifest:
        from embedtune.pairs import synthesize_pairs

        return synthesize_pairs(themes["dir"], _stage_dir(run, "pairs"), _config(run),
                                cache_dir=Path(run["cache_dir"]) / "pairs")

    # queue="gpu": the docker-compose GPU worker takes it; the default worker also serves it.
    @stage_task(queue="gpu")
    def train(run: Manifest, pairs: Manifest) -> Manifest:
        from embedtune.training import train_model

        return train_model(pairs["dir"], _stage_dir(run, "train"), _config(run))

    @stage_task()
    def evaluate(run: Manifest, pairs: Manifest, trained: Manifest) -> Manifest:
        from embedtune.evaluation import evaluate_models

        return evaluate_models(pairs["dir"], trained["dir"], _stage_dir(run, "evaluate"),
                               _config(run))

    @stage_task()
    def report(run: Manifest, evaluation: Manifest) -> Manifest:
        from embedtune.report import write_report

        return write_report(run["run_dir"], _stage_dir(run, "report"))

    # The Hub can be briefly unreachable or rate-limit: worth retrying, with growing waits.
    @stage_task(retries=3, retry_delay=timedelta(seconds=30), retry_exponential_backoff=True)
    def publish(run: Manifest, trained: Manifest, evaluation: Manifest) -> Manifest:
        from embedtune.publishing import publish_model

        config = _config(run)
        token = _hf_token() if config.publish.publish else None
        return publish_model(trained["dir"], evaluation["dir"], _stage_dir(run, "publish"), config,
                             run["run_id"], token=token, promoted=bool(evaluation["promote"]))

    @stage_task()
    def promote(run: Manifest, evaluation: Manifest) -> Manifest:
        """Make the model the registry's current one, if the evaluation gate passed."""
        from embedtune.registry import promote_if_better

        return promote_if_better(evaluation["dir"], run["registry_dir"], run["run_id"])

    run = prepare_run()
    records = ingest_one.partial(run=run).expand(pdf_path=list_pdfs(run))
    ingested = assemble_ingest(run, records)
    # Only after a successful ingest do these PDFs count as processed.
    ingested >> record_pdf_state(run, records)
    pairs = synthesize_pairs(run, theme(run, chunk(run, ingested)))
    trained = train(run, pairs)
    evaluation = evaluate(run, pairs, trained)
    report(run, evaluation) >> publish(run, trained, evaluation) >> promote(run, evaluation)


embedtune_finetune()
