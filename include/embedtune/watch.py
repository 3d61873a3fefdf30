"""Which PDFs are new: compare a folder with the last state the pipeline processed.

The folder's state is `{file name: sha256}` of its `*.pdf` files (same rule as
`embedtune.ingest.list_pdfs`: case-insensitive suffix, not recursive). After a successful ingest
the DAG records the state it ingested under `<artifacts_root>/watch/`; the new-PDF trigger and the
file-sensor DAG compare the folder with it. Plain Python: no Airflow import, so the triggerer,
the DAG's tasks and the CLI can all use it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedtune.artifacts import file_lock, read_json, sha256_file, write_json

log = logging.getLogger(__name__)

STATE_DIR = "watch"
STATE_VERSION = 1

#: (size, mtime_ns) -> sha256 of a file, keyed by path: lets a poll loop skip re-hashing.
HashCache = dict[str, tuple[int, int, str]]


class PathEscapeError(ValueError):
    """A user-supplied path points outside the folder it must stay in."""


@dataclass(frozen=True)
class FolderChanges:
    """The difference between a folder's PDFs now and the last processed state."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: {file name: sha256} of the folder now.
    current: dict[str, str] = field(default_factory=dict)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.current)

    def to_dict(self) -> dict[str, Any]:
        """Small and JSON-able (file names and counts, no hashes): fit for XCom or an event."""
        return {
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "has_changes": self.has_changes,
            "pdf_count": len(self.current),
            "fingerprint": self.fingerprint,
        }


def is_pdf(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".pdf"


def scan_folder(
    pdf_dir: str | Path,
    cache: HashCache | None = None,
    settle_s: float = 0.0,
) -> dict[str, str]:
    """`{file name: sha256}` of the folder's PDFs (missing folder = empty).

    `cache` (mutated) avoids re-hashing files whose size and mtime did not change. Files modified
    less than `settle_s` seconds ago are left out: a PDF still being copied is seen once complete.
    """
    folder = Path(pdf_dir)
    if not folder.is_dir():
        return {}
    now = time.time()
    result: dict[str, str] = {}
    seen: set[str] = set()
    for path in sorted(folder.iterdir()):
        try:
            if not is_pdf(path):
                continue
            stat = path.stat()
            if settle_s and now - stat.st_mtime < settle_s:
                continue
            key = str(path)
            seen.add(key)
            cached = cache.get(key) if cache is not None else None
            if cached and cached[0] == stat.st_size and cached[1] == stat.st_mtime_ns:
                digest = cached[2]
            else:
                digest = sha256_file(path)
                if cache is not None:
                    cache[key] = (stat.st_size, stat.st_mtime_ns, digest)
        except OSError as error:  # deleted or unreadable between listing and hashing
            log.warning("cannot read %s: %s", path, error)
            continue
        result[path.name] = digest
    if cache is not None:
        for stale in set(cache) - seen:
            cache.pop(stale, None)
    return result


def fingerprint(files: Mapping[str, str]) -> str:
    """One short hash for a whole `{name: sha256}` state."""
    blob = json.dumps(sorted(files.items())).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def state_path(artifacts_root: str | Path, pdf_dir: str | Path) -> Path:
    """Where the processed state of one PDF folder lives (one file per folder)."""
    resolved = os.path.realpath(pdf_dir)
    key = hashlib.sha256(resolved.encode()).hexdigest()[:12]
    return Path(artifacts_root) / STATE_DIR / f"pdf-state-{key}.json"


def load_state(artifacts_root: str | Path, pdf_dir: str | Path) -> dict[str, str]:
    """The `{name: sha256}` last recorded as processed for the folder (empty if never)."""
    path = state_path(artifacts_root, pdf_dir)
    if not path.exists():
        return {}
    try:
        data = read_json(path)
    except (OSError, ValueError) as error:
        # A damaged state only costs one extra run; never crash the triggerer over it.
        log.warning("ignoring unreadable PDF state %s: %s", path, error)
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def save_state(
    artifacts_root: str | Path,
    pdf_dir: str | Path,
    files: Mapping[str, str],
    run_id: str | None = None,
) -> Path:
    """Record `files` as the folder's processed state (atomic write under a lock)."""
    path = state_path(artifacts_root, pdf_dir)
    payload = {
        "version": STATE_VERSION,
        "pdf_dir": os.path.realpath(pdf_dir),
        "files": dict(sorted(files.items())),
        "fingerprint": fingerprint(files),
        "run_id": run_id,
        "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    with file_lock(path.with_suffix(".lock")):
        write_json(path, payload)
    log.info("recorded %d processed PDFs for %s in %s", len(files), pdf_dir, path)
    return path


def diff(previous: Mapping[str, str], current: Mapping[str, str]) -> FolderChanges:
    return FolderChanges(
        added=sorted(set(current) - set(previous)),
        changed=sorted(n for n in current if n in previous and current[n] != previous[n]),
        removed=sorted(set(previous) - set(current)),
        current=dict(current),
    )


def check_folder(
    pdf_dir: str | Path,
    artifacts_root: str | Path,
    cache: HashCache | None = None,
    settle_s: float = 0.0,
) -> FolderChanges:
    """The folder's PDFs compared with the last processed state."""
    return diff(load_state(artifacts_root, pdf_dir), scan_folder(pdf_dir, cache, settle_s))


def confine_path(candidate: str | Path | None, root: str | Path, hint: str = "") -> Path:
    """Resolve a user-supplied path inside `root`; raise PathEscapeError if it leaves it.

    Relative paths are taken from `root`; absolute ones must lie inside it. Symlinks are
    resolved first, so a link pointing out of the root is rejected too.
    """
    root_resolved = Path(root).expanduser().resolve()
    if candidate is None or str(candidate).strip() == "":
        return root_resolved
    path = Path(str(candidate).strip()).expanduser()
    resolved = (path if path.is_absolute() else root_resolved / path).resolve()
    if resolved != root_resolved and root_resolved not in resolved.parents:
        raise PathEscapeError(
            f"path {str(candidate)!r} resolves to {resolved}, outside the allowed folder "
            f"{root_resolved}{'; ' + hint if hint else ''}"
        )
    return resolved
