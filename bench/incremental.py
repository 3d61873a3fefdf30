"""Incremental re-run: pre-training time after adding one PDF, as a share of the first run's.

Measures: the wall time of the pre-training stages (ingest, chunk, theme, pairs, each through
`embedtune.pipeline.run_stage`) on the reference corpus plus the generated sample PDFs of
resources/ (the baseline: first run, empty caches), then again after one new generated PDF is
added to the folder (same artifacts root, so the per-PDF parse and chunk caches are reused; a
new run id). Each run is a fresh interpreter, as a new CLI or DAG run is; the stage times are
measured inside it (the "process" column adds interpreter start-up and imports).
Also read from the manifests: which files ingest and chunk took from the cache
(`files_from_cache`): on the re-run it must be every file but the new one.
Ratio: re-run seconds ÷ first-run seconds. Target: <= 15 %. Median of --repeats (fresh
artifacts root each).

    .venv/bin/python bench/incremental.py
    .venv/bin/python bench/incremental.py --write-docs
    .venv/bin/python bench/incremental.py --pages 6 --repeats 1 --no-samples   # quick dev run
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common as common

from embedtune.config import EmbedtuneConfig

log = logging.getLogger("bench.incremental")

MARKER = "incremental"
TARGET = 0.15
PRE_TRAINING = ["ingest", "chunk", "theme", "pairs"]
SAMPLES = common.ROOT / "resources"
NEW_PDF = "customer_chatbot_policy.pdf"

#: The new document: fictional, in the light markup of scripts/make_sample_pdfs.py.
NEW_BODY = """
# 1 Purpose

## 1.1 Why this policy exists

Harbourview Utilities answers about 30,000 customer messages a month. Since 2024 a generative
chatbot drafts the first reply to billing and outage questions. This policy sets out when the
chatbot may answer on its own, when a person must review its draft, and how the company checks
that the answers stay accurate, fair and within the law.

## 1.2 Scope

The policy covers the customer chatbot on the website and in the mobile app, the drafting
assistant used by contact centre staff, and any future tool that writes text a customer reads.
It does not cover internal search tools that staff use to find procedures.

# 2 Roles and accountability

**Service owner** means the Head of Customer Operations, who is accountable for the chatbot's
answers as if a member of staff had written them. The service owner approves every change of
model, prompt or knowledge source before it goes live.

**Content steward** means the named person who keeps the tariff, outage and payment articles
that the chatbot retrieves up to date, and removes superseded versions within one working day.

- The data protection lead reviews any new use of customer records by the chatbot.
- The complaints team reports every complaint that mentions the chatbot to the service owner.
- Contact centre staff may override or withdraw any draft before it is sent.

# 3 Risk controls

## 3.1 Answers that need a person

The chatbot must hand over to a person when a customer mentions hardship, a medical need for
power, a disconnection notice, a bereavement or a complaint. Payment plans and refunds are
always confirmed by staff. The hand-over message tells the customer that a person will reply
and how long that usually takes.

## 3.2 Accuracy and testing

Before each release the chatbot answers a fixed set of 400 test questions written by the
content stewards. A release is blocked when more than two per cent of the answers are wrong on
a price, a date or an entitlement. Every month a sample of 200 live conversations is checked by
a reviewer who did not work on the release, and the error rate is reported to the risk committee.

## 3.3 Privacy and security

The chatbot sees only the account fields it needs to answer: name, tariff, balance and open
outage reports. Conversations are kept for 90 days and then deleted, except where a complaint
is open. Prompt injection attempts, such as messages asking the chatbot to ignore its
instructions, are logged and reviewed weekly by the security team.

# 4 Incidents

