"""Artifact I/O shared by every stage: atomic writes, manifests, hashes.

Everything a stage writes goes to a temporary name in the same folder and is renamed into place,
so a task killed half-way never leaves a file that a later task would trust.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"


def sha256_file(path: str | Path, block_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(block_size):
            digest.update(block)
    return digest.hexdigest()


def sha256_text(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_dir(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside `target`; it replaces `target` only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            # Two renames: the old folder is never deleted before the new one is in place.
            old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.time_ns()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def write_json(path: str | Path, data: Any) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", "utf-8")
    return Path(path)


def read_json(path: str | Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_text(path: str | Path, text: str) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    """Stream rows to a JSONL file atomically; returns the number of rows written."""
    count = 0
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def read_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def write_manifest(stage_dir: str | Path, manifest: dict[str, Any]) -> Path:
    return write_json(Path(stage_dir) / MANIFEST_NAME, manifest)


def read_manifest(stage_dir: str | Path) -> dict[str, Any]:
    path = Path(stage_dir) / MANIFEST_NAME
    if not path.exists():
        raise FileNotFoundError(f"no {MANIFEST_NAME} in {stage_dir}: run the previous stage first")
    return read_json(path)


def stage_summary(stage_dir: str | Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """The small dict a stage hands on (XCom): its folder, manifest path and scalar stats."""
    scalars = {key: value for key, value in manifest.items()
               if isinstance(value, (int, float, str, bool)) and key != "stage"}
    return {"stage": manifest["stage"], "dir": str(stage_dir),
            "manifest": str(Path(stage_dir) / MANIFEST_NAME), **scalars}


@contextlib.contextmanager
def file_lock(path: str | Path, timeout_s: float = 600.0) -> Iterator[None]:
    """An exclusive advisory lock (flock) held for the block: guards shared registries/caches."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"could not lock {path} within {timeout_s}s") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class OutputCache:
    """A stage's whole output, reused when its inputs and settings are unchanged (same key)."""

    STATS = "stats.json"

    def __init__(self, cache_dir: str | Path | None, key: str):
        self.folder = Path(cache_dir) / key if cache_dir else None

    def restore(self, out_dir: str | Path, names: list[str]) -> dict[str, Any] | None:
        """Copy the cached files into out_dir and return their stats; None on a miss."""
        if self.folder is None or not (self.folder / self.STATS).exists():
            return None
        for name in names:
            with atomic_path(Path(out_dir) / name) as tmp:
                shutil.copyfile(self.folder / name, tmp)
        return read_json(self.folder / self.STATS)

    def store(self, out_dir: str | Path, names: list[str], stats: dict[str, Any]) -> None:
        if self.folder is None:
            return
        with atomic_dir(self.folder) as tmp:
            for name in names:
                shutil.copyfile(Path(out_dir) / name, tmp / name)
            (tmp / self.STATS).write_text(json.dumps(stats, default=str))


class StageTimer:
    """Measures a stage's wall time for its manifest and the report."""

    def __enter__(self) -> StageTimer:
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = round(time.perf_counter() - self.start, 3)
