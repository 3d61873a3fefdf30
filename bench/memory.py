"""Memory: peak RSS of each pipeline stage with defaults, and of ingest/chunk as the corpus grows.

Measures, for each stage run alone in a fresh interpreter via `embedtune.pipeline.run_stage`
(reading the previous stages' outputs of the same run, as the CLI and the DAG do):
- peak RSS of the largest single process (`ru_maxrss` of the stage process and of its waited-for
  children, e.g. ingest's per-PDF parsers): a lower bound of the stage's footprint;
- peak RSS of the whole process tree, polled every 50 ms with psutil: an upper bound (forked
  children's shared pages count twice).
Baselines, same run, fresh interpreters: the bare-library equivalent of the stage where there is
one (ingest: a pypdf loop keeping every page's text; chunk: the model's tokenizer on every page
at once; train: the bare SentenceTransformerTrainer of bench/train_speed.py, same steps; evaluate:
base and tuned model encoding the chunk corpus and the held-out questions), else the floor of
an interpreter that imports `embedtune.pipeline`. Ratio = stage peak ÷ baseline peak.
Growth: ingest then chunk on byte-distinct copies of the reference PDF (--sizes, default
1, 4, 8 copies), default workers; the pypdf-loop baseline at each size.
Targets: every stage's peak (tree, upper bound) <= 3 GiB; ingest and chunk flat as the corpus
grows: the largest process at the biggest size <= 1.2 × its peak at the smallest.
Train is bounded by --max-steps (default 20): the peak is reached in the first steps.

    .venv/bin/python bench/memory.py                        # all stages + growth 1,4,8
    .venv/bin/python bench/memory.py --write-docs
    .venv/bin/python bench/memory.py --pages 4 --sizes 1,2 --max-steps 1 --batch-size 4  # dev
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common as common

from embedtune.config import EmbedtuneConfig

log = logging.getLogger("bench.memory")

MARKER = "memory"
TARGET_BYTES = 3 * 2**30
FLAT_TARGET = 1.2
POLL_S = 0.05
STAGES = ["ingest", "chunk", "theme", "pairs", "train", "evaluate", "report", "publish",
          "promote"]
BASELINE_OF = {"ingest": "pypdf", "chunk": "tokenizer", "train": "trainer",
               "evaluate": "encode"}
BASELINE_LABEL = {
    "pypdf": "pypdf loop keeping all page texts",
    "tokenizer": "tokenizer on all pages at once",
    "trainer": "bare SentenceTransformerTrainer",
    "encode": "bare encode, base + tuned",
    "floor": "python + import embedtune.pipeline",
}


# --- what runs inside the measured child process ----------------------------------------------


def _stage_child(stage: str, root: Path, run_id: str, pdf_dir: Path,
                 config: EmbedtuneConfig) -> None:
    from embedtune.pipeline import RunLayout, run_stage

    run_stage(stage, RunLayout(root, run_id), config, pdf_dir=pdf_dir)


def _baseline_child(name: str, root: Path, run_id: str, pdf_dir: Path,
                    config: EmbedtuneConfig) -> None:
    from embedtune.artifacts import read_jsonl, read_manifest
    from embedtune.pipeline import RunLayout

    layout = RunLayout(root, run_id)
    if name == "pypdf":
        from pypdf import PdfReader

        texts = [page.extract_text() or "" for path in sorted(pdf_dir.glob("*.pdf"))
                 for page in PdfReader(path).pages]
        log.info("%d pages, %d chars held", len(texts), sum(map(len, texts)))
    elif name == "tokenizer":
        from transformers import AutoTokenizer

        from embedtune.models import resolve_model

        tokenizer = AutoTokenizer.from_pretrained(resolve_model(config.train.base_model))
        pages_path = read_manifest(layout.stage("ingest"))["pages_path"]
        ids = tokenizer([row["text"] for row in read_jsonl(pages_path)])["input_ids"]
        log.info("%d pages, %d word pieces", len(ids), sum(map(len, ids)))
    elif name == "trainer":
        import train_speed

        out = Path(tempfile.mkdtemp(prefix="bare-train-", dir=root))
        train_speed.run_baseline(layout.stage("pairs"), out, config)
    elif name == "encode":
        from sentence_transformers import SentenceTransformer

        from embedtune.models import resolve_model

        pairs = read_manifest(layout.stage("pairs"))
        corpus = [row["text"] for row in read_jsonl(pairs["corpus_path"])]
        questions = [row["anchor"] for row in read_jsonl(pairs["eval_path"])]
        tuned = read_manifest(layout.stage("train"))["model_dir"]
        for model_path in (resolve_model(config.train.base_model), tuned):
            model = SentenceTransformer(model_path, device="cpu")
            model.encode(corpus, batch_size=config.eval.batch_size)
            model.encode(questions, batch_size=config.eval.batch_size)
    elif name == "floor":
        import embedtune.pipeline  # noqa: F401
    else:
        raise ValueError(name)


def child(args: argparse.Namespace) -> int:
    config = EmbedtuneConfig.from_dict(json.loads(args.config))
    started = time.perf_counter()
    if args.child == "stage":
        _stage_child(args.name, args.root, args.run_id, args.pdf_dir, config)
    else:
        _baseline_child(args.name, args.root, args.run_id, args.pdf_dir, config)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # Linux reports ru_maxrss in KiB.
    print(json.dumps({"maxrss": max(own, children) * 1024, "self_maxrss": own * 1024,
                      "children_maxrss": children * 1024,
                      "seconds": time.perf_counter() - started}))
    return 0


# --- the parent: launch, poll, collect -------------------------------------------------------


def measure(kind: str, name: str, root: Path, run_id: str, pdf_dir: Path,
            config: EmbedtuneConfig) -> dict:
    command = [common.PYTHON, __file__, "--child", kind, "--name", name, "--root", str(root),
               "--run-id", run_id, "--pdf-dir", str(pdf_dir),
               "--config", json.dumps(config.to_dict())]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        tree_peak = 0
        while process.poll() is None:
            tree_peak = max(tree_peak, common.rss_tree_bytes(process.pid))
            time.sleep(POLL_S)
        out.seek(0)
        err.seek(0)
        if process.returncode:
            raise RuntimeError(f"{kind} {name} failed:\n{err.read()[-3000:]}")
        result = json.loads(out.read().strip().splitlines()[-1])
    result["tree_peak"] = max(tree_peak, result["maxrss"])
    log.info("%s %-10s largest process %s MiB, tree %s MiB, %.1fs", kind, name,
             common.mib(result["maxrss"]), common.mib(result["tree_peak"]), result["seconds"])
    return result


def per_stage(pdf_dir: Path, scratch: Path, config: EmbedtuneConfig,
              stages: list[str]) -> list[dict]:
    root = scratch / "stages"
    floor = measure("baseline", "floor", root, "stages", pdf_dir, config)
    rows = []
    for stage in STAGES[:STAGES.index(stages[-1]) + 1]:
        if stage not in stages:  # a prerequisite of a stage asked for: run it, unmeasured
            common.run_stages(pdf_dir, root, "stages", [stage], config)
            continue
        ours = measure("stage", stage, root, "stages", pdf_dir, config)
        baseline_name = BASELINE_OF.get(stage, "floor")
        bare = floor if baseline_name == "floor" else \
            measure("baseline", baseline_name, root, "stages", pdf_dir, config)
        rows.append({"stage": stage, "ours": ours, "baseline": baseline_name, "bare": bare})
    return rows


def growth(source: Path, scratch: Path, config: EmbedtuneConfig, sizes: list[int]) -> list[dict]:
    rows = []
    for size in sizes:
        pdf_dir = scratch / f"growth-{size}" / "pdfs"
        common.make_copies(source, pdf_dir, size)
        root = scratch / f"growth-{size}" / "artifacts"
        row = {"size": size, "pages": 0}
        for stage in ("ingest", "chunk"):
            row[stage] = measure("stage", stage, root, "growth", pdf_dir, config)
        row["pypdf"] = measure("baseline", "pypdf", root, "growth", pdf_dir, config)
        manifest = json.loads((root / "runs" / "growth" / "ingest" / "manifest.json").read_text())
        row["pages"] = manifest["pages"]
        rows.append(row)
    return rows


def stage_table(rows: list[dict]) -> str:
    lines = []
    for row in rows:
        ours, bare = row["ours"], row["bare"]
        lines.append([
            row["stage"], common.mib(ours["maxrss"]), common.mib(ours["tree_peak"]),
            f"{ours['seconds']:.1f}", BASELINE_LABEL[row["baseline"]], common.mib(bare["maxrss"]),
            f"{ours['maxrss'] / bare['maxrss']:.2f}",
            common.verdict(ours["tree_peak"] <= TARGET_BYTES)])
    return common.markdown_table(
        ["stage", "peak RSS MiB (largest process)", "peak RSS MiB (process tree)", "s",
         "baseline", "baseline peak MiB", "ratio", "≤ 3 GiB"], lines)


def growth_table(rows: list[dict]) -> str:
    lines = []
    first = rows[0]
    for row in rows:
        cells = [f"{row['size']}× ({row['pages']} pages)"]
        for stage in ("ingest", "chunk", "pypdf"):
            cells += [common.mib(row[stage]["maxrss"]),
                      f"{row[stage]['maxrss'] / first[stage]['maxrss']:.2f}"]
        cells.insert(3, common.mib(row["ingest"]["tree_peak"]))
        lines.append(cells)
    last = rows[-1]
    flat = all(last[s]["maxrss"] <= FLAT_TARGET * first[s]["maxrss"] for s in ("ingest", "chunk"))
    table = common.markdown_table(
        ["corpus", "ingest MiB (largest)", "× smallest", "ingest MiB (tree)",
         "chunk MiB (largest)", "× smallest", "pypdf loop MiB", "× smallest"], lines)
    return table + (f"\n\nFlat (ingest and chunk largest process ≤ {FLAT_TARGET}× the smallest "
                    f"corpus's): {common.verdict(flat)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_common_args(parser)
    parser.add_argument("--stages", default=",".join(STAGES),
                        help="stages to measure (default: all); the stages before them run "
                             "unmeasured")
    parser.add_argument("--sizes", default="1,4,8",
                        help="corpus sizes (copies) for the growth check; '' skips it")
    parser.add_argument("--max-steps", type=int, default=20, help="train stage bound (default 20)")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the config's")
    parser.add_argument("--child", choices=["stage", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--name", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--run-id", help=argparse.SUPPRESS)
    parser.add_argument("--pdf-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--config", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    common.setup_logging(args.verbose)
    if args.child:
        return child(args)
    if not common.check_write_docs(args):
        return 2
    config = EmbedtuneConfig().with_overrides({"max_steps": args.max_steps,
                                               "batch_size": args.batch_size})
    stages = [s for s in args.stages.split(",") if s]
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stages {sorted(unknown)}")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="embedtune-bench-memory-") as tmp:
        scratch = Path(tmp)
        source = common.source_pdf(args.corpus, scratch, args.pages)
        if source is None:
            return 0
        pdf_dir = scratch / "reference"
        common.link_into([source], pdf_dir)
        stage_rows = per_stage(pdf_dir, scratch, config, stages) if stages else []
        growth_rows = growth(source, scratch, config, sizes) if sizes else []
    parts = []
    if stage_rows:
        parts.append(stage_table(stage_rows))
    if growth_rows:
        parts.append(growth_table(growth_rows))
    text = "\n\n".join(parts)
    print(text)
    if args.write_docs:
        common.write_docs_section(
            MARKER, "Peak memory per stage, and as the corpus grows", text,
            f"Each stage alone in a fresh process on the reference corpus, defaults except "
            f"train max_steps={args.max_steps}. 'largest process' = ru_maxrss (lower bound); "
            "'process tree' = psutil-polled sum over the stage's processes every 50 ms (upper "
            "bound: forked children's shared pages count twice). Growth: byte-distinct copies "
            "of the reference PDF.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
