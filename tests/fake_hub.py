"""A small Hugging Face Hub look-alike for tests: real HTTP on loopback, repos stored on disk.

It answers the endpoints the real, unpatched ``huggingface_hub`` client (2.x) calls when it
creates a repo, uploads a folder in one commit (preupload -> LFS batch -> PUT -> commit), tags,
lists refs, creates/deletes branches, reads model info / trees, and resolves files for
``hf_hub_download`` / ``SentenceTransformer(repo_id)``. Point a client at it with
``HfApi(endpoint=hub.url)`` or, for code that reads ``HF_ENDPOINT`` at import time, with
``HF_ENDPOINT=hub.url`` in a subprocess's environment.

Design notes (why it looks like this):
- Commits are git-like: regular files get a git blob sha1 ("blob <size>\\0<content>"), LFS
  files are stored by sha256 with a git-lfs pointer (whose sha1 is the blob id, as on the Hub);
  a commit sha is the sha1 of its tree, parents, message and time. Branches and tags map names to
  commit shas, so a ref can be moved and old revisions stay readable.
- Xet is deliberately NOT offered: resolve never sends ``X-Xet-Hash`` and the xet token routes
  answer 404, so clients must use classic LFS (uploads) and plain HTTP (downloads).
- Error responses carry the ``X-Error-Code`` / ``X-Error-Message`` headers the client maps to
  ``RepositoryNotFoundError``, ``RevisionNotFoundError``, ``EntryNotFoundError``; a bad token gets
  401 "Invalid credentials in Authorization header" on every route, like the Hub.
- ``fail_next(endpoint, times, status)`` makes the next N requests to a named endpoint fail
  (for retry tests); ``requests`` records every request (never the token) for counting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

log = logging.getLogger(__name__)

#: Paths the Hub's default .gitattributes sends to LFS (a subset: enough for model folders).
LFS_SUFFIXES = (
    ".safetensors",
    ".bin",
    ".pt",
    ".pth",
    ".ckpt",
    ".onnx",
    ".h5",
    ".msgpack",
    ".npy",
    ".npz",
    ".pkl",
    ".pickle",
    ".model",
    ".tflite",
    ".zip",
    ".gz",
    ".tar",
    ".arrow",
    ".parquet",
    ".ot",
)
#: Files above this size go to LFS whatever their name (the Hub's 10 MB rule).
LFS_MIN_SIZE = 10 * 1024 * 1024

DEFAULT_GITATTRIBUTES = "".join(
    f"*{suffix} filter=lfs diff=lfs merge=lfs -text\n" for suffix in LFS_SUFFIXES
)

REPO_TYPES = {"models": "model", "datasets": "dataset", "spaces": "space"}
_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"
_REPO = rf"(?P<repo>{_NAME}/{_NAME})"
_TYPE = r"(?P<rtype>models|datasets|spaces)"


def git_blob_sha1(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class HubError(Exception):
    """An error response: status, message and the Hub's error-code header."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.body = body or {}
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}


@dataclass
class RequestRecord:
    method: str
    endpoint: str
    path: str
    status: int
    authenticated: bool


@dataclass
class TokenInfo:
    user: str
    role: str = "write"
    orgs: list[str] = field(default_factory=list)


@dataclass
class FileEntry:
    oid: str  # git blob sha1 (of the content, or of the LFS pointer)
    size: int
    lfs_sha256: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"oid": self.oid, "size": self.size, "lfs": self.lfs_sha256}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileEntry:
        return cls(oid=data["oid"], size=data["size"], lfs_sha256=data.get("lfs"))


