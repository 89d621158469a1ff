"""Writing so that nothing is ever half-written: a file, a folder or a link appears whole or not at all.

Each writer makes its new content under a temporary name beside the target (``.NAME.….tmp``,
``.NAME.new-…``: names the build's leftover cleaning recognises), flushes it to disk, renames
it into place in one step, then flushes the folder so that the rename itself survives a power
cut. On any failure the temporary is removed and the target keeps its old content.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from .errors import Problem, SignageError
from .tree import MANIFEST


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkdtemp and mkstemp make private (0700/0600) entries; outputs are for players and shops.
_UMASK = _umask()
DIR_MODE = 0o777 & ~_UMASK
FILE_MODE = 0o666 & ~_UMASK


def is_temporary(name: str) -> bool:
    """Whether a dot-named file or folder is a temporary one of these writers (or the store's
    ``.incoming-``): what an interrupted run leaves, safe to remove before the next."""
    return name.startswith(".") and (
        ".new-" in name or ".old-" in name or name.endswith(".tmp") or name.startswith(".incoming-")
    )


def sync_file(path: Path) -> None:
    """Flush a file's bytes to disk (before it is renamed to where readers look)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_files(pairs: list[tuple[Path, Path]], mode: int = FILE_MODE) -> None:
    """Move each finished (staged, final) file into place in the order given: flushed first,
    renamed, then each folder flushed once. Each file is whole; the set changes one by one."""
    for source, _ in pairs:
        os.chmod(source, mode)
        sync_file(source)
    for source, target in pairs:
        os.replace(source, target)
    for folder in dict.fromkeys(target.parent for _, target in pairs):
        sync_dir(folder)


