"""Quality benchmark: does each pair generator make retrieval better, on questions unlike its own?

Runs the whole pipeline on the reference corpus (../shared/corpus) once per generator and scores
base vs fine-tuned on: the cross-generator held-out questions, and the hand-written natural
questions in bench/data/nist_questions.jsonl (never used for training), split into "specific"
and "abstract" (page-summary) questions; plus the general-domain forgetting check.

    .venv/bin/python bench/quality.py                       # all generators, defaults
    .venv/bin/python bench/quality.py --generators mixed --epochs 1

The table goes to stdout and, with --write-docs, into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))

from _common import replace_section  # noqa: E402 - bench/ is on sys.path for its scripts

from embedtune.artifacts import read_json, read_jsonl, write_jsonl  # noqa: E402
from embedtune.config import EmbedtuneConfig  # noqa: E402
from embedtune.pipeline import run_pipeline  # noqa: E402

log = logging.getLogger("bench.quality")

QUESTIONS = ROOT / "bench" / "data" / "nist_questions.jsonl"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
DOCS = ROOT / "docs" / "benchmarks.md"
SETS = [("cross", "cross-generator held-out"), ("extra:natural-specific", "natural, specific"),
        ("extra:natural-abstract", "natural, abstract"), ("general", "general domain")]


def natural_question_sets(folder: Path) -> dict[str, Path]:
    """Split the natural questions by kind into two JSONL files the evaluator reads."""
    rows = list(read_jsonl(QUESTIONS))
    sets = {}
    for kind in ("specific", "abstract"):
        path = folder / f"natural-{kind}.jsonl"
        write_jsonl(path, [r for r in rows if r["kind"] == kind])
        sets[f"natural-{kind}"] = path
    return sets


def run_one(generator: str, corpus: Path, root: Path, overrides: dict,
            question_sets: dict[str, Path]) -> dict:
    config = EmbedtuneConfig().with_overrides({"generator": generator, **overrides})
    started = time.perf_counter()
    result = run_pipeline(corpus, root, config, run_id=f"quality-{generator}",
                          extra_question_sets=question_sets)
    evaluation = read_json(result["stages"]["evaluate"]["manifest"])
    train = read_json(result["stages"]["train"]["manifest"])
    metrics = evaluation["metrics"]
    row = {"generator": generator, "pairs": train["pairs"], "train_seconds": train["train_seconds"],
           "total_seconds": round(time.perf_counter() - started, 1),
           "promoted": evaluation["promote"], "sets": {}}
    for key, _ in SETS:
        if key in metrics["base"]:
            row["sets"][key] = {
                "base_ndcg": metrics["base"][key]["ndcg@10"],
                "tuned_ndcg": metrics["finetuned"][key]["ndcg@10"],
                "base_mrr": metrics["base"][key]["mrr@10"],
                "tuned_mrr": metrics["finetuned"][key]["mrr@10"],
                "questions": metrics["base"][key]["questions"],
            }
    return row


def format_table(rows: list[dict]) -> str:
    lines = ["| generator | pairs | train s | question set | n | NDCG@10 base → tuned (gain) "
             "| MRR@10 base → tuned (gain) |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        for key, label in SETS:
            if key not in row["sets"]:
                continue
            s = row["sets"][key]
            lines.append(
                f"| {row['generator']} | {row['pairs']} | {row['train_seconds']:.0f} | {label} | "
                f"{s['questions']} | {s['base_ndcg']:.3f} → {s['tuned_ndcg']:.3f} "
                f"({s['tuned_ndcg'] - s['base_ndcg']:+.3f}) | {s['base_mrr']:.3f} → "
                f"{s['tuned_mrr']:.3f} ({s['tuned_mrr'] - s['base_mrr']:+.3f}) |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--generators", default="template,sentence,keyphrase,mixed")
    parser.add_argument("--out", type=Path, default=None, help="artifacts root (default: temp)")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--learning-rate", type=float, default=None)
    parser.add_argument("--questions-per-chunk", type=int, default=None)
    parser.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                        help="any other pipeline option (embedtune.config.FLAT_OPTIONS)")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if not any(args.corpus.glob("*.pdf")):
        print(f"skipped: no reference corpus at {args.corpus} (see ../shared/README.md)")
        return 0
    overrides = {k: v for k, v in {"epochs": args.epochs, "learning_rate": args.learning_rate,
                                   "questions_per_chunk": args.questions_per_chunk}.items()
                 if v is not None}
    overrides.update(dict(option.split("=", 1) for option in args.option))
    root = args.out or Path(tempfile.mkdtemp(prefix="embedtune-quality-"))
    question_sets = natural_question_sets(root / "questions")
    rows = [run_one(g, args.corpus, root, overrides, question_sets)
            for g in args.generators.split(",")]
    table = format_table(rows)
    print(table)
    (root / "quality.json").write_text(json.dumps(rows, indent=2))
    if args.write_docs:
        command = "`.venv/bin/python " + " ".join(["bench/quality.py", *sys.argv[1:]]) + "`"
        replace_section(DOCS, "quality", f"Command: {command}\n\n{table}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
