"""Errors meant for the person running signage: where the problem is and what it is.

Every error the tool raises on purpose is a :class:`SignageError`. The CLI prints
``str(error)`` and exits non-zero; nothing else reaches the user as a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Problem:
    """One thing wrong with the project, located as precisely as we know."""

    message: str
    file: Path | str | None = None
    line: int | None = None
    item: str | None = None
    field: str | None = None
    warning: bool = False  # reported, but does not make a command fail

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = _display_path(self.file)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        what = ""
        if self.item:
            what = f"{self.item}"
            if self.field:
                what += f".{self.field}"
            what += ": "
        elif self.field:
            what = f"{self.field}: "
        return f"{where}{what}{'warning: ' if self.warning else ''}{self.message}"


def _display_path(path: Path | str) -> str:
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


class SignageError(Exception):
    """A user-facing error carrying one or more located problems."""

    def __init__(self, problems: Problem | str | list[Problem]):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class TextOverflowError(SignageError):
    """Text that cannot be set into its box even at the smallest allowed size."""

    def __init__(self, problem: Problem, overflow: str):
        super().__init__(problem)
        self.overflow = overflow


def describe_os_error(exc: OSError) -> str:
    """What the file system refused, where, and what to do: no space, read-only, permission, name too long."""
    import errno

    where = exc.filename or "the output folder"
    if exc.filename2:
        where = f"{exc.filename} -> {exc.filename2}"
    shown = _display_path(where) if isinstance(where, (str, Path)) else str(where)
    advice = {
        errno.ENOSPC: "the disk is full: free some space (or point `output:` in signage.yaml elsewhere) and run again",
        errno.EDQUOT: "the disk quota is used up: free some space and run again",
        errno.EROFS: "the file system is read-only: point `output:` in signage.yaml (or -o) at a writable folder",
        errno.EACCES: "permission denied: run as a user who may write there, or choose another folder",
        errno.EPERM: "not permitted: run as a user who may write there, or choose another folder",
        errno.ENAMETOOLONG: "the path is too long: use shorter ids or a shorter output folder",
    }.get(exc.errno or 0, f"{exc.strerror or exc}")
    return f"{shown}: {advice}. Earlier outputs are as they were."


def unknown_hint(name: str, known: list[str] | tuple[str, ...] | set[str], what: str) -> str:
    """What to add after "no X 'name'": the closest known names ("did you mean …?"), else the known
    ones (the first 20), so a typo is answered with the fix."""
    import difflib  # only when something is unknown

    ids = sorted(known) if isinstance(known, set) else list(known)
    close = difflib.get_close_matches(name, ids, n=3, cutoff=0.6)
    if close:
        return ": did you mean " + " or ".join(repr(c) for c in close) + "?"
    listed = ", ".join(ids[:20]) + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")
    return f" ({what}: {listed or 'none'})"
