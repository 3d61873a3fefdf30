"""Training: real sentence-transformers steps on a tiny pair set; resume and corrupt checkpoints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedtune.artifacts import read_jsonl, write_jsonl, write_manifest
from embedtune.config import EmbedtuneConfig
from embedtune.models import pick_device
from embedtune.training import (
    CHECKPOINT_DIR,
    build_trainer,
    latest_checkpoint,
    load_train_dataset,
    train_model,
)

FACTS = [
    ("Who audits hiring models?", "Hiring models are audited for disparate impact twice a year."),
    ("How fast are breaches reported?", "Data breaches are reported within seventy two hours."),
    ("Where are weights stored?", "Model weights are stored encrypted with quarterly reviews."),
    ("What do red teams test?", "Red teams test chatbots for prompt injection before launch."),
    ("How is energy use tracked?", "Teams estimate the energy use of every training run."),
    ("Can candidates appeal?", "Candidates may ask for a human review of automated rejections."),
    ("What must vendors disclose?", "Vendors must disclose every subprocessor before signing."),
    ("How long are prompts kept?", "Raw prompts are kept for at most ninety days."),
]


def _pairs_dir(tmp_path: Path) -> Path:
    pairs_dir = tmp_path / "pairs"
    rows = [{"anchor": q, "positive": p, "chunk_id": f"c{i}", "generator": "test"}
            for i, (q, p) in enumerate(FACTS)]
    write_jsonl(pairs_dir / "train.jsonl", rows)
    write_manifest(pairs_dir, {"stage": "pairs", "train_path": str(pairs_dir / "train.jsonl"),
                               "generator": "test"})
    return pairs_dir


def _config(**overrides) -> EmbedtuneConfig:
    config = EmbedtuneConfig().with_overrides({"batch_size": 4, "epochs": 1, "device": "cpu",
                                               **overrides})
    config.train.checkpoint_steps = 2
    return config


@pytest.mark.slow
def test_training_runs_saves_a_loadable_model_with_our_card(tmp_path) -> None:
    result = train_model(_pairs_dir(tmp_path), tmp_path / "train", _config(max_steps=2))
    assert result["steps"] == 2 and result["device"] == "cpu"
    assert result["warmup_steps"] == 1  # 100 design steps capped to 10% of a tiny run
    model_dir = Path(result["model_dir"])
    card = (model_dir / "README.md").read_text()
    assert "sentence-transformers/all-MiniLM-L6-v2" in card
    for _, passage in FACTS:  # no raw training text in the card by default
        assert passage not in card
    losses = list(read_jsonl(result["loss_path"]))
    assert losses and all(point["loss"] > 0 for point in losses)
    assert not (tmp_path / "train" / CHECKPOINT_DIR).exists()  # only for resuming
    from sentence_transformers import SentenceTransformer

    assert SentenceTransformer(str(model_dir), device="cpu").encode(["x"]).shape == (1, 384)


def _leave_checkpoint(tmp_path: Path, steps: int) -> Path:
    """Train `steps` steps the way the stage does and keep the checkpoint (a killed task)."""
    from sentence_transformers import SentenceTransformer

    from embedtune.models import resolve_model

    config = _config(max_steps=steps)
    model = SentenceTransformer(resolve_model(config.train.base_model), device="cpu")
    dataset = load_train_dataset(tmp_path / "pairs" / "train.jsonl")
    trainer = build_trainer(model, dataset, tmp_path / "train", config, pick_device("cpu"))
    trainer.train()
    checkpoint = latest_checkpoint(tmp_path / "train" / CHECKPOINT_DIR)
    assert checkpoint is not None and checkpoint.name == f"checkpoint-{steps}"
    return checkpoint


@pytest.mark.slow
def test_a_retried_task_resumes_from_its_last_checkpoint(tmp_path) -> None:
    _pairs_dir(tmp_path)
    checkpoint = _leave_checkpoint(tmp_path, 2)
    result = train_model(tmp_path / "pairs", tmp_path / "train", _config(max_steps=4))
    assert result["resumed_from"] == str(checkpoint)
    assert result["steps"] == 4
    state = json.loads(Path(result["manifest"]).read_text())
    assert state["epochs_done"] > 0


@pytest.mark.slow
def test_a_corrupt_checkpoint_is_never_resumed_from(tmp_path) -> None:
    _pairs_dir(tmp_path)
    checkpoint = _leave_checkpoint(tmp_path, 2)
    weights = next(checkpoint.glob("**/model.safetensors"))
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) - 4096])  # killed mid-write: header intact, data cut
    result = train_model(tmp_path / "pairs", tmp_path / "train", _config(max_steps=2))
    assert result["resumed_from"] == ""
    assert result["steps"] == 2


def test_train_needs_two_pairs(tmp_path) -> None:
    from embedtune.errors import DataError

    pairs_dir = tmp_path / "pairs"
    write_jsonl(pairs_dir / "train.jsonl", [{"anchor": "a", "positive": "b"}])
    write_manifest(pairs_dir, {"stage": "pairs", "train_path": str(pairs_dir / "train.jsonl")})
    with pytest.raises(DataError, match="at least 2"):
        train_model(pairs_dir, tmp_path / "train", _config())
