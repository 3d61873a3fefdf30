"""The ingest stage on real generated PDFs, the bad ones included."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pdf_factory as pdfs
import pytest

from embedtune.artifacts import read_jsonl
from embedtune.config import EmbedtuneConfig
from embedtune.ingest import (
    NoUsableTextError,
    ingest_pdfs,
    normalise_text,
    strip_headers_footers,
)

GOOD_PAGES = [
    "Model owner means the named manager who is accountable for an AI system.",
    "Teams should record every override of a model recommendation.",
    "Incidents are reported within seventy two hours to the risk office.",
]


def _records(result: dict) -> dict[str, dict]:
    manifest = json.loads(Path(result["manifest"]).read_text())
    return {record["file"]: record for record in manifest["files"]}


def test_normalise_joins_hyphenation_and_ligatures() -> None:
    text = normalise_text("the ﬁnal classi-\nfication of  eﬀects\nNext line")
    assert text == "the final classification of effects\nNext line"


def test_repeated_headers_and_page_numbers_are_dropped() -> None:
    topics = ["privacy notices", "hiring audits", "incident logs", "vendor contracts"]
    pages = [f"ACME AI Policy\nSection 4.{i} covers {topic}.\nPage {i} of 4"
             for i, topic in enumerate(topics, start=1)]
    cleaned = strip_headers_footers(pages, min_share=0.5)
    assert cleaned == [f"Section 4.{i} covers {topic}." for i, topic in enumerate(topics, 1)]


def test_a_page_is_never_stripped_to_nothing() -> None:
    pages = ["Header\nSame one-line notice on every page."] * 4
    assert strip_headers_footers(pages, min_share=0.5) == pages


def test_good_pdf_pages_with_provenance_and_no_header(tmp_path) -> None:
    pdf_dir = tmp_path / "pdfs"
    path = pdfs.text_pdf(pdf_dir / "policy.pdf", GOOD_PAGES, header="ACME Responsible AI Policy")
    result = ingest_pdfs(pdf_dir, tmp_path / "ingest", EmbedtuneConfig(),
                         cache_dir=tmp_path / "cache")
    rows = list(read_jsonl(result["pages_path"]))
    assert [row["page"] for row in rows] == [1, 2, 3]
    assert all(row["file"] == "policy.pdf" for row in rows)
    from embedtune.artifacts import sha256_file

    assert rows[0]["sha256"] == sha256_file(path)
    assert "Model owner means" in rows[0]["text"]
    assert not any("ACME Responsible AI Policy" in row["text"] for row in rows)
    assert result["files_ingested"] == 1 and result["files_skipped"] == 0


BAD_CASES = {
    "zero.pdf": (pdfs.empty_file, "empty file"),
    "notes.pdf": (pdfs.not_a_pdf, "not a PDF"),
    "cut.pdf": (pdfs.truncated_pdf, "truncated"),
    "scan.pdf": (pdfs.image_only_pdf, "no extractable text"),
    "secret.pdf": (lambda p: pdfs.encrypted_pdf(p, "hunter2"), "encrypted"),
}


def test_bad_files_are_reported_and_skipped_and_the_rest_goes_on(tmp_path) -> None:
    pdf_dir = tmp_path / "pdfs"
    pdfs.text_pdf(pdf_dir / "good.pdf", GOOD_PAGES)
    for name, (make, _) in BAD_CASES.items():
        make(pdf_dir / name)
    result = ingest_pdfs(pdf_dir, tmp_path / "ingest", EmbedtuneConfig(),
                         cache_dir=tmp_path / "cache")
    records = _records(result)
    assert records["good.pdf"]["status"] == "ingested"
    for name, (_, reason) in BAD_CASES.items():
        assert records[name]["status"] == "skipped", name
        assert reason in records[name]["reason"], records[name]
    assert "scan" in records["scan.pdf"]["reason"]  # says it is likely a scan
    assert result["files_skipped"] == len(BAD_CASES)
    assert {row["file"] for row in read_jsonl(result["pages_path"])} == {"good.pdf"}


def test_encrypted_pdfs_open_with_empty_or_configured_password(tmp_path) -> None:
    pdf_dir = tmp_path / "pdfs"
    pdfs.encrypted_empty_password_pdf(pdf_dir / "open.pdf")
    pdfs.encrypted_pdf(pdf_dir / "known.pdf", "s3cret")
    config = EmbedtuneConfig()
    config.ingest.passwords = ["wrong", "s3cret"]
    result = ingest_pdfs(pdf_dir, tmp_path / "ingest", config, cache_dir=tmp_path / "cache")
    assert {n: r["status"] for n, r in _records(result).items()} == {
        "known.pdf": "ingested", "open.pdf": "ingested"}


def test_size_and_page_limits(tmp_path) -> None:
    pdf_dir = tmp_path / "pdfs"
    pdfs.large_pdf(pdf_dir / "big.pdf", pages=30)
    pdfs.text_pdf(pdf_dir / "small.pdf", GOOD_PAGES)
    config = EmbedtuneConfig()
    config.ingest.max_pages = 10
    records = _records(ingest_pdfs(pdf_dir, tmp_path / "i1", config, cache_dir=tmp_path / "c"))
    assert "too many pages" in records["big.pdf"]["reason"]
    config = EmbedtuneConfig()
    config.ingest.max_file_mb = 1.5 * (pdf_dir / "small.pdf").stat().st_size / 1048576
    assert (pdf_dir / "big.pdf").stat().st_size > 1.5 * (pdf_dir / "small.pdf").stat().st_size
    records = _records(ingest_pdfs(pdf_dir, tmp_path / "i2", config, cache_dir=tmp_path / "c"))
    assert "too large" in records["big.pdf"]["reason"]


def test_odd_but_valid_pdfs_ingest(tmp_path) -> None:
    pdf_dir = tmp_path / "pdfs"
    makers = {
        "columns.pdf": pdfs.multi_column_pdf, "form.pdf": pdfs.form_pdf,
        "annotated.pdf": pdfs.annotated_pdf, "attachment.pdf": pdfs.attachment_pdf,
        "outline.pdf": pdfs.outline_pdf, "hebrew.pdf": pdfs.rtl_pdf,
        "rotated.pdf": pdfs.rotated_pdf, "images.pdf": pdfs.inline_image_pdf,
    }
    for name, make in makers.items():
        make(pdf_dir / name)
    result = ingest_pdfs(pdf_dir, tmp_path / "ingest", EmbedtuneConfig(),
                         cache_dir=tmp_path / "cache")
    records = _records(result)
    assert {n: r["status"] for n, r in records.items()} == dict.fromkeys(makers, "ingested")
    texts: dict[str, str] = {}
    for row in read_jsonl(result["pages_path"]):
        texts[row["file"]] = texts.get(row["file"], "") + "\n" + row["text"]
    assert "subprocessor" in texts["columns.pdf"]
    assert "Near miss means" in texts["outline.pdf"]


def test_no_usable_text_fails_with_one_clear_message(tmp_path) -> None:
    pdf_dir = tmp_path / "pdfs"
    pdfs.empty_file(pdf_dir / "a.pdf")
    pdfs.not_a_pdf(pdf_dir / "b.pdf")
    with pytest.raises(NoUsableTextError, match="no usable text in any PDF"):
        ingest_pdfs(pdf_dir, tmp_path / "ingest", EmbedtuneConfig(),
                    cache_dir=tmp_path / "cache")
    with pytest.raises(NoUsableTextError, match=r"no \*\.pdf files"):
        ingest_pdfs(tmp_path, tmp_path / "ingest2", EmbedtuneConfig())


def test_rerun_reuses_the_cache_and_parses_only_new_files(tmp_path) -> None:
    pdf_dir = tmp_path / "pdfs"
    pdfs.text_pdf(pdf_dir / "a.pdf", GOOD_PAGES)
    pdfs.text_pdf(pdf_dir / "b.pdf", GOOD_PAGES[::-1])
    config = EmbedtuneConfig()
    first = ingest_pdfs(pdf_dir, tmp_path / "r1", config, cache_dir=tmp_path / "cache")
    assert first["files_from_cache"] == 0
    pdfs.text_pdf(pdf_dir / "c.pdf", ["A brand new page about watermarking synthetic media."])
    second = ingest_pdfs(pdf_dir, tmp_path / "r2", config, cache_dir=tmp_path / "cache")
    records = _records(second)
    assert [n for n, r in records.items() if not r["cached"]] == ["c.pdf"]
    assert second["files_from_cache"] == 2 and second["pages"] == 7
    # A changed ingest config invalidates the cache.
    config.ingest.header_footer_min_share = 0.9
    third = ingest_pdfs(pdf_dir, tmp_path / "r3", config, cache_dir=tmp_path / "cache")
    assert third["files_from_cache"] == 0


def test_a_parser_that_hangs_is_stopped_by_the_time_limit(tmp_path, monkeypatch) -> None:
    from embedtune import ingest

    pdf_dir = tmp_path / "pdfs"
    pdfs.text_pdf(pdf_dir / "slow.pdf", GOOD_PAGES)
    pdfs.text_pdf(pdf_dir / "fine.pdf", GOOD_PAGES)
    real_extract = ingest.extract_pages

    def hang_on_slow(path: Path, config: EmbedtuneConfig):  # stands in for a hostile PDF
        if path.name == "slow.pdf":
            time.sleep(60)
        return real_extract(path, config)

    monkeypatch.setattr(ingest, "extract_pages", hang_on_slow)
    config = EmbedtuneConfig()
    config.ingest.timeout_s_per_file = 2
    started = time.monotonic()
    records = _records(ingest_pdfs(pdf_dir, tmp_path / "ingest", config,
                                   cache_dir=tmp_path / "cache"))
    assert time.monotonic() - started < 30
    assert records["fine.pdf"]["status"] == "ingested"
    assert "longer than 2s" in records["slow.pdf"]["reason"]
