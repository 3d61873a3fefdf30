"""Stage 5, train: fine-tune the base model on the synthetic pairs.

The current sentence-transformers API: `SentenceTransformerTrainer` with
`MultipleNegativesRankingLoss` and the no-duplicates batch sampler, because MNRL treats every
other passage in a batch as a negative: the same chunk twice in one batch would teach the
model that a passage is not relevant to its own question.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import sys
from pathlib import Path
from typing import Any

from embedtune.artifacts import (
    StageTimer,
    atomic_dir,
    read_manifest,
    stage_summary,
    write_jsonl,
    write_manifest,
)
from embedtune.config import EmbedtuneConfig
from embedtune.errors import DataError
from embedtune.model_card import card_facts, embedtune_card_for, measure_model
from embedtune.models import pick_device, resolve_model

log = logging.getLogger(__name__)

STAGE = "train"
MODEL_DIR = "model"
CHECKPOINT_DIR = "checkpoints"
LOSS_FILE = "loss.jsonl"


def valid_checkpoint(path: Path) -> bool:
    """A checkpoint is usable only if its state and weights are complete and readable."""
    try:
        state = json.loads((path / "trainer_state.json").read_text())
        if "global_step" not in state:
            return False
        weights = list(path.glob("**/model.safetensors"))
        if not weights or not (path / "optimizer.pt").exists():
            return False
        return all(_complete_safetensors(weight_file) for weight_file in weights)
    except (OSError, ValueError, UnicodeDecodeError):
        return False


def _complete_safetensors(path: Path) -> bool:
    """The header parses and the file is as long as the tensors it declares (not cut off)."""
    with open(path, "rb") as handle:
        header_length = int.from_bytes(handle.read(8), "little")
        if header_length <= 0 or header_length > 100_000_000:
            return False
        header = json.loads(handle.read(header_length))
    data_end = max((entry["data_offsets"][1] for name, entry in header.items()
                    if name != "__metadata__"), default=0)
    return path.stat().st_size >= 8 + header_length + data_end


def latest_checkpoint(checkpoint_root: Path) -> Path | None:
    """The newest valid checkpoint; corrupt ones (a task killed mid-save) are removed."""
    if not checkpoint_root.is_dir():
        return None
    candidates = sorted(
        (p for p in checkpoint_root.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()),
        key=lambda p: int(p.name.split("-")[-1]),
        reverse=True,
    )
    for candidate in candidates:
        if valid_checkpoint(candidate):
            return candidate
        log.warning("removing corrupt checkpoint %s", candidate)
        shutil.rmtree(candidate, ignore_errors=True)
    return None


def _precision_flags(device: str, precision: str) -> dict[str, bool]:
    if not device.startswith("cuda") or precision == "no":
        return {"bf16": False, "fp16": False}
    if precision == "auto":
        import torch

        precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return {"bf16": precision == "bf16", "fp16": precision == "fp16"}


class _LossRecorder:
    """Collects the trainer's logged loss per step, for the report's loss curve."""

    def __init__(self) -> None:
        from transformers import TrainerCallback

        recorder = self

        class Callback(TrainerCallback):
            def on_log(self, args: Any, state: Any, control: Any, logs: Any = None,
                       **kwargs: Any) -> None:
                if logs and "loss" in logs:
                    recorder.points.append({"step": state.global_step, "epoch": logs.get("epoch"),
                                            "loss": float(logs["loss"])})
                    log.info("step %d/%d loss %.4f", state.global_step, state.max_steps,
                             logs["loss"])

        self.points: list[dict] = []
        self.callback = Callback()


def build_trainer(model: Any, train_dataset: Any, out_dir: Path, config: EmbedtuneConfig,
                  device: str, callbacks: list | None = None) -> Any:
    """The SentenceTransformerTrainer exactly as the train stage configures it (also used by
    the training benchmark, so both measure the same thing)."""
    from sentence_transformers import (
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.base.sampler import BatchSamplers
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    settings = config.train
    batch_size = min(settings.batch_size, len(train_dataset))
    steps_per_epoch = math.ceil(len(train_dataset) / batch_size)
    total_steps = settings.max_steps or steps_per_epoch * settings.epochs
    # The design's 100 warmup steps would never finish on a small corpus: cap at 10% of steps.
    warmup = min(settings.warmup_steps, max(1, total_steps // 10))
    args = SentenceTransformerTrainingArguments(
        output_dir=str(out_dir / CHECKPOINT_DIR),
        num_train_epochs=settings.epochs,
        max_steps=settings.max_steps or -1,
        per_device_train_batch_size=batch_size,
        learning_rate=settings.learning_rate,
        warmup_steps=warmup,
        seed=settings.seed,
        batch_sampler=BatchSamplers.NO_DUPLICATES,
        # Workers would fork inside Airflow's (daemonic) task process: load in-process.
        dataloader_num_workers=0,
        use_cpu=device == "cpu",
        save_strategy="steps",
        save_steps=settings.checkpoint_steps,
        save_total_limit=settings.save_total_limit,
        logging_steps=max(1, min(10, total_steps // 20 or 1)),
        report_to="none",
        # Progress bars only on a terminal: in Airflow task logs every redraw is a log line
        # (the loss is logged every few steps instead).
        disable_tqdm=not sys.stderr.isatty(),
        **_precision_flags(device, settings.precision),
    )
    checkpointing = settings.gradient_checkpointing == "on" or (
        settings.gradient_checkpointing == "auto" and device == "cpu")
    transformer = model[0].auto_model
    if checkpointing:
        # transformers 5 renamed gradient_checkpointing_enable; use whichever this one has.
        if hasattr(transformer, "activation_checkpointing_enable"):
            transformer.activation_checkpointing_enable({"use_reentrant": False})
        elif hasattr(transformer, "gradient_checkpointing_enable"):
            transformer.gradient_checkpointing_enable(
                gradient_checkpointing_kwargs={"use_reentrant": False})
    loss = MultipleNegativesRankingLoss(model)
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train_dataset,
                                         loss=loss, callbacks=callbacks or [])
    trainer.embedtune_warmup_steps = warmup
    trainer.embedtune_gradient_checkpointing = checkpointing
    return trainer


def load_train_dataset(train_path: str | Path) -> Any:
    import datasets
    from datasets import load_dataset

    if not sys.stderr.isatty():
        datasets.disable_progress_bars()
    dataset = load_dataset("json", data_files=str(train_path), split="train")
    return dataset.select_columns(["anchor", "positive"])


def train_model(pairs_dir: str | Path, out_dir: str | Path, config: EmbedtuneConfig) -> dict:
    """Fine-tune; writes out_dir/model (a SentenceTransformer folder) and the loss curve."""
    from sentence_transformers import SentenceTransformer, SentenceTransformerModelCardData

    pairs_dir, out_dir = Path(pairs_dir), Path(out_dir)
    pairs_manifest = read_manifest(pairs_dir)
    settings = config.train
    device = pick_device(settings.device)
    train_dataset = load_train_dataset(pairs_manifest["train_path"])
    if len(train_dataset) < 2:
        raise DataError("need at least 2 training pairs for in-batch negatives")
    model = SentenceTransformer(
        resolve_model(settings.base_model),
        device=device,
        # No widget examples: they would copy raw text of private PDFs into the model card.
        model_card_data=SentenceTransformerModelCardData(
            language="en", generate_widget_examples=False,
            model_name=f"embedtune fine-tune of {settings.base_model}",
        ),
    )
    recorder = _LossRecorder()
    trainer = build_trainer(model, train_dataset, out_dir, config, device, [recorder.callback])
    resume = latest_checkpoint(out_dir / CHECKPOINT_DIR)
    if resume:
        log.info("resuming from %s", resume)
    log.info("training on %s: %d pairs, batch %d, %d epochs, max_steps %s", device,
             len(train_dataset), trainer.args.per_device_train_batch_size, settings.epochs,
             settings.max_steps or "-")
    with StageTimer() as timer:
        result = trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    with atomic_dir(out_dir / MODEL_DIR) as tmp:
        model.save_pretrained(str(tmp))
    write_jsonl(out_dir / LOSS_FILE, recorder.points)
    samples = len(train_dataset) * trainer.state.epoch if trainer.state.epoch else 0
    manifest = {
        "stage": STAGE,
        "model_dir": str(out_dir / MODEL_DIR),
        "loss_path": str(out_dir / LOSS_FILE),
        "base_model": settings.base_model,
        "device": device,
        "pairs": len(train_dataset),
        "generator": pairs_manifest.get("generator", ""),
        "epochs": settings.epochs,
        "epochs_done": round(float(trainer.state.epoch or 0), 3),
        "steps": int(trainer.state.global_step),
        "batch_size": trainer.args.per_device_train_batch_size,
        "learning_rate": settings.learning_rate,
        "warmup_steps": trainer.embedtune_warmup_steps,
        "gradient_checkpointing": trainer.embedtune_gradient_checkpointing,
        "max_steps": settings.max_steps,
        "seed": settings.seed,
        "resumed_from": str(resume) if resume else "",
        "final_loss": round(float(result.training_loss), 5),
        "train_seconds": timer.seconds,
        "samples_per_second": round(samples / timer.seconds, 2) if timer.seconds else 0.0,
        "max_seq_length": int(model.max_seq_length),
        "seconds": timer.seconds,
    }
    # Measured once here, where the model is loaded anyway: the card's size/speed facts.
    manifest["model_stats"] = measure_model(model, device=device)
    # Our card replaces the auto-generated one, which embeds sample rows of the training data
    # (raw PDF text); evaluation metrics are added to it when the model is published.
    embedtune_card_for(out_dir / MODEL_DIR,
                       card_facts(manifest, None, config, run_id=out_dir.parent.name))
    write_manifest(out_dir, manifest)
    # Checkpoints are only for resuming this task; the saved model is the artifact.
    shutil.rmtree(out_dir / CHECKPOINT_DIR, ignore_errors=True)
    log.info("trained %d steps in %.1fs (%.1f samples/s), final loss %.4f", manifest["steps"],
             timer.seconds, manifest["samples_per_second"], manifest["final_loss"])
    return stage_summary(out_dir, manifest)
