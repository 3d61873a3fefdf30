"""Stage 1, ingest: every PDF in a folder -> cleaned per-page text with provenance.

A file that cannot be read is recorded in the manifest with a reason a person understands and
skipped; the other files go on. Each file is parsed in a child process with a time limit, so a
hostile PDF cannot hang the run, and its pages are cached by content hash, so a re-run only
parses new or changed files.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from embedtune.artifacts import (
    StageTimer,
    read_json,
    read_jsonl,
    sha256_file,
    stage_summary,
    write_json,
    write_jsonl,
    write_manifest,
)
from embedtune.config import EmbedtuneConfig
from embedtune.errors import DataError

log = logging.getLogger(__name__)

STAGE = "ingest"
PAGES_FILE = "pages.jsonl"
#: Fewer characters than this in a whole file means there is no usable text layer.
MIN_TEXT_CHARS = 20


class NoUsableTextError(DataError):
    """No file of the folder gave any text: the run cannot go on."""


class SkipFile(Exception):
    """A file that is reported in the manifest and skipped (the message is the reason)."""


def list_pdfs(pdf_dir: str | Path) -> list[Path]:
    """The `*.pdf` files of a folder (case-insensitive, not recursive), sorted by name."""
    folder = Path(pdf_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"PDF folder not found: {folder}")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".pdf")


# --- text cleaning --------------------------------------------------------------------------

_HYPHEN_BREAK = re.compile(r"(\w)-\s*\n\s*([a-z])")
_SPACES = re.compile(r"[ \t\u00a0]+")
_DIGITS = re.compile(r"\d+")


def normalise_text(text: str) -> str:
    """NFKC (ligatures such as 'ﬁ' -> 'fi'), join line-end hyphenation, tidy spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00ad", "")  # soft hyphens
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _line_key(line: str) -> str:
    return _DIGITS.sub("#", line.strip().lower())


def _page_number_key(line: str, page_index: int) -> tuple[str, int] | None:
    """("page # of #", offset) when the line's first number moves with the page number."""
    numbers = _DIGITS.findall(line)
    if not numbers or len(line) > 60:
        return None
    return _line_key(line), int(numbers[0]) - page_index


def strip_headers_footers(pages: list[str], min_share: float, edge_lines: int = 2) -> list[str]:
    """Drop lines that recur at the top or bottom of many pages of one file: the same text
    ("ACME AI Policy"), or a page number that counts up with the pages ("Page 3 of 9")."""
    if len(pages) < 3:
        return pages
    exact: Counter[str] = Counter()
    numbered: Counter[tuple[str, int]] = Counter()
    for index, page in enumerate(pages):
        lines = page.splitlines()
        edges = set(lines[:edge_lines] + lines[-edge_lines:])
        exact.update(edges)
        numbered.update({key for line in edges
                         if (key := _page_number_key(line, index)) is not None})
    threshold = max(2, math.ceil(min_share * len(pages)))
    cleaned = []
    for index, page in enumerate(pages):
        lines = page.splitlines()
        keep = []
        for position, line in enumerate(lines):
            if position < edge_lines or position >= len(lines) - edge_lines:
                key = _page_number_key(line, index)
                if exact[line] >= threshold or (key is not None and numbered[key] >= threshold):
                    continue
            keep.append(line)
        # A page made only of "repeated" lines (the same short text on every page) is content,
        # not decoration: never strip a page down to nothing.
        cleaned.append("\n".join(keep if keep else lines))
    return cleaned


# --- one file ---------------------------------------------------------------------------------


def _check_file(path: Path, config: EmbedtuneConfig) -> None:
    size = path.stat().st_size
    if size == 0:
        raise SkipFile("empty file (0 bytes)")
    limit = config.ingest.max_file_mb * 1024 * 1024
    if size > limit:
        raise SkipFile(
            f"too large: {size / 1048576:.1f} MB > limit of {config.ingest.max_file_mb} MB"
        )
    with open(path, "rb") as handle:
        head = handle.read(1024)
        handle.seek(max(0, size - 2048))
        tail = handle.read()
    if b"%PDF-" not in head:
        raise SkipFile("not a PDF (no %PDF- header; is it another file type renamed .pdf?)")
    if b"%%EOF" not in tail:
        raise SkipFile("truncated or corrupt: no %%EOF end marker (incomplete download?)")


