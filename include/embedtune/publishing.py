"""Publish a fine-tuned model to the Hugging Face Hub: one commit, tagged with the run id.

Order of operations and why:
1. Stage out_dir/upload atomically (model files + our model card) whether or not we publish, so
   reviewers can inspect exactly what would leave the machine.
2. Stop without any network call when publishing is off or no token is available.
3. whoami (fail fast on a rejected token), create the repo (exist_ok), then look for the run's
   tag: if it exists the run was already published, so nothing is uploaded again.
4. One `create_commit` with every file (and deletions of files the new model no longer has),
   then tag that commit with the run id.
5. Only then, and only for a promoted model, move the `production` branch to that commit. A
   failed upload therefore never moves production.

Each Hub call is retried with exponential backoff on 5xx/408/429, timeouts and connection
errors; 401/403 fail at once. The token is passed to the client only: it is never logged, put
in the manifest, the returned dict, the card or an error message.

Xet: huggingface_hub 2.x uploads files given as paths through Xet whenever `hf_xet` is installed,
and does not fall back to LFS when the server offers no Xet storage (it fails on the
xet-write-token call). We therefore ask the Hub for a Xet write token first; when it has none
(a self-hosted or test Hub), files are handed over as open file objects, which the client sends
through the classic LFS basic transfer.
"""

from __future__ import annotations

import contextlib
import fnmatch
import logging
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from embedtune.artifacts import atomic_dir, read_json, write_manifest
from embedtune.model_card import card_facts, embedtune_card_for, measure_model

log = logging.getLogger(__name__)

T = TypeVar("T")

PRODUCTION_BRANCH = "production"
TOKEN_REJECTED = (
    "Hub rejected the token (401): check HF_TOKEN or the huggingface_default connection"
)

#: Files of a saved model folder that are never uploaded: the auto-generated card (replaced by
#: ours; it embeds training rows), trainer leftovers and anything hidden.
EXCLUDED_PATTERNS = (
    "README.md",
    ".*",
    "checkpoint-*",
    "runs",
    "__pycache__",
    "*.jsonl",
    "training_args.bin",
    "trainer_state.json",
    "optimizer.pt",
    "scheduler.pt",
    "rng_state*.pth",
)

Transfer = Literal["auto", "xet", "lfs"]


class PublishError(RuntimeError):
    """Publishing failed for good (not retryable, or retries ran out); the message says why."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff for Hub calls."""

    attempts: int = 5
    base_delay_s: float = 1.0
    max_delay_s: float = 30.0

    def delay(self, attempt: int) -> float:
        return min(self.max_delay_s, self.base_delay_s * (2 ** (attempt - 1)))


