"""The whole CLI run with publishing to a Hub-compatible server on loopback: the gate decides
what moves `production` and the registry, and the token appears in no artifact or log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from corpus import write_corpus
from fake_hub import FakeHub, TokenInfo

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "hf_embedtune_test_token_4f9c2e1d"


def _run(pdfs: Path, out: Path, hub: FakeHub, run_id: str, *extra: str):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "include"), "HF_ENDPOINT": hub.url,
           "HF_TOKEN": TOKEN, "HF_HUB_DISABLE_XET": "1", "HF_HOME": str(out / "hf-home")}
    env.pop("HF_HUB_OFFLINE", None)  # publishing must reach the (loopback) Hub
    return subprocess.run(
        [sys.executable, "-m", "embedtune.cli", "run", "--pdfs", str(pdfs), "--out", str(out),
         "--run-id", run_id, "--max-steps", "3", "--batch-size", "8", "--max-tokens", "64",
         "--overlap-tokens", "0", "--publish", "true", "--repo-id", "acme/policy-embedder",
         *extra], capture_output=True, text=True, env=env, timeout=1200)


@pytest.mark.slow
def test_gate_decides_production_and_the_token_never_leaks(tmp_path) -> None:
    pdfs = tmp_path / "pdfs"
    write_corpus(pdfs)
    out = tmp_path / "artifacts"
    with FakeHub(tmp_path / "hub", {TOKEN: TokenInfo(user="alice", orgs=["acme"])}) as hub:
        # Gate wide open (any result is accepted): published, production moved, promoted.
        first = _run(pdfs, out, hub, "run-a", "--min-gain", "-1", "--max-general-drop", "1")
        assert first.returncode == 0, first.stderr[-3000:]
        published = json.loads((out / "runs/run-a/publish/manifest.json").read_text())
        assert published["published"] and published["production_moved"]
        repo = hub.repo("acme/policy-embedder")
        assert repo.private
        assert repo.branches["production"] == published["commit"]
        card = hub.file_text("acme/policy-embedder", "README.md")
        assert "model-index" in card
        assert json.loads((out / "registry/current.json").read_text())["current"] == "run-a"

        # A config that cannot improve (learning rate ~0, gain ~0 < required): refused.
        second = _run(pdfs, out, hub, "run-b", "--learning-rate", "1e-12", "--min-gain", "0.01")
        assert second.returncode == 0, second.stderr[-3000:]
        evaluation = json.loads((out / "runs/run-b/eval/manifest.json").read_text())
        assert not evaluation["promote"]
        assert evaluation["reason"].startswith("not promoted: ")
        assert "not promoted" in second.stdout
        assert repo.branches["production"] == published["commit"]  # did not move
        assert json.loads((out / "registry/current.json").read_text())["current"] == "run-a"

    for result in (first, second):
        assert TOKEN not in result.stdout + result.stderr
    leaks = [p for p in out.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]
    assert leaks == []