def _open_reader(path: Path, config: EmbedtuneConfig) -> Any:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path, strict=False)
    except PdfReadError as error:
        raise SkipFile(f"truncated or corrupt: {error}") from None
    except Exception as error:  # pypdf raises many kinds on damaged files
        raise SkipFile(f"truncated or corrupt: {type(error).__name__}: {error}") from None
    if reader.is_encrypted:
        for password in ["", *config.ingest.passwords]:
            try:
                if reader.decrypt(password):
                    return reader
            except Exception as error:  # e.g. an unsupported cipher
                raise SkipFile(f"encrypted with an unsupported method: {error}") from None
        raise SkipFile(
            "encrypted: the empty password and the configured passwords "
            f"({len(config.ingest.passwords)}) do not open it"
        )
    return reader


def extract_pages(path: Path, config: EmbedtuneConfig) -> tuple[list[str], list[str]]:
    """Cleaned text of each page, and warnings. Raises SkipFile with the reason."""
    _check_file(path, config)
    reader = _open_reader(path, config)
    warnings: list[str] = []
    try:
        page_count = len(reader.pages)
    except Exception as error:
        raise SkipFile(f"truncated or corrupt: cannot read the page tree ({error})") from None
    if page_count == 0:
        raise SkipFile("no pages")
    if page_count > config.ingest.max_pages:
        raise SkipFile(f"too many pages: {page_count} > limit of {config.ingest.max_pages}")
    try:
        _ = reader.metadata
    except Exception as error:
        warnings.append(f"unreadable metadata ignored: {type(error).__name__}")
    raw_pages = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            raw_pages.append(page.extract_text() or "")
        except Exception as error:
            warnings.append(f"page {number}: text extraction failed ({type(error).__name__})")
            raw_pages.append("")
    pages = [normalise_text(text) for text in raw_pages]
    pages = strip_headers_footers(pages, config.ingest.header_footer_min_share)
    if sum(len(text) for text in pages) < MIN_TEXT_CHARS:
        raise SkipFile(
            "no extractable text: the pages hold no text layer (likely a scanned document; "
            "run OCR on it first)"
        )
    return pages, warnings


def _cache_paths(cache_dir: Path, digest: str, config: EmbedtuneConfig) -> tuple[Path, Path]:
    key = f"{digest}-{config.section_hash('ingest')}"
    return cache_dir / f"{key}.pages.jsonl", cache_dir / f"{key}.record.json"


def _extract_to_cache(path: Path, pages_path: Path, record_path: Path, config: EmbedtuneConfig,
                      digest: str) -> None:
    """Parse one file and write its cached pages + record (runs in a child process)."""
    record: dict[str, Any] = {"file": path.name, "sha256": digest}
    try:
        pages, warnings = extract_pages(path, config)
    except SkipFile as reason:
        record.update(status="skipped", reason=str(reason))
    except Exception as error:  # never let one odd file crash the run
        record.update(status="skipped", reason=f"unreadable: {type(error).__name__}: {error}")
    else:
        rows = (
            {"file": path.name, "sha256": digest, "page": number, "text": text}
            for number, text in enumerate(pages, start=1)
            if text.strip()
        )
        write_jsonl(pages_path, rows)
        record.update(
            status="ingested",
            pages=len(pages),
            pages_with_text=sum(1 for text in pages if text.strip()),
            chars=sum(len(text) for text in pages),
            warnings=warnings,
        )
    write_json(record_path, record)


def _can_fork() -> bool:
    # Inside a daemonic multiprocessing worker children are not allowed; parse in-process then.
    return not multiprocessing.current_process().daemon


class _Job:
    """One file being parsed in a child process (or already answered from the cache)."""

    def __init__(self, path: Path, cache_dir: Path, config: EmbedtuneConfig):
        self.path = path
        self.config = config
        self.record: dict | None = None
        self.process: Any = None
        try:
            self.digest = sha256_file(path)
        except OSError as error:
            self.record = {"file": path.name, "status": "skipped",
                           "reason": f"cannot read file: {error}"}
            return
        self.pages_path, self.record_path = _cache_paths(cache_dir, self.digest, config)
        if self.record_path.exists():
            self.record = {**read_json(self.record_path), "file": path.name, "cached": True}

    def start(self) -> None:
        args = (self.path, self.pages_path, self.record_path, self.config, self.digest)
        if not _can_fork():
            _extract_to_cache(*args)
            self._collect()
            return
        self.process = multiprocessing.get_context("fork").Process(target=_extract_to_cache,
                                                                   args=args)
        self.process.start()
        self.deadline = time.monotonic() + self.config.ingest.timeout_s_per_file

    def poll(self) -> bool:
        """True once the job has its record."""
        if self.record is not None:
            return True
        if self.process.is_alive():
            if time.monotonic() < self.deadline:
                return False
            self.process.kill()
            self.process.join()
            self.record = self._skipped(
                f"parsing took longer than {self.config.ingest.timeout_s_per_file:g}s "
                "(hostile or huge PDF?)")
            return True
        self.process.join()
        self._collect()
        return True

    def _collect(self) -> None:
        # The record file, not the exit code, says the child finished its work.
        if self.record_path.exists():
            self.record = {**read_json(self.record_path), "file": self.path.name, "cached": False}
        else:
            code = self.process.exitcode if self.process else None
            self.record = self._skipped(f"the PDF parser crashed (exit code {code})")

    def _skipped(self, reason: str) -> dict:
        return {"file": self.path.name, "sha256": self.digest, "status": "skipped",
                "reason": reason}