# -- public entry point -------------------------------------------------------------------------
def publish_model(
    train_dir: str | Path,
    eval_dir: str | Path,
    out_dir: str | Path,
    config: Any,
    run_id: str,
    token: str | None = None,
    promoted: bool | None = None,
    *,
    endpoint: str | None = None,
    retry: RetryPolicy | None = None,
    transfer: Transfer = "auto",
    measure: bool = True,
) -> dict[str, Any]:
    """Stage the upload folder, then (if enabled and a token is at hand) publish it.

    `token` defaults to env HF_TOKEN. `promoted` None means "as the evaluation decided" (eval
    manifest "promote"). `endpoint` defaults to HF_ENDPOINT read now (huggingface_hub reads it
    only at import), else the Hub. `retry` bounds the per-call retries; `transfer` "auto" picks
    Xet or LFS (see the module docstring); `measure` times the model for the card. Card facts
    come from the manifests (see `embedtune.model_card`); sample rows ("samples" in the train
    manifest) reach the card only with `config.publish.include_data_samples`.
    Returns {"stage", "dir", "manifest", "published", "reason", "repo_id", "commit", "tag",
    "production_moved", "url", ...}; raises PublishError on a rejected token or exhausted retries.
    """
    started = time.perf_counter()
    train_dir, eval_dir, out_dir = Path(train_dir), Path(eval_dir), Path(out_dir)
    model_dir = train_dir / "model"
    if not (model_dir / "modules.json").exists() and not (model_dir / "config.json").exists():
        raise PublishError(f"no saved model in {model_dir}: run the training stage first")
    train_manifest = _read_optional(train_dir / "manifest.json")
    eval_manifest = _read_optional(eval_dir / "manifest.json")
    if promoted is None:
        promoted = bool(eval_manifest.get("promote", False))
    publish_cfg = config.publish
    repo_id = publish_cfg.repo_id or ""
    token = token or os.environ.get("HF_TOKEN") or None

    stats = dict(train_manifest.get("model_stats") or {})
    if measure and not stats.get("sentences_per_second"):
        # The card can do without size and speed figures; publishing must not fail for them.
        try:
            stats.update(measure_model(model_dir))
        except (OSError, ValueError, RuntimeError) as error:
            log.warning("could not measure the model for its card: %s", error)
    facts = card_facts(
        train_manifest,
        eval_manifest,
        config,
        run_id,
        repo_id=repo_id or None,
        model_stats=stats,
        promoted=promoted,
    )
    upload_dir = out_dir / "upload"
    files = stage_upload_folder(model_dir, upload_dir, facts)

    result: dict[str, Any] = {
        "stage": "publish",
        "run_id": run_id,
        "published": False,
        "reason": "",
        "repo_id": repo_id or None,
        "private": bool(publish_cfg.private),
        "promoted": promoted,
        "commit": None,
        "tag": None,
        "already_published": False,
        "production_moved": False,
        "production_commit": None,
        "url": None,
        "upload_dir": str(upload_dir),
        "files": files,
    }
    if not publish_cfg.publish:
        result["reason"] = "not published: publish.publish is false"
    elif not repo_id:
        result["reason"] = "not published: publish.repo_id is empty"
    elif not token:
        result["reason"] = "not published: no token"
    else:
        result.update(
            _publish(
                upload_dir,
                files,
                facts,
                repo_id,
                bool(publish_cfg.private),
                run_id,
                promoted,
                token,
                endpoint or os.environ.get("HF_ENDPOINT") or None,
                retry or RetryPolicy(),
                transfer,
            )
        )
    if not result["published"]:
        log.info("%s (upload folder staged in %s)", result["reason"], upload_dir)
    result["seconds"] = round(time.perf_counter() - started, 3)
    manifest_path = write_manifest(out_dir, result)
    return {**result, "dir": str(out_dir), "manifest": str(manifest_path)}


def stage_upload_folder(model_dir: Path, upload_dir: Path, facts: dict[str, Any]) -> list[str]:
    """Copy the model (minus excluded files) and write our card, atomically; returns repo paths."""
    with atomic_dir(upload_dir) as tmp:
        for source in sorted(model_dir.rglob("*")):
            relative = source.relative_to(model_dir)
            if any(
                fnmatch.fnmatch(part, pattern)
                for part in relative.parts
                for pattern in EXCLUDED_PATTERNS
            ):
                continue
            if source.is_file():
                target = tmp / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        embedtune_card_for(tmp, facts)
    return sorted(
        p.relative_to(upload_dir).as_posix() for p in upload_dir.rglob("*") if p.is_file()
    )


def tag_for_run(run_id: str) -> str:
    """A valid git tag from a run id (Airflow ids hold ':' and '+', which git refs forbid)."""
    tag = re.sub(r"[^A-Za-z0-9._-]+", "-", run_id)
    tag = re.sub(r"\.{2,}", ".", tag).strip("-.").removesuffix(".lock")
    if not tag:
        raise PublishError(f"run id {run_id!r} gives no usable tag name")
    return tag


