"""embedtune.watch: folder scan, processed state, diff, path confinement (no Airflow)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from embedtune import watch


def _pdf(folder: Path, name: str, body: str = "one") -> Path:
    path = folder / name
    path.write_bytes(b"%PDF-1.4\n" + body.encode() + b"\n%%EOF\n")
    return path


def test_scan_folder_hashes_pdfs_only(tmp_path: Path) -> None:
    _pdf(tmp_path, "a.pdf", "alpha")
    _pdf(tmp_path, "B.PDF", "beta")  # suffix is case-insensitive, like ingest.list_pdfs
    (tmp_path / "notes.txt").write_text("not a pdf")
    (tmp_path / "sub").mkdir()
    _pdf(tmp_path / "sub", "nested.pdf")  # not recursive
    files = watch.scan_folder(tmp_path)
    assert sorted(files) == ["B.PDF", "a.pdf"]
    assert all(len(digest) == 64 for digest in files.values())
    assert files["a.pdf"] != files["B.PDF"]


def test_scan_missing_folder_is_empty(tmp_path: Path) -> None:
    assert watch.scan_folder(tmp_path / "nope") == {}


def test_scan_cache_skips_rehash_and_drops_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _pdf(tmp_path, "a.pdf")
    _pdf(tmp_path, "b.pdf", "two")
    cache: watch.HashCache = {}
    first = watch.scan_folder(tmp_path, cache)
    calls: list[Path] = []
    real = watch.sha256_file
    monkeypatch.setattr(watch, "sha256_file", lambda p: calls.append(Path(p)) or real(p))
    assert watch.scan_folder(tmp_path, cache) == first
    assert calls == []  # unchanged size + mtime: no re-hash
    path.write_bytes(b"%PDF-1.4\nchanged content\n%%EOF\n")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    second = watch.scan_folder(tmp_path, cache)
    assert calls == [path] and second["a.pdf"] != first["a.pdf"]
    (tmp_path / "b.pdf").unlink()
    watch.scan_folder(tmp_path, cache)
    assert list(cache) == [str(path)]


def test_settle_time_hides_files_being_written(tmp_path: Path) -> None:
    _pdf(tmp_path, "fresh.pdf")
    assert watch.scan_folder(tmp_path, settle_s=60) == {}
    old = time.time() - 120
    os.utime(tmp_path / "fresh.pdf", (old, old))
    assert list(watch.scan_folder(tmp_path, settle_s=60)) == ["fresh.pdf"]


def test_diff_added_changed_removed() -> None:
    changes = watch.diff({"a.pdf": "1", "b.pdf": "2", "c.pdf": "3"},
                         {"a.pdf": "1", "b.pdf": "X", "d.pdf": "4"})
    assert (changes.added, changes.changed, changes.removed) == (["d.pdf"], ["b.pdf"], ["c.pdf"])
    assert changes.has_changes
    same = watch.diff({"a.pdf": "1"}, {"a.pdf": "1"})
    assert not same.has_changes
    assert same.to_dict() == {"added": [], "changed": [], "removed": [], "has_changes": False,
                              "pdf_count": 1, "fingerprint": watch.fingerprint({"a.pdf": "1"})}
    json.dumps(changes.to_dict())  # fit for XCom / a trigger event


def test_fingerprint_is_order_independent() -> None:
    assert watch.fingerprint({"a": "1", "b": "2"}) == watch.fingerprint({"b": "2", "a": "1"})
    assert watch.fingerprint({"a": "1"}) != watch.fingerprint({"a": "2"})


def test_state_round_trip_and_check_folder(tmp_path: Path) -> None:
    pdfs, root = tmp_path / "pdfs", tmp_path / "artifacts"
    pdfs.mkdir()
    _pdf(pdfs, "a.pdf")
    assert watch.load_state(root, pdfs) == {}
    first = watch.check_folder(pdfs, root)
    assert first.added == ["a.pdf"] and first.has_changes

    path = watch.save_state(root, pdfs, first.current, run_id="manual__1")
    assert path.parent == root / watch.STATE_DIR
    saved = json.loads(path.read_text())
    assert saved["files"] == first.current and saved["run_id"] == "manual__1"
    assert saved["pdf_dir"] == os.path.realpath(pdfs)
    assert not watch.check_folder(pdfs, root).has_changes

    _pdf(pdfs, "a.pdf", "new content, same name")
    assert watch.check_folder(pdfs, root).changed == ["a.pdf"]
    (pdfs / "a.pdf").unlink()
    assert watch.check_folder(pdfs, root).removed == ["a.pdf"]


def test_state_is_per_folder(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    assert watch.state_path(tmp_path, one) != watch.state_path(tmp_path, two)
    # The same folder spelled differently shares one state.
    same = tmp_path / "two" / ".." / "one"
    assert watch.state_path(tmp_path, one) == watch.state_path(tmp_path, same)


def test_save_state_is_atomic_no_temp_left(tmp_path: Path) -> None:
    path = watch.save_state(tmp_path, tmp_path / "pdfs", {"a.pdf": "1"})
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_damaged_state_counts_as_empty(tmp_path: Path) -> None:
    path = watch.state_path(tmp_path, tmp_path / "pdfs")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert watch.load_state(tmp_path, tmp_path / "pdfs") == {}


def test_confine_path(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "team" / "docs").mkdir(parents=True)
    assert watch.confine_path(None, root) == root.resolve()
    assert watch.confine_path("", root) == root.resolve()
    assert watch.confine_path("team/docs", root) == (root / "team" / "docs").resolve()
    assert watch.confine_path(str(root / "team"), root) == (root / "team").resolve()
    for bad in ("..", "../elsewhere", "team/../../x", "/etc", str(tmp_path)):
        with pytest.raises(watch.PathEscapeError, match="outside the allowed folder"):
            watch.confine_path(bad, root, hint="set X")


def test_confine_path_rejects_symlink_escape(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(watch.PathEscapeError):
        watch.confine_path("link", root)