def sync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename or a new name in it) to disk."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_file(path: Path, mode: int = FILE_MODE, durable: bool = True) -> Iterator[IO[bytes]]:
    """A binary handle whose bytes become ``path`` when the block ends without an error.

    Written under a temporary name, flushed with fsync, given ``mode``, renamed over ``path``,
    then the folder flushed; on any error the temporary goes and ``path`` is left as it was.
    ``durable=False`` leaves out both flushes: for a file made again from others, whose reader
    checks what it reads (a power cut may cost the file, never leave half of it in use)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        sync_dir(path.parent)


def atomic_write_bytes(path: Path, data: bytes, mode: int = FILE_MODE, durable: bool = True) -> None:
    """``data`` as the whole of ``path``, atomically (see :func:`atomic_file`)."""
    with atomic_file(path, mode, durable) as handle:
        handle.write(data)


def write_json(path: Path, data: Any) -> None:
    """``data`` as indented UTF-8 JSON, atomically."""
    atomic_write_bytes(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def replace_link(target: str, link: Path, durable: bool = True) -> None:
    """Point the symbolic link ``link`` at ``target`` in one rename: readers see the old target or
    the new one. ``durable=False`` leaves flushing the folder to the caller (one flush for many links)."""
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = link.parent / f".{link.name}.new-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    try:
        os.symlink(target, tmp)
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        sync_dir(link.parent)


SYNCFS_FROM = 8  # more entries than this to flush: one syncfs of their file system instead


def sync_entries(files: list[Path], folders: list[Path]) -> None:
    """Flush ``files`` and the entries of ``folders``: one ``syncfs`` of their file system when there
    are more than SYNCFS_FROM in all (where the system has it), else an fsync each."""
    anchor = folders[0] if folders else files[0].parent if files else None
    if anchor is not None and len(files) + len(folders) > SYNCFS_FROM and sync_file_system(anchor):
        return
    for path in files:
        sync_file(path)
    for folder in folders:
        sync_dir(folder)


def sync_dirs(folders: list[Path]) -> None:
    """Flush the entries of ``folders`` (links swapped with ``durable=False``), each folder once: a
    rotation tick switching 2,670 screens spent 6 s on an fsync per screen folder."""
    sync_entries([], list(dict.fromkeys(folders)))


def _sync_tree(folder: Path) -> None:
    """Flush the files and folders under ``folder`` before it is renamed into sight.

    A hard link to a file that lives elsewhere too (an artifact's media, linked from the store) is
    left to the kernel: the store is checked by size before any reuse, and flushing every rendered
    video here would stall the build on the disk. A tree of more than SYNCFS_FROM entries (a
    published version: a folder and four or five playlist files per screen variant) is flushed by
    one ``syncfs`` of its file system (Linux) rather than an fsync each: 3 ms an fsync made
    writing a version cost 150 ms, most of an emergency's time on a network of branches."""
    files: list[Path] = []
    folders: list[Path] = []
    for here, _, names in os.walk(folder):
        folders.append(Path(here))
        for name in names:
            path = Path(here) / name
            info = path.lstat()
            if not path.is_symlink() and info.st_nlink == 1:
                files.append(path)
    sync_entries(files, folders)  # folders[0] is ``folder`` itself: its file system is theirs


def sync_file_system(folder: Path) -> bool:
    """Flush everything written to ``folder``'s file system (Linux ``syncfs``); False where unsupported."""
    syncfs = _libc_function("syncfs", (ctypes.c_int,))
    if syncfs is None:
        return False
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return bool(syncfs(fd) == 0)
    finally:
        os.close(fd)


@contextmanager
def staged_dir(final: Path, mode: int = DIR_MODE) -> Iterator[Path]:
    """A fresh folder beside ``final``; on success it replaces ``final`` whole.

    On any error the staging folder is removed and ``final`` is left as it was. The swap
    is one atomic exchange of the two names (Linux ``renameat2``), so some complete version
    is in place at every instant; where the system has no exchange, two renames. What the
    stage holds is flushed to disk before the swap, and the parent folder after it.
    """
    stage = new_stage(final, mode)
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    commit_stages([(stage, final)])


def new_stage(final: Path, mode: int = DIR_MODE) -> Path:
    """An empty folder beside ``final`` under a temporary name, for :func:`commit_stages`."""
    final.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.new-"))
    os.chmod(stage, mode)
    return stage


def commit_stages(pairs: list[tuple[Path, Path]]) -> None:
    """Put each staged folder in place of its final one, whole: everything staged is flushed
    first (one ``syncfs`` for them all where the system has it, as they share the output's file
    system; else each tree), then each is swapped in, then the parent folders are flushed.
    On an error before the swaps, every stage is removed and every final folder is as it was."""
    try:
        many = sum(1 for stage, _ in pairs for _ in os.scandir(stage)) > SYNCFS_FROM or len(pairs) > 1
        if not (pairs and many and sync_file_system(pairs[0][0].parent)):
            for stage, _ in pairs:
                _sync_tree(stage)
    except BaseException:
        for stage, _ in pairs:
            shutil.rmtree(stage, ignore_errors=True)
        raise
    for stage, final in pairs:
        _swap(stage, final)
    for parent in dict.fromkeys(final.parent for _, final in pairs):
        sync_dir(parent)


def _swap(stage: Path, final: Path) -> None:
    """``stage`` becomes ``final`` in one step where the system can (the old folder is removed after)."""
    if final.exists() and exchange(stage, final):
        shutil.rmtree(stage, ignore_errors=True)  # the old folder, swapped out in the same instant
        return
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.old-"))
        os.rmdir(old)
        os.replace(final, old)
    os.replace(stage, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(-100, os.fsencode(a), -100, os.fsencode(b), 2) == 0:  # AT_FDCWD, RENAME_EXCHANGE
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EXDEV, errno.EPERM):
        return False  # a file system or kernel without it: fall back
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def _renameat2() -> Any:
    return _libc_function("renameat2", (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint))


@lru_cache(maxsize=4)
def _libc_function(name: str, argtypes: tuple[Any, ...]) -> Any:
    """A function of Linux's C library, typed, or None elsewhere."""
    if sys.platform != "linux":
        return None
    try:
        function = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):
        return None
    function.argtypes = list(argtypes)
    function.restype = ctypes.c_int
    return function


def check_replaceable(folder: Path) -> None:
    """Refuse to replace a folder that holds something other than signage output."""
    if folder.exists() and (not folder.is_dir() or (any(folder.iterdir()) and not (folder / MANIFEST).is_file())):
        raise SignageError(
            Problem("exists and is not signage output (no manifest.json): choose an empty or new folder", file=folder)
        )


def read_manifest(folder: Path, name: str = MANIFEST) -> dict[str, Any] | None:
    """The JSON manifest ``name`` in ``folder``, or None when it is missing or unreadable."""
    try:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