# -- the network part -------------------------------------------------------------------------
def _publish(
    upload_dir: Path,
    files: list[str],
    facts: dict[str, Any],
    repo_id: str,
    private: bool,
    run_id: str,
    promoted: bool,
    token: str,
    endpoint: str | None,
    policy: RetryPolicy,
    transfer: Transfer,
) -> dict[str, Any]:
    from huggingface_hub import HfApi, constants

    if constants.is_offline_mode():
        # Every request would raise OfflineModeIsEnabled; say plainly what to change instead.
        raise PublishError("HF_HUB_OFFLINE is set: unset it for the publish task to reach the Hub")
    api = HfApi(endpoint=endpoint, token=token, library_name="embedtune")
    call = _Caller(policy, token)

    user = call("whoami", lambda: api.whoami())
    if "/" not in repo_id:  # a bare name goes to the token owner's namespace, as on the Hub
        repo_id = f"{user.get('name')}/{repo_id}"
        embedtune_card_for(upload_dir, {**facts, "repo_id": repo_id})  # the usage snippet names it
    call("create_repo", lambda: api.create_repo(repo_id, private=private, exist_ok=True))
    info = call("model_info", lambda: api.model_info(repo_id))
    if info.private is not None and bool(info.private) != private:
        # create_repo(exist_ok) leaves an existing repo's visibility alone: say so loudly.
        log.warning(
            "repo %s is %s although publish.private is %s",
            repo_id,
            "private" if info.private else "PUBLIC",
            private,
        )

    tag = tag_for_run(run_id)
    refs = call("list_repo_refs", lambda: api.list_repo_refs(repo_id))
    existing = {ref.name: ref.target_commit for ref in refs.tags}
    already = tag in existing
    if already:
        sha = existing[tag]
        log.info(
            "run %s is already published as %s@%s: not uploading again", run_id, repo_id, sha[:12]
        )
    else:
        use_xet = _choose_transfer(api, repo_id, token, transfer, call)
        sha = call(
            "create_commit", lambda: _commit(api, upload_dir, files, repo_id, run_id, use_xet)
        )
        call(
            "create_tag",
            lambda: api.create_tag(
                repo_id, tag=tag, revision=sha, tag_message=f"embedtune run {run_id}", exist_ok=True
            ),
        )
        log.info("published %s@%s (tag %s, %d files)", repo_id, sha[:12], tag, len(files))

    moved, production_commit = False, None
    if promoted:
        moved = _move_production(api, repo_id, sha, call)
        production_commit = sha
    else:
        production = {ref.name: ref.target_commit for ref in refs.branches}.get(PRODUCTION_BRANCH)
        production_commit = production
        log.info(
            "model not promoted: %s branch left at %s",
            PRODUCTION_BRANCH,
            production[:12] if production else "nothing",
        )

    base = api.endpoint.rstrip("/")
    return {
        "published": True,
        "reason": "already published for this run id" if already else "published",
        "repo_id": repo_id,
        "commit": sha,
        "tag": tag,
        "already_published": already,
        "production_moved": moved,
        "production_commit": production_commit,
        "url": f"{base}/{repo_id}",
        "commit_url": f"{base}/{repo_id}/commit/{sha}",
    }


def _choose_transfer(api: Any, repo_id: str, token: str, transfer: Transfer, call: _Caller) -> bool:
    """True: hand the client file paths (it uploads through Xet); False: file objects (LFS)."""
    import importlib.util

    from huggingface_hub import constants

    # The client's own rule (private utils._runtime.is_xet_available): installed and not disabled.
    xet_available = (
        not constants.HF_HUB_DISABLE_XET and importlib.util.find_spec("hf_xet") is not None
    )
    if transfer == "lfs" or not xet_available:
        return False
    if transfer == "xet":
        return True
    return bool(call("xet_probe", lambda: _hub_offers_xet(api, repo_id, token)))


def _hub_offers_xet(api: Any, repo_id: str, token: str) -> bool:
    """Ask for a Xet write token (the client's own first Xet call): headers back mean Xet works."""
    from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

    response = get_session().get(
        f"{api.endpoint.rstrip('/')}/api/models/{repo_id}/xet-write-token/main",
        headers=build_hf_headers(token=token, library_name="embedtune"),
    )
    if response.status_code in (404, 405, 501):
        log.info("the Hub at %s offers no Xet storage: uploading through classic LFS", api.endpoint)
        return False
    hf_raise_for_status(response)  # 401/403/5xx -> classified by the caller
    return "X-Xet-Cas-Url" in response.headers


