"""The output tree has one owner: variant folder names built and parsed in one place, one atomic
writer (fsync the file, rename, fsync the folder; nothing left behind on failure), and no module
but signage/tree.py spelling the tree's names."""

from __future__ import annotations

import ast
import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signage.atomic import atomic_file, atomic_write_bytes, replace_link, staged_dir, write_json
from signage.build import clear_leftovers
from signage.tree import DEFAULT, Variant, dated_key, split_key, variant_folder

PACKAGE = Path(__file__).resolve().parents[1] / "signage"

# --- Variant -------------------------------------------------------------------------------------

names = st.text(
    alphabet=st.characters(blacklist_characters="~@/\\\x00", blacklist_categories=("Cs",)), min_size=1, max_size=20
).filter(lambda s: not s.startswith("."))
ids = st.from_regex(r"[a-z0-9][a-z0-9+-]{0,15}", fullmatch=True)


@given(screen=names, key=names, date=st.none() | st.dates())
def test_a_variant_folder_name_reads_back_as_the_same_variant(screen: str, key: str, date: dt.date | None) -> None:
    variant = Variant(screen, key, date)
    assert Variant.parse(variant.folder) == variant
    assert Variant.of(screen, variant.dated_key) == variant
    assert split_key(variant.dated_key) == (key, date)


@given(screen=ids, key=ids, date=st.none() | st.dates())
def test_variant_folders_are_spelled_as_published_versions_have_them(
    screen: str, key: str, date: dt.date | None
) -> None:
    dated = key + (f"@{date.isoformat()}" if date else "")
    expected = screen if dated == DEFAULT else f"{screen}~{dated}"
    assert Variant(screen, key, date).folder == expected == variant_folder(screen, dated)
    assert dated_key(key, date) == dated


def test_the_default_variant_is_the_screens_own_folder() -> None:
    assert Variant("lobby").folder == "lobby" and Variant.parse("lobby").is_default
    assert Variant.parse("lobby~default@2027-03-24") == Variant("lobby", DEFAULT, dt.date(2027, 3, 24))
    assert Variant.parse("door~default+hotline-too").key == "default+hotline-too"


@pytest.mark.parametrize(
    "name",
    [
        "",
        ".lobby",
        "~night",
        "door~",
        "door~a~b",
        "door~default",  # the default playlist is the folder "door"
        "door~a@",
        "door~a@2027-13-01",
        "door~a@20270324",
        "door~a@2027-3-4",
        "door~a@2027-03-24@2027-03-25",
        "door~@2027-03-24",
        "door@2027-03-24",
        "a/b~c",
        "door~x/y",
    ],
)
def test_a_malformed_folder_name_is_refused(name: str) -> None:
    with pytest.raises(ValueError):
        Variant.parse(name)


def test_a_variant_cannot_be_made_with_a_separator_in_a_name() -> None:
    for screen, key in [("do~or", "x"), ("door", "a~b"), ("door", "a@b"), ("", "x"), ("door", "")]:
        with pytest.raises(ValueError):
            Variant(screen, key)


