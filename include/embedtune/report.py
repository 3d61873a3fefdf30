"""The run report: a folder a person opens (report.md + PNG charts)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from embedtune.artifacts import (
    atomic_path,
    read_json,
    read_jsonl,
    stage_summary,
    write_manifest,
    write_text,
)
from embedtune.evaluation import METRIC_NAMES

log = logging.getLogger(__name__)

STAGE = "report"
_STAGE_FOLDERS = ["ingest", "chunks", "themes", "pairs", "train", "eval"]


def _manifests(run_dir: Path) -> dict[str, dict]:
    found = {}
    for folder in _STAGE_FOLDERS:
        path = run_dir / folder / "manifest.json"
        if path.exists():
            found[folder] = read_json(path)
    return found


def _metrics_chart(metrics: dict, primary: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(METRIC_NAMES)
    base = [metrics["base"][primary][m] for m in names]
    tuned = [metrics["finetuned"][primary][m] for m in names]
    positions = range(len(names))
    figure, axis = plt.subplots(figsize=(8, 4))
    axis.bar([p - 0.2 for p in positions], base, width=0.4, label="base")
    axis.bar([p + 0.2 for p in positions], tuned, width=0.4, label="fine-tuned")
    axis.set_xticks(list(positions), names)
    axis.set_ylim(0, 1)
    axis.set_title(f"Retrieval on held-out {primary} questions")
    axis.legend()
    figure.tight_layout()
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=100)
    plt.close(figure)


def _loss_chart(loss_path: Path, path: Path) -> bool:
    points = list(read_jsonl(loss_path)) if loss_path.exists() else []
    if not points:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(8, 3.5))
    axis.plot([p["step"] for p in points], [p["loss"] for p in points], marker="o")
    axis.set_xlabel("step")
    axis.set_ylabel("MNRL loss")
    axis.set_title("Training loss")
    figure.tight_layout()
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=100)
    plt.close(figure)
    return True


def _metric_rows(metrics: dict, sets: list[str]) -> list[str]:
    header = "| question set | n | " + " | ".join(
        f"{m} base / tuned" for m in ("hit@1", "hit@10", "mrr@10", "ndcg@10")) + " |"
    rows = [header, "|" + "---|" * (2 + 4)]
    for name in sets:
        base, tuned = metrics["base"][name], metrics["finetuned"][name]
        cells = [f"{base[m]:.3f} / {tuned[m]:.3f} ({tuned[m] - base[m]:+.3f})"
                 for m in ("hit@1", "hit@10", "mrr@10", "ndcg@10")]
        rows.append(f"| {name} | {base['questions']} | " + " | ".join(cells) + " |")
    return rows


def write_report(run_dir: str | Path, out_dir: str | Path) -> dict:
    run_dir, out_dir = Path(run_dir), Path(out_dir)
    manifests = _manifests(run_dir)
    evaluation = manifests.get("eval")
    if not evaluation:
        raise FileNotFoundError(f"no evaluation in {run_dir}: run the evaluate stage first")
    metrics, primary = evaluation["metrics"], evaluation["primary_set"]
    _metrics_chart(metrics, primary, out_dir / "metrics.png")
    has_loss = _loss_chart(Path(manifests["train"]["loss_path"]), out_dir / "loss.png")
    ingest, chunks = manifests["ingest"], manifests["chunks"]
    themes, pairs, train = manifests["themes"], manifests["pairs"], manifests["train"]
    sets = [s for s in metrics["base"] if not s.startswith("theme:")]
    theme_sets = sorted(s for s in metrics["base"] if s.startswith("theme:"))
    lines = [
        f"# embedtune run `{run_dir.name}`",
        "",
        f"**{evaluation['reason']}**",
        "",
        f"Base model `{train['base_model']}`, fine-tuned on {train['pairs']} "
        f"`{pairs['generator']}` pairs; primary metric {evaluation['primary_metric']} on the "
        f"`{primary}` held-out questions: {evaluation['base_score']:.4f} -> "
        f"{evaluation['finetuned_score']:.4f} ({evaluation['gain']:+.4f}).",
        "",
        "![base vs fine-tuned](metrics.png)",
        "",
        "## Retrieval, base vs fine-tuned",
        "",
        *_metric_rows(metrics, sets),
        "",
        "`cross` = questions from other generators than the training one; `general` = the "
        "general-domain set that catches forgetting; `extra:*` = question sets given to the run.",
        "",
    ]
    if theme_sets:
        lines += ["## Per theme", "", *_metric_rows(metrics, theme_sets), ""]
    lines += [
        "## Data",
        "",
        f"- PDFs: {ingest['files_ingested']} ingested, {ingest['files_skipped']} skipped; "
        f"{ingest['pages']} pages",
        f"- chunks: {chunks['chunks']} (at most {chunks['max_tokens']} word pieces, "
        f"overlap {chunks['overlap_tokens']})",
        f"- themes: {themes['themes']} in the lexicon; {themes['chunks_without_theme']} "
        "chunks without a theme",
        f"- pairs: {pairs['train_pairs']} training pairs from {pairs['train_chunks']} chunks; "
        f"{pairs['eval_questions']} held-out questions from {pairs['eval_chunks']} chunks",
        "",
    ]
    skipped = [f for f in ingest["files"] if f["status"] == "skipped"]
    if skipped:
        lines += ["Skipped files:", ""] + [f"- `{f['file']}`: {f['reason']}" for f in skipped]
        lines.append("")
    if has_loss:
        lines += ["## Training", "", "![training loss](loss.png)", ""]
    lines += [
        f"{train['steps']} steps on {train['device']}, {train['train_seconds']:.1f}s "
        f"({train['samples_per_second']} samples/s), final loss {train['final_loss']}.",
        "",
        "## Time per stage",
        "",
        "| stage | seconds |",
        "|---|---|",
        *[f"| {name} | {m.get('seconds', 0):.1f} |" for name, m in manifests.items()],
        "",
        "## Config",
        "",
        "```json",
    ]
    config_path = run_dir / "config.json"
    config = read_json(config_path) if config_path.exists() else {}
    lines += [json.dumps(config, indent=2), "```", ""]
    write_text(out_dir / "report.md", "\n".join(lines))
    manifest = {"stage": STAGE, "report_path": str(out_dir / "report.md"),
                "metrics_chart": str(out_dir / "metrics.png"),
                "loss_chart": str(out_dir / "loss.png") if has_loss else ""}
    write_manifest(out_dir, manifest)
    log.info("report: %s", out_dir / "report.md")
    return stage_summary(out_dir, manifest)
