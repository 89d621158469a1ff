"""``signage init DIR``: a working copy of the example project."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..errors import Problem, SignageError
from ..resources import EXAMPLE_FILES, example_project_dir


def init_project(target: Path) -> list[Path]:
    """Copy the example project into ``target`` (new or empty); return what was written."""
    if (target / "signage.yaml").exists():
        raise SignageError(Problem("already holds a project (signage.yaml exists)", file=target))
    if target.exists() and not target.is_dir():
        raise SignageError(Problem("exists and is not a folder", file=target))
    source = example_project_dir()
    try:
        target.mkdir(parents=True, exist_ok=True)
        return _copy_example(source, target)
    except OSError as exc:
        raise SignageError(Problem(f"cannot write the project here: {exc.strerror or exc}", file=target)) from None


def _copy_example(source: Path, target: Path) -> list[Path]:
    # Stage next to the target, then move each piece in, so a failure leaves no half copy.
    written = []
    with tempfile.TemporaryDirectory(dir=target, prefix=".signage-init-") as tmp:
        staged = Path(tmp)
        for name in EXAMPLE_FILES:
            src = source / name
            if src.is_dir():
                shutil.copytree(src, staged / name)
            elif src.is_file():
                shutil.copy2(src, staged / name)
        for name in EXAMPLE_FILES:
            if (target / name).exists():
                raise SignageError(Problem(f"{name} already exists", file=target))
        for item in sorted(staged.iterdir()):
            item.rename(target / item.name)
            written.append(target / item.name)
    return written
