"""Stage 6, evaluate: base vs fine-tuned retrieval on held-out questions, and the promotion gate.

Both models are scored with sentence-transformers' `InformationRetrievalEvaluator` on the same
held-out questions against the **whole** chunk corpus. Each model encodes the corpus once; every
question set (per generator, cross-generator, per theme, extra sets such as natural questions)
reuses those embeddings. A general-domain retrieval set shipped with the package catches
catastrophic forgetting.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

from embedtune.artifacts import (
    StageTimer,
    read_json,
    read_jsonl,
    read_manifest,
    stage_summary,
    write_manifest,
)
from embedtune.config import EmbedtuneConfig
from embedtune.models import load_model, pick_device

log = logging.getLogger(__name__)

STAGE = "evaluate"
GENERAL_SET = Path(__file__).parent / "data" / "general_retrieval.jsonl"
PRIMARY_METRIC = "ndcg@10"
METRIC_NAMES = ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10", "map@100")
#: Per-theme tables only for themes with enough questions to mean something.
MIN_THEME_QUESTIONS = 5


def _flatten(scores: dict[str, dict[int, float]]) -> dict[str, float]:
    """The evaluator's nested {'accuracy@k': {1: ..}} -> {'hit@1': ..}, rounded."""
    flat = {}
    for name, values in scores.items():
        label = name.replace("accuracy", "hit")
        for k, value in values.items():
            flat[label.replace("@k", f"@{k}")] = round(float(value), 4)
    return {name: flat[name] for name in METRIC_NAMES if name in flat}


def _squash(text: str) -> str:
    """Letters and digits only, lower-case: matches a quote against chunk text robustly."""
    return re.sub(r"[^0-9a-z]+", "", unicodedata.normalize("NFKC", text).lower())


def gold_chunks_for_quote(quote: str, corpus: dict[str, str],
                          squashed: dict[str, str] | None = None) -> set[str]:
    """Chunks that contain a gold quote (or, across a chunk boundary, either half of it)."""
    squashed = squashed or {cid: _squash(text) for cid, text in corpus.items()}
    needle = _squash(quote)
    found = {cid for cid, text in squashed.items() if needle and needle in text}
    if not found and len(needle) > 40:
        half = len(needle) // 2
        found = {cid for cid, text in squashed.items()
                 if needle[:half] in text or needle[half:] in text}
    return found


def load_question_set(path: str | Path, corpus: dict[str, str]) -> tuple[dict, dict]:
    """A JSONL of {question, gold_quote} or {question, chunk_ids} -> (queries, relevant)."""
    queries: dict[str, str] = {}
    relevant: dict[str, set[str]] = {}
    squashed = {cid: _squash(text) for cid, text in corpus.items()}
    unmatched = 0
    for index, row in enumerate(read_jsonl(path)):
        qid = str(row.get("id", index))
        gold = set(row.get("chunk_ids") or [])
        if not gold and row.get("gold_quote"):
            gold = gold_chunks_for_quote(row["gold_quote"], corpus, squashed)
        if not gold:
            unmatched += 1
            continue
        queries[qid] = row["question"]
        relevant[qid] = gold
    if unmatched:
        log.warning("%s: %d questions have no gold chunk in this corpus", path, unmatched)
    return queries, relevant


class RetrievalScorer:
    """Scores one model on many question sets, encoding its corpus only once."""

    def __init__(self, model: Any, corpus: dict[str, str], batch_size: int):
        self.model = model
        self.corpus = corpus
        self.batch_size = batch_size
        self.corpus_embeddings = model.encode(
            list(corpus.values()), batch_size=batch_size, convert_to_tensor=True,
            show_progress_bar=len(corpus) > 500,
        )

    def score(self, queries: dict[str, str], relevant: dict[str, set[str]],
              name: str) -> dict[str, float]:
        from sentence_transformers.sentence_transformer.evaluation import (
            InformationRetrievalEvaluator,
        )
        from sentence_transformers.util import cos_sim

        # The evaluator logs every metric of every set at INFO; our table says it once.
        logging.getLogger(InformationRetrievalEvaluator.__module__).setLevel(logging.WARNING)
        evaluator = InformationRetrievalEvaluator(
            queries=queries, corpus=self.corpus, relevant_docs=relevant, name=name,
            batch_size=self.batch_size, write_csv=False, score_functions={"cosine": cos_sim},
            accuracy_at_k=[1, 3, 5, 10], precision_recall_at_k=[10], mrr_at_k=[10],
            ndcg_at_k=[10], map_at_k=[100],
        )
        scores = evaluator.compute_all_metrics(self.model,
                                               corpus_embeddings=self.corpus_embeddings)
        return {**_flatten(scores["cosine"]), "questions": len(evaluator.queries)}


