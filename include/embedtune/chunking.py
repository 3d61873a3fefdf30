"""Stage 2, chunk: sentence-aware chunks measured with the model's own tokenizer.

Every chunk fits the model's window (max_seq_length word pieces, special tokens included), so
nothing is silently truncated at training or search time. A chunk keeps its file, page span,
the section heading it sits under, and a stable id (hash of its source and text).
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedtune.artifacts import (
    StageTimer,
    read_jsonl,
    read_manifest,
    sha256_text,
    stage_summary,
    write_jsonl,
    write_manifest,
)
from embedtune.config import EmbedtuneConfig
from embedtune.errors import ConfigError, DataError
from embedtune.models import load_tokenizer

log = logging.getLogger(__name__)

STAGE = "chunk"
CHUNKS_FILE = "chunks.jsonl"

# A sentence ends at . ! ? (optionally followed by a quote/bracket) before an upper-case start.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")
_NUMBERED_HEADING = re.compile(r"^(\d+(\.\d+)*\.?|[A-Z]\.|Appendix [A-Z0-9]+:?)\s+[A-Z]")
_LIST_ITEM = re.compile(r"^([-•●▪◦*]|\(?[a-z0-9]{1,2}[.)])\s+")


@dataclass
class Unit:
    """A sentence or heading: the smallest piece a chunk is packed from."""

    text: str
    page: int
    tokens: int = 0
    heading: bool = False
    #: The heading this unit sits under.
    section: str = ""


def looks_like_heading(line: str) -> bool:
    words = line.split()
    if not words or len(line) > 90 or line[-1] in ".,;:":
        return False
    if _NUMBERED_HEADING.match(line):
        return True
    # Short Title Case or ALL CAPS lines with no sentence punctuation.
    capitals = sum(1 for word in words if word[:1].isupper())
    return len(words) <= 8 and capitals >= max(1, int(0.6 * len(words)))


def page_units(text: str, page: int) -> Iterator[Unit]:
    """Split a page into headings and sentences; PDF line breaks inside sentences are joined."""
    paragraph: list[str] = []

    def flush() -> Iterator[Unit]:
        if paragraph:
            joined = " ".join(paragraph)
            for sentence in _SENTENCE_END.split(joined):
                if sentence.strip():
                    yield Unit(sentence.strip(), page)
            paragraph.clear()

    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if looks_like_heading(line):
            yield from flush()
            yield Unit(line, page, heading=True)
        elif _LIST_ITEM.match(line) and paragraph and paragraph[-1][-1:] in ".;:":
            yield from flush()
            paragraph.append(line)
        else:
            paragraph.append(line)
    yield from flush()


class Chunker:
    def __init__(self, tokenizer: Any, max_tokens: int, overlap_tokens: int, min_tokens: int):
        self.tokenizer = tokenizer
        # [CLS] and [SEP] (or the model's equivalents) take window space too.
        self.budget = max_tokens - tokenizer.num_special_tokens_to_add(pair=False)
        self.overlap = overlap_tokens
        self.min_tokens = min_tokens

    def count(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.tokenizer(texts, add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def _split_long(self, unit: Unit) -> list[Unit]:
        """A sentence longer than the window is cut at word boundaries (never truncated)."""
        words = unit.text.split()
        pieces: list[Unit] = []
        current: list[str] = []
        for word in words:
            candidate = " ".join([*current, word])
            if current and self.count([candidate])[0] > self.budget:
                pieces.append(Unit(" ".join(current), unit.page, section=unit.section))
                current = [word]
            else:
                current.append(word)
        if current:
            pieces.append(Unit(" ".join(current), unit.page))
        for piece, tokens in zip(pieces, self.count([p.text for p in pieces]), strict=True):
            piece.tokens = tokens
        return pieces

    def chunk_document(self, pages: list[dict]) -> Iterator[dict]:
        units = [unit for row in pages for unit in page_units(row["text"], row["page"])]
        for unit, tokens in zip(units, self.count([u.text for u in units]), strict=True):
            unit.tokens = tokens
        units = list(itertools.chain.from_iterable(
            self._split_long(u) if u.tokens > self.budget else [u] for u in units
        ))
        section = ""
        for unit in units:
            if unit.heading:
                section = unit.text
            unit.section = section
        current: list[Unit] = []
        used = 0
        for unit in units:
            if current and used + unit.tokens + 1 > self.budget:
                yield from self._emit(current)
                current, used = self._overlap_tail(current)
            current.append(unit)
            used += unit.tokens + 1
        if current:
            yield from self._emit(current)

    def _overlap_tail(self, units: list[Unit]) -> tuple[list[Unit], int]:
        tail: list[Unit] = []
        used = 0
        for unit in reversed(units):
            if unit.heading or used + unit.tokens + 1 > self.overlap:
                break
            tail.insert(0, unit)
            used += unit.tokens + 1
        return tail, used

    def _emit(self, units: list[Unit]) -> Iterator[dict]:
        # Re-measure the joined text: joining can merge word pieces differently.
        while units:
            text = " ".join(unit.text for unit in units)
            tokens = self.count([text])[0]
            if tokens <= self.budget or len(units) == 1:
                break
            units = units[:-1]
        if tokens < self.min_tokens and all(unit.heading for unit in units):
            return  # a lone heading at the end of a file carries no content
        yield {
            "text": text,
            "tokens": tokens,
            "page_start": units[0].page,
            "page_end": units[-1].page,
            "heading": units[0].section,
        }


def chunk_pages(ingest_dir: str | Path, out_dir: str | Path, config: EmbedtuneConfig,
                cache_dir: str | Path | None = None) -> dict:
    """Chunk the ingested pages one document at a time (memory stays flat). With a cache
    folder, a document already chunked with the same settings is reused, so adding one PDF
    chunks only that PDF."""
    ingest_dir, out_dir = Path(ingest_dir), Path(out_dir)
    ingest_manifest = read_manifest(ingest_dir)
    tokenizer, model_max = load_tokenizer(config.train.base_model)
    max_tokens = min(config.chunk.max_tokens or model_max, model_max)
    if config.chunk.overlap_tokens >= max_tokens:
        raise ConfigError("chunk.overlap_tokens must be smaller than the chunk length")
    chunker = Chunker(tokenizer, max_tokens, config.chunk.overlap_tokens, config.chunk.min_tokens)
    settings_key = config.section_hash("ingest", "chunk", extra=config.train.base_model)
    per_file: dict[str, int] = {}
    reused: list[str] = []

    def document_chunks(file_name: str, pages: list[dict]) -> list[dict]:
        cached = Path(cache_dir) / f"{pages[0]['sha256']}-{settings_key}.jsonl" \
            if cache_dir else None
        if cached and cached.exists():
            reused.append(file_name)
            return [{**chunk, "file": file_name} for chunk in read_jsonl(cached)]
        found = []
        for index, chunk in enumerate(chunker.chunk_document(pages)):
            chunk_id = sha256_text(pages[0]["sha256"], str(index), chunk["text"])[:16]
            found.append({"chunk_id": chunk_id, "file": file_name, "sha256": pages[0]["sha256"],
                          **chunk})
        if cached:
            write_jsonl(cached, found)
        return found

    def chunks() -> Iterator[dict]:
        rows = read_jsonl(ingest_manifest["pages_path"])
        for file_name, pages in itertools.groupby(rows, key=lambda row: row["file"]):
            found = document_chunks(file_name, list(pages))
            per_file[file_name] = len(found)
            yield from found

    with StageTimer() as timer:
        from tqdm.auto import tqdm

        progress = tqdm(chunks(), desc="chunk", unit="chunk", disable=None)  # None: TTY only
        total = write_jsonl(out_dir / CHUNKS_FILE, progress)
    if total == 0:
        raise DataError("chunking produced no chunks: the ingested text is empty")
    manifest = {
        "stage": STAGE,
        "chunks_path": str(out_dir / CHUNKS_FILE),
        "chunks": total,
        "max_tokens": max_tokens,
        "overlap_tokens": config.chunk.overlap_tokens,
        "tokenizer": config.train.base_model,
        "chunks_per_file": per_file,
        "files_from_cache": len(reused),
        "ingest_manifest": ingest_manifest.get("pages_path", ""),
        "config_hash": settings_key,
        "seconds": timer.seconds,
    }
    write_manifest(out_dir, manifest)
    log.info("%d chunks of at most %d word pieces", total, max_tokens)
    return stage_summary(out_dir, manifest)
