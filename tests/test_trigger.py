"""NewPdfTrigger (plugins/): fires on new or changed PDFs, never on an unchanged folder."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
# Airflow reads its config on first import: point it at a throw-away home first (never ~/airflow).
_home = os.environ.get("EMBEDTUNE_TEST_AIRFLOW_HOME")
if not _home or _home != os.environ.get("AIRFLOW_HOME"):
    os.environ["AIRFLOW_HOME"] = os.environ["EMBEDTUNE_TEST_AIRFLOW_HOME"] = tempfile.mkdtemp(
        prefix="embedtune-airflow-"
    )
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
sys.path[:0] = [p for p in (str(REPO / "plugins"), str(REPO / "include")) if p not in sys.path]

from airflow.sdk._shared.module_loading import import_string  # noqa: E402  (after the set-up above)
from airflow.triggers.base import BaseEventTrigger, TriggerEvent  # noqa: E402  (after the set-up above)

from embedtune import watch  # noqa: E402  (after the set-up above)
from embedtune_triggers import CLASSPATH, STATE_KEY, NewPdfTrigger  # noqa: E402  (after the set-up above)

POLL = 0.05
QUIET = 0.6  # how long "nothing happens" is watched for


def _pdf(folder: Path, name: str, body: str = "one") -> Path:
    path = folder / name
    path.write_bytes(b"%PDF-1.4\n" + body.encode() + b"\n%%EOF\n")
    return path


def _trigger(tmp_path: Path) -> NewPdfTrigger:
    return NewPdfTrigger(pdf_dir=str(tmp_path / "pdfs"), artifacts_root=str(tmp_path / "artifacts"),
                         poll_interval=POLL, settle_s=0)


class Consumer:
    """Drains `run()` in a background task, as the triggerer does, into a queue we can wait on.

    (Cancelling a pending `anext()` on timeout would close the generator, so never do that.)
    """

    def __init__(self, trigger: NewPdfTrigger) -> None:
        self.queue: asyncio.Queue[TriggerEvent] = asyncio.Queue()
        self.events = trigger.run()
        self.task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        async for event in self.events:
            await self.queue.put(event)

    async def next(self, timeout: float) -> TriggerEvent | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            if self.task.done():
                self.task.result()  # surface a crash of the trigger
            return None

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        await self.events.aclose()


@pytest.fixture
def pdfs(tmp_path: Path) -> Path:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    return folder


def test_is_an_event_trigger_and_serializes(tmp_path: Path) -> None:
    trigger = _trigger(tmp_path)
    assert isinstance(trigger, BaseEventTrigger)
    classpath, kwargs = trigger.serialize()
    assert classpath == CLASSPATH
    # The triggerer rebuilds it from the class path + kwargs.
    clone = import_string(classpath)(**kwargs)
    assert clone.serialize() == (classpath, kwargs)
    assert all(isinstance(v, str | float) for v in kwargs.values())


def test_adding_a_pdf_fires(tmp_path: Path, pdfs: Path) -> None:
    async def scenario() -> None:
        events = Consumer(_trigger(tmp_path))
        assert await events.next(QUIET) is None  # empty folder: nothing to train on
        _pdf(pdfs, "handbook.pdf")
        event = await events.next(5)
        assert event is not None
        assert event.payload["added"] == ["handbook.pdf"]
        assert event.payload["pdf_dir"] == str(pdfs) and event.payload["pdf_count"] == 1
        # Still "new" (no run has processed it yet) but already announced: no second event.
        assert await events.next(QUIET) is None
        # A further PDF while the first is pending: a new folder content, one more event.
        _pdf(pdfs, "policy.pdf", "two")
        event = await events.next(5)
        assert event is not None and event.payload["added"] == ["handbook.pdf", "policy.pdf"]
        await events.close()

    asyncio.run(scenario())


def test_unchanged_processed_folder_yields_nothing(tmp_path: Path, pdfs: Path) -> None:
    _pdf(pdfs, "handbook.pdf")
    watch.save_state(tmp_path / "artifacts", pdfs, watch.scan_folder(pdfs))  # as the DAG does

    async def scenario() -> None:
        events = Consumer(_trigger(tmp_path))
        assert await events.next(QUIET) is None
        await events.close()

    asyncio.run(scenario())


def test_changed_content_same_name_fires(tmp_path: Path, pdfs: Path) -> None:
    _pdf(pdfs, "handbook.pdf", "version 1")
    watch.save_state(tmp_path / "artifacts", pdfs, watch.scan_folder(pdfs))

    async def scenario() -> None:
        events = Consumer(_trigger(tmp_path))
        assert await events.next(QUIET) is None
        _pdf(pdfs, "handbook.pdf", "version 2, longer")
        event = await events.next(5)
        assert event is not None
        assert event.payload["changed"] == ["handbook.pdf"] and event.payload["added"] == []
        await events.close()

    asyncio.run(scenario())


def test_fires_again_after_the_dag_caught_up(tmp_path: Path, pdfs: Path) -> None:
    root = tmp_path / "artifacts"

    async def scenario() -> None:
        events = Consumer(_trigger(tmp_path))
        _pdf(pdfs, "a.pdf")
        assert await events.next(5) is not None
        watch.save_state(root, pdfs, watch.scan_folder(pdfs))  # the run ingested it
        assert await events.next(QUIET) is None
        (pdfs / "a.pdf").unlink()
        _pdf(pdfs, "b.pdf", "other")
        event = await events.next(5)
        assert event is not None
        assert (event.payload["added"], event.payload["removed"]) == (["b.pdf"], ["a.pdf"])
        await events.close()

    asyncio.run(scenario())


class FakeStateStore:
    """Stands in for the asset state store the triggerer injects into event triggers."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    async def aget(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    async def aset(self, key: str, value: Any) -> None:
        self.data[key] = value

    async def adelete(self, key: str) -> None:
        self.data.pop(key, None)


def test_restart_does_not_fire_twice_for_the_same_change(tmp_path: Path, pdfs: Path) -> None:
    store = FakeStateStore()
    _pdf(pdfs, "a.pdf")

    async def first_life() -> None:
        trigger = _trigger(tmp_path)
        trigger.asset_state_store = store  # type: ignore[assignment]
        events = Consumer(trigger)
        assert await events.next(5) is not None
        await events.close()

    async def after_restart() -> None:
        trigger = _trigger(tmp_path)
        trigger.asset_state_store = store  # type: ignore[assignment]
        events = Consumer(trigger)
        assert await events.next(QUIET) is None
        await events.close()

    asyncio.run(first_life())
    assert store.data[STATE_KEY] == watch.fingerprint(watch.scan_folder(pdfs))
    asyncio.run(after_restart())


def test_missing_folder_does_not_crash(tmp_path: Path) -> None:
    async def scenario() -> None:
        events = Consumer(_trigger(tmp_path))  # tmp_path/pdfs does not exist
        assert await events.next(QUIET) is None
        await events.close()

    asyncio.run(scenario())
