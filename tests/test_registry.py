from __future__ import annotations

import json
import threading

import pytest

from embedtune import registry
from embedtune.artifacts import write_manifest
from embedtune.errors import RegistryError


def _model(tmp_path, name: str):
    folder = tmp_path / "trained" / name
    folder.mkdir(parents=True)
    (folder / "weights.bin").write_text(name)
    return folder


def _evaluation(tmp_path, name: str, promote: bool):
    eval_dir = tmp_path / "eval" / name
    write_manifest(eval_dir, {"stage": "evaluate", "promote": promote,
                              "reason": "promoted: x" if promote else "not promoted: worse",
                              "model_dir": str(_model(tmp_path, name)), "finetuned_score": 0.5})
    return eval_dir


def test_promotion_history_and_rollback(tmp_path) -> None:
    root = tmp_path / "registry"
    assert registry.current_model(root) is None
    first = registry.promote_if_better(_evaluation(tmp_path, "run1", True), root, "run1")
    assert first["promoted"] and first["previous"] is None
    refused = registry.promote_if_better(_evaluation(tmp_path, "run2", False), root, "run2")
    assert refused == {"promoted": False, "current": "run1", "reason": "not promoted: worse"}
    registry.promote_if_better(_evaluation(tmp_path, "run3", True), root, "run3")
    assert registry.current_model(root) == root / "models" / "run3"
    assert (root / "models" / "run3" / "weights.bin").read_text() == "run3"
    back = registry.rollback(root)
    assert back == {"current": "run1", "previous": "run3"}
    assert registry.current_model(root).name == "run1"
    assert registry.list_models(root)["models"] == ["run1", "run3"]  # nothing deleted
    with pytest.raises(RegistryError):
        registry.rollback(root, "no-such-run")


def test_rollback_without_history_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(RegistryError, match="no previous model"):
        registry.rollback(tmp_path / "registry")


def test_concurrent_promotions_leave_a_consistent_pointer(tmp_path) -> None:
    root = tmp_path / "registry"
    models = [_model(tmp_path, f"r{i}") for i in range(8)]
    threads = [threading.Thread(target=registry.promote, args=(m, root, m.name)) for m in models]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = json.loads((root / "current.json").read_text())
    assert len(state["history"]) == 8
    assert state["current"] in {m.name for m in models}
    assert sorted(registry.list_models(root)["models"]) == sorted(m.name for m in models)
    # No temporary files left behind.
    assert not [p for p in root.rglob("*") if p.name.endswith(".tmp")]
