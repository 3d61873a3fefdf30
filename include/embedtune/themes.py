"""Stage 3, theme: keyword theming of chunks from a lexicon {theme: [keywords, phrases]}.

Matching is case-insensitive on word boundaries; a phrase matches across any whitespace; a
chunk gets every theme whose keywords it contains (multi-label).
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from embedtune.artifacts import (
    StageTimer,
    read_jsonl,
    read_manifest,
    sha256_file,
    sha256_text,
    stage_summary,
    write_jsonl,
    write_manifest,
)
from embedtune.config import EmbedtuneConfig
from embedtune.errors import ConfigError

log = logging.getLogger(__name__)

STAGE = "theme"
THEMED_FILE = "chunks.jsonl"
LEXICON_NAME = "themes.yaml"
#: The lexicon shipped with the sample PDFs: used when neither config nor PDF folder has one.
PROJECT_LEXICON = Path(__file__).resolve().parents[2] / "resources" / LEXICON_NAME


def find_lexicon(config: EmbedtuneConfig, pdf_dir: str | Path | None = None) -> Path:
    if config.themes.lexicon_path:
        path = Path(config.themes.lexicon_path)
        if not path.is_file():
            raise ConfigError(f"theme lexicon not found: {path}")
        return path
    if pdf_dir and (Path(pdf_dir) / LEXICON_NAME).is_file():
        return Path(pdf_dir) / LEXICON_NAME
    if PROJECT_LEXICON.is_file():
        return PROJECT_LEXICON
    raise ConfigError("no theme lexicon: set themes.lexicon_path (a YAML {theme: [keywords]})")


def load_lexicon(path: str | Path) -> dict[str, list[str]]:
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not data:
        raise ConfigError(f"{path}: a theme lexicon is a mapping of theme -> list of keywords")
    lexicon: dict[str, list[str]] = {}
    for theme, keywords in data.items():
        if isinstance(keywords, str):
            keywords = [keywords]
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise ConfigError(f"{path}: theme {theme!r} needs a list of keyword strings")
        lexicon[str(theme)] = [k.strip() for k in keywords if k.strip()]
    return lexicon


def compile_lexicon(lexicon: dict[str, list[str]]) -> dict[str, re.Pattern[str]]:
    patterns = {}
    for theme, keywords in lexicon.items():
        # Longest first so "data privacy" wins over "data" in the reported hits.
        alternatives = sorted({r"\s+".join(map(re.escape, k.split())) for k in keywords},
                              key=len, reverse=True)
        if alternatives:
            patterns[theme] = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)",
                                         re.IGNORECASE)
    return patterns


def match_themes(text: str, patterns: dict[str, re.Pattern[str]]) -> dict[str, list[str]]:
    """Theme -> the distinct keywords (lower-cased) found in the text."""
    hits = {}
    for theme, pattern in patterns.items():
        found = sorted({" ".join(m.group(0).lower().split()) for m in pattern.finditer(text)})
        if found:
            hits[theme] = found
    return hits


def theme_chunks(chunks_dir: str | Path, out_dir: str | Path, config: EmbedtuneConfig,
                 pdf_dir: str | Path | None = None, cache_dir: str | Path | None = None) -> dict:
    """Theme every chunk. With a cache folder, a document whose chunks and lexicon are unchanged
    reuses its themed chunks, so adding one PDF themes only that PDF's chunks."""
    chunks_dir, out_dir = Path(chunks_dir), Path(out_dir)
    chunk_manifest = read_manifest(chunks_dir)
    lexicon_path = find_lexicon(config, pdf_dir)
    lexicon_key = sha256_file(lexicon_path)
    patterns = compile_lexicon(load_lexicon(lexicon_path))
    per_theme: Counter[str] = Counter()
    unthemed = 0
    reused = 0

    def themed_document(chunks: list[dict]) -> list[dict]:
        nonlocal reused
        key = sha256_text(lexicon_key, *(chunk["chunk_id"] for chunk in chunks))
        cached = Path(cache_dir) / f"{key}.jsonl" if cache_dir else None
        if cached and cached.exists():
            reused += 1
            return list(read_jsonl(cached))
        for chunk in chunks:
            hits = match_themes(chunk["text"], patterns)
            chunk["themes"] = sorted(hits)
            chunk["theme_keywords"] = hits
        if cached:
            write_jsonl(cached, chunks)
        return chunks

    def themed() -> Iterator[dict]:
        nonlocal unthemed
        rows = read_jsonl(chunk_manifest["chunks_path"])
        for _, chunks in itertools.groupby(rows, key=lambda chunk: chunk["file"]):
            for chunk in themed_document(list(chunks)):
                per_theme.update(chunk["themes"])
                unthemed += not chunk["themes"]
                yield chunk

    with StageTimer() as timer:
        total = write_jsonl(out_dir / THEMED_FILE, themed())
    manifest = {
        "stage": STAGE,
        "chunks_path": str(out_dir / THEMED_FILE),
        "lexicon": str(lexicon_path),
        "chunks": total,
        "themes": len(patterns),
        "chunks_per_theme": dict(sorted(per_theme.items())),
        "chunks_without_theme": unthemed,
        "files_from_cache": reused,
        "seconds": timer.seconds,
    }
    write_manifest(out_dir, manifest)
    log.info("themed %d chunks: %d without a theme; per theme %s", total, unthemed,
             dict(per_theme.most_common()))
    return stage_summary(out_dir, manifest)