class Repo:
    """One repository: metadata in repo.json, blobs and LFS objects as files beside it."""

    def __init__(self, root: Path, repo_type: str, repo_id: str) -> None:
        self.root = root
        self.repo_type = repo_type
        self.repo_id = repo_id
        self.meta_path = root / "repo.json"
        self.meta: dict[str, Any] = (
            json.loads(self.meta_path.read_text()) if self.meta_path.exists() else {}
        )

    # -- persistence ------------------------------------------------------------------------
    def save(self) -> None:
        tmp = self.meta_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.meta, indent=1, sort_keys=True))
        os.replace(tmp, self.meta_path)

    @property
    def private(self) -> bool:
        return bool(self.meta.get("private"))

    @property
    def namespace(self) -> str:
        return self.repo_id.split("/")[0]

    def blob_path(self, oid: str) -> Path:
        return self.root / "blobs" / oid

    def lfs_path(self, sha256: str) -> Path:
        return self.root / "lfs" / sha256[:2] / sha256

    def has_lfs(self, sha256: str, size: int | None = None) -> bool:
        path = self.lfs_path(sha256)
        return path.exists() and (size is None or path.stat().st_size == size)

    def put_blob(self, content: bytes) -> str:
        oid = git_blob_sha1(content)
        path = self.blob_path(oid)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{oid}.{secrets.token_hex(4)}")
            tmp.write_bytes(content)
            os.replace(tmp, path)
        return oid

    # -- refs and commits -------------------------------------------------------------------
    @property
    def branches(self) -> dict[str, str]:
        return self.meta.setdefault("branches", {})

    @property
    def tags(self) -> dict[str, str]:
        return self.meta.setdefault("tags", {})

    @property
    def commits(self) -> dict[str, dict[str, Any]]:
        return self.meta.setdefault("commits", {})

    def resolve(self, revision: str) -> str:
        """A branch, tag, full or abbreviated commit sha -> commit sha."""
        revision = revision.removeprefix("refs/heads/").removeprefix("refs/tags/")
        if revision in self.branches:
            return self.branches[revision]
        if revision in self.tags:
            return self.tags[revision]
        if re.fullmatch(r"[0-9a-f]{7,40}", revision):
            matches = [sha for sha in self.commits if sha.startswith(revision)]
            if len(matches) == 1:
                return matches[0]
        raise HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")

    def files(self, sha: str) -> dict[str, FileEntry]:
        return {
            path: FileEntry.from_json(entry) for path, entry in self.commits[sha]["files"].items()
        }

    def add_commit(
        self,
        parent: str | None,
        files: dict[str, FileEntry],
        title: str,
        description: str,
        author: str,
    ) -> str:
        tree = hashlib.sha1(
            "".join(f"{path}\0{entry.oid}\n" for path, entry in sorted(files.items())).encode()
        ).hexdigest()
        date = _now()
        body = (
            f"tree {tree}\nparent {parent or ''}\nauthor {author} {time.time_ns()}\n\n"
            f"{title}\n\n{description}"
        )
        sha = hashlib.sha1(
            b"commit %d\0" % len(body.encode()) + body.encode()
        ).hexdigest()  # git-style
        self.commits[sha] = {
            "parents": [parent] if parent else [],
            "title": title,
            "message": description,
            "author": author,
            "date": date,
            "files": {path: entry.to_json() for path, entry in files.items()},
        }
        return sha

    def read(self, entry: FileEntry) -> bytes:
        if entry.lfs_sha256:
            return self.lfs_path(entry.lfs_sha256).read_bytes()
        return self.blob_path(entry.oid).read_bytes()


