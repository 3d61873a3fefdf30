from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from embedtune import Retriever, registry
from embedtune.artifacts import write_jsonl, write_manifest
from embedtune.models import resolve_model

CHUNKS = [
    ("c1", "hiring.pdf", 3, "Automated hiring tools are audited for disparate impact against "
                            "protected groups every six months."),
    ("c2", "security.pdf", 7, "Red teams test chatbots for prompt injection before launch."),
    ("c3", "green.pdf", 2, "Teams estimate the energy use and carbon emissions of training."),
]


def _registry_with_current_model(root: Path) -> None:
    run_dir = root / "runs" / "r1"
    chunks_path = run_dir / "themes" / "chunks.jsonl"
    write_jsonl(chunks_path, [{"chunk_id": cid, "file": f, "page_start": p, "page_end": p,
                               "text": text} for cid, f, p, text in CHUNKS])
    write_manifest(run_dir / "themes", {"stage": "theme", "chunks_path": str(chunks_path)})
    registry.promote(resolve_model("default"), root / "registry", "r1")


def test_retriever_uses_the_current_model_and_returns_provenance(tmp_path) -> None:
    _registry_with_current_model(tmp_path)
    retriever = Retriever.from_registry(tmp_path)
    hits = retriever.search("Who checks recruiting algorithms for discrimination?", k=2)
    assert hits[0].chunk_id == "c1"
    assert hits[0].file == "hiring.pdf" and hits[0].page_start == 3
    assert hits[0].score > hits[1].score


def test_search_command(tmp_path) -> None:
    _registry_with_current_model(tmp_path)
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root / "include"), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-m", "embedtune.cli", "search",
                             "how do we test a chatbot against injected prompts?", "--out",
                             str(tmp_path), "-k", "1"], capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert "security.pdf p.7-7" in result.stdout