An incident is any answer that gave a customer wrong information about money, safety or their
rights, or that disclosed another customer's data. Staff report incidents within one hour. The
service owner can switch the chatbot off for all customers at once; doing so routes every
message to the contact centre queue. Each incident is reviewed within ten working days and the
lessons are added to the test questions.
"""


def write_new_pdf(path: Path) -> Path:
    """Render the new document with the sample-PDF generator (same look as resources/)."""
    spec = importlib.util.spec_from_file_location(
        "make_sample_pdfs", common.ROOT / "scripts" / "make_sample_pdfs.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("scripts/make_sample_pdfs.py not found")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    doc = module.SampleDoc(
        filename=path.name, title="Customer Chatbot Policy", organisation="Harbourview Utilities",
        short_title="Customer Chatbot Policy", reference="HU-POL-031 v1.0",
        control="Owner: Head of Customer Operations. Approved by the Risk Committee.",
        body=NEW_BODY)
    path.write_bytes(module.render(doc))
    return path


# --- one run, in a fresh interpreter -----------------------------------------------------------


def child(pdf_dir: Path, root: Path, run_id: str) -> int:
    from embedtune.artifacts import read_json
    from embedtune.pipeline import RunLayout, run_stage

    config = EmbedtuneConfig()
    layout = RunLayout(root, run_id)
    chunk_cache = layout.cache_dir / "chunks"
    before = set(chunk_cache.glob("*.jsonl")) if chunk_cache.is_dir() else set()
    seconds = {}
    for stage in PRE_TRAINING:
        seconds[stage], _ = common.timed(
            lambda stage=stage: run_stage(stage, layout, config, pdf_dir=pdf_dir))
    ingest = read_json(layout.stage("ingest") / "manifest.json")
    chunks = read_json(layout.stage("chunk") / "manifest.json")
    # The chunk manifest counts its cache hits but does not name them: a document that was
    # chunked this run left a new per-document file (named by its content hash) in the cache.
    new_hashes = {path.name.split("-")[0] for path in set(chunk_cache.glob("*.jsonl")) - before}
    print(json.dumps({
        "seconds": seconds,
        "files": ingest["files_total"],
        "ingest_from_cache": ingest["files_from_cache"],
        "parsed": [r["file"] for r in ingest["files"] if not r.get("cached")],
        "chunk_from_cache": chunks["files_from_cache"],
        "chunked": [r["file"] for r in ingest["files"] if r.get("sha256") in new_hashes],
        "pages": ingest["pages"], "chunks": chunks["chunks"],
    }))
    return 0


def run_child(pdf_dir: Path, root: Path, run_id: str) -> dict:
    command = [common.PYTHON, __file__, "--child", "--pdf-dir", str(pdf_dir), "--root",
               str(root), "--run-id", run_id]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"run {run_id} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    result["total"] = sum(result["seconds"].values())
    return result


def one_repeat(source: Path, scratch: Path, number: int, samples: bool) -> tuple[dict, dict]:
    base = scratch / f"repeat-{number}"
    pdf_dir = base / "pdfs"
    sources = [source, *(sorted(SAMPLES.glob("*.pdf")) if samples else [])]
    common.link_into(sources, pdf_dir)
    root = base / "artifacts"
    first = run_child(pdf_dir, root, "first")
    write_new_pdf(pdf_dir / NEW_PDF)
    rerun = run_child(pdf_dir, root, "after-new-pdf")
    log.info("repeat %d: first %.2fs, re-run %.2fs (%.1f%%); re-run parsed %s, chunked %s",
             number + 1, first["total"], rerun["total"], 100 * rerun["total"] / first["total"],
             rerun["parsed"], rerun["chunked"])
    return first, rerun


def format_tables(pairs: list[tuple[dict, dict]]) -> str:
    firsts = [first for first, _ in pairs]
    reruns = [rerun for _, rerun in pairs]
    rows = []
    for stage in [*PRE_TRAINING, "total"]:
        def pick(results: list[dict], stage: str = stage) -> float:
            return common.median([r["total"] if stage == "total" else r["seconds"][stage]
                                  for r in results])
        first_s, rerun_s = pick(firsts), pick(reruns)
        rows.append([stage, f"{first_s:.2f}", f"{rerun_s:.2f}", f"{100 * rerun_s / first_s:.1f}%"])
    first_p = common.median([r["process_seconds"] for r in firsts])
    rerun_p = common.median([r["process_seconds"] for r in reruns])
    rows.append(["process (start-up + imports + stages)", f"{first_p:.2f}", f"{rerun_p:.2f}",
                 f"{100 * rerun_p / first_p:.1f}%"])
    ratio = common.median([r["total"] for r in reruns]) / common.median(
        [r["total"] for r in firsts])
    table = common.markdown_table(
        ["stage", "first run s", "re-run s (one new PDF)", "re-run / first"], rows)
    table += "\n\n" + common.markdown_table(
        ["re-run / first (pre-training stages)", "target", "met"],
        [[f"{100 * ratio:.1f}%", f"≤ {100 * TARGET:.0f}%", common.verdict(ratio <= TARGET)]])
    last_first, last_rerun = pairs[-1]
    cache_rows = [
        [name, r["files"], r["pages"], r["chunks"], r["ingest_from_cache"],
         ", ".join(r["parsed"]) or "-", r["chunk_from_cache"], ", ".join(r["chunked"]) or "-"]
        for name, r in (("first", last_first), ("re-run", last_rerun))]
    table += "\n\n" + common.markdown_table(
        ["run", "PDFs", "pages", "chunks", "ingest files_from_cache", "parsed",
         "chunk files_from_cache", "chunked"], cache_rows)
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_common_args(parser)
    parser.add_argument("--repeats", type=int, default=3, help="median of this many (default 3)")
    parser.add_argument("--no-samples", action="store_true",
                        help="leave out the generated sample PDFs of resources/")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pdf-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--run-id", help=argparse.SUPPRESS)
    args = parser.parse_args()
    common.setup_logging(args.verbose)
    if args.child:
        return child(args.pdf_dir, args.root, args.run_id)
    if not common.check_write_docs(args):
        return 2
    if args.write_docs and args.no_samples:
        print("error: --write-docs is refused with --no-samples (not the documented corpus)",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="embedtune-bench-incremental-") as tmp:
        scratch = Path(tmp)
        source = common.source_pdf(args.corpus, scratch, args.pages)
        if source is None:
            return 0
        pairs = [one_repeat(source, scratch, number, not args.no_samples)
                 for number in range(args.repeats)]
    table = format_tables(pairs)
    print(table)
    stray = [(r["parsed"], r["chunked"]) for _, r in pairs
             if r["parsed"] != [NEW_PDF] or r["chunked"] != [NEW_PDF]]
    if stray:
        print(f"\nWARNING: the re-run parsed/chunked more than the new PDF: {stray}")
    if args.write_docs:
        common.write_docs_section(
            MARKER, "Incremental re-run after one new PDF", table,
            f"Reference corpus + the {len(list(SAMPLES.glob('*.pdf')))} generated sample PDFs of "
            f"resources/, then {NEW_PDF} (generated) added. Median of {args.repeats} repeats, "
            "each in a fresh artifacts root; every run in a fresh process; stage times measured "
            "inside it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