def question_sets(eval_rows: list[dict], cross: list[str]) -> dict[str, tuple[dict, dict]]:
    """Held-out questions grouped: all, cross-generator, per generator, per theme."""
    groups: dict[str, list[dict]] = {"all": eval_rows}
    if cross:
        groups["cross"] = [row for row in eval_rows if row["generator"] in cross]
    for row in eval_rows:
        groups.setdefault(f"generator:{row['generator']}", []).append(row)
    for row in eval_rows:
        for theme in row.get("themes", []):
            groups.setdefault(f"theme:{theme}", []).append(row)
    sets = {}
    for name, rows in groups.items():
        if not rows or (name.startswith("theme:") and len(rows) < MIN_THEME_QUESTIONS):
            continue
        queries = {f"q{i}": row["anchor"] for i, row in enumerate(rows)}
        relevant = {f"q{i}": {row["chunk_id"]} for i, row in enumerate(rows)}
        sets[name] = (queries, relevant)
    return sets


def general_set() -> tuple[dict[str, str], tuple[dict, dict]]:
    rows = list(read_jsonl(GENERAL_SET))
    corpus = {row["id"]: row["passage"] for row in rows}
    queries = {row["id"]: row["query"] for row in rows}
    relevant = {row["id"]: {row["id"]} for row in rows}
    return corpus, (queries, relevant)


def score_model(model: Any, corpus: dict[str, str], sets: dict[str, tuple[dict, dict]],
                batch_size: int) -> dict[str, dict[str, float]]:
    scorer = RetrievalScorer(model, corpus, batch_size)
    results = {name: scorer.score(q, r, name.replace(":", "_")) for name, (q, r) in sets.items()}
    general_corpus, general_questions = general_set()
    results["general"] = RetrievalScorer(model, general_corpus, batch_size).score(
        *general_questions, "general")
    return results


def gate(base: dict, tuned: dict, primary_set: str, config: EmbedtuneConfig) -> tuple[bool, str]:
    """Promote only a model that beats the base where it matters and has not forgotten."""
    base_score = base[primary_set][PRIMARY_METRIC]
    tuned_score = tuned[primary_set][PRIMARY_METRIC]
    gain = tuned_score - base_score
    general_drop = base["general"][PRIMARY_METRIC] - tuned["general"][PRIMARY_METRIC]
    numbers = (f"{PRIMARY_METRIC} on {primary_set} questions {base_score:.4f} -> "
               f"{tuned_score:.4f} (gain {gain:+.4f}, required >= {config.eval.min_gain:+.4f}); "
               f"general-domain {PRIMARY_METRIC} drop {general_drop:+.4f} "
               f"(allowed <= {config.eval.max_general_drop:.4f})")
    if gain < config.eval.min_gain:
        return False, f"not promoted: the fine-tuned model does not beat the base model: {numbers}"
    if general_drop > config.eval.max_general_drop:
        return False, f"not promoted: the fine-tuned model forgot general ability: {numbers}"
    return True, f"promoted: {numbers}"


def format_table(metrics: dict[str, dict[str, dict[str, float]]], sets: list[str]) -> str:
    """Base vs fine-tuned side by side, one block per question set (printed and in the report)."""
    lines = []
    for name in sets:
        base, tuned = metrics["base"][name], metrics["finetuned"][name]
        lines.append(f"{name} ({base['questions']} questions)")
        lines.append(f"  {'metric':<9}{'base':>9}{'tuned':>9}{'gain':>9}")
        for metric in METRIC_NAMES:
            lines.append(f"  {metric:<9}{base[metric]:>9.4f}{tuned[metric]:>9.4f}"
                         f"{tuned[metric] - base[metric]:>+9.4f}")
    return "\n".join(lines)


