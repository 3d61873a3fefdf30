"""Shared helpers of the speed/memory benchmarks in bench/ (not a benchmark itself).

Corpus lookup with a clear skip message, corpus builders (the reference PDF copied N times with
distinct bytes, or cut to its first pages for quick dev runs), timing, markdown tables, and the
writer of a benchmark's own section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# A plain checkout without `pip install -e .` still imports the library.
if str(ROOT / "include") not in sys.path:
    sys.path.insert(0, str(ROOT / "include"))

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
REFERENCE_PDF = "NIST.AI.600-1.pdf"
DOCS = ROOT / "docs" / "benchmarks.md"
PYTHON = sys.executable

log = logging.getLogger("bench")

#: The load when the benchmark started: a busy machine makes its timings worthless.
START_LOAD = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

#: tqdm progress bars of the stages would interleave with the tables; they cost nothing to hide.
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")


def add_common_args(parser: argparse.ArgumentParser, pages: bool = True) -> None:
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help=f"folder holding {REFERENCE_PDF} (default: {DEFAULT_CORPUS})")
    parser.add_argument("--write-docs", action="store_true",
                        help="replace this benchmark's section of docs/benchmarks.md")
    parser.add_argument("-v", "--verbose", action="store_true")
    if pages:
        parser.add_argument("--pages", type=int, default=0,
                            help="DEV ONLY: cut the reference PDF to its first N pages for a "
                                 "quick run (refuses --write-docs)")


def reference_pdf(corpus: Path) -> Path | None:
    """The reference PDF, or None (after printing why the benchmark skips)."""
    path = corpus / REFERENCE_PDF
    if not path.is_file():
        print(f"skipped: the reference corpus is absent ({path} not found; it lives in "
              "../shared/corpus beside the repo, see ../shared/README.md)")
        return None
    return path


def check_write_docs(args: argparse.Namespace) -> bool:
    """Numbers from a cut-down dev corpus must never land in the docs as if they were final."""
    if args.write_docs and getattr(args, "pages", 0):
        print("error: --write-docs is refused with --pages (dev-sized inputs)", file=sys.stderr)
        return False
    if args.write_docs and START_LOAD > 1.5:
        log.warning("load average %.2f at the start: other work is running, the timings written "
                    "to the docs will be slow and noisy", START_LOAD)
    return True


def with_nonce(data: bytes, nonce: str) -> bytes:
    """The same PDF with different bytes (a comment line before the final `startxref`).

    Content-addressed caches key on the file hash, so identical copies would be parsed once.
    A comment line before `startxref` moves no object the xref table points at (they all lie
    before it); a line between `startxref`'s offset and `%%EOF` would break pypdf.
    """
    index = data.rindex(b"startxref")
    return data[:index] + f"%nonce {nonce}\n".encode() + data[index:]


def cut_pdf(source: Path, target: Path, pages: int) -> Path:
    """The first `pages` pages of a PDF, for quick dev runs."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(source).pages[:pages]:
        writer.add_page(page)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as handle:
        writer.write(handle)
    return target


def source_pdf(corpus: Path, workdir: Path, pages: int = 0) -> Path | None:
    """The reference PDF, or (dev runs) its first `pages` pages written under workdir."""
    reference = reference_pdf(corpus)
    if reference is None or not pages:
        return reference
    return cut_pdf(reference, workdir / f"first-{pages}-pages" / REFERENCE_PDF, pages)


def make_copies(source: Path, folder: Path, copies: int, prefix: str = "copy") -> list[Path]:
    """`copies` byte-distinct copies of one PDF in `folder` (outside the repo: a temp folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = source.read_bytes()
    paths = []
    for number in range(copies):
        path = folder / f"{prefix}-{number:03d}-{source.name}"
        path.write_bytes(with_nonce(data, f"{prefix}-{number}"))
        paths.append(path)
    return paths


def link_into(sources: Iterable[Path], folder: Path) -> list[Path]:
    """Symlinks to the given PDFs in `folder` (the reference corpus is never copied)."""
    folder.mkdir(parents=True, exist_ok=True)
    links = []
    for source in sources:
        link = folder / source.name
        if not link.exists():
            link.symlink_to(source.resolve())
        links.append(link)
    return links


def run_stages(pdf_dir: Path, artifacts_root: Path, run_id: str, stages: Sequence[str],
               config: Any) -> dict[str, dict]:
    """Run some pipeline stages in this process, as `embedtune.pipeline.run_pipeline` does."""
    from embedtune.pipeline import RunLayout, run_stage

    layout = RunLayout(artifacts_root, run_id)
    return {stage: run_stage(stage, layout, config, pdf_dir=pdf_dir) for stage in stages}


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "yes" if ok else "**NO**"


def cpu_model() -> str:
    import platform

    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_line() -> str:
    import platform

    return (f"{os.cpu_count()} CPU cores ({cpu_model()}), Python {platform.python_version()}, "
            f"load average {START_LOAD:.2f} at the start")


def command_line() -> str:
    """The command that produced the numbers, as typed from the repo root."""
    script = Path(sys.argv[0]).resolve()
    try:
        script_text = str(script.relative_to(ROOT))
    except ValueError:
        script_text = str(script)
    return " ".join([".venv/bin/python", script_text, *map(shlex.quote, sys.argv[1:])])


def replace_section(path: Path, marker: str, body: str) -> None:
    """Replace the text between <!-- marker:start --> and <!-- marker:end --> in a doc
    (appended at the end when the markers are missing). Same format as bench/quality.py."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{start}\n{body}\n{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def write_docs_section(marker: str, title: str, table: str, notes: str = "") -> None:
    body = "\n".join(part for part in [
        f"### {title}",
        "",
        f"Command: `{command_line()}`  ",
        f"Measured {dt.date.today().isoformat()} on {machine_line()}.",
        "",
        table,
        "",
        notes.strip(),
    ] if part is not None).rstrip()
    replace_section(DOCS, marker, body)
    log.info("wrote the %s section of %s", marker, DOCS)


def rss_tree_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants now (0 once it is gone).

    The sum double-counts pages a forked child still shares with its parent, so it is an upper
    bound; `ru_maxrss` (largest single process) is the lower bound.
    """
    import psutil

    try:
        process = psutil.Process(pid)
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def gib(value_bytes: float) -> str:
    return f"{value_bytes / 2**30:.2f}"


def mib(value_bytes: float) -> str:
    return f"{value_bytes / 2**20:.0f}"
