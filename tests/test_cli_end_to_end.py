"""The CLI end to end on generated PDFs with the packaged MiniLM and a few training steps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pdf_factory
import pytest
from corpus import write_corpus

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT / "include")}
    env.pop("HF_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "embedtune.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=1200)


@pytest.mark.slow
def test_run_end_to_end(tmp_path) -> None:
    pdf_dir = tmp_path / "pdfs"
    write_corpus(pdf_dir)
    pdf_factory.truncated_pdf(pdf_dir / "broken.pdf")
    out = tmp_path / "artifacts"
    result = _cli("run", "--pdfs", str(pdf_dir), "--out", str(out), "--run-id", "e2e",
                  "--max-steps", "4", "--batch-size", "8", "--epochs", "1",
                  "--max-tokens", "64", "--overlap-tokens", "0", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = out / "runs" / "e2e"
    # The manifest chain is complete and each stage points at the previous one's outputs.
    manifests = {d: json.loads((run_dir / d / "manifest.json").read_text())
                 for d in ["ingest", "chunks", "themes", "pairs", "train", "eval", "report",
                           "publish"]}
    assert manifests["ingest"]["files_ingested"] == 3
    skipped = [f for f in manifests["ingest"]["files"] if f["status"] == "skipped"]
    assert [f["file"] for f in skipped] == ["broken.pdf"]
    assert manifests["chunks"]["ingest_manifest"] == manifests["ingest"]["pages_path"]
    assert manifests["pairs"]["corpus_path"] == manifests["themes"]["chunks_path"]
    assert manifests["train"]["steps"] == 4
    assert manifests["eval"]["model_dir"] == manifests["train"]["model_dir"]
    # Metrics for both models, on the whole corpus.
    metrics = manifests["eval"]["metrics"]
    for model in ("base", "finetuned"):
        for metric in ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10", "map@100"):
            assert 0.0 <= metrics[model]["all"][metric] <= 1.0
        assert metrics[model]["general"]["questions"] == 80
    assert manifests["eval"]["corpus_chunks"] == manifests["chunks"]["chunks"]
    assert "not published: " in manifests["publish"]["reason"]
    # The saved model loads and embeds.
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(manifests["train"]["model_dir"], device="cpu")
    embedding = model.encode(["Who audits hiring models?"])
    assert embedding.shape == (1, 384)
    assert (Path(manifests["train"]["model_dir"]) / "README.md").exists()
    # The printed summary compares the models and says where things are.
    assert "ndcg@10" in result.stdout and "report:" in result.stdout
    assert (run_dir / "report" / "report.md").read_text().startswith("# embedtune run")
    assert (run_dir / "report" / "metrics.png").stat().st_size > 1000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--pdfs", "missing-folder", "--out", "o"], "PDF folder not found"),
        (["run", "--pdfs", ".", "--out", "o"], "no *.pdf files"),
        (["run", "--pdfs", "pdfs", "--out", "o", "--base-model", "/no/such/model"],
         "cannot load"),
        (["run", "--pdfs", "pdfs", "--out", "o", "--epochs", "zero"], "expected int"),
        (["rollback", "--out", "o"], "no previous model"),
    ],
)
def test_user_errors_are_one_line_without_traceback(tmp_path, args, message) -> None:
    pdf_factory.text_pdf(tmp_path / "pdfs" / "a.pdf", ["Some text about AI audits here."])
    result = _cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message in result.stderr.strip().splitlines()[-1]


def test_help_documents_every_option(tmp_path) -> None:
    result = _cli("run", "--help", cwd=tmp_path)
    assert result.returncode == 0
    for option in ("--pdfs", "--out", "--base-model", "--generator", "--epochs",
                   "--batch-size", "--learning-rate", "--max-steps", "--min-gain"):
        assert option in result.stdout


def test_stage_subcommands_chain_through_manifests(tmp_path) -> None:
    pdf_dir = tmp_path / "pdfs"
    write_corpus(pdf_dir)
    out = tmp_path / "artifacts"
    options = ["--max-tokens", "64", "--overlap-tokens", "0"]
    first = _cli("ingest", "--pdfs", str(pdf_dir), "--out", str(out), "--run-id", "staged",
                 cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    assert json.loads(first.stdout)["files_ingested"] == 3
    for stage in ("chunk", "theme", "pairs"):  # the latest run is picked up without --run-id
        result = _cli(stage, "--out", str(out), *options, cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
    pairs = json.loads((out / "runs/staged/pairs/manifest.json").read_text())
    assert pairs["train_pairs"] > 0 and pairs["eval_questions"] > 0
    assert Path(pairs["corpus_path"]) == out / "runs/staged/themes/chunks.jsonl"
    missing = _cli("train", "--out", str(tmp_path / "empty"), cwd=tmp_path)
    assert missing.returncode == 2 and "no runs in" in missing.stderr
