"""`embedtune`: run the pipeline, or one stage of it, from the shell.

    embedtune run --pdfs resources/ --out artifacts/
    embedtune ingest --pdfs resources/ --out artifacts/ --run-id r1
    embedtune chunk --out artifacts/ --run-id r1        (reads the ingest stage's manifest)
    embedtune search "who is accountable for a biased model?" --out artifacts/

Errors in user input print one line and exit non-zero; no traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from embedtune.config import FLAT_OPTIONS, ConfigError, EmbedtuneConfig

log = logging.getLogger("embedtune")

STAGES = ["ingest", "chunk", "theme", "pairs", "train", "evaluate", "report", "publish",
          "promote"]

_OPTION_HELP = {
    "base_model": "base model: a Hub id or a local folder (default: all-MiniLM-L6-v2, "
                  "packaged for offline use)",
    "epochs": "training epochs (default 3)",
    "batch_size": "training batch size; also the number of in-batch negatives (default 32)",
    "learning_rate": "peak learning rate (default 1e-4)",
    "warmup_steps": "linear warmup steps, capped at 10%% of all steps (default 100)",
    "max_steps": "stop training after this many steps; 0 = epochs decide (default 0)",
    "seed": "random seed for training (default 42)",
    "device": "cpu, cuda, cuda:1 ... or auto (default auto: CUDA when present)",
    "generator": "training-pair generator: template, keyphrase, sentence, summary, mixed "
                 "(default mixed)",
    "eval_generators": "comma-separated generators of the held-out questions (default "
                       "keyphrase,sentence,summary); only those unlike the training "
                       "generator count for promotion",
    "questions_per_chunk": "questions generated per chunk (default 4)",
    "eval_fraction": "share of chunks held out for evaluation, never trained on (default 0.1)",
    "max_tokens": "chunk length in the model's word pieces; 0 = the model's max_seq_length",
    "overlap_tokens": "word pieces shared by consecutive chunks (default 32)",
    "lexicon": "theme lexicon YAML (default: themes.yaml beside the PDFs, else resources/)",
    "min_gain": "NDCG@10 gain over the base model required to promote (default 0.005)",
    "max_general_drop": "largest allowed NDCG@10 drop on the general-domain check "
                        "(default 0.05)",
    "publish": "publish to the Hugging Face Hub (true/false; default false)",
    "repo_id": "Hub repo id to publish to, e.g. my-org/policy-embedder",
    "private": "create the Hub repo private (default true)",
}


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("pipeline options (override --config)")
    group.add_argument("--config", type=Path, help="YAML config file (sections as in "
                       "embedtune.config.EmbedtuneConfig)")
    for name in FLAT_OPTIONS:
        group.add_argument("--" + name.replace("_", "-"), dest=name, default=None,
                           help=_OPTION_HELP.get(name, name))


def _add_paths(parser: argparse.ArgumentParser, pdfs: bool, pdfs_required: bool = True) -> None:
    if pdfs:
        parser.add_argument("--pdfs", type=Path, required=pdfs_required,
                            help="folder of *.pdf files" if pdfs_required else
                            "the PDF folder (its themes.yaml, if any, is the lexicon)")
    parser.add_argument("--out", type=Path, required=True,
                        help="artifacts root: runs/<run id>/, cache/, registry/ go here")
    parser.add_argument("--run-id", default=None,
                        help="run folder name (default: a new id for `run`/`ingest`, else the "
                             "latest run)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="embedtune",
        description="Fine-tune an embedding model on your PDFs, measure it against the base "
                    "model, and publish/promote it only if it is better.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run every stage in order")
    _add_paths(run, pdfs=True)
    run.add_argument("--questions", action="append", default=[], metavar="NAME=PATH",
                     help="extra evaluation set: JSONL of {question, gold_quote} (repeatable)")
    _add_config_options(run)
    for stage in STAGES:
        sub = commands.add_parser(stage, help=f"run only the {stage} stage of a run")
        _add_paths(sub, pdfs=stage in {"ingest", "theme"}, pdfs_required=stage == "ingest")
        if stage == "evaluate":
            sub.add_argument("--questions", action="append", default=[], metavar="NAME=PATH")
        _add_config_options(sub)
    search = commands.add_parser("search", help="query the current production model")
    search.add_argument("question")
    search.add_argument("--out", type=Path, required=True, help="artifacts root")
    search.add_argument("--chunks", type=Path, default=None,
                        help="chunks.jsonl to search (default: the promoted run's chunks)")
    search.add_argument("-k", type=int, default=5)
    rollback = commands.add_parser("rollback", help="make the previous model current again")
    rollback.add_argument("--out", type=Path, required=True, help="artifacts root")
    rollback.add_argument("--to", default=None, help="run id to roll back to")
    models = commands.add_parser("models", help="list the registry's models")
    models.add_argument("--out", type=Path, required=True, help="artifacts root")
    return parser


def load_config(args: argparse.Namespace) -> EmbedtuneConfig:
    config = EmbedtuneConfig.from_file(args.config) if args.config else EmbedtuneConfig()
    overrides = {name: getattr(args, name) for name in FLAT_OPTIONS
                 if getattr(args, name, None) is not None}
    return config.with_overrides(overrides)


def _question_sets(values: list[str]) -> dict[str, str]:
    sets = {}
    for value in values:
        name, _, path = value.partition("=")
        if not path:
            name, path = Path(value).stem, value
        if not Path(path).is_file():
            raise ConfigError(f"question set not found: {path}")
        sets[name] = path
    return sets


def _latest_run(out: Path) -> str:
    runs = sorted((out / "runs").glob("*"), key=lambda p: p.stat().st_mtime) \
        if (out / "runs").is_dir() else []
    if not runs:
        raise ConfigError(f"no runs in {out}: start with `embedtune ingest` or `embedtune run`")
    return runs[-1].name


def run_one_stage(args: argparse.Namespace, config: EmbedtuneConfig) -> dict[str, Any]:
    from embedtune import pipeline

    run_id = args.run_id or (pipeline.new_run_id() if args.command == "ingest"
                             else _latest_run(args.out))
    layout = pipeline.RunLayout(args.out, run_id)
    return pipeline.run_stage(args.command, layout, config,
                              pdf_dir=getattr(args, "pdfs", None),
                              extra_question_sets=_question_sets(getattr(args, "questions", [])),
                              publish_token=os.environ.get("HF_TOKEN"))


def print_summary(result: dict[str, Any]) -> None:
    stages = result["stages"]
    evaluation = stages.get("evaluate", {})
    manifest = json.loads(Path(evaluation["manifest"]).read_text()) if evaluation else {}
    print(f"\nrun {result['run_id']} finished in {result['seconds']:.0f}s: {result['run_dir']}")
    if manifest:
        print(manifest["table"])
        print(manifest["reason"])
    print(f"model:  {stages['train']['model_dir']}")
    print(f"report: {stages['report']['report_path']}")
    publish = stages.get("publish", {})
    print(f"publish: {publish.get('reason') or publish.get('url', '')}")
    promote = stages.get("promote", {})
    print(f"current model: {promote.get('current')}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from embedtune.errors import USER_ERRORS

    try:
        if args.command == "search":
            from embedtune.retriever import Retriever

            retriever = Retriever.from_registry(args.out, chunks_path=args.chunks)
            for hit in retriever.search(args.question, k=args.k):
                print(f"{hit.score:.3f}  {hit.file} p.{hit.page_start}-{hit.page_end}  "
                      f"{hit.text[:160]}")
            return 0
        if args.command in {"rollback", "models"}:
            from embedtune import registry

            root = args.out / "registry"
            result = registry.rollback(root, args.to) if args.command == "rollback" \
                else registry.list_models(root)
            print(json.dumps(result, indent=2))
            return 0
        config = load_config(args)
        if args.command == "run":
            from embedtune.pipeline import run_pipeline

            result = run_pipeline(args.pdfs, args.out, config, run_id=args.run_id,
                                  publish_token=os.environ.get("HF_TOKEN"),
                                  extra_question_sets=_question_sets(args.questions))
            print_summary(result)
        else:
            print(json.dumps(run_one_stage(args, config), indent=2))
        return 0
    except USER_ERRORS as error:
        print(f"embedtune: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