# --- the atomic writer ---------------------------------------------------------------------------


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What reached the disk, in order: "file" / "dir" for each fsync, "rename" for each os.replace."""
    seen: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        seen.append("dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        seen.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return seen


def test_the_writer_flushes_the_file_then_renames_then_flushes_the_folder(tmp_path: Path, calls: list[str]) -> None:
    target = tmp_path / "out" / "catalogue.json"
    atomic_write_bytes(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert calls == ["file", "rename", "dir"]
    calls.clear()
    write_json(target, {"a": 1})
    assert calls == ["file", "rename", "dir"] and target.read_text(encoding="utf-8") == '{\n  "a": 1\n}\n'


def test_a_link_is_replaced_in_one_rename_and_its_folder_flushed(tmp_path: Path, calls: list[str]) -> None:
    link = tmp_path / "screens" / "lobby"
    replace_link("../v0001/lobby", link)
    replace_link("../v0002/lobby~night", link)
    assert os.readlink(link) == "../v0002/lobby~night"
    assert calls == ["rename", "dir", "rename", "dir"]
    assert os.listdir(link.parent) == ["lobby"]


def test_a_staged_folder_is_flushed_before_it_appears(tmp_path: Path, calls: list[str]) -> None:
    final = tmp_path / "v0001"
    with staged_dir(final) as stage:
        (stage / "version.json").write_text("{}\n", encoding="utf-8")
    assert (final / "version.json").read_text(encoding="utf-8") == "{}\n"
    assert calls == ["file", "dir", "rename", "dir"]  # the stage's file and folder, the rename, the parent


def test_a_failed_write_keeps_the_old_content_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "emergencies.json"
    target.write_bytes(b"old\n")
    with pytest.raises(RuntimeError), atomic_file(target) as handle:
        handle.write(b"half of the ne")
        raise RuntimeError("killed midway")
    assert target.read_bytes() == b"old\n"
    assert os.listdir(tmp_path) == ["emergencies.json"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_disk_error_while_writing_keeps_the_old_content_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "catalogue.json"
    target.write_bytes(b"old\n")

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, full)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new\n")
    monkeypatch.undo()
    assert target.read_bytes() == b"old\n"
    assert os.listdir(tmp_path) == ["catalogue.json"]


def test_a_failed_link_replacement_keeps_the_old_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    link = tmp_path / "current"
    replace_link("v0001", link)

    def killed(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        replace_link("v0002", link)
    monkeypatch.undo()
    assert os.readlink(link) == "v0001" and os.listdir(tmp_path) == ["current"]


def test_the_temporaries_are_names_an_interrupted_build_clears(tmp_path: Path) -> None:
    """Whatever a killed writer leaves is recognised as a leftover by the next build."""
    output, seen = tmp_path / "output", []
    with atomic_file(output / "catalogue.json") as handle:
        handle.write(b"{}")
        seen += [p.name for p in output.iterdir()]
    with staged_dir(output / "preview"):
        seen += [p.name for p in output.iterdir() if p.name != "catalogue.json"]
    replace_link("v0001", output / "current")
    leftovers = tmp_path / "leftovers"
    leftovers.mkdir()
    for name in seen + [".current.new-123"]:  # the link's temporary, as a killed replace_link leaves it
        (leftovers / name).write_bytes(b"")
    assert clear_leftovers(leftovers) == len(seen) + 1 and not any(leftovers.iterdir())


# --- one owner: no other module spells the tree's names --------------------------------------------

FILE_NAMES = {
    "emergencies.json",
    "log.sqlite",
    ".staging",
    ".lock",
    "catalogue.json",
    "version.json",
    "version.js",
    "timeline.js",
    "player.html",
    "rolled-back",
    "playlist.json",
    "playlist.m3u",
    "playlist.smil",
    "playlist.js",
    "program.txt",
}
FOLDER_NAMES = {"current", "screens", "publish", "schedule", "preview", "store", ".staging"}


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _spellings(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    """Each place the file spells a name of the output tree: a file name anywhere, a folder name
    in a ``/`` path, a ``~`` or ``KEY@DATE`` join in an f-string (docstrings and comments are free)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    where = path.relative_to(root)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs | in_fstrings:
            if node.value in FILE_NAMES or "../../../../" in node.value or node.value == "~":
                out.append(f"{where}:{node.lineno}: {node.value!r}")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):  # output / "publish"
            for side in (node.left, node.right):
                if isinstance(side, ast.Constant) and side.value in FOLDER_NAMES:
                    out.append(f"{where}:{node.lineno}: / {side.value!r}")
        elif isinstance(node, ast.JoinedStr):
            parts = node.values
            for n, part in enumerate(parts):
                text = part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else ""
                if "~" in text or "../../../../" in text:  # f"{screen}~{key}"
                    out.append(f"{where}:{node.lineno}: an f-string joins with {text!r}")
                after = parts[n + 1] if n + 1 < len(parts) else None
                if (
                    text.endswith("@")
                    and isinstance(after, ast.FormattedValue)
                    and "isoformat" in ast.unparse(after.value)
                ):  # f"{key}@{day.isoformat()}"
                    out.append(f"{where}:{node.lineno}: an f-string joins a key and a date with '@'")
    return out


def test_only_the_tree_spells_the_output_trees_names() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name != "tree.py" or path.parent != PACKAGE:
            found += _spellings(path)
    assert found == []


def test_the_guard_sees_the_spellings_it_is_meant_to_catch(tmp_path: Path) -> None:
    sample = tmp_path / "signage" / "sample.py"
    sample.parent.mkdir()
    sample.write_text(
        '"""Docstrings may say catalogue.json and publish/BRANCH/current."""\n'
        "a = out / 'publish' / b\n"
        "c = f'{screen}~{key}'\n"
        "d = f'{key}@{day.isoformat()}'\n"
        "e = 'emergencies.json'\n"
        "f = name.split('~')\n"
        "g = f'{content}@{branch}'  # an artifact id, not a variant\n"
        "h = {'screens': 1}  # a JSON field, not a path\n",
        encoding="utf-8",
    )
    lines = sorted(int(s.split(":")[1]) for s in _spellings(sample, tmp_path))
    assert lines == [2, 3, 4, 5, 6]
