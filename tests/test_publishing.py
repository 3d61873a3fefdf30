"""Publishing against a loopback Hub (tests/fake_hub.py) with the real, unpatched huggingface_hub.

Transfer paths exercised (the fake Hub never offers Xet):
- in-process publishes run with the test environment's Xet setting; with hf_xet installed,
  publish_model asks for a Xet write token, gets 404, and hands the client file objects so it uses
  classic LFS (preupload -> LFS batch -> PUT -> verify -> commit);
- `_SUBPROCESS` "publish" runs with HF_HUB_DISABLE_XET=1 (read by huggingface_hub at import), so the
  client itself picks LFS and no Xet token is ever asked for;
- loading back with SentenceTransformer(repo_id) in fresh processes (HF_ENDPOINT -> fake Hub, fresh
  HF_HOME): once with HF_HUB_DISABLE_XET=1 (plain HTTP resolve), once with the default setting,
  where the client would use Xet only if resolve sent X-Xet-Hash; it does not, so it must fall back
  to plain HTTP downloads too. Both must give the embeddings of the local model.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from fake_hub import FakeHub, TokenInfo
from huggingface_hub import constants

from embedtune.config import EmbedtuneConfig
from embedtune.publishing import PublishError, RetryPolicy, publish_model

GOOD_TOKEN = "hf_fakehubGOODtoken0123456789abcdef"
READ_TOKEN = "hf_fakehubREADtoken0123456789abcdef"
SENTINEL = "CONFIDENTIAL-PDF-SENTENCE-7f3a"  # stands for raw PDF text in the auto card / samples
FAST = RetryPolicy(attempts=4, base_delay_s=0.01, max_delay_s=0.05)
SENTENCES = ["the policy report on safety", "budget training data", "search question answer model"]
REPO_ROOT = Path(__file__).resolve().parents[1]


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tokens = {
        GOOD_TOKEN: TokenInfo(user="alice", orgs=["acme"]),
        READ_TOKEN: TokenInfo(user="bob", role="read"),
    }
    with FakeHub(tmp_path_factory.mktemp("hub"), tokens) as server:
        yield server


@pytest.fixture(scope="module")
def stage_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """train_dir (tiny SentenceTransformer + manifest) and eval_dir (manifest)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("stages")
    hf_dir = root / "hf"
    hf_dir.mkdir()
    words = (
        "the a of to and in is for on with model data pdf policy report safety budget training "
        "embedding search question answer"
    ).split()
    letters = list("abcdefghijklmnopqrstuvwxyz")
    vocab = [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        *words,
        *letters,
        *[f"##{c}" for c in letters],
    ]
    (hf_dir / "vocab.txt").write_text("\n".join(vocab) + "\n")
    BertTokenizerFast(vocab_file=str(hf_dir / "vocab.txt"), do_lower_case=True).save_pretrained(
        hf_dir
    )
    torch.manual_seed(0)
    BertModel(
        BertConfig(
            vocab_size=len(vocab),
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=64,
            max_position_embeddings=64,
        )
    ).save_pretrained(hf_dir)

    train_dir, eval_dir = root / "train", root / "eval"
    SentenceTransformer(str(hf_dir), device="cpu").save(str(train_dir / "model"))
    # What the sentence-transformers auto card looks like after training: it quotes training rows.
    (train_dir / "model" / "README.md").write_text(
        f"---\nwidget:\n- source_sentence: {SENTINEL}\n---\n{SENTINEL}\n"
    )
    (train_dir / "manifest.json").write_text(
        json.dumps(
            {
                "base_model": "sentence-transformers/all-MiniLM-L6-v2",
                "pairs": 120,
                "epochs": 1,
                "batch_size": 16,
                "learning_rate": 2e-5,
                "train_seconds": 3.5,
                "samples": [{"anchor": f"What is {SENTINEL}?", "positive": SENTINEL}],
            }
        )
    )
    eval_dir.mkdir()
    (eval_dir / "manifest.json").write_text(
        json.dumps(
            {
                "metrics": {
                    "base": {"ndcg@10": 0.61, "mrr@10": 0.55, "hit@1": 0.45},
                    "finetuned": {"ndcg@10": 0.74, "mrr@10": 0.69, "hit@1": 0.6},
                },
                "promote": True,
                "reason": "ndcg@10 gain 0.13 >= min_gain 0.0",
                "data": {
                    "pdfs": 3,
                    "pages": 17,
                    "chunks": 40,
                    "pairs": 120,
                    "eval_pairs": 30,
                    "generator": "mixed",
                },
            }
        )
    )
    return train_dir, eval_dir


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests choose their token explicitly; never pick one up from the developer's shell.
    monkeypatch.delenv("HF_TOKEN", raising=False)
    # A suite-wide HF_HUB_OFFLINE=1 (read at import) would block even loopback calls; every call
    # here goes to the fake Hub on 127.0.0.1, so lift it for these tests only.
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


