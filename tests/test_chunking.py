from __future__ import annotations

import itertools

from embedtune.artifacts import read_jsonl, write_jsonl, write_manifest
from embedtune.chunking import Chunker, chunk_pages, looks_like_heading, page_units
from embedtune.config import EmbedtuneConfig
from embedtune.models import load_tokenizer


def _tokenizer():
    return load_tokenizer("sentence-transformers/all-MiniLM-L6-v2")


def test_default_model_window_is_256_word_pieces() -> None:
    _, max_len = _tokenizer()
    assert max_len == 256


def test_headings_and_sentences_are_units() -> None:
    text = ("3.2 Incident Reporting\nTeams should report incidents within 72\nhours. "
            "Reports go to the board.")
    units = list(page_units(text, 4))
    assert units[0].heading and units[0].text == "3.2 Incident Reporting"
    assert [u.text for u in units[1:]] == [
        "Teams should report incidents within 72 hours.",
        "Reports go to the board.",
    ]
    assert all(u.page == 4 for u in units)
    assert not looks_like_heading("This is an ordinary sentence that ends with a period.")


def _long_document() -> list[dict]:
    sentence = ("Model owners must document the intended use, the training data sources and the "
                "known limitations of every deployed model number {n}.")
    pages = []
    for page in range(1, 6):
        text = f"Section {page} Risk Register\n" + " ".join(
            sentence.format(n=page * 100 + i) for i in range(12))
        pages.append({"file": "a.pdf", "sha256": "x", "page": page, "text": text})
    return pages


def test_chunks_fit_the_window_measured_with_the_tokenizer() -> None:
    tokenizer, _ = _tokenizer()
    # Overlap is made of whole sentences (~30 word pieces here).
    chunker = Chunker(tokenizer, max_tokens=96, overlap_tokens=40, min_tokens=4)
    chunks = list(chunker.chunk_document(_long_document()))
    assert len(chunks) > 5
    for chunk in chunks:
        with_specials = len(tokenizer(chunk["text"])["input_ids"])
        assert with_specials <= 96, chunk
        assert chunk["page_start"] <= chunk["page_end"]
    # Overlap: consecutive chunks share their boundary sentence.
    shared = sum(1 for a, b in itertools.pairwise(chunks)
                 if b["text"].startswith(a["text"].split(". ")[-1]))
    assert shared >= len(chunks) // 2


def test_a_sentence_longer_than_the_window_is_split_not_truncated() -> None:
    tokenizer, _ = _tokenizer()
    words = [f"word{i}" for i in range(300)]
    chunker = Chunker(tokenizer, max_tokens=64, overlap_tokens=0, min_tokens=1)
    chunks = list(chunker.chunk_document([{"page": 1, "text": " ".join(words) + "."}]))
    joined = " ".join(c["text"] for c in chunks)
    assert all(w in joined for w in words)  # nothing lost
    assert all(len(tokenizer(c["text"])["input_ids"]) <= 64 for c in chunks)


def test_chunk_stage_writes_stable_ids_and_manifest(tmp_path) -> None:
    ingest_dir = tmp_path / "ingest"
    write_jsonl(ingest_dir / "pages.jsonl", _long_document())
    write_manifest(ingest_dir, {"stage": "ingest", "pages_path": str(ingest_dir / "pages.jsonl")})
    config = EmbedtuneConfig().with_overrides({"max_tokens": 96})
    first = chunk_pages(ingest_dir, tmp_path / "c1", config)
    second = chunk_pages(ingest_dir, tmp_path / "c2", config)
    ids1 = [c["chunk_id"] for c in read_jsonl(first["chunks_path"])]
    ids2 = [c["chunk_id"] for c in read_jsonl(second["chunks_path"])]
    assert ids1 == ids2 and len(set(ids1)) == len(ids1)
    assert first["chunks"] == len(ids1)
    assert first["max_tokens"] == 96
    rows = list(read_jsonl(first["chunks_path"]))
    assert rows[0]["heading"].startswith("Section 1")


def test_chunk_cache_reuses_unchanged_documents(tmp_path) -> None:
    ingest_dir = tmp_path / "ingest"
    pages = _long_document()
    other = [{**row, "file": "b.pdf", "sha256": "y"} for row in pages[:2]]
    write_jsonl(ingest_dir / "pages.jsonl", pages)
    write_manifest(ingest_dir, {"stage": "ingest", "pages_path": str(ingest_dir / "pages.jsonl")})
    config = EmbedtuneConfig()
    first = chunk_pages(ingest_dir, tmp_path / "c1", config, cache_dir=tmp_path / "cache")
    assert first["files_from_cache"] == 0
    write_jsonl(ingest_dir / "pages.jsonl", pages + other)
    second = chunk_pages(ingest_dir, tmp_path / "c2", config, cache_dir=tmp_path / "cache")
    assert second["files_from_cache"] == 1  # only b.pdf was chunked
    rows = list(read_jsonl(second["chunks_path"]))
    assert rows[: first["chunks"]] == list(read_jsonl(first["chunks_path"]))
    changed = config.with_overrides({"overlap_tokens": 8})
    third = chunk_pages(ingest_dir, tmp_path / "c3", changed, cache_dir=tmp_path / "cache")
    assert third["files_from_cache"] == 0  # new settings invalidate the cache
