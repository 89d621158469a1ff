"""Content as text templates see it: a slogan or case with its own expressions filled in."""

from __future__ import annotations

from typing import Any

from ..errors import Problem, SignageError
from ..labels import fraud_type_label
from .config import Branch
from .model import Project


def content_context(
    project: Project, kind: str, content_id: str | None, locale: str, branch: str | None = None
) -> dict[str, Any]:
    """Project variables plus ``slogan`` or ``case`` (rendered for ``locale`` and ``branch``)."""
    branch_obj = project.branch(branch, locale)
    if branch_obj is None and content_id is not None and project.item_uses_branch(content_id, locale):
        require_branch(project, f"{kind} {content_id!r}", locale)
    ctx = project.context(locale, branch_obj)
    if kind == "slogan" and content_id is not None:
        slogan = project.slogan(content_id)
        if locale not in slogan.text:
            raise SignageError(Problem(f"slogan has no {locale} text", item=content_id))
        view: dict[str, Any] = {"id": slogan.id, "kind": slogan.kind.value, "tags": slogan.tags}
        view["text"] = project.fill(project.entry(slogan.id, f"text.{locale}"), branch_obj)
        short = slogan.short.get(locale)
        view["short"] = project.fill(project.entry(slogan.id, f"short.{locale}"), branch_obj) if short else view["text"]
        ctx["slogan"] = view
    elif kind == "case" and content_id is not None:
        case = project.case(content_id)
        if case.locale != locale:
            raise SignageError(Problem(f"the case is written in {case.locale}, not {locale}", item=content_id))
        ctx["case"] = _case_view(project, case.id, case.model_dump(mode="json"), branch_obj)
        ctx["case"]["fraud_type_key"] = case.fraud_type
        ctx["case"]["fraud_type"] = fraud_type_label(case.fraud_type, locale)
    return ctx


def require_branch(project: Project, what: str, locale: str) -> None:
    """A text that names the branch needs one: say so, with the branches it could be."""
    ids = [b.id for b in project.branches_for(locale)]
    shown = ", ".join(ids[:20]) + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")
    raise SignageError(
        f"{what} names the branch ({{{{ branch.… }}}}): give --branch ({shown or f'no {locale} branch'})"
    )


def slogan_texts(project: Project, locale: str, ids: list[str] | None = None) -> list[str]:
    """Rendered full texts of slogans in ``locale`` (all, or ``ids`` in order); ones naming a branch are left out."""
    texts = []
    for slogan_id in ids if ids is not None else list(project.slogans):
        slogan = project.slogans.get(slogan_id)
        if slogan is None or locale not in slogan.text or "branch" in slogan.text[locale]:
            continue
        texts.append(project.fill(project.entry(slogan_id, f"text.{locale}")))
    return texts


def _case_view(project: Project, case_id: str, data: dict[str, Any], branch: Branch | None) -> dict[str, Any]:
    """The case's fields with their own expressions ({{ hotline }} in advice) filled in."""
    rendered = {e.field: project.fill(e, branch) for e in project.texts if e.item == case_id}
    view = dict(data)
    for name, value in data.items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            view[name] = [rendered.get(f"{name}[{i}]", v) for i, v in enumerate(value)]
        elif isinstance(value, str) and name in rendered:
            view[name] = rendered[name]
    view["amount"] = data.get("amount") and {**data["amount"], "display": rendered.get("amount.display")}
    view["short"] = {
        "led": rendered["short.led"],
        "card": rendered["short.card"],
        "video": [rendered[f"short.video[{i}]"] for i in range(len(data["short"]["video"]))],
    }
    return view