def _config(repo_id: str, publish: bool = True, **extra: Any) -> EmbedtuneConfig:
    return EmbedtuneConfig.from_dict(
        {"publish": {"publish": publish, "repo_id": repo_id, "private": True, **extra}}
    )


def _publish(
    hub: FakeHub,
    dirs: tuple[Path, Path],
    out: Path,
    repo_id: str,
    run_id: str,
    token: str | None = GOOD_TOKEN,
    **kwargs: Any,
) -> dict[str, Any]:
    train_dir, eval_dir = dirs
    kwargs.setdefault("promoted", False)
    kwargs.setdefault("retry", FAST)
    kwargs.setdefault("measure", False)
    return publish_model(
        train_dir, eval_dir, out, _config(repo_id), run_id, token=token, endpoint=hub.url, **kwargs
    )


def _refs(hub: FakeHub, repo_id: str) -> tuple[dict[str, str], dict[str, str]]:
    repo = hub.repo(repo_id)
    return dict(repo.branches), dict(repo.tags)


_SUBPROCESS = r"""
import json, sys
import numpy as np
args = json.loads(sys.argv[1])
if args.get("publish"):
    from embedtune.config import EmbedtuneConfig
    from embedtune.publishing import publish_model
    p = args["publish"]
    cfg = EmbedtuneConfig.from_dict(
        {"publish": {"publish": True, "repo_id": args["repo_id"], "private": True}})
    # No token or endpoint arguments: both come from HF_TOKEN / HF_ENDPOINT, as in production.
    result = publish_model(p["train"], p["eval"], p["out"], cfg, p["run_id"],
                           promoted=True, measure=False)
    print("PUBLISHED", result["commit"])
from huggingface_hub import constants
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(args["repo_id"], device="cpu")
np.save(args["out_npy"], model.encode(args["sentences"], convert_to_numpy=True))
print("XET_DISABLED", constants.HF_HUB_DISABLE_XET)
"""


