"""Training speed: samples/s of `embedtune.training.train_model` vs a bare ST trainer.

Measures: optimizer throughput, samples (= steps × batch size) per second of `trainer.train()`.
- embedtune: `train_model(pairs_dir, out, config)`, the train stage exactly as a run calls it
  (its manifest's `train_seconds` times `trainer.train()`; the call's wall time, with model load
  and save, is shown too).
- baseline (same run, same pairs file): a `SentenceTransformerTrainer` written out here with the
  plain sentence-transformers API: same model, same train.jsonl, same batch size,
  MultipleNegativesRankingLoss, the no-duplicates batch sampler, same max_steps, learning rate,
  warmup and seed, activation checkpointing as the stage uses on CPU; no callbacks, no
  checkpoints; the model is saved at the end like a script would.
Pairs: the pipeline's ingest..pairs stages run once on the reference corpus (or --pairs-dir).
Every measurement runs in a fresh interpreter; the sides alternate; median of --repeats.
Ratio: embedtune samples/s ÷ baseline samples/s. Target: >= 0.95. Also: seconds per 1,000
pairs per epoch (= 1000 ÷ samples/s).

    .venv/bin/python bench/train_speed.py                     # 20 steps, batch 32, 3 repeats
    .venv/bin/python bench/train_speed.py --write-docs
    .venv/bin/python bench/train_speed.py --pages 6 --max-steps 2 --batch-size 8 --repeats 1  # dev
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
from pathlib import Path

import _common as common

from embedtune.artifacts import read_manifest
from embedtune.config import EmbedtuneConfig

log = logging.getLogger("bench.train_speed")

MARKER = "train_speed"
TARGET = 0.95
PRE_TRAINING = ["ingest", "chunk", "theme", "pairs"]


def bench_config(max_steps: int, batch_size: int) -> EmbedtuneConfig:
    return EmbedtuneConfig().with_overrides({"max_steps": max_steps, "batch_size": batch_size,
                                             "epochs": 1})


def run_embedtune(pairs_dir: Path, out: Path, config: EmbedtuneConfig) -> dict:
    from embedtune.training import train_model

    seconds, _ = common.timed(lambda: train_model(pairs_dir, out, config))
    manifest = read_manifest(out)
    return {"train_seconds": manifest["train_seconds"], "wall_seconds": seconds,
            "steps": manifest["steps"], "batch_size": manifest["batch_size"],
            "pairs": manifest["pairs"], "device": manifest["device"]}


def run_baseline(pairs_dir: Path, out: Path, config: EmbedtuneConfig) -> dict:
    """The bare trainer: nothing from embedtune but the path of the same packaged model."""
    import time

    started = time.perf_counter()
    from datasets import load_dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.base.sampler import BatchSamplers
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    from embedtune.models import resolve_model  # only to find the same weights on disk

    settings = config.train
    train_path = read_manifest(pairs_dir)["train_path"]
    dataset = load_dataset("json", data_files=train_path, split="train")
    dataset = dataset.select_columns(["anchor", "positive"])
    model = SentenceTransformer(resolve_model(settings.base_model), device="cpu")
    # Same settings as the train stage: on CPU it recomputes activations to stay under 3 GiB.
    model[0].auto_model.activation_checkpointing_enable({"use_reentrant": False})
    batch_size = min(settings.batch_size, len(dataset))
    args = SentenceTransformerTrainingArguments(
        output_dir=str(out / "checkpoints"),
        num_train_epochs=settings.epochs,
        max_steps=settings.max_steps,
        per_device_train_batch_size=batch_size,
        learning_rate=settings.learning_rate,
        warmup_steps=max(1, settings.max_steps // 10),  # embedtune's cap for short runs
        seed=settings.seed,
        batch_sampler=BatchSamplers.NO_DUPLICATES,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=dataset,
                                         loss=MultipleNegativesRankingLoss(model))
    train_seconds, _ = common.timed(trainer.train)
    model.save_pretrained(str(out / "model"))
    return {"train_seconds": train_seconds, "wall_seconds": time.perf_counter() - started,
            "steps": int(trainer.state.global_step), "batch_size": batch_size,
            "pairs": len(dataset), "device": str(model.device)}


def child(side: str, pairs_dir: Path, out: Path, max_steps: int, batch_size: int) -> int:
    config = bench_config(max_steps, batch_size)
    if config.train.device == "auto":
        config.train.device = "cpu"  # the benchmark machine is a CPU box; keep both sides equal
    run = run_embedtune if side == "embedtune" else run_baseline
    print(json.dumps(run(pairs_dir, out, config)))
    return 0


def run_child(side: str, pairs_dir: Path, scratch: Path, max_steps: int,
              batch_size: int) -> dict:
    out = Path(tempfile.mkdtemp(prefix=f"{side}-", dir=scratch))
    command = [common.PYTHON, __file__, "--child", side, "--pairs-dir", str(pairs_dir),
               "--out", str(out), "--max-steps", str(max_steps), "--batch-size", str(batch_size)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{side} run failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["samples_per_s"] = result["steps"] * result["batch_size"] / result["train_seconds"]
    return result


def make_pairs(corpus_pdf: Path, scratch: Path, config: EmbedtuneConfig) -> Path:
    pdf_dir = scratch / "pdfs"
    common.link_into([corpus_pdf], pdf_dir)
    log.info("making pairs once: %s on %s", "..".join(PRE_TRAINING[::3]), corpus_pdf.name)
    summaries = common.run_stages(pdf_dir, scratch / "artifacts", "pairs-once", PRE_TRAINING,
                                  config)
    return Path(summaries["pairs"]["dir"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_common_args(parser)
    parser.add_argument("--pairs-dir", type=Path, default=None,
                        help="a run's pairs/ folder to train on (default: make pairs from the "
                             "reference corpus)")
    parser.add_argument("--max-steps", type=int, default=20, help="optimizer steps (default 20)")
    parser.add_argument("--batch-size", type=int, default=32, help="(default 32, the default)")
    parser.add_argument("--repeats", type=int, default=3, help="median of this many (default 3)")
    parser.add_argument("--child", choices=["embedtune", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    common.setup_logging(args.verbose)
    if args.child:
        return child(args.child, args.pairs_dir, args.out, args.max_steps, args.batch_size)
    if not common.check_write_docs(args):
        return 2
    with tempfile.TemporaryDirectory(prefix="embedtune-bench-train-") as tmp:
        scratch = Path(tmp)
        pairs_dir = args.pairs_dir
        if pairs_dir is None:
            source = common.source_pdf(args.corpus, scratch, args.pages)
            if source is None:
                return 0
            pairs_dir = make_pairs(source, scratch,
                                   bench_config(args.max_steps, args.batch_size))
        ours: list[dict] = []
        bare: list[dict] = []
        for repeat in range(args.repeats):
            order = ["embedtune", "baseline"] if repeat % 2 == 0 else ["baseline", "embedtune"]
            for side in order:
                result = run_child(side, pairs_dir, scratch, args.max_steps, args.batch_size)
                (ours if side == "embedtune" else bare).append(result)
                log.info("repeat %d %s: %d steps × %d in %.1fs train() (%.1fs wall): "
                         "%.1f samples/s", repeat + 1, side, result["steps"],
                         result["batch_size"], result["train_seconds"],
                         result["wall_seconds"], result["samples_per_s"])
    rows = []
    medians = {}
    for name, results in (("embedtune train_model", ours), ("bare SentenceTransformerTrainer",
                                                            bare)):
        sps = common.median([r["samples_per_s"] for r in results])
        wall = common.median([r["wall_seconds"] for r in results])
        medians[name] = (sps, wall)
        rows.append([name, results[0]["pairs"], results[0]["steps"], results[0]["batch_size"],
                     results[0]["device"], f"{sps:.1f}", f"{1000 / sps:.1f}", f"{wall:.1f}"])
    (our_sps, our_wall), (bare_sps, bare_wall) = medians.values()
    ratio = our_sps / bare_sps
    table = common.markdown_table(
        ["trainer", "pairs", "steps", "batch", "device", "samples/s (train())",
         "s per 1,000 pairs per epoch", "wall s (load + train + save)"], rows)
    table += "\n\n" + common.markdown_table(
        ["ratio samples/s (embedtune ÷ bare)", "target", "met", "wall ratio (bare ÷ embedtune)"],
        [[f"{ratio:.3f}", f"≥ {TARGET}", common.verdict(ratio >= TARGET),
          f"{bare_wall / our_wall:.3f}"]])
    print(table)
    if args.write_docs:
        common.write_docs_section(
            MARKER, "Training speed (embedtune vs bare SentenceTransformerTrainer)", table,
            f"Median of {args.repeats} runs per side, each in a fresh process, sides "
            "alternating. samples/s = steps × batch size ÷ seconds in `trainer.train()`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