class FakeHub:
    """The server object: start(), url, stop(); plus knobs (tokens, fail_next) and records."""

    def __init__(
        self, root: str | Path, tokens: dict[str, TokenInfo] | None = None, host: str = "127.0.0.1"
    ) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.tokens: dict[str, TokenInfo] = dict(tokens or {})
        self.host = host
        self.lock = threading.RLock()
        self.requests: list[RequestRecord] = []
        self._faults: dict[str, list[int]] = {}
        self._secret = secrets.token_bytes(16)  # signs LFS upload URLs (stand-in for S3 presigning)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._repos: dict[tuple[str, str], Repo] = {}

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            pass

        Handler.hub = hub
        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-hub", daemon=True
        )
        self._thread.start()
        log.debug("fake hub listening on %s", self.url)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the hub first"
        return f"http://{self.host}:{self._server.server_address[1]}"

    # -- test knobs -------------------------------------------------------------------------
    def add_token(
        self, token: str, user: str, role: str = "write", orgs: list[str] | None = None
    ) -> None:
        self.tokens[token] = TokenInfo(user=user, role=role, orgs=list(orgs or []))

    def fail_next(self, endpoint: str, times: int = 1, status: int = 503) -> None:
        """The next `times` requests to `endpoint` (a name in `requests`) answer `status`."""
        with self.lock:
            self._faults.setdefault(endpoint, []).extend([status] * times)

    def count(self, endpoint: str | None = None, method: str | None = None) -> int:
        with self.lock:
            return sum(
                1
                for r in self.requests
                if (endpoint is None or r.endpoint == endpoint)
                and (method is None or r.method == method)
            )

    def reset_records(self) -> None:
        with self.lock:
            self.requests.clear()

    # -- read helpers for assertions --------------------------------------------------------
    def repo(self, repo_id: str, repo_type: str = "model") -> Repo:
        with self.lock:
            found = self._get_repo(repo_type, repo_id)
            if found is None:
                raise KeyError(repo_id)
            return found

    def file_text(self, repo_id: str, path: str, revision: str = "main") -> str:
        repo = self.repo(repo_id)
        with self.lock:
            entry = repo.files(repo.resolve(revision))[path]
            return repo.read(entry).decode("utf-8")

    def commit_count(self, repo_id: str, revision: str = "main") -> int:
        repo = self.repo(repo_id)
        with self.lock:
            sha: str | None = repo.resolve(revision)
            count = 0
            while sha:
                count += 1
                parents = repo.commits[sha]["parents"]
                sha = parents[0] if parents else None
            return count

    # -- internals --------------------------------------------------------------------------
    def _take_fault(self, endpoint: str) -> int | None:
        with self.lock:
            queue = self._faults.get(endpoint)
            return queue.pop(0) if queue else None

    def _repo_dir(self, repo_type: str, repo_id: str) -> Path:
        return self.root / f"{repo_type}s" / repo_id

    def _get_repo(self, repo_type: str, repo_id: str) -> Repo | None:
        key = (repo_type, repo_id)
        if key not in self._repos:
            directory = self._repo_dir(repo_type, repo_id)
            if not (directory / "repo.json").exists():
                return None
            self._repos[key] = Repo(directory, repo_type, repo_id)
        return self._repos[key]

    def _sign(self, repo_id: str, oid: str, size: int) -> str:
        return hmac.new(
            self._secret, f"{repo_id}:{oid}:{size}".encode(), hashlib.sha256
        ).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    hub: FakeHub
    protocol_version = "HTTP/1.1"  # keep-alive, like the real Hub (client reuses connections)

    # Route table: (method, compiled pattern, endpoint name, handler method name)
    ROUTES: ClassVar[list[tuple[str, re.Pattern[str], str, str]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("fake hub: " + format, *args)

    # -- plumbing ---------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        self.user: TokenInfo | None = None
        self._body: bytes | None = None
        endpoint, status = "unknown", 500
        try:
            for route_method, pattern, name, handler_name in self.ROUTES:
                match = pattern.fullmatch(split.path)
                if match is None or (
                    route_method != method and not (route_method == "GET" and method == "HEAD")
                ):
                    continue
                endpoint = name
                fault = self.hub._take_fault(name)
                self._read_body()  # always drain the body so keep-alive stays in sync
                if fault is not None:
                    raise HubError(fault, f"injected failure on {name}")
                self._authenticate()
                params = {
                    k: unquote(v) if v is not None else None for k, v in match.groupdict().items()
                }
                status = getattr(self, handler_name)(method=method, **params)
                break
            else:
                self._read_body()
                raise HubError(404, f"no route for {method} {split.path}")
        except HubError as error:
            status = error.status
            headers = dict(error.headers)
            if error.code:
                headers["X-Error-Code"] = error.code
            headers["X-Error-Message"] = error.message
            self._send_json(error.status, {"error": error.message, **error.body}, headers)
        except Exception as error:  # a bug in the fake: answer 500 and say so in the log
            log.exception("fake hub crashed on %s %s", method, self.path)
            status = 500
            self._send_json(500, {"error": f"fake hub error: {type(error).__name__}"})
        with self.hub.lock:
            self.hub.requests.append(
                RequestRecord(
                    method,
                    endpoint,
                    split.path,
                    status,
                    self.headers.get("Authorization") is not None,
                )
            )

    def _read_body(self) -> bytes:
        if self._body is not None:
            return self._body
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self._body = b"".join(chunks)
        else:
            length = int(self.headers.get("Content-Length") or 0)
            self._body = self.rfile.read(length) if length else b""
        return self._body

    def _json_body(self) -> Any:
        body = self._read_body()
        try:
            return json.loads(body or b"{}")
        except json.JSONDecodeError:
            raise HubError(400, "body is not valid JSON") from None

    def _send(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> int:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return status

    def _send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> int:
        return self._send(status, json.dumps(data).encode(), headers)

    # -- auth -------------------------------------------------------------------------------
    def _authenticate(self) -> None:
        header = self.headers.get("Authorization")
        if header is None:
            return
        token = header.removeprefix("Bearer ").strip()
        user = self.hub.tokens.get(token)
        if user is None:
            raise HubError(401, "Invalid credentials in Authorization header")
        self.user = user

    def _can_write(self, namespace: str) -> bool:
        return (
            self.user is not None
            and self.user.role == "write"
            and (namespace == self.user.user or namespace in self.user.orgs)
        )

    def _repo(self, rtype: str, repo: str, write: bool = False) -> Repo:
        repo_type = REPO_TYPES.get(rtype, rtype)
        with self.hub.lock:
            found = self.hub._get_repo(repo_type, repo)
        visible = found is not None and (
            not found.private
            or (
                self.user is not None
                and (found.namespace == self.user.user or found.namespace in self.user.orgs)
            )
        )
        if not visible:
            # The Hub hides private repos: 401 without a token, 404 with one.
            status = 401 if self.user is None else 404
            raise HubError(status, "Repository not found", "RepoNotFound")
        assert found is not None
        if write and not self._can_write(found.namespace):
            raise HubError(403, f"You don't have the rights to write to {repo}")
        return found

    # -- account and repos ------------------------------------------------------------------
    def whoami(self, method: str) -> int:
        if self.user is None:
            raise HubError(401, "Invalid credentials in Authorization header")
        return self._send_json(
            200,
            {
                "type": "user",
                "id": hashlib.sha1(self.user.user.encode()).hexdigest()[:24],
                "name": self.user.user,
                "fullname": self.user.user,
                "orgs": [{"type": "org", "name": org} for org in self.user.orgs],
                "auth": {
                    "type": "access_token",
                    "accessToken": {"displayName": "fake-hub", "role": self.user.role},
                },
            },
        )

    def create_repo(self, method: str) -> int:
        payload = self._json_body()
        if self.user is None:
            raise HubError(401, "Invalid credentials in Authorization header")
        name = payload.get("name") or ""
        namespace = payload.get("organization") or self.user.user
        repo_type = payload.get("type") or "model"
        repo_id = f"{namespace}/{name}"
        if not re.fullmatch(rf"{_NAME}/{_NAME}", repo_id):
            raise HubError(400, f"invalid repo name {repo_id!r}")
        if not self._can_write(namespace):
            raise HubError(403, f"You don't have the rights to create a repo under {namespace}")
        visibility = payload.get("visibility")
        private = (
            visibility == "private" if visibility is not None else bool(payload.get("private"))
        )
        prefix = "" if repo_type == "model" else f"{repo_type}s/"
        url = f"{self.hub.url}/{prefix}{repo_id}"
        with self.hub.lock:
            if self.hub._get_repo(repo_type, repo_id) is not None:
                # The client reads "url" from the 409 body when exist_ok=True.
                raise HubError(409, "You already created this model repo", body={"url": url})
            directory = self.hub._repo_dir(repo_type, repo_id)
            directory.mkdir(parents=True, exist_ok=True)
            repo = Repo(directory, repo_type, repo_id)
            repo.meta.update({"private": private, "created_at": _now(), "type": repo_type})
            # Like the Hub: a new repo starts with one commit holding .gitattributes.
            content = DEFAULT_GITATTRIBUTES.encode()
            oid = repo.put_blob(content)
            sha = repo.add_commit(
                None,
                {".gitattributes": FileEntry(oid, len(content))},
                "initial commit",
                "",
                self.user.user,
            )
            repo.branches["main"] = sha
            repo.save()
            self.hub._repos[(repo_type, repo_id)] = repo
        return self._send_json(200, {"url": url, "name": repo_id, "id": secrets.token_hex(12)})

    def delete_repo(self, method: str) -> int:
        payload = self._json_body()
        namespace = payload.get("organization") or (self.user.user if self.user else "")
        rtype = (payload.get("type") or "model") + "s"
        repo = self._repo(rtype, f"{namespace}/{payload.get('name')}", write=True)
        with self.hub.lock:
            self.hub._repos.pop((repo.repo_type, repo.repo_id), None)
            shutil.rmtree(repo.root)
        return self._send_json(200, {})

    def validate_yaml(self, method: str) -> int:
        payload = self._json_body()
        errors = _validate_card(payload.get("content") or "", payload.get("repoType") or "model")
        status = 400 if errors else 200
        return self._send_json(status, {"errors": [{"message": m} for m in errors], "warnings": []})

    def xet_token(
        self, method: str, rtype: str, repo: str, kind: str, rest: str | None = None
    ) -> int:
        self._repo(rtype, repo, write=kind == "write")
        raise HubError(404, "Xet storage is not enabled on this server")

    # -- upload path ------------------------------------------------------------------------
    def preupload(self, method: str, rtype: str, repo: str, revision: str) -> int:
        found = self._repo(rtype, repo, write=True)
        payload = self._json_body()
        with self.hub.lock:
            sha = found.resolve(revision)
            current = found.files(sha)
        answers = []
        for item in payload.get("files", []):
            path, size = item["path"], int(item["size"])
            sample = base64.b64decode(item.get("sample") or "")
            lfs = path.endswith(LFS_SUFFIXES) or size >= LFS_MIN_SIZE or b"\0" in sample
            existing = current.get(path)
            oid = None
            if existing is not None:
                oid = (
                    existing.lfs_sha256 if lfs else (None if existing.lfs_sha256 else existing.oid)
                )
            answers.append(
                {
                    "path": path,
                    "uploadMode": "lfs" if lfs else "regular",
                    "shouldIgnore": False,
                    "oid": oid,
                }
            )
        return self._send_json(200, {"files": answers, "commitOid": sha})

    def lfs_batch(self, method: str, repo: str, rtype: str | None = None) -> int:
        payload = self._json_body()
        operation = payload.get("operation")
        found = self._repo(rtype or "models", repo, write=operation == "upload")
        if payload.get("hash_algo", "sha256") != "sha256":
            raise HubError(422, "only sha256 is supported")
        transfers = payload.get("transfers") or ["basic"]
        if "basic" not in transfers:
            raise HubError(422, "this server only speaks the basic transfer")
        objects = []
        for obj in payload.get("objects", []):
            oid, size = obj.get("oid"), obj.get("size")
            if not (
                isinstance(oid, str)
                and re.fullmatch(r"[0-9a-f]{64}", oid)
                and isinstance(size, int)
            ):
                objects.append(
                    {
                        "oid": str(oid),
                        "size": int(size or 0),
                        "error": {"code": 422, "message": "invalid oid or size"},
                    }
                )
                continue
            answer: dict[str, Any] = {"oid": oid, "size": size, "authenticated": True}
            if operation == "upload" and not found.has_lfs(oid, size):
                sig = self.hub._sign(found.repo_id, oid, size)
                answer["actions"] = {
                    "upload": {
                        "href": f"{self.hub.url}/_lfs/{found.repo_id}/{oid}?size={size}&sig={sig}"
                    },
                    "verify": {
                        "href": f"{self.hub.url}/{found.repo_id}.git/info/lfs/objects/verify",
                        "header": {},
                    },
                }
            elif operation == "download":
                if not found.has_lfs(oid, size):
                    answer["error"] = {"code": 404, "message": "Object does not exist"}
                else:
                    answer["actions"] = {
                        "download": {"href": f"{self.hub.url}/_lfs/{found.repo_id}/{oid}"}
                    }
            objects.append(answer)
        body = json.dumps({"transfer": "basic", "objects": objects, "hash_algo": "sha256"}).encode()
        return self._send(200, body, content_type="application/vnd.git-lfs+json")

    def lfs_put(self, method: str, repo: str, oid: str) -> int:
        # Presigned like an S3 URL: the client sends no Authorization header here.
        size = int(self.query.get("size", "-1"))
        if not hmac.compare_digest(self.query.get("sig", ""), self.hub._sign(repo, oid, size)):
            raise HubError(403, "bad or missing upload signature")
        body = self._read_body()
        if len(body) != size:
            raise HubError(400, f"size mismatch: expected {size}, got {len(body)}")
        if hashlib.sha256(body).hexdigest() != oid:
            raise HubError(400, "sha256 mismatch: the uploaded content does not match its oid")
        with self.hub.lock:
            found = self.hub._get_repo("model", repo)
            if found is None:
                raise HubError(404, "Repository not found", "RepoNotFound")
            path = found.lfs_path(oid)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{oid}.{secrets.token_hex(4)}")
            tmp.write_bytes(body)
            os.replace(tmp, path)
        return self._send(200, b"", content_type="text/plain")

    def lfs_get(self, method: str, repo: str, oid: str) -> int:
        found = self._repo("models", repo)
        if not found.has_lfs(oid):
            raise HubError(404, "Object does not exist")
        return self._send(
            200, found.lfs_path(oid).read_bytes(), content_type="application/octet-stream"
        )

    def lfs_verify(self, method: str, repo: str, rtype: str | None = None) -> int:
        found = self._repo(rtype or "models", repo, write=True)
        payload = self._json_body()
        if not found.has_lfs(payload.get("oid", ""), payload.get("size")):
            raise HubError(404, "Object does not exist or has another size")
        return self._send_json(200, {"oid": payload["oid"], "size": payload["size"]})

    def commit(self, method: str, rtype: str, repo: str, revision: str) -> int:
        found = self._repo(rtype, repo, write=True)
        if self.query.get("create_pr") in ("1", "true"):
            raise HubError(400, "pull requests are not supported by the fake hub")
        lines = [json.loads(line) for line in self._read_body().splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            raise HubError(400, "the first NDJSON line must be the commit header")
        header = lines[0]["value"]
        title = header.get("summary") or ""
        if not title:
            raise HubError(400, "commit summary is required")
        assert self.user is not None
        with self.hub.lock:
            if revision not in found.branches:
                raise HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
            head = found.branches[revision]
            parent_commit = header.get("parentCommit")
            if parent_commit and parent_commit != head:
                raise HubError(412, "A commit has happened since. Please refresh and try again.")
            files = found.files(head)
            for line in lines[1:]:
                key, value = line.get("key"), line.get("value") or {}
                path = value.get("path", "")
                if key == "file":
                    if value.get("encoding", "base64") != "base64":
                        raise HubError(400, "only base64 encoding is supported")
                    content = base64.b64decode(value.get("content") or "")
                    files[path] = FileEntry(found.put_blob(content), len(content))
                elif key == "lfsFile":
                    oid, size = value.get("oid", ""), value.get("size")
                    if value.get("algo", "sha256") != "sha256" or not found.has_lfs(oid, size):
                        raise HubError(
                            422,
                            f"LFS object {oid} for {path} was not uploaded (or has another size)",
                        )
                    size = found.lfs_path(oid).stat().st_size
                    pointer = lfs_pointer(oid, size)
                    files[path] = FileEntry(found.put_blob(pointer), size, oid)
                elif key == "deletedFile":
                    if path not in files:
                        raise HubError(404, "A file with this name doesn't exist", "EntryNotFound")
                    del files[path]
                elif key == "deletedFolder":
                    prefix = path.rstrip("/") + "/"
                    files = {p: e for p, e in files.items() if not p.startswith(prefix)}
                else:
                    raise HubError(400, f"unknown commit operation {key!r}")
            sha = found.add_commit(
                head, files, title, header.get("description") or "", self.user.user
            )
            found.branches[revision] = sha
            found.save()
        prefix = "" if found.repo_type == "model" else f"{found.repo_type}s/"
        return self._send_json(
            200,
            {
                "success": True,
                "commitOid": sha,
                "commitUrl": f"{self.hub.url}/{prefix}{found.repo_id}/commit/{sha}",
                "hookOutput": "",
            },
        )

    # -- refs -------------------------------------------------------------------------------
    def create_tag(self, method: str, rtype: str, repo: str, revision: str) -> int:
        if method == "DELETE":
            found = self._repo(rtype, repo, write=True)
            with self.hub.lock:
                if found.tags.pop(revision, None) is None:
                    raise HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
                found.save()
            return self._send_json(200, {})
        found = self._repo(rtype, repo, write=True)
        payload = self._json_body()
        tag = payload.get("tag") or ""
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", tag) or tag.startswith("refs/"):
            raise HubError(400, f"invalid tag name {tag!r}")
        with self.hub.lock:
            sha = found.resolve(revision)
            if tag in found.tags:
                raise HubError(409, f"Tag {tag} already exists")
            found.tags[tag] = sha
            found.save()
        return self._send_json(200, {})

    def branch(self, method: str, rtype: str, repo: str, branch: str) -> int:
        found = self._repo(rtype, repo, write=True)
        with self.hub.lock:
            if method == "DELETE":
                if branch == "main":
                    raise HubError(403, "Cannot delete the default branch")
                if found.branches.pop(branch, None) is None:
                    raise HubError(404, f"Invalid rev id: {branch}", "RevisionNotFound")
                found.save()
                return self._send_json(200, {})
            payload = self._json_body()
            if branch.startswith("refs/") or not re.fullmatch(
                r"[A-Za-z0-9][A-Za-z0-9._/-]*", branch
            ):
                raise HubError(400, f"invalid branch name {branch!r}")
            start = found.resolve(payload.get("startingPoint") or "main")
            if branch in found.branches:
                raise HubError(409, f"Reference refs/heads/{branch} already exists")
            found.branches[branch] = start
            found.save()
        return self._send_json(200, {})

    def refs(self, method: str, rtype: str, repo: str) -> int:
        found = self._repo(rtype, repo)
        with self.hub.lock:
            branches = [
                {"name": n, "ref": f"refs/heads/{n}", "targetCommit": s}
                for n, s in found.branches.items()
            ]
            tags = [
                {"name": n, "ref": f"refs/tags/{n}", "targetCommit": s}
                for n, s in found.tags.items()
            ]
        return self._send_json(
            200, {"branches": branches, "tags": tags, "converts": [], "pullRequests": []}
        )

    def commits_list(self, method: str, rtype: str, repo: str, revision: str) -> int:
        found = self._repo(rtype, repo)
        items = []
        with self.hub.lock:
            sha: str | None = found.resolve(revision)
            while sha:
                commit = found.commits[sha]
                items.append(
                    {
                        "id": sha,
                        "title": commit["title"],
                        "message": commit["message"],
                        "authors": [{"user": commit["author"]}],
                        "date": commit["date"],
                    }
                )
                sha = commit["parents"][0] if commit["parents"] else None
        return self._send_json(200, items)

    # -- read path --------------------------------------------------------------------------
    def model_info(self, method: str, rtype: str, repo: str, revision: str | None = None) -> int:
        found = self._repo(rtype, repo)
        with self.hub.lock:
            sha = found.resolve(revision or "main")
            files = found.files(sha)
            commit = found.commits[sha]
            readme = (
                found.read(files["README.md"]).decode("utf-8", "replace")
                if "README.md" in files
                else ""
            )
        card = _front_matter(readme) or {}
        blobs = self.query.get("blobs") in ("1", "true", "True")
        siblings = []
        for path, entry in sorted(files.items()):
            sibling: dict[str, Any] = {"rfilename": path}
            if blobs:
                sibling.update({"size": entry.size, "blobId": entry.oid})
                if entry.lfs_sha256:
                    sibling["lfs"] = {
                        "size": entry.size,
                        "sha256": entry.lfs_sha256,
                        "pointerSize": len(lfs_pointer(entry.lfs_sha256, entry.size)),
                    }
            siblings.append(sibling)
        data: dict[str, Any] = {
            "_id": hashlib.sha1(found.repo_id.encode()).hexdigest()[:24],
            "id": found.repo_id,
            "modelId": found.repo_id,
            "author": found.namespace,
            "sha": sha,
            "lastModified": commit["date"],
            "createdAt": found.meta.get("created_at"),
            "private": found.private,
            "gated": False,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": list(card.get("tags") or []),
            "library_name": card.get("library_name"),
            "pipeline_tag": card.get("pipeline_tag"),
            "siblings": siblings,
            "spaces": [],
        }
        if card:
            data["cardData"] = card
        if card.get("model-index"):
            data["model-index"] = card["model-index"]
        return self._send_json(200, data)

    def tree(
        self, method: str, rtype: str, repo: str, revision: str, path: str | None = None
    ) -> int:
        found = self._repo(rtype, repo)
        recursive = self.query.get("recursive", "false").lower() in ("1", "true")
        with self.hub.lock:
            files = found.files(found.resolve(revision))
        prefix = (path or "").strip("/")
        base = f"{prefix}/" if prefix else ""
        if prefix and prefix in files:
            raise HubError(404, f"{prefix} is a file, not a folder", "EntryNotFound")
        entries: dict[str, dict[str, Any]] = {}
        for file_path, entry in sorted(files.items()):
            if not file_path.startswith(base):
                continue
            rest = file_path[len(base) :]
            parts = rest.split("/")
            # Folders on the way to the file (only the first level unless recursive).
            for depth in range(1, len(parts) if recursive else min(2, len(parts))):
                folder = base + "/".join(parts[:depth])
                entries.setdefault(
                    folder,
                    {
                        "type": "directory",
                        "path": folder,
                        "oid": hashlib.sha1(folder.encode()).hexdigest(),
                        "size": 0,
                    },
                )
            if recursive or len(parts) == 1:
                item: dict[str, Any] = {
                    "type": "file",
                    "path": file_path,
                    "oid": entry.oid,
                    "size": entry.size,
                }
                if entry.lfs_sha256:
                    item["lfs"] = {
                        "oid": entry.lfs_sha256,
                        "size": entry.size,
                        "pointerSize": len(lfs_pointer(entry.lfs_sha256, entry.size)),
                    }
                entries[file_path] = item
        if prefix and not entries:
            raise HubError(404, f"{prefix} does not exist", "EntryNotFound")
        return self._send_json(200, list(entries.values()))

    def resolve(
        self, method: str, repo: str, revision: str, path: str, rtype: str | None = None
    ) -> int:
        found = self._repo(rtype or "models", repo)
        with self.hub.lock:
            sha = found.resolve(revision)
            entry = found.files(sha).get(unquote(path))
        if entry is None:
            raise HubError(404, "Entry not found", "EntryNotFound", headers={"X-Repo-Commit": sha})
        headers = {
            "X-Repo-Commit": sha,
            "Accept-Ranges": "bytes",
            "Content-Disposition": f'inline; filename="{path.rsplit("/", 1)[-1]}"',
        }
        if entry.lfs_sha256:
            # The Hub's LFS answer: ETag of the pointer, linked ETag/size of the real content.
            headers.update(
                {
                    "ETag": f'"{entry.oid}"',
                    "X-Linked-Etag": f'"{entry.lfs_sha256}"',
                    "X-Linked-Size": str(entry.size),
                }
            )
        else:
            headers["ETag"] = f'"{entry.oid}"'
        with self.hub.lock:
            content = found.read(entry)
        status = 200
        range_header = self.headers.get("Range")
        if range_header:
            match = re.fullmatch(r"bytes=(\d+)-(\d*)", range_header.strip())
            if match is None:
                raise HubError(416, "unsupported range")
            start = int(match.group(1))
            end = int(match.group(2)) if match.group(2) else len(content) - 1
            if start >= len(content) and len(content) > 0:
                raise HubError(
                    416,
                    "range not satisfiable",
                    headers={"Content-Range": f"bytes */{len(content)}"},
                )
            end = min(end, len(content) - 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{len(content)}"
            content = content[start : end + 1]
            status = 206
        headers["Content-Length"] = str(len(content))
        return self._send(status, content, headers, content_type="application/octet-stream")


def _route(
    method: str, pattern: str, name: str, handler: str
) -> tuple[str, re.Pattern[str], str, str]:
    return (method, re.compile(pattern), name, handler)


_Handler.ROUTES = [
    _route("GET", r"/api/whoami-v2", "whoami", "whoami"),
    _route("POST", r"/api/repos/create", "create_repo", "create_repo"),
    _route("DELETE", r"/api/repos/delete", "delete_repo", "delete_repo"),
    _route("POST", r"/api/validate-yaml", "validate_yaml", "validate_yaml"),
    _route(
        "GET",
        rf"/api/{_TYPE}/{_REPO}/xet-(?P<kind>read|write)-token(?P<rest>/.*)?",
        "xet_token",
        "xet_token",
    ),
    _route(
        "POST", rf"/api/{_TYPE}/{_REPO}/preupload/(?P<revision>[^/]+)", "preupload", "preupload"
    ),
    _route("POST", rf"/api/{_TYPE}/{_REPO}/commit/(?P<revision>[^/]+)", "commit", "commit"),
    _route("POST", rf"/api/{_TYPE}/{_REPO}/tag/(?P<revision>[^/]+)", "create_tag", "create_tag"),
    _route("DELETE", rf"/api/{_TYPE}/{_REPO}/tag/(?P<revision>[^/]+)", "delete_tag", "create_tag"),
    _route("POST", rf"/api/{_TYPE}/{_REPO}/branch/(?P<branch>[^/]+)", "create_branch", "branch"),
    _route("DELETE", rf"/api/{_TYPE}/{_REPO}/branch/(?P<branch>[^/]+)", "delete_branch", "branch"),
    _route("GET", rf"/api/{_TYPE}/{_REPO}/refs", "refs", "refs"),
    _route("GET", rf"/api/{_TYPE}/{_REPO}/commits/(?P<revision>[^/]+)", "commits", "commits_list"),
    _route(
        "GET", rf"/api/{_TYPE}/{_REPO}/tree/(?P<revision>[^/]+)(?:/(?P<path>.*))?", "tree", "tree"
    ),
    _route(
        "GET", rf"/api/{_TYPE}/{_REPO}/revision/(?P<revision>[^/]+)", "model_info", "model_info"
    ),
    _route("GET", rf"/api/{_TYPE}/{_REPO}", "model_info", "model_info"),
    _route(
        "POST",
        rf"/(?:(?P<rtype>datasets|spaces)/)?{_REPO}\.git/info/lfs/objects/batch",
        "lfs_batch",
        "lfs_batch",
    ),
    _route(
        "POST",
        rf"/(?:(?P<rtype>datasets|spaces)/)?{_REPO}\.git/info/lfs/objects/verify",
        "lfs_verify",
        "lfs_verify",
    ),
    _route("PUT", rf"/_lfs/{_REPO}/(?P<oid>[0-9a-f]{{64}})", "lfs_upload", "lfs_put"),
    _route("GET", rf"/_lfs/{_REPO}/(?P<oid>[0-9a-f]{{64}})", "lfs_download", "lfs_get"),
    _route(
        "GET",
        rf"/(?:(?P<rtype>datasets|spaces)/)?{_REPO}/resolve/(?P<revision>[^/]+)/(?P<path>.+)",
        "resolve",
        "resolve",
    ),
]


def _front_matter(text: str) -> dict[str, Any] | None:
    if not text.startswith("---"):
        return None
    match = re.match(r"^---\s*\n(.*?)\n---\s*(\n|$)", text, flags=re.DOTALL)
    if match is None:
        return None
    data = yaml.safe_load(match.group(1))
    return data if isinstance(data, dict) else None


def _validate_card(content: str, repo_type: str) -> list[str]:
    """The checks the Hub's /api/validate-yaml makes that matter to a model card (loosely)."""
    try:
        meta = _front_matter(content)
    except yaml.YAMLError as error:
        return [f"YAML front matter does not parse: {error}"]
    if meta is None:
        return []
    errors = []
    for key in ("tags", "datasets", "language"):
        value = meta.get(key)
        if value is not None and not isinstance(value, (list, str)):
            errors.append(f'"{key}" must be a string or a list of strings')
    index = meta.get("model-index")
    if index is not None:
        if repo_type != "model":
            errors.append('"model-index" is only allowed in model cards')
        elif not isinstance(index, list):
            errors.append('"model-index" must be an array')
        else:
            for model in index:
                if not isinstance(model, dict) or not isinstance(model.get("name"), str):
                    errors.append('"model-index[].name" is required')
                    continue
                for result in model.get("results") or []:
                    task = (result or {}).get("task") or {}
                    dataset = (result or {}).get("dataset") or {}
                    if not isinstance(task.get("type"), str):
                        errors.append('"model-index[].results[].task.type" is required')
                    if not (
                        isinstance(dataset.get("name"), str)
                        and isinstance(dataset.get("type"), str)
                    ):
                        errors.append('"model-index[].results[].dataset" needs "name" and "type"')
                    for metric in (result or {}).get("metrics") or []:
                        if (
                            not isinstance(metric, dict)
                            or not isinstance(metric.get("type"), str)
                            or not isinstance(metric.get("value"), (int, float, str))
                        ):
                            errors.append(
                                '"model-index[].results[].metrics[]" needs "type" and "value"'
                            )
    return errors


if __name__ == "__main__":  # manual use: python tests/fake_hub.py ROOT TOKEN USER
    import sys

    logging.basicConfig(level=logging.INFO)
    server = FakeHub(sys.argv[1], {sys.argv[2]: TokenInfo(user=sys.argv[3])}).start()
    log.info("fake hub at %s (Ctrl-C stops it)", server.url)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
