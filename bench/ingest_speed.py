"""Ingest speed: pages/s of `embedtune.ingest.ingest_pdfs` vs a bare pypdf loop, same files.

Measures: wall time to turn every PDF of a folder into page text, as pages per second.
- embedtune: `ingest_pdfs(folder, out, config, cache_dir=<fresh>)` (a fresh cache folder on every
  repeat, so every file is really parsed: hashing, child process per file, text cleaning,
  header/footer stripping, cached pages + the run's pages.jsonl and manifest).
- baseline (same run, same files): `PdfReader(path)` and `page.extract_text()` for every page;
  with N workers the same loop in a pool of N forked processes, one file per task, so the ratio
  compares like with like.
Corpora: the reference PDF alone, and a larger folder of byte-distinct copies of it (a comment
line differs, so the content cache cannot merge them). Each with workers=1 and the default
(one per CPU, capped by the number of files). Median of --repeats runs; the two sides alternate
which goes first.
Every measurement runs in a fresh interpreter (lazy imports count, as in a real run).
Ratio: embedtune pages/s ÷ baseline pages/s. Target: >= 0.9.

    .venv/bin/python bench/ingest_speed.py                      # full: reference + 8 copies, 3x
    .venv/bin/python bench/ingest_speed.py --write-docs
    .venv/bin/python bench/ingest_speed.py --pages 4 --copies 3 --repeats 1   # quick dev run
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import _common as common

from embedtune.config import EmbedtuneConfig
from embedtune.ingest import ingest_pdfs, list_pdfs

log = logging.getLogger("bench.ingest_speed")

MARKER = "ingest_speed"
TARGET = 0.9


def bare_parse(path: Path) -> tuple[int, int]:
    """The baseline: (pages, characters) of one PDF with plain pypdf."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    chars = 0
    for page in reader.pages:
        chars += len(page.extract_text() or "")
    return len(reader.pages), chars


def run_baseline(folder: Path, workers: int) -> dict:
    import pypdf  # noqa: F401  (a plain script imports it once, at the top, before any fork)

    paths = list_pdfs(folder)
    if workers == 1:
        results = [bare_parse(path) for path in paths]
    else:
        # fork, like embedtune's per-file children, so neither side pays a spawn import cost.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = list(pool.map(bare_parse, paths))
    return {"pages": sum(pages for pages, _ in results),
            "chars": sum(chars for _, chars in results)}


def run_embedtune(folder: Path, workers: int, scratch: Path) -> dict:
    config = EmbedtuneConfig()
    config.ingest.workers = workers
    out = Path(tempfile.mkdtemp(prefix="ingest-", dir=scratch))
    summary = ingest_pdfs(folder, out / "ingest", config, cache_dir=out / "cache")
    if summary["files_from_cache"]:
        raise RuntimeError("a fresh cache folder served files from cache: the bench is broken")
    return {"pages": summary["pages"], "ingested": summary["files_ingested"]}


def child(side: str, folder: Path, workers: int, scratch: Path) -> int:
    """One measurement in a fresh interpreter: what a real run pays, lazy imports included
    (neither side finds pypdf already imported by the other)."""
    if side == "embedtune":
        seconds, result = common.timed(lambda: run_embedtune(folder, workers, scratch))
    else:
        seconds, result = common.timed(lambda: run_baseline(folder, workers))
    print(json.dumps({"seconds": seconds, **result}))
    return 0


def run_child(side: str, folder: Path, workers: int, scratch: Path) -> dict:
    command = [common.PYTHON, __file__, "--child", side, "--folder", str(folder),
               "--workers", str(workers), "--scratch", str(scratch)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(name: str, folder: Path, workers: int, repeats: int, scratch: Path) -> dict:
    ours: list[float] = []
    bare: list[float] = []
    pages = ingested = 0
    for repeat in range(repeats):
        # Alternate which side runs first: the second one finds the file in the page cache and
        # the CPU clocked up; alternating cancels that out over the repeats.
        order = ["embedtune", "baseline"] if repeat % 2 == 0 else ["baseline", "embedtune"]
        for side in order:
            result = run_child(side, folder, workers, scratch)
            if side == "embedtune":
                ours.append(result["seconds"])
                ingested = result["ingested"]
            else:
                bare.append(result["seconds"])
                pages = result["pages"]
        log.info("%s workers=%d repeat %d: embedtune %.2fs, pypdf %.2fs", name, workers,
                 repeat + 1, ours[-1], bare[-1])
    ours_s, bare_s = common.median(ours), common.median(bare)
    # pages/s of both sides over the same page count (pypdf's: every page, with text or not).
    return {
        "corpus": name, "files": len(list_pdfs(folder)), "pages": pages, "workers": workers,
        "ingested": ingested, "embedtune_s": ours_s, "baseline_s": bare_s,
        "embedtune_pps": pages / ours_s, "baseline_pps": pages / bare_s,
        "ratio": bare_s / ours_s,
    }


def worker_counts(files: int) -> list[tuple[str, int]]:
    default = max(1, min(os.cpu_count() or 1, files))  # what config.ingest.workers=0 picks
    counts = [("1", 1)]
    if default != 1:
        counts.append((f"default ({default})", default))
    else:
        counts[0] = ("1 (= default: one file)" if files == 1 else "1 (= default)", 1)
    return counts


def format_rows(results: list[dict]) -> str:
    rows = [
        (r["corpus"], r["files"], r["pages"], r["workers_label"], f"{r['embedtune_pps']:.1f}",
         f"{r['baseline_pps']:.1f}", f"{r['ratio']:.2f}", common.verdict(r["ratio"] >= TARGET))
        for r in results
    ]
    return common.markdown_table(
        ["corpus", "PDFs", "pages", "workers", "embedtune pages/s", "pypdf pages/s",
         f"ratio (target ≥ {TARGET})", "met"], rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_common_args(parser)
    parser.add_argument("--copies", type=int, default=8,
                        help="size of the larger corpus: byte-distinct copies (default 8)")
    parser.add_argument("--repeats", type=int, default=3, help="median of this many (default 3)")
    parser.add_argument("--child", choices=["embedtune", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--scratch", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    common.setup_logging(args.verbose)
    if args.child:
        return child(args.child, args.folder, args.workers, args.scratch)
    if not common.check_write_docs(args):
        return 2
    with tempfile.TemporaryDirectory(prefix="embedtune-bench-ingest-") as tmp:
        scratch = Path(tmp)
        source = common.source_pdf(args.corpus, scratch, args.pages)
        if source is None:
            return 0
        corpora = [("reference", common.link_into([source], scratch / "reference"))]
        if args.copies > 1:
            corpora.append((f"{args.copies} copies",
                            common.make_copies(source, scratch / "copies", args.copies)))
        results = []
        for name, paths in corpora:
            folder = paths[0].parent
            for label, workers in worker_counts(len(paths)):
                result = measure(name, folder, workers, args.repeats, scratch)
                result["workers_label"] = label
                results.append(result)
    table = format_rows(results)
    print(table)
    if args.write_docs:
        common.write_docs_section(
            MARKER, "Ingest speed (embedtune vs bare pypdf)", table,
            f"Median of {args.repeats} runs, fresh cache each run. The baseline with N workers "
            "is the same pypdf loop in a pool of N forked processes. Ratio = embedtune pages/s "
            "÷ pypdf pages/s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
