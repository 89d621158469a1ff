"""YAML reading that remembers line numbers, so every later error can point at a line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, SequenceNode

from .errors import Problem, SignageError


class LocatedDict(dict):  # type: ignore[type-arg]
    """A mapping from YAML with the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LocatedList(list):  # type: ignore[type-arg]
    """A sequence from YAML with the line of itself and of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


# libyaml's parser when PyYAML has it (the wheels do): several times faster than pure Python
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A safe loader that builds Located containers and rejects duplicate keys."""


def _construct_mapping(loader: _Loader, node: MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                'YAML reads a value that starts with { as a mapping: quote the text, e.g. text: "{{ hotline }}…"',
                key_node.start_mark,
            )
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a real date ({exc})", node.start_mark
        ) from None


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


MAX_CHARS = 10_000_000  # a project file's characters, and a document's once its aliases are expanded
MAX_NODES = 1_000_000  # values once every alias (*name) is expanded


def _check_size(data: Any, path: Path) -> None:
    """Refuse a document whose aliases (*name) expand it past MAX_NODES values or MAX_CHARS characters.

    A few kB can stand for millions of values, and one long string aliased many times for
    billions of characters: both are counted as if written out, without expanding anything
    (each container is measured once). The error names the line of the list or mapping in which
    the bound is crossed (an alias's own line is not kept by the parser: an item's is its anchor's)."""
    measured: dict[int, tuple[int, int]] = {}  # id of a container -> (values, characters) inside it

    def measure(value: Any, line: int | None) -> tuple[int, int]:
        if isinstance(value, str):
            return 1, len(value)
        if not isinstance(value, (dict, list)):
            return 1, 0
        known = measured.get(id(value))
        if known is not None:
            return known
        if isinstance(value, dict):
            lines = getattr(value, "key_lines", {})
            children = [(item, lines.get(key, line)) for key, item in value.items()]
            chars = sum(len(key) for key in value if isinstance(key, str))
        else:
            lines = getattr(value, "item_lines", [])
            children = [(item, lines[n] if n < len(lines) else line) for n, item in enumerate(value)]
            chars = 0
        values = 1
        for child, child_line in children:
            more_values, more_chars = measure(child, child_line)
            values, chars = values + more_values, chars + more_chars
            if values > MAX_NODES or chars > MAX_CHARS:
                what = f"{MAX_NODES:,} values" if values > MAX_NODES else f"{MAX_CHARS:,} characters"
                raise SignageError(
                    Problem(
                        f"expands to more than {what} through its aliases (*name): "
                        "write the repeated parts out or use fewer aliases",
                        file=path,
                        line=line,
                    )
                )
        measured[id(value)] = (values, chars)
        return values, chars

    measure(data, getattr(data, "line", None))


_UNQUOTED_JINJA = re.compile(r"(^|:|-)\s*\{\{")


def _layout_hint(lines: list[str], line: int | None) -> tuple[int, str] | None:
    """Where the parser's words ("did not find expected '-' indicator") come from a tab or a line
    indented differently from its neighbours, say so in plain words, at the line to fix."""
    for n, text in enumerate(lines[: line or len(lines)], start=1):
        indent = text[: len(text) - len(text.lstrip(" \t"))]
        if "\t" in indent:
            return n, "a tab in the indentation: YAML indents with spaces only; replace the tab with spaces"
    if line is None or not 1 < line <= len(lines):
        return None

    def column(text: str) -> int:
        return len(text) - len(text.lstrip(" "))

    here = lines[line - 1]
    above = [(n, t) for n, t in enumerate(lines[: line - 1], start=1) if t.strip() and not t.lstrip().startswith("#")]
    if not here.strip() or not above:
        return None
    n, previous = above[-1]
    keyed = re.compile(r"^\s*(?:- )?[\w-]+\s*:")
    if keyed.match(here) and keyed.match(previous):
        # the column the previous line's key starts in (after its "- ", when it opens a list item)
        key_column = column(previous) + (2 if previous.lstrip().startswith("- ") else 0)
        if column(here) not in (key_column, *[column(t) for _, t in above]) or column(here) < key_column:
            return line, (
                f"line {line} starts at column {column(here) + 1} but the keys of the item above start at column "
                f"{key_column + 1}: keys of one item must line up (indent them with the same number of spaces)"
            )
    return None


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error becomes a SignageError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SignageError(Problem("file not found", file=path)) from None
    except OSError as exc:
        raise SignageError(Problem(f"cannot be read ({exc.strerror or exc})", file=path)) from None
    except UnicodeDecodeError as exc:
        raise SignageError(Problem(f"not UTF-8 text ({exc.reason})", file=path)) from None
    if len(text) > MAX_CHARS:
        raise SignageError(
            Problem(f"{len(text):,} characters: more than the {MAX_CHARS:,} a project file may have", file=path)
        )
    try:
        data = yaml.load(text, Loader=_Loader)
        _check_size(data, path)
        return data
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "invalid YAML"
        lines = text.splitlines()
        if line is not None and 0 < line <= len(lines) and _UNQUOTED_JINJA.search(lines[line - 1]):
            reason += (
                '; YAML reads a value that starts with { as a mapping: quote the text, e.g. text: "{{ hotline }}…"'
            )
        hint = _layout_hint(lines, line)
        if hint:
            line, reason = hint
        raise SignageError(Problem(f"invalid YAML: {reason}", file=path, line=line)) from None
    except yaml.YAMLError as exc:
        raise SignageError(Problem(f"invalid YAML: {exc}", file=path)) from None


def line_of(data: Any, path: tuple[Any, ...]) -> int | None:
    """The line of the deepest element of ``path`` inside ``data`` that we know."""
    line = getattr(data, "line", None)
    node = data
    for step in path:
        if isinstance(node, LocatedDict) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LocatedList) and isinstance(step, int) and 0 <= step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line
