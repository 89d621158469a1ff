"""Read a project folder once: validate every file into typed objects, locate every problem."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Problem, SignageError
from ..fingerprint import InputStamp
from ..resources import bundled_fonts_dir
from ..typography.fonts import FontRegistry, FontSpec, load_catalog
from ..yamlio import LocatedDict, LocatedList, line_of, load_yaml
from .branches import read_branch_csv
from .checks import cross_check
from .config import ProjectConfig
from .content import CaseSummary, Slogan
from .dictionary import project_words, read_word_list
from .locate import input_names
from .model import CASES_DIR, CONFIG_FILE, ID_PATTERN, SLOGANS_FILE, WORDS_FILE, Project
from .playlists import PLAYLISTS_DIR, Playlist
from .schedule import SCHEDULE_FILE, Schedule
from .templates import TemplateKind
from .texts import Expressions, TextEntry


def load_project(root: Path, template_kinds: Sequence[TemplateKind] = ()) -> Project:
    """Load and validate a project, raising one SignageError listing every problem."""
    project, problems = read_project(root, template_kinds)
    if problems or project is None:
        raise SignageError(problems)
    return project


def read_project(root: Path, template_kinds: Sequence[TemplateKind] = ()) -> tuple[Project | None, list[Problem]]:
    """Load what can be loaded and list every problem found on the way.

    ``template_kinds`` says which design templates to read (the output kinds pass theirs).
    """
    problems: list[Problem] = []
    config_path = root / CONFIG_FILE
    stamps = [InputStamp.take(root, input_names())]  # before reading: an edit during the load shows later
    config_data = _read(config_path, problems)
    if config_data is not None and not isinstance(config_data, dict) or config_data is None and not problems:
        problems.append(Problem("must be a mapping with at least name, regions and fonts", file=config_path, line=1))
        config_data = None
    config = _validate(ProjectConfig, config_data, config_path, None, problems)
    branch_origins: dict[str, tuple[Path, int | None]] = {}
    if config is not None:
        for n, branch in enumerate(config.branches):
            branch_origins[branch.id] = (config_path, line_of(config_data, ("branches", n)))
        if config.branches_file:
            stamps.append(InputStamp.take(root, [str(config.branches_file)]))
            config = _with_branch_file(root, config, config_data, problems, branch_origins)
    catalog = _catalog(root, problems)
    slogans, slogan_texts = _read_slogans(root / SLOGANS_FILE, problems)
    cases, case_texts, case_origins = _read_cases(root / CASES_DIR, problems)
    failed: dict[str, list[Problem]] = {}
    expressions = Expressions()
    template_texts: dict[str, dict[str, tuple[Path, int | None]]] = {}
    templates = {
        kind.name: _read_templates(root, kind, problems, failed, expressions, template_texts) for kind in template_kinds
    }
    playlists, broken_playlists = _read_playlists(root / PLAYLISTS_DIR, problems)
    schedule = _read_schedule(root / PLAYLISTS_DIR, playlists, broken_playlists, problems)
    if config is None:
        return None, problems

    broken: set[tuple[str, str]] = set()
    texts = slogan_texts + case_texts
    for entry in texts:
        problem = expressions.compile(entry)
        if problem:
            problems.append(problem)
            broken.add((entry.item, entry.field))
    project = Project(
        root=root,
        config=config,
        slogans=slogans,
        cases=cases,
        fonts=FontRegistry(catalog, config.fonts, project_words(config, read_word_list(root / WORDS_FILE, problems))),
        texts=[t for t in texts if (t.item, t.field) not in broken],
        expressions=expressions,
        templates=templates,
        template_kinds={kind.name: kind for kind in template_kinds},
        broken_templates=failed,
        template_texts=template_texts,
        playlists=playlists,
        broken_playlists=broken_playlists,
        branch_origins=branch_origins,
        schedule=schedule,
        inputs=tuple(stamps),
    )

    problems += cross_check(project, config_data, case_origins, problems)
    for kind in template_kinds:
        if kind.check is not None:
            problems += kind.check(project, config_data)
    return project, problems


def _read(path: Path, problems: list[Problem]) -> Any:
    try:
        return load_yaml(path)
    except SignageError as exc:
        problems.extend(exc.problems)
        return None


def _catalog(root: Path, problems: list[Problem]) -> dict[str, FontSpec]:
    catalog: dict[str, FontSpec] = {}
    for folder in dict.fromkeys((bundled_fonts_dir().resolve(), (root / "fonts").resolve())):
        try:
            catalog.update(load_catalog(folder))
        except SignageError as exc:
            problems.extend(exc.problems)
    return catalog


def _validate(model: type[BaseModel], data: Any, path: Path, item: str | None, problems: list[Problem]) -> Any:
    """``model`` from ``data``, or None with each validation error added as a located problem."""
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if p != "[key]")
            problems.append(
                Problem(
                    _message(err),
                    file=path,
                    line=line_of(data, loc),
                    item=item,
                    field=".".join(str(p) for p in loc) or None,
                )
            )
        return None


def _message(err: Any) -> str:
    kind = err["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    msg = str(err["msg"])
    msg = msg.removeprefix("Value error, ")
    if kind not in ("value_error", "assertion_error") and "input" in err and not isinstance(err["input"], (dict, list)):
        msg += f" (got {err['input']!r})"
    return msg


def _item_id(data: Any, fallback: str) -> str:
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        return data["id"]
    return fallback


def _read_slogans(path: Path, problems: list[Problem]) -> tuple[dict[str, Slogan], list[TextEntry]]:
    slogans: dict[str, Slogan] = {}
    texts: list[TextEntry] = []
    if not path.is_file():
        return slogans, texts
    found = len(problems)
    data = _read(path, problems)
    if data is None:
        if len(problems) == found:  # read without error, and nothing in it
            problems.append(
                Problem("the file is empty: slogans are a list, each with an id and a text", file=path, line=1)
            )
        return slogans, texts
    if not isinstance(data, LocatedList):
        problems.append(Problem("must be a list of slogans", file=path, line=getattr(data, "line", 1)))
        return slogans, texts
    for n, raw in enumerate(data):
        item = _item_id(raw, f"slogan #{n + 1}")
        if not isinstance(raw, LocatedDict):
            problems.append(Problem("each slogan must be a mapping", file=path, line=data.item_lines[n], item=item))
            continue
        slogan = _validate(Slogan, raw, path, item, problems)
        if slogan is None:
            continue
        if slogan.id in slogans:
            problems.append(Problem("duplicate slogan id", file=path, line=raw.line, item=item, field="id"))
            continue
        slogans[slogan.id] = slogan
        for key in ("text", "short"):
            for locale, text in getattr(slogan, key).items():
                texts.append(
                    TextEntry(path, line_of(raw, (key, locale)), slogan.id, f"{key}.{locale}", locale, text, led=True)
                )
    return slogans, texts


def _read_cases(
    folder: Path, problems: list[Problem]
) -> tuple[dict[str, CaseSummary], list[TextEntry], dict[str, tuple[Path, LocatedDict]]]:
    cases: dict[str, CaseSummary] = {}
    texts: list[TextEntry] = []
    origins: dict[str, tuple[Path, LocatedDict]] = {}
    if not folder.is_dir():
        return cases, texts, origins
    for path in _yaml_files(folder):
        raw = _read(path, problems)
        if raw is None:
            if path.is_file() and not path.read_text(encoding="utf-8", errors="replace").strip():
                problems.append(Problem("the file is empty: a case summary is a mapping", file=path, line=1))
            continue
        item = _item_id(raw, path.stem)
        if not isinstance(raw, LocatedDict):
            problems.append(Problem("a case file must be a mapping", file=path, line=1, item=item))
            continue
        case = _validate(CaseSummary, raw, path, item, problems)
        if case is None:
            continue
        if case.id != path.stem:
            problems.append(
                Problem(
                    f"id does not match the file name {path.name}",
                    file=path,
                    line=line_of(raw, ("id",)),
                    item=item,
                    field="id",
                )
            )
        if case.id in cases:
            problems.append(Problem("duplicate case id", file=path, line=raw.line, item=item, field="id"))
            continue
        cases[case.id] = case
        origins[case.id] = (path, raw)
        for name, text in case.text_fields():
            texts.append(
                TextEntry(
                    path, line_of(raw, _field_path(name)), case.id, name, case.locale, text, led=name == "short.led"
                )
            )
    return cases, texts, origins


def _read_templates(
    root: Path,
    kind: TemplateKind,
    problems: list[Problem],
    broken: dict[str, list[Problem]],
    expressions: Expressions,
    texts: dict[str, dict[str, tuple[Path, int | None]]],
) -> dict[str, Any]:
    """Every NAME.yaml of one kind validated as its model, by NAME; failures go to ``broken``.
    Each Jinja2 text is compiled here, so every syntax error is reported with its line; where
    each text is written goes to ``texts``, for the errors filling it may meet later."""
    templates: dict[str, Any] = {}
    for path in _yaml_files(root / kind.folder):
        found: list[Problem] = []
        raw = _read(path, found)
        if isinstance(raw, LocatedDict):
            raw.setdefault("name", path.stem)
        template = _validate(kind.model, raw, path, path.stem, found)
        origins = texts.setdefault(f"{kind.name}/{path.stem}", {})
        for where, source in _strings(raw, ()):
            if "{" not in source:
                continue
            line = line_of(raw, where)
            origins.setdefault(source, (path, line))
            problem = expressions.compile_source(source)
            if problem is not None:
                field = ".".join(f"[{s}]" if isinstance(s, int) else str(s) for s in where).replace(".[", "[")
                found.append(Problem(problem, file=path, line=line, item=path.stem, field=field))
                template = None
        if template is not None:
            templates[path.stem] = template
        else:
            broken[f"{kind.name}/{path.stem}"] = found
        problems += found
    return templates


def _strings(data: Any, where: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], str]]:
    """Every string inside YAML data with the path to it."""
    if isinstance(data, str):
        return [(where, data)]
    if isinstance(data, dict):
        return [found for key, value in data.items() for found in _strings(value, (*where, key))]
    if isinstance(data, list):
        return [found for n, value in enumerate(data) for found in _strings(value, (*where, n))]
    return []


def _with_branch_file(
    root: Path, config: ProjectConfig, data: Any, problems: list[Problem], origins: dict[str, tuple[Path, int | None]]
) -> ProjectConfig:
    """The config with the CSV's branches after the inline ones; a duplicate id is a located problem."""
    path = root / str(config.branches_file)
    if not _inside(root, path):
        problems.append(
            Problem(
                f"{config.branches_file} is outside the project folder",
                root / CONFIG_FILE,
                line_of(data, ("branches_file",)),
                field="branches_file",
            )
        )
        return config
    if not path.is_file():
        problems.append(
            Problem(
                f"{config.branches_file} not found in the project folder",
                root / CONFIG_FILE,
                line_of(data, ("branches_file",)),
                field="branches_file",
            )
        )
        return config
    seen = {b.id for b in config.branches}
    added = []
    for branch, line in read_branch_csv(path, config.timezone, problems):
        if branch.id in seen:
            problems.append(Problem("duplicate branch id", path, line, branch.id, "id"))
            continue
        seen.add(branch.id)
        added.append(branch)
        origins[branch.id] = (path, line)
    return config.model_copy(update={"branches": [*config.branches, *added]})


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _read_playlists(folder: Path, problems: list[Problem]) -> tuple[dict[str, Playlist], set[str]]:
    """Every playlists/NAME.yaml validated; ``schedule.yaml`` is not a playlist (the schedules issue)."""
    playlists: dict[str, Playlist] = {}
    broken: set[str] = set()
    for path in _yaml_files(folder):
        if path.stem == "schedule":
            continue
        raw = _read(path, problems)
        if isinstance(raw, LocatedDict):
            raw.setdefault("name", path.stem)
        elif raw is not None:
            problems.append(
                Problem("a playlist is a mapping with suits and entries", file=path, line=1, item=path.stem)
            )
            broken.add(path.stem)
            continue
        playlist = _validate(Playlist, raw, path, path.stem, problems)
        if playlist is None:
            broken.add(path.stem)
            continue
        if not ID_PATTERN.match(path.stem):
            problems.append(
                Problem(
                    "a playlist's file name is its id: lowercase letters, digits, hyphens", file=path, item=path.stem
                )
            )
            broken.add(path.stem)
            continue
        playlists[path.stem] = playlist
    return playlists, broken