def evaluate_models(pairs_dir: str | Path, train_dir: str | Path, out_dir: str | Path,
                    config: EmbedtuneConfig,
                    extra_question_sets: dict[str, str | Path] | None = None) -> dict:
    """Score base and fine-tuned models; decide promotion. `extra_question_sets` maps a name to
    a JSONL of {question, gold_quote | chunk_ids} (e.g. natural user questions)."""
    pairs_dir, train_dir, out_dir = Path(pairs_dir), Path(train_dir), Path(out_dir)
    pairs_manifest = read_manifest(pairs_dir)
    train_manifest = read_manifest(train_dir)
    corpus = {row["chunk_id"]: row["text"] for row in read_jsonl(pairs_manifest["corpus_path"])}
    eval_rows = list(read_jsonl(pairs_manifest["eval_path"]))
    sets = question_sets(eval_rows, pairs_manifest.get("cross_generators", []))
    for name, path in (extra_question_sets or {}).items():
        queries, relevant = load_question_set(path, corpus)
        if queries:
            sets[f"extra:{name}"] = (queries, relevant)
    primary = "cross" if "cross" in sets else "all"
    device = pick_device(config.train.device)
    metrics: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    for label, model_ref in (("base", config.train.base_model),
                             ("finetuned", train_manifest["model_dir"])):
        with StageTimer() as timer:
            model = load_model(model_ref, device)
            metrics[label] = score_model(model, corpus, sets, config.eval.batch_size)
        seconds[label] = timer.seconds
    promote, reason = gate(metrics["base"], metrics["finetuned"], primary, config)
    table_sets = [s for s in ["all", "cross", *sorted(sets)] if s in sets]
    table_sets = list(dict.fromkeys([*table_sets, "general"]))
    table = format_table(metrics, [s for s in table_sets if not s.startswith("theme:")])
    log.info("base vs fine-tuned:\n%s\n%s", table, reason)
    manifest = {
        "stage": STAGE,
        "data": _data_facts(pairs_dir, pairs_manifest, len(corpus)),
        "primary_set": primary,
        "primary_metric": PRIMARY_METRIC,
        "base_score": metrics["base"][primary][PRIMARY_METRIC],
        "finetuned_score": metrics["finetuned"][primary][PRIMARY_METRIC],
        "gain": round(metrics["finetuned"][primary][PRIMARY_METRIC]
                      - metrics["base"][primary][PRIMARY_METRIC], 4),
        "general_drop": round(metrics["base"]["general"][PRIMARY_METRIC]
                              - metrics["finetuned"]["general"][PRIMARY_METRIC], 4),
        "promote": promote,
        "reason": reason,
        "model_dir": train_manifest["model_dir"],
        "base_model": config.train.base_model,
        "corpus_chunks": len(corpus),
        "eval_questions": len(eval_rows),
        "metrics": metrics,
        "table": table,
        "seconds_per_model": seconds,
        "seconds": round(sum(seconds.values()), 3),
    }
    write_manifest(out_dir, manifest)
    return stage_summary(out_dir, manifest)


def _data_facts(pairs_dir: Path, pairs_manifest: dict, chunks: int) -> dict:
    """Counts for the report and model card (never text)."""
    ingest_path = pairs_dir.parent / "ingest" / "manifest.json"
    ingest = read_json(ingest_path) if ingest_path.exists() else {}
    return {"pdfs": ingest.get("files_ingested"), "pages": ingest.get("pages"),
            "chunks": chunks, "train_pairs": pairs_manifest.get("train_pairs"),
            "eval_questions": pairs_manifest.get("eval_questions"),
            "generator": pairs_manifest.get("generator"),
            "eval_generators": pairs_manifest.get("eval_generators")}