def ingest_files(paths: list[Path], cache_dir: str | Path, config: EmbedtuneConfig,
                 workers: int = 1) -> list[dict]:
    """Parse files in up to `workers` child processes at once; returns their records."""
    import pypdf  # noqa: F401 - imported once here, not again in every forked child
    from tqdm.auto import tqdm

    jobs = [_Job(path, Path(cache_dir), config) for path in paths]
    waiting = [job for job in jobs if job.record is None]
    running: list[_Job] = []
    with tqdm(total=len(jobs), initial=len(jobs) - len(waiting), desc="ingest",
              unit="pdf", disable=None) as progress:
        while waiting or running:
            while waiting and len(running) < workers:
                job = waiting.pop(0)
                job.start()
                running.append(job)
            finished = [job for job in running if job.poll()]
            for job in finished:
                running.remove(job)
                progress.update(1)
            if running and not finished:
                time.sleep(0.01)
    return [job.record for job in jobs]


def ingest_one(pdf_path: str | Path, cache_dir: str | Path, config: EmbedtuneConfig) -> dict:
    """Ingest one PDF into the content-addressed cache; returns its manifest record."""
    return ingest_files([Path(pdf_path)], cache_dir, config)[0]


def assemble_ingest(records: list[dict], out_dir: str | Path, config: EmbedtuneConfig,
                    cache_dir: str | Path, seconds: float = 0.0) -> dict:
    """Join the per-file cached pages into the run's pages.jsonl and write the manifest."""
    out_dir = Path(out_dir)
    cache_dir = Path(cache_dir)
    records = sorted(records, key=lambda record: record["file"])
    ingested = [record for record in records if record["status"] == "ingested"]

    def rows() -> Iterator[dict]:
        for record in ingested:
            pages_path, _ = _cache_paths(cache_dir, record["sha256"], config)
            for row in read_jsonl(pages_path):
                row["file"] = record["file"]
                yield row

    page_count = write_jsonl(out_dir / PAGES_FILE, rows())
    for record in records:
        if record["status"] == "skipped":
            log.warning("skipped %s: %s", record["file"], record["reason"])
    manifest = {
        "stage": STAGE,
        "pages_path": str(out_dir / PAGES_FILE),
        "files": records,
        "files_total": len(records),
        "files_ingested": len(ingested),
        "files_skipped": len(records) - len(ingested),
        "files_from_cache": sum(1 for record in records if record.get("cached")),
        "pages": page_count,
        "chars": sum(record.get("chars", 0) for record in ingested),
        "config_hash": config.section_hash("ingest"),
        "seconds": seconds,
    }
    write_manifest(out_dir, manifest)
    if not ingested or page_count == 0:
        reasons = "; ".join(f"{r['file']}: {r['reason']}" for r in records) or "folder is empty"
        raise NoUsableTextError(f"no usable text in any PDF ({reasons})")
    log.info("ingested %d of %d PDFs: %d pages (%d files from cache)", len(ingested),
             len(records), page_count, manifest["files_from_cache"])
    return stage_summary(out_dir, manifest)


def ingest_pdfs(pdf_dir: str | Path, out_dir: str | Path, config: EmbedtuneConfig,
                cache_dir: str | Path | None = None) -> dict:
    """Ingest every PDF of `pdf_dir` (in parallel, cached by content) into `out_dir`."""
    out_dir = Path(out_dir)
    cache_dir = Path(cache_dir) if cache_dir else out_dir / "cache"
    paths = list_pdfs(pdf_dir)
    if not paths:
        raise NoUsableTextError(f"no *.pdf files in {pdf_dir}")
    workers = config.ingest.workers or os.cpu_count() or 1
    workers = max(1, min(workers, len(paths)))
    with StageTimer() as timer:
        records = ingest_files(paths, cache_dir, config, workers)
    return assemble_ingest(records, out_dir, config, cache_dir, seconds=timer.seconds)