def _spawn(
    hub: FakeHub,
    tmp: Path,
    name: str,
    repo_id: str,
    disable_xet: bool,
    publish: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[str], Path]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "HF_HUB_OFFLINE",
            "TRANSFORMERS_OFFLINE",
            "HF_HUB_DISABLE_XET",
            "HF_TOKEN",
            "HF_HUB_CACHE",
            "HUGGINGFACE_HUB_CACHE",
            "HF_XET_CACHE",
            "SENTENCE_TRANSFORMERS_HOME",
        }
    }
    env.update(
        {
            "HF_ENDPOINT": hub.url,
            "HF_HOME": str(tmp / f"hf_home_{name}"),
            "HF_TOKEN": GOOD_TOKEN,
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_DISABLE_PROGRESS_BARS": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "OMP_NUM_THREADS": "1",
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "include"), env.get("PYTHONPATH", "")]),
        }
    )
    if disable_xet:
        env["HF_HUB_DISABLE_XET"] = "1"
    out_npy = tmp / f"{name}.npy"
    args = {"repo_id": repo_id, "out_npy": str(out_npy), "sentences": SENTENCES, "publish": publish}
    proc = subprocess.Popen(
        [sys.executable, "-c", _SUBPROCESS, json.dumps(args)],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return proc, out_npy


# -- tests ------------------------------------------------------------------------------------
def test_no_token_or_publish_off_stages_upload_without_network(
    hub: FakeHub, stage_dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    hub.reset_records()
    result = _publish(hub, stage_dirs, tmp_path / "a", "acme/never", "run-0", token=None)
    assert result["published"] is False
    assert result["reason"] == "not published: no token"
    upload = tmp_path / "a" / "upload"
    assert {"model.safetensors", "README.md", "modules.json", "1_Pooling/config.json"} <= set(
        result["files"]
    )
    assert (upload / "model.safetensors").read_bytes() == (
        stage_dirs[0] / "model" / "model.safetensors"
    ).read_bytes()
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["published"] is False and manifest["commit"] is None
    assert not list((tmp_path / "a").glob(".*tmp"))  # atomic staging left no temp folder

    train_dir, eval_dir = stage_dirs
    off = publish_model(
        train_dir,
        eval_dir,
        tmp_path / "b",
        _config("acme/never", publish=False),
        "run-0",
        token=GOOD_TOKEN,
        endpoint=hub.url,
        measure=False,
    )
    assert off["published"] is False and "publish.publish is false" in off["reason"]
    assert (tmp_path / "b" / "upload" / "README.md").exists()
    assert hub.count() == 0  # neither case touched the network


def test_first_publish_then_load_back_with_and_without_xet(
    hub: FakeHub, stage_dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    from sentence_transformers import SentenceTransformer

    hub.reset_records()
    result = _publish(
        hub,
        stage_dirs,
        tmp_path / "pub",
        "acme/first",
        "manual__2025-01-01T00:00:00+00:00",
        promoted=True,
        measure=True,
    )
    assert result["published"] is True and result["already_published"] is False
    sha, tag = result["commit"], result["tag"]
    assert tag == "manual__2025-01-01T00-00-00-00-00"  # ':' and '+' are not allowed in git refs
    repo = hub.repo("acme/first")
    assert repo.private is True
    branches, tags = _refs(hub, "acme/first")
    assert tags[tag] == sha and branches["main"] == sha and branches["production"] == sha
    files = repo.files(sha)
    assert set(files) == set(result["files"]) | {".gitattributes"}
    # The weights went through LFS (batch, PUT, verify); small text files are plain git blobs.
    assert files["model.safetensors"].lfs_sha256 is not None
    assert files["config.json"].lfs_sha256 is None
    assert hub.count("commit") == 1
    assert hub.count("lfs_upload") == 1 and hub.count("lfs_verify") == 1
    # With hf_xet usable in this process, publish_model first asked for Xet (404 here), then fell
    # back to LFS itself: the client would not (see embedtune.publishing).
    xet_usable = not constants.HF_HUB_DISABLE_XET and importlib.util.find_spec("hf_xet")
    assert hub.count("xet_token") == (1 if xet_usable else 0)

    card = hub.file_text("acme/first", "README.md")
    assert SENTINEL not in card
    meta = yaml.safe_load(card.split("---")[1])
    assert (
        meta["library_name"] == "sentence-transformers"
        and meta["pipeline_tag"] == "sentence-similarity"
    )
    assert meta["base_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    results = meta["model-index"][0]["results"][0]
    assert results["task"]["type"] == "retrieval"
    assert results["dataset"]["name"] == "embedtune held-out questions"
    assert {m["type"]: m["value"] for m in results["metrics"]} == {
        "ndcg_at_10": 0.74,
        "mrr_at_10": 0.69,
        "hit_at_1": 0.6,
    }
    assert "| NDCG@10 | 0.6100 | 0.7400 | +0.1300 |" in card
    assert (
        "sentences/s" in card
        and "embedding" in card
        and 'SentenceTransformer("acme/first")' in card
    )

    # Load back in fresh processes: (A) publish another repo and load it with Xet disabled in the
    # client; (B) load acme/first with the default Xet setting. Run both at once to save time.
    procs = [
        _spawn(
            hub,
            tmp_path,
            "lfs",
            "acme/lfs-path",
            disable_xet=True,
            publish={
                "train": str(stage_dirs[0]),
                "eval": str(stage_dirs[1]),
                "out": str(tmp_path / "pub_lfs"),
                "run_id": "run-lfs",
            },
        ),
        _spawn(hub, tmp_path, "default", "acme/first", disable_xet=False),
    ]
    outputs = []
    for proc, _ in procs:
        output, _ = proc.communicate(timeout=120)
        outputs.append(output)
        assert proc.returncode == 0, output[-3000:]
    assert "XET_DISABLED True" in outputs[0] and "XET_DISABLED False" in outputs[1]

    expected = SentenceTransformer(str(stage_dirs[0] / "model"), device="cpu").encode(SENTENCES)
    for _, npy in procs:
        np.testing.assert_allclose(np.load(npy), expected, rtol=0, atol=1e-6)

    lfs_paths = [r for r in hub.requests if "acme/lfs-path" in r.path]
    assert any(r.endpoint == "lfs_upload" for r in lfs_paths)  # client-side LFS (Xet disabled)
    assert not any(r.endpoint == "xet_token" for r in lfs_paths)  # ... so it never asked for Xet
    assert any(
        r.endpoint == "resolve" and r.method == "GET" and r.path.endswith("model.safetensors")
        for r in hub.requests
        if "acme/first" in r.path
    )  # default setting fell back to HTTP
    snapshot = tmp_path / "hf_home_default" / "hub" / "models--acme--first" / "snapshots" / sha
    assert (snapshot / "model.safetensors").exists()


def test_republish_same_run_id_uploads_nothing(
    hub: FakeHub, stage_dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    first = _publish(hub, stage_dirs, tmp_path / "1", "acme/again", "run-7")
    commits_before = hub.commit_count("acme/again")
    hub.reset_records()
    second = _publish(hub, stage_dirs, tmp_path / "2", "acme/again", "run-7")
    assert second["published"] is True and second["already_published"] is True
    assert second["commit"] == first["commit"]
    assert hub.commit_count("acme/again") == commits_before
    assert hub.count("commit") == 0 and hub.count("preupload") == 0 and hub.count("lfs_upload") == 0


def test_production_moves_only_for_promoted_runs(
    hub: FakeHub, stage_dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    r1 = _publish(hub, stage_dirs, tmp_path / "1", "acme/prod", "r1", promoted=True)
    assert r1["production_moved"] is True
    assert _refs(hub, "acme/prod")[0]["production"] == r1["commit"]

    r2 = _publish(hub, stage_dirs, tmp_path / "2", "acme/prod", "r2", promoted=False)
    branches, tags = _refs(hub, "acme/prod")
    assert (
        r2["commit"] != r1["commit"] and branches["main"] == r2["commit"]
    )  # the card names the run
    assert branches["production"] == r1["commit"] and r2["production_moved"] is False
    assert tags == {"r1": r1["commit"], "r2": r2["commit"]}

    r3 = _publish(hub, stage_dirs, tmp_path / "3", "acme/prod", "r3", promoted=True)
    assert (
        _refs(hub, "acme/prod")[0]["production"] == r3["commit"] and r3["production_moved"] is True
    )

    # A failed upload never moves production: the commit keeps failing past the retry budget.
    hub.fail_next("commit", times=FAST.attempts, status=503)
    with pytest.raises(PublishError, match="after 4 attempts"):
        _publish(hub, stage_dirs, tmp_path / "4", "acme/prod", "r4", promoted=True)
    branches, tags = _refs(hub, "acme/prod")
    assert (
        branches["production"] == r3["commit"]
        and branches["main"] == r3["commit"]
        and "r4" not in tags
    )


def test_bad_token_fails_fast_without_retries(
    hub: FakeHub, stage_dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    hub.reset_records()
    with pytest.raises(PublishError, match=r"Hub rejected the token \(401\): check HF_TOKEN"):
        _publish(hub, stage_dirs, tmp_path / "x", "acme/bad", "run-1", token="hf_not_a_valid_token")
    assert hub.count() == 1 and hub.requests[0].endpoint == "whoami"  # one call, no retry

    hub.reset_records()
    with pytest.raises(PublishError, match=r"\(403\)"):  # valid token, but read-only
        _publish(hub, stage_dirs, tmp_path / "y", "acme/bad", "run-1", token=READ_TOKEN)
    assert hub.count("create_repo") == 1


def test_transient_5xx_are_retried(
    hub: FakeHub, stage_dirs: tuple[Path, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hub.reset_records()
    hub.fail_next("create_repo", times=2, status=503)
    hub.fail_next("commit", times=2, status=500)
    caplog.set_level(logging.WARNING, logger="embedtune.publishing")
    result = _publish(hub, stage_dirs, tmp_path / "r", "acme/flaky", "run-1", promoted=True)
    assert result["published"] is True and result["production_moved"] is True
    assert hub.count("create_repo") == 3 and hub.count("commit") == 3
    assert hub.commit_count("acme/flaky") == 2  # initial commit + exactly one publish commit
    retries = [
        r for r in caplog.records if r.name == "embedtune.publishing" and "retry" in r.getMessage()
    ]
    assert len(retries) == 4


def test_token_never_written_or_logged(
    hub: FakeHub, stage_dirs: tuple[Path, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "leak"
    result = _publish(hub, stage_dirs, out, "acme/leak", "run-1", promoted=True)
    with pytest.raises(PublishError):
        _publish(
            hub,
            stage_dirs,
            tmp_path / "leak2",
            "acme/leak",
            "run-2",
            token="hf_bad_" + GOOD_TOKEN[-8:],
        )
    assert GOOD_TOKEN not in json.dumps(result)
    for path in [*out.rglob("*"), *(tmp_path / "leak2").rglob("*")]:
        if path.is_file():
            assert GOOD_TOKEN.encode() not in path.read_bytes(), path
    assert GOOD_TOKEN not in caplog.text and "hf_bad_" not in caplog.text
    repo = hub.repo("acme/leak")
    for entry in repo.files(result["commit"]).values():
        assert GOOD_TOKEN.encode() not in repo.read(entry)


def test_card_hides_data_samples_unless_opted_in(stage_dirs: tuple[Path, Path]) -> None:
    from embedtune.model_card import card_facts, render_card

    train = json.loads((stage_dirs[0] / "manifest.json").read_text())
    evaluation = json.loads((stage_dirs[1] / "manifest.json").read_text())
    default = render_card(card_facts(train, evaluation, _config("acme/card"), "run-1"))
    assert SENTINEL not in default and "No text from the source documents" in default
    opted_in = render_card(
        card_facts(train, evaluation, _config("acme/card", include_data_samples=True), "run-1")
    )
    assert SENTINEL in opted_in and "## Sample training pairs" in opted_in


def test_bare_repo_name_goes_to_token_owner(
    hub: FakeHub, stage_dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    result = _publish(hub, stage_dirs, tmp_path / "bare", "bare-name", "run-1")
    assert result["repo_id"] == "alice/bare-name"
    card = hub.file_text("alice/bare-name", "README.md")
    assert 'SentenceTransformer("alice/bare-name")' in card
    assert (tmp_path / "bare" / "upload" / "README.md").read_text() == card
