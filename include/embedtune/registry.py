"""The local model registry: promoted models, the `current` pointer, history and rollback.

Layout: `<registry>/models/<run_id>/` (a SentenceTransformer folder, never modified after it is
written) and `<registry>/current.json` (which run is the production model, plus the history of
promotions). The pointer is replaced atomically under a file lock, so two runs finishing at once
cannot corrupt it and a reader always sees a complete pointer.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from embedtune.artifacts import atomic_dir, file_lock, read_json, read_manifest, write_json
from embedtune.errors import RegistryError

log = logging.getLogger(__name__)

POINTER = "current.json"
LOCK = ".registry.lock"


def _state(registry_root: Path) -> dict:
    path = registry_root / POINTER
    return read_json(path) if path.exists() else {"current": None, "history": []}


def current_model(registry_root: str | Path) -> Path | None:
    """The production model's folder, or None if nothing was promoted yet."""
    state = _state(Path(registry_root))
    if not state["current"]:
        return None
    return Path(registry_root) / "models" / state["current"]


def promote(model_dir: str | Path, registry_root: str | Path, run_id: str,
            eval_summary: dict | None = None) -> dict:
    """Copy a model into the registry and make it current."""
    registry_root = Path(registry_root)
    target = registry_root / "models" / run_id
    with file_lock(registry_root / LOCK):
        if not target.exists():
            with atomic_dir(target) as tmp:
                shutil.copytree(model_dir, tmp, dirs_exist_ok=True)
        state = _state(registry_root)
        previous = state["current"]
        if previous != run_id:
            state["history"].append({
                "run_id": run_id, "previous": previous,
                "promoted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "score": (eval_summary or {}).get("finetuned_score"),
            })
        state["current"] = run_id
        write_json(registry_root / POINTER, state)
    log.info("promoted %s (previous: %s)", run_id, previous)
    return {"promoted": True, "current": run_id, "previous": previous,
            "model_dir": str(target)}


def promote_if_better(eval_dir: str | Path, registry_root: str | Path, run_id: str) -> dict:
    """Promote the run's model only if the evaluation gate said so."""
    evaluation = read_manifest(eval_dir)
    if not evaluation["promote"]:
        current = _state(Path(registry_root))["current"]
        log.info("%s; current model stays %s", evaluation["reason"], current)
        return {"promoted": False, "current": current, "reason": evaluation["reason"]}
    result = promote(evaluation["model_dir"], registry_root, run_id, evaluation)
    return {**result, "reason": evaluation["reason"]}


def rollback(registry_root: str | Path, to_run_id: str | None = None) -> dict:
    """Point `current` back at the previous model (or at `to_run_id`); nothing is deleted."""
    registry_root = Path(registry_root)
    with file_lock(registry_root / LOCK):
        state = _state(registry_root)
        if to_run_id is None:
            entry = next((h for h in reversed(state["history"])
                          if h["run_id"] == state["current"]), None)
            to_run_id = entry["previous"] if entry else None
            if not to_run_id:
                raise RegistryError("no previous model to roll back to")
        if not (registry_root / "models" / to_run_id).is_dir():
            raise RegistryError(f"no model {to_run_id!r} in {registry_root / 'models'}")
        previous = state["current"]
        state["history"].append({
            "run_id": to_run_id, "previous": previous, "rollback": True,
            "promoted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        })
        state["current"] = to_run_id
        write_json(registry_root / POINTER, state)
    log.info("rolled back from %s to %s", previous, to_run_id)
    return {"current": to_run_id, "previous": previous}


def list_models(registry_root: str | Path) -> dict:
    registry_root = Path(registry_root)
    models = sorted(p.name for p in (registry_root / "models").glob("*") if p.is_dir()) \
        if (registry_root / "models").is_dir() else []
    return {**_state(registry_root), "models": models}
