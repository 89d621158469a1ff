"""Render jobs on a dask.distributed cluster: the same jobs, results back as data.

The client (the machine running ``signage build``) plans, keeps what is unchanged and
stages, stores, catalogues and publishes exactly as a local build does; only rendering
moves. What the workers need besides each job is a **snapshot**, shipped once per worker
(``Client.scatter(..., broadcast=True)``) and keyed by its content hash: the font files
(with their modification times, so the font-subset cache keys are the same), the project
files the jobs read (background images, music, supplied media) and what each kind
prepared for its jobs (the cards' font subsets), packed and made again on the worker by
the kind's own class (``signage.job.Shippable``). A worker unpacks it once into a temporary folder and renders
into fresh folders there; the files come back as bytes (``execute(..., as_data=True)``).

A worker that dies mid-job has its job rescheduled on another by dask; a job that fails
for a content reason returns the same located message as locally; an interrupted build
cancels what is left and leaves the previous outputs live.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import shutil
import tempfile
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import SignageError
from ..job import Job, RenderEnv
from ..typography.fonts import FontRegistry
from .runner import Outcome, execute

INSTALL = "the dask executor needs dask and distributed: pip install 'signage[cluster]'"

Snapshot = dict[str, Any]  # {"digest", "fonts": {id: (name, bytes, mtime_ns)}, "files": {path: bytes}, ...}


def connect(address: str) -> Any:
    """A client of the scheduler at ``address`` (tcp://HOST:8786)."""
    try:
        from distributed import Client
    except ImportError:
        raise SignageError(INSTALL) from None
    try:
        return Client(address, timeout="20s")
    except OSError as exc:
        raise SignageError(f"cannot reach the dask scheduler at {address}: {exc}") from None


def snapshot(jobs: Sequence[Job], env: RenderEnv) -> Snapshot:
    """Every file the jobs read, by content: fonts, project files, what the kinds prepared."""
    fonts = {}
    for font_id, spec in sorted(env.fonts.catalog.items()):
        stat = spec.path.stat()
        fonts[font_id] = (spec.path.name, spec.path.read_bytes(), stat.st_mtime_ns)
    files = {}
    for job in jobs:
        for name in job.project_inputs():
            if name not in files:
                files[name] = (env.root / name).read_bytes()
    extras = {name: (type(extra), extra.pack()) for name, extra in sorted(env.extras.items())}
    digest = hashlib.sha256()
    for font_id, (name, data, mtime) in fonts.items():
        digest.update(f"{font_id}|{name}|{mtime}|{hashlib.sha256(data).hexdigest()}\n".encode())
    for name, data in sorted(files.items()):
        digest.update(f"{name}|{hashlib.sha256(data).hexdigest()}\n".encode())
    for name, (kind, packed) in extras.items():
        blob = pickle.dumps(packed, protocol=5)
        digest.update(
            f"extra|{name}|{kind.__module__}.{kind.__qualname__}|{hashlib.sha256(blob).hexdigest()}\n".encode()
        )
    return {
        "digest": digest.hexdigest(),
        "fonts": fonts,
        "files": files,
        "extras": extras,  # each kind's prepared data, made again on the worker by its own class
        "roles": env.fonts.roles,
        "words": env.fonts.words,
        "catalog": env.fonts.catalog,  # the font specs; each worker points them at its own copies
    }


_WORKER_ENVS: dict[str, RenderEnv] = {}


def _unpack(snap: Snapshot) -> RenderEnv:
    """The snapshot on this worker, unpacked once (per content hash) into a folder of its own."""
    env = _WORKER_ENVS.get(snap["digest"])
    if env is not None:
        return env
    for old in list(_WORKER_ENVS):  # one build's snapshot at a time on a long-running worker
        shutil.rmtree(_WORKER_ENVS.pop(old).root.parent, ignore_errors=True)

    base = Path(tempfile.mkdtemp(prefix=f"signage-{snap['digest'][:12]}-"))
    catalog = {}
    for font_id, (name, data, mtime) in snap["fonts"].items():
        path = base / "fonts" / font_id / name  # the same file name and time: the same subset cache keys
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, ns=(mtime, mtime))
        catalog[font_id] = dataclasses.replace(snap["catalog"][font_id], path=path)
    root = base / "project"
    root.mkdir()
    for name, data in snap["files"].items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    extras = {name: kind.unpack(packed, base / "extras" / name) for name, (kind, packed) in snap["extras"].items()}
    # segments are shared by the jobs this worker runs (not across workers: they share no folder)
    env = RenderEnv(
        root, FontRegistry(catalog, snap["roles"], tuple(snap["words"])), extras, segments=base / "segments"
    )
    _WORKER_ENVS[snap["digest"]] = env
    return env


def _run(snap: Snapshot, index: int, job: Job) -> Outcome:
    """One job on a worker: its files come back as bytes (the job's own environment, so workers
    with several threads may run jobs of different builds side by side)."""
    return execute(index, job, None, as_data=True, env=_unpack(snap))


def dask_executor(client: Any) -> Callable[[Sequence[Job], RenderEnv, Callable[[Outcome], None]], None]:
    """An executor for :func:`signage.build.build` that renders on ``client``'s cluster."""

    def run(jobs: Sequence[Job], env: RenderEnv, on_done: Callable[[Outcome], None]) -> None:
        from distributed import as_completed

        if not jobs:
            return
        snap = snapshot(jobs, env)
        shared = client.scatter(snap, broadcast=True, hash=False)
        build_id = uuid.uuid4().hex[:12]  # keys of their own: builds sharing a scheduler never meet
        futures = [
            client.submit(
                _run, shared, i, job, pure=False, priority=int(job.cost() * 1000), key=f"render-{build_id}-{i}"
            )
            for i, job in enumerate(jobs)
        ]
        try:
            for future in as_completed(futures):
                on_done(future.result())
        except BaseException:
            client.cancel(futures)
            raise

    return run


def shipped_bytes(job: Job, outcome: Outcome) -> tuple[int, int]:
    """(bytes of the job sent, bytes of the files returned) for one render."""
    returned = sum(len(v) for v in (outcome.data or {}).values())
    return len(pickle.dumps(job)), returned
