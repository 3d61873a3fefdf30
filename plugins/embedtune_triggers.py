"""Event trigger behind the fine-tuning DAG's asset: "the PDF folder has new or changed PDFs".

Airflow 3.3 has no event trigger that watches a folder by glob without deleting files
(`FileDeleteTrigger` removes what it finds; `FileTrigger` is not a `BaseEventTrigger` and so cannot
back an `AssetWatcher`). `NewPdfTrigger` polls the folder, compares its PDFs (by content hash)
with the state the DAG recorded after its last successful ingest (`embedtune.watch`) and yields a
`TriggerEvent` when they differ. The triggerer then records an asset event, which schedules the DAG.

This module lives in the plugins folder because the triggerer imports triggers by class path
(`embedtune_triggers.NewPdfTrigger`) and puts the plugins folder on `sys.path`. It imports nothing
heavy, and `embedtune.watch` only inside `run()`.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

log = logging.getLogger(__name__)

CLASSPATH = "embedtune_triggers.NewPdfTrigger"
#: Key under which the last fired folder fingerprint is kept in the asset's state store.
STATE_KEY = "embedtune_last_fired_fingerprint"


def ensure_embedtune_importable() -> None:
    """Let the triggerer find `embedtune` when the package is not pip-installed (repo checkout)."""
    if importlib.util.find_spec("embedtune") is None:
        include = Path(__file__).resolve().parents[1] / "include"
        if (include / "embedtune").is_dir():
            sys.path.append(str(include))


class NewPdfTrigger(BaseEventTrigger):
    """Fire when the PDFs of `pdf_dir` differ from the last processed state under `artifacts_root`.

    Long-lived: it yields one event per distinct folder content (a fingerprint of the
    `{name: sha256}` map), so a folder that stays "new" while a run is queued or running does
    not fire again on every poll; a further change while the run is going fires once more.

    :param pdf_dir: folder of PDFs to watch (not recursive).
    :param artifacts_root: the pipeline's artifacts root (holds the processed state).
    :param poll_interval: seconds between scans; files are hashed only when size/mtime change.
    :param settle_s: ignore files modified less than this many seconds ago (still being copied).
    """

    def __init__(
        self,
        pdf_dir: str,
        artifacts_root: str,
        poll_interval: float = 30.0,
        settle_s: float = 5.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pdf_dir = str(pdf_dir)
        self.artifacts_root = str(artifacts_root)
        self.poll_interval = float(poll_interval)
        self.settle_s = float(settle_s)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            CLASSPATH,
            {
                "pdf_dir": self.pdf_dir,
                "artifacts_root": self.artifacts_root,
                "poll_interval": self.poll_interval,
                "settle_s": self.settle_s,
            },
        )

    async def _load_fired(self) -> str | None:
        # The asset state store (injected by the triggerer) survives triggerer restarts, so a
        # restart does not fire a second run for a change that already fired one.
        if self.asset_state_store is None:
            return None
        try:
            value = await self.asset_state_store.aget(STATE_KEY)
        except Exception:  # best effort: an in-memory memory is still correct within a process
            self.log.warning("cannot read the asset state store", exc_info=True)
            return None
        return str(value) if value else None

    async def _save_fired(self, value: str | None) -> None:
        if self.asset_state_store is None:
            return
        try:
            if value is None:
                await self.asset_state_store.adelete(STATE_KEY)
            else:
                await self.asset_state_store.aset(STATE_KEY, value)
        except Exception:
            self.log.warning("cannot write the asset state store", exc_info=True)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        ensure_embedtune_importable()
        from embedtune import watch

        cache: watch.HashCache = {}
        fired = await self._load_fired()
        self.log.info(
            "watching %s for new PDFs every %ss (state under %s)",
            self.pdf_dir,
            self.poll_interval,
            self.artifacts_root,
        )
        while True:
            try:
                # Hashing reads files: keep it off the triggerer's event loop.
                changes = await asyncio.to_thread(
                    watch.check_folder, self.pdf_dir, self.artifacts_root, cache, self.settle_s
                )
            except OSError as error:  # e.g. an NFS hiccup: report and try again next poll
                self.log.warning("cannot scan %s: %s", self.pdf_dir, error)
                changes = None
            if changes is not None:
                if not changes.has_changes:
                    if fired is not None:
                        fired = None  # the DAG caught up: the next change fires again
                        await self._save_fired(None)
                elif changes.current and changes.fingerprint != fired:
                    fired = changes.fingerprint
                    await self._save_fired(fired)
                    payload = {"pdf_dir": self.pdf_dir, **changes.to_dict()}
                    self.log.info(
                        "PDF folder changed: %d added, %d changed, %d removed",
                        len(changes.added),
                        len(changes.changed),
                        len(changes.removed),
                    )
                    yield TriggerEvent(payload)
            await asyncio.sleep(self.poll_interval)