def _commit(
    api: Any, upload_dir: Path, files: list[str], repo_id: str, run_id: str, use_xet: bool
) -> str:
    """One commit holding the whole folder; returns its sha."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    remote = set(api.list_repo_files(repo_id))
    # Files of an earlier model that the new one lacks would be loaded with it: delete them.
    deletions = [
        CommitOperationDelete(path) for path in sorted(remote - set(files) - {".gitattributes"})
    ]
    with contextlib.ExitStack() as stack:
        additions = [
            CommitOperationAdd(
                path,
                str(upload_dir / path)
                if use_xet
                else stack.enter_context(open(upload_dir / path, "rb")),
            )
            for path in files
        ]
        info = api.create_commit(
            repo_id,
            operations=[*deletions, *additions],
            commit_message=f"embedtune run {run_id}",
            commit_description=f"Model and card published by embedtune for run {run_id}.",
        )
    return str(info.oid)


def _move_production(api: Any, repo_id: str, sha: str, call: _Caller) -> bool:
    """Point `production` at sha. The Hub has no ref update: delete then re-create the branch."""
    refs = call("list_repo_refs", lambda: api.list_repo_refs(repo_id))
    current = {ref.name: ref.target_commit for ref in refs.branches}.get(PRODUCTION_BRANCH)
    if current == sha:
        log.info("%s already at %s", PRODUCTION_BRANCH, sha[:12])
        return False
    if current is not None:
        call("delete_branch", lambda: api.delete_branch(repo_id, branch=PRODUCTION_BRANCH))
    try:
        call(
            "create_branch",
            lambda: api.create_branch(
                repo_id, branch=PRODUCTION_BRANCH, revision=sha, exist_ok=False
            ),
        )
    except PublishError:
        if current is not None:  # put the previous production model back before giving up
            with contextlib.suppress(PublishError):
                call(
                    "restore_branch",
                    lambda: api.create_branch(
                        repo_id, branch=PRODUCTION_BRANCH, revision=current, exist_ok=True
                    ),
                )
        raise
    log.info(
        "moved %s of %s from %s to %s",
        PRODUCTION_BRANCH,
        repo_id,
        current[:12] if current else "nothing",
        sha[:12],
    )
    return True


# -- retries ----------------------------------------------------------------------------------
class _Caller:
    """Runs one Hub call with retries; turns failures into PublishError without the token."""

    def __init__(self, policy: RetryPolicy, token: str) -> None:
        self.policy = policy
        self._token = token

    def __call__(self, what: str, fn: Callable[[], T]) -> T:
        attempts = max(1, self.policy.attempts)
        for attempt in range(1, attempts + 1):
            try:
                return fn()
            except Exception as error:
                kind, status = _classify(error)
                if kind == "fatal" and status is None:
                    raise  # not a Hub/network failure: a bug or bad input, keep its traceback
                text = str(error).splitlines()[0] if str(error) else ""
                message = self._redact(f"{type(error).__name__}: {text}")
                if kind == "auth":
                    if status == 401:
                        raise PublishError(TOKEN_REJECTED) from None
                    raise PublishError(
                        f"Hub refused {what} ({status}): the token lacks write access to this repo "
                        "or namespace"
                    ) from None
                if kind == "fatal" or attempt == attempts:
                    suffix = f" after {attempt} attempts" if kind == "retry" else ""
                    raise PublishError(f"{what} failed{suffix}: {message}") from None
                delay = self.policy.delay(attempt)
                log.warning(
                    "%s failed (%s), retry %d/%d in %.1fs",
                    what,
                    message,
                    attempt,
                    attempts - 1,
                    delay,
                )
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text


def _classify(error: BaseException) -> tuple[str, int | None]:
    """("auth"|"retry"|"fatal", HTTP status) for an exception, following its cause chain."""
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, HfHubHTTPError) and current.response is not None:
            status = current.response.status_code
            if status in (401, 403):
                return "auth", status
            if status in (408, 429) or status >= 500:
                return "retry", status
            return "fatal", status
        if isinstance(
            current, (httpx2.TimeoutException, httpx2.TransportError, TimeoutError, ConnectionError)
        ):
            return "retry", None
        current = current.__cause__ or current.__context__
    return "fatal", None


def _read_optional(path: Path) -> dict[str, Any]:
    if not path.exists():
        log.warning("%s is missing: the card will lack what it records", path)
        return {}
    data = read_json(path)
    return data if isinstance(data, dict) else {}