def _read_schedule(folder: Path, playlists: dict[str, Playlist], broken: set[str], problems: list[Problem]) -> Schedule:
    """playlists/schedule.yaml validated, each campaign's playlist known; an empty schedule if none."""
    path = folder / SCHEDULE_FILE
    if not path.is_file():
        return Schedule()
    raw = _read(path, problems)
    if raw is None:
        return Schedule()
    schedule = _validate(Schedule, raw, path, "schedule", problems)
    if schedule is None:
        return Schedule()
    named = schedule.name_problems()
    for where, campaign_id, message in named:
        field = f"campaigns[{where[1]}].{where[2]}" + "".join(f"[{s}]" for s in where[3:])
        problems.append(Problem(message, file=path, line=line_of(raw, where), item=campaign_id, field=field))
    if named:
        return Schedule()
    for n, campaign in enumerate(schedule.campaigns):
        if campaign.playlist not in playlists and campaign.playlist not in broken:
            problems.append(
                Problem(
                    f"no playlist {campaign.playlist!r} (playlists: {', '.join(sorted(playlists)) or 'none'})",
                    file=path,
                    item=campaign.id,
                    field=f"campaigns[{n}].playlist",
                )
            )
    return schedule


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def _field_path(name: str) -> tuple[Any, ...]:
    """'lure_steps[2]' -> ('lure_steps', 2); 'short.led' -> ('short', 'led')."""
    path: list[Any] = []
    for part in name.split("."):
        if "[" in part:
            key, idx = part[:-1].split("[")
            path += [key, int(idx)]
        else:
            path.append(part)
    return tuple(path)
