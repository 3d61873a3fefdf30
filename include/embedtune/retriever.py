"""Retrieval for the RAG app: the current production model over a chunk folder.

The swap in an application is two lines::

    from embedtune import Retriever
    retriever = Retriever.from_registry("artifacts/")      # was: SentenceTransformer(base_model)
    hits = retriever.search("Who is accountable when a hiring model discriminates?", k=5)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedtune.artifacts import read_json, read_jsonl
from embedtune.errors import RegistryError

log = logging.getLogger(__name__)


@dataclass
class Hit:
    score: float
    chunk_id: str
    file: str
    page_start: int
    page_end: int
    text: str


class Retriever:
    """Embeds a chunk corpus once with one model; answers top-k queries with provenance."""

    def __init__(self, model: str | Path | Any, chunks_path: str | Path, device: str = "auto",
                 batch_size: int = 64):
        from embedtune.models import load_model

        self.model = load_model(str(model), device) if isinstance(model, (str, Path)) else model
        self.chunks = list(read_jsonl(chunks_path))
        if not self.chunks:
            raise RegistryError(f"no chunks in {chunks_path}")
        self.embeddings = self.model.encode([c["text"] for c in self.chunks],
                                            batch_size=batch_size, convert_to_tensor=True,
                                            normalize_embeddings=True,
                                            show_progress_bar=len(self.chunks) > 500)

    @classmethod
    def from_registry(cls, artifacts_root: str | Path, chunks_path: str | Path | None = None,
                      hub_repo: str | None = None, **kwargs: Any) -> Retriever:
        """The production model: a Hub repo's `production` ref if named, else the local
        registry's current model; chunks default to those of the promoted run."""
        from embedtune.registry import current_model

        root = Path(artifacts_root)
        current = current_model(root / "registry")
        if current is None and hub_repo is None:
            raise RegistryError(f"no promoted model in {root / 'registry'}: run the pipeline "
                                "first (a model is promoted only when it beats the base model)")
        if chunks_path is None:
            if current is None:
                raise RegistryError("give chunks_path: there is no local run to take it from")
            run_dir = root / "runs" / current.name
            chunks_path = read_json(run_dir / "themes" / "manifest.json")["chunks_path"]
        model: Any = current
        if hub_repo:
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(hub_repo, revision="production")
        return cls(model, chunks_path, **kwargs)

    def search(self, question: str, k: int = 5) -> list[Hit]:
        import torch

        query = self.model.encode([question], convert_to_tensor=True, normalize_embeddings=True)
        scores = (query @ self.embeddings.T)[0]
        top = torch.topk(scores, min(k, len(self.chunks)))
        hits = []
        for score, index in zip(top.values.tolist(), top.indices.tolist(), strict=True):
            chunk = self.chunks[index]
            hits.append(Hit(round(score, 4), chunk["chunk_id"], chunk["file"],
                            chunk["page_start"], chunk["page_end"], chunk["text"]))
        return hits
