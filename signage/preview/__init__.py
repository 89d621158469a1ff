"""``output/preview/``: a static site of what every branch plays, to look at before it plays.

Works from file:// with no network: plain HTML, one stylesheet, a few lines of script for
the search; thumbnails only (LED pages as dot-matrix pictures in the sign's colours, video
posters, card previews), each made once per source file and shared by every branch page.
The index lists the network by region with the check's warnings on top; a branch page
shows each screen at its real aspect ratio with what plays now, today's timeline of
switches (the same ``decide`` as ``signage plan`` and ``rotate``), and every item of every
playlist the screen plays today with its text, where it is used, the campaign that put it
there and its dates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from PIL import Image

from ..network.publish import PLAYER, branch_dir, current_version
from ..project.loader import Project
from ..publish import atomic_write_bytes, staged_dir
from ..resources import cache_dir
from ..schedule.emergency import load as load_emergencies
from ..schedule.resolve import day_switches, decide
from ..sizes import parse_pixels

PREVIEW = "preview"
THUMB_WIDTH = 320
STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f4f5f7}
header{background:#0b1f3a;color:#fff;padding:12px 24px}header a{color:#fff}
main{padding:16px 24px;max-width:1200px}h2{margin:24px 0 8px}
.warn{background:#fff4d6;border-left:4px solid #e0a800;padding:8px 12px;margin:4px 0;font-size:13px}
.err{background:#fde2e1;border-left-color:#c8102e}
input[type=search]{font-size:16px;padding:6px 10px;width:320px}
table{border-collapse:collapse;width:100%;background:#fff}
td,th{padding:6px 10px;border-bottom:1px solid #e3e5ea;text-align:left;vertical-align:top}
.screen{display:inline-block;vertical-align:top;margin:0 24px 24px 0;width:360px}
.frame{background:#000;display:flex;align-items:center;justify-content:center;overflow:hidden;border-radius:4px}
.frame img{max-width:100%;max-height:100%}
.timeline{font-size:13px}.timeline li{margin:2px 0}
.items{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:12px}
.item{background:#fff;border:1px solid #e3e5ea;border-radius:4px;padding:8px;font-size:13px}
.item img{max-width:100%;display:block;margin-bottom:6px;background:#000}
.muted{color:#6b7280}.tag{display:inline-block;background:#e8edf5;border-radius:3px;padding:0 6px;margin-right:4px}
.now{outline:3px solid #e0a800}
"""
SEARCH = """
const box=document.getElementById('q');box.addEventListener('input',()=>{const q=box.value.trim().toLowerCase();
let shown=0;for(const row of document.querySelectorAll('tr.branch')){const hit=!q||row.dataset.search.includes(q);
row.hidden=!hit;if(hit)shown++}document.getElementById('count').textContent=shown});
"""


@dataclass
class PreviewReport:
    branches: int = 0
    thumbs: int = 0
    pages_bytes: int = 0
    problems: list[str] = field(default_factory=list)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


class Thumbs:
    """Small pictures of store files, one per source and size, written into the preview folder."""

    def __init__(self, output: Path, folder: Path, previous: Path | None = None):
        self.output, self.folder, self.previous = output, folder, previous
        self.made: dict[str, str] = {}

    def get(self, store_path: str, led: bool = False) -> str | None:
        """The thumbnail's path relative to the preview folder, or None when the file is not a picture."""
        key = f"{store_path}|{led}"
        if key in self.made:
            return self.made[key]
        source = self.output / store_path
        if source.suffix.lower() not in (".png", ".bmp", ".gif") or not source.is_file():
            return None
        name = f"thumbs/{source.stem[:20]}{'-dots' if led else ''}.png"  # store files are named by content
        target = self.folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.previous is not None and (self.previous / name).is_file():  # the last preview made it already
            os.link(self.previous / name, target)
            self.made[key] = name
            return name
        with Image.open(source) as picture:
            if not led:  # reduce while decoding what it can: a 300-dpi card is 2,480 px wide
                picture.thumbnail((THUMB_WIDTH, 100 * THUMB_WIDTH), reducing_gap=2.0)
            image = picture.convert("RGB")
        if led:
            image = dots(image)
        image.save(target, compress_level=6)
        self.made[key] = name
        return name


def dots(page: Image.Image) -> Image.Image:
    """An LED page as the sign shows it: each pixel a round dot, unlit ones dim."""
    w, h = page.size
    scale = max(2, min(8, THUMB_WIDTH // max(w, 1)))
    pixels = np.asarray(page.resize((w * scale, h * scale), Image.Resampling.NEAREST)).astype(np.int16)
    yy, xx = np.mgrid[0:scale, 0:scale]
    centre = (scale - 1) / 2
    disc = ((yy - centre) ** 2 + (xx - centre) ** 2) <= (scale * 0.42) ** 2
    mask = np.tile(disc, (h, w))[..., None]
    lit = pixels.max(axis=2, keepdims=True) > 40
    colour = np.where(lit, pixels, np.array([40, 40, 40]))
    return Image.fromarray(np.where(mask, colour, 0).astype(np.uint8))


def font_face(family: str, face: Any, characters: set[str]) -> str:
    """An @font-face with the face cut to ``characters``, inline (file:// pages may not load font files)."""
    import base64
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    stat = face.spec.path.stat()
    chars = "".join(sorted(characters))
    key = hashlib.sha256(f"{face.spec.path.name}|{face.index}|{stat.st_size}|{stat.st_mtime_ns}|{chars}".encode())
    cached = cache_dir() / "preview-fonts" / f"{key.hexdigest()[:24]}.otf"
    if cached.is_file():  # cutting a CJK face takes about two seconds; the same characters, the same subset
        subset_bytes = cached.read_bytes()
    else:
        font = TTFont(str(face.spec.path), fontNumber=face.index, lazy=True, recalcTimestamp=False)
        options = subset.Options()
        options.layout_features = ["*"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in characters])
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
        subset_bytes = buffer.getvalue()
        atomic_write_bytes(cached, subset_bytes)
    data = base64.b64encode(subset_bytes).decode("ascii")
    return f"@font-face{{font-family:{family};src:url(data:font/otf;base64,{data}) format('opentype')}}\n"


def _page(title: str, body: str, depth: int = 0, script: str = "", lang: str = "zh-Hans-CN") -> str:
    up = "../" * depth
    return (
        f'<!doctype html><html lang="{_e(lang)}"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width,initial-scale=1"><title>{_e(title)}</title>'
        f'<link rel="stylesheet" href="{up}style.css"></head><body><header><a href="{up}index.html">'
        f"signage preview</a> · {_e(title)}</header><main>{body}</main>"
        + (f"<script>{script}</script>" if script else "")
        + "</body></html>\n"
    )


def preview_is_current(project: Project) -> bool:
    """Whether the preview was written today (the project's time zone): its timelines are today's."""
    index = project.output_dir / PREVIEW / "index.html"
    if not index.is_file():
        return False
    zone = ZoneInfo(project.config.timezone)
    written = dt.datetime.fromtimestamp(index.stat().st_mtime, tz=zone).date()
    return written == dt.datetime.now(zone).date()


def write_preview(project: Project, warnings: list[str] | None = None, now: dt.datetime | None = None) -> PreviewReport:
    """Write ``output/preview/`` (swapped in whole) from the catalogue and the published versions."""
    output = project.output_dir
    now = now or dt.datetime.now(dt.timezone.utc)
    report = PreviewReport()
    catalogue_path = output / "catalogue.json"
    records: dict[str, dict[str, Any]] = {}
    if catalogue_path.is_file():
        records = {r["id"]: r for r in json.loads(catalogue_path.read_text(encoding="utf-8"))["records"]}
    emergencies = load_emergencies(output)
    used_by: dict[str, set[str]] = {}  # catalogue id -> branches that play it
    playlists: dict[str, dict[str, dict[str, Any]]] = {}  # branch -> folder -> playlist data
    for branch in project.config.branches:
        version = current_version(output, branch.id)
        if version is None:
            continue
        found: dict[str, dict[str, Any]] = {}
        for path in sorted((branch_dir(output, branch.id) / version).glob("*/playlist.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            found[path.parent.name] = data
            for item in data["items"]:
                used_by.setdefault(item["source"], set()).add(branch.id)
        playlists[branch.id] = found
    previous = output / PREVIEW
    with staged_dir(output / PREVIEW) as stage:
        thumbs = Thumbs(output, stage, previous if previous.is_dir() else None)
        (stage / "branches").mkdir()
        rows = []
        regions: dict[str, list[Any]] = {}
        for branch in project.config.branches:
            region = branch.vars.get("region") or (branch.tags[0] if branch.tags else "") or branch.locale
            regions.setdefault(str(region), []).append(branch)
        for region, members in sorted(regions.items()):
            rows.append(f'<tr><th colspan="4">{_e(region)} <span class="muted">({len(members)})</span></th></tr>')
            for branch in members:
                search = " ".join([branch.id, branch.name, *branch.tags, branch.locale]).lower()
                screens = ", ".join(f"{s.id} ({s.profile})" for s in branch.screens)
                live = current_version(output, branch.id) or "not published"
                rows.append(
                    f'<tr class="branch" data-search="{_e(search)}"><td><a href="branches/{_e(branch.id)}.html">'
                    f"{_e(branch.name)}</a><br><span class=muted>{_e(branch.id)}</span></td><td>{_e(branch.locale)}"
                    f"<br>{_e(branch.timezone)}</td><td>{_e(screens)}</td><td>{_e(live)}</td></tr>"
                )
                page = _branch_page(
                    project, branch, playlists.get(branch.id, {}), records, used_by, thumbs, now, emergencies
                )
                (stage / "branches" / f"{branch.id}.html").write_text(page, encoding="utf-8")
                report.branches += 1
        notes = "".join(
            f'<div class="warn{" err" if "warning" not in w else ""}">{_e(w)}</div>' for w in (warnings or [])
        )
        body = (
            f"<h1>{_e(project.config.name_for(project.config.default_locale))}</h1>{notes}"
            f'<p><input type="search" id="q" placeholder="branch name, id, tag or locale" autofocus> '
            f'<span class="muted"><span id="count">{len(project.config.branches)}</span> branches · '
            f"as of {now.astimezone(ZoneInfo(project.config.timezone)).isoformat(timespec='minutes')}</span></p>"
            f"<table><tr><th>branch</th><th>locale / zone</th><th>screens</th><th>live version</th></tr>"
            f"{''.join(rows)}</table>"
        )
        (stage / "index.html").write_text(_page("network", body, script=SEARCH), encoding="utf-8")
        (stage / "style.css").write_text(STYLE + _fonts(project, stage), encoding="utf-8")
        report.thumbs = len(thumbs.made)
        report.pages_bytes = sum(p.stat().st_size for p in stage.rglob("*.html"))
    return report


def _branch_page(
    project: Project,
    branch: Any,
    folders: dict[str, dict[str, Any]],
    records: dict[str, dict[str, Any]],
    used_by: dict[str, set[str]],
    thumbs: Thumbs,
    now: dt.datetime,
    emergencies: list[Any],
) -> str:
    zone = ZoneInfo(branch.timezone)
    today = now.astimezone(zone).date()
    parts = [f"<h1>{_e(branch.name)} <span class=muted>{_e(branch.id)}</span></h1>"]
    parts.append(
        "<p>"
        + "".join(f'<span class="tag">{_e(t)}</span>' for t in branch.tags)
        + f" {_e(branch.locale)} · {_e(branch.timezone)} · "
        f'<a href="../../publish/{_e(branch.id)}/{PLAYER}">browser player</a></p>'
    )
    for screen in branch.screens:
        profile = project.profile(screen.profile)
        if profile is None:
            continue
        w, h = parse_pixels(profile.size, "size")
        decision = decide(project, project.schedule, branch, screen, now, emergencies)
        live = screen.id if decision.key == "default" else f"{screen.id}~{decision.key}"
        live = live if live in folders else screen.id
        switches = day_switches(project, project.schedule, branch, screen, today, emergencies)
        data = folders.get(live)
        first = data["items"][0] if data and data["items"] else None
        picture = _thumb(first, records, thumbs, data) if first and data else None
        box_w = 360
        box_h = max(24, round(box_w * h / w)) if w >= h else 360
        frame_w = box_w if w >= h else max(24, round(360 * w / h))
        frame = (
            f'<div class="frame" style="width:{frame_w}px;height:{box_h}px">'
            + (f'<img src="../{_e(picture)}" alt="{_e(first["text"] if first else "")}">' if picture else "")
            + "</div>"
        )
        current = max((n for n, (at, _) in enumerate(switches) if at <= now), default=-1)
        timeline = "".join(
            f'<li class="{"now" if n == current else ""}">{at.astimezone(zone):%H:%M} '
            f"<b>{_e(d.key)}</b> <span class=muted>{_e(d.why)}</span></li>"
            for n, (at, d) in enumerate(switches)
        )
        parts.append(
            f'<div class="screen"><h2>{_e(screen.id)} <span class=muted>{_e(screen.profile)} · {w}×{h}</span></h2>'
            f"{frame}<p>now: <b>{_e(decision.key)}</b> — {_e(decision.why)}</p>"
            f'<ol class="timeline">{timeline}</ol></div>'
        )
    for screen in branch.screens:
        shown = []
        for _, d in day_switches(project, project.schedule, branch, screen, today, emergencies):
            name = screen.id if d.key == "default" else f"{screen.id}~{d.key}"
            if name in folders and name not in shown:
                shown.append(name)
        for name in shown:
            data = folders[name]
            campaign = name.split("~", 1)[1] if "~" in name else "default playlist"
            tiles = "".join(_item_card(item, records, used_by, thumbs, data, campaign) for item in data["items"])
            parts.append(
                f"<h2>{_e(screen.id)}: {_e(data['playlist'])} <span class=muted>({_e(campaign)}; "
                f"{len(data['items'])} items, {data['duration']:.0f} s a loop)</span></h2>"
                f"<div class=items>{tiles}</div>"
            )
    cards = [
        r
        for r in records.values()
        if r["kind"] == "card" and r["locale"] == branch.locale and r.get("branch") in (None, branch.id)
    ]
    if cards:
        shown_cards = []
        for r in sorted(cards, key=lambda r: r["id"])[:60]:
            png = next((f["path"] for f in r["files"] if f["name"] == "preview.png"), None)
            thumb = thumbs.get(png) if png else None
            image = f'<img src="../{_e(thumb)}" alt="">' if thumb else ""
            shown_cards.append(f'<div class="item">{image}<b>{_e(r["target"])}</b><br>{_e(r["text"])}</div>')
        parts.append(f"<h2>Print cards ({len(cards)})</h2><div class=items>{''.join(shown_cards)}</div>")
    return _page(branch.name, "".join(parts), depth=1, lang=branch.locale)


def _fonts(project: Project, stage: Path) -> str:
    """The project's own sans face, cut to the characters the pages show, for each glyph form they
    need (SC, HK, TC by the page's language), so no page depends on the viewer's fonts."""
    from ..locales import Locale

    texts: dict[str, set[str]] = {}
    for page in stage.rglob("*.html"):
        content = page.read_text(encoding="utf-8")
        lang = content.split('lang="', 1)[1].split('"', 1)[0]
        texts.setdefault(lang, set()).update(c for c in content if ord(c) > 127 and c.isprintable())
    css: list[str] = []
    families: dict[str, tuple[str, set[str]]] = {}
    for lang, chars in sorted(texts.items()):
        forms = Locale.parse(lang).glyph_forms
        families.setdefault(forms, (lang, set()))[1].update(chars)
    for forms, (lang, chars) in sorted(families.items()):
        face = project.fonts.chain("sans", lang).faces[0]
        css.append(font_face(f"Signage{forms}", face, chars))
    rules = [
        f"html:lang({lang}) body{{font-family:Signage{Locale.parse(lang).glyph_forms},system-ui,sans-serif}}"
        for lang in sorted(texts)
    ]
    return "".join(css) + "\n".join(rules) + "\n"


def _thumb(
    item: dict[str, Any], records: dict[str, dict[str, Any]], thumbs: Thumbs, data: dict[str, Any]
) -> str | None:
    record = records.get(item["source"], {})
    led = data["screen"]["kind"] == "led"
    if item["kind"] == "image":
        return thumbs.get(item["file"].lstrip("./"), led=led)
    poster = next((f["path"] for f in record.get("files", []) if f["name"].endswith("poster.png")), None)
    if poster:
        return thumbs.get(poster)
    preview = next((f["path"] for f in record.get("files", []) if f["name"] == "preview.png"), None)
    return thumbs.get(preview) if preview else None


def _item_card(
    item: dict[str, Any],
    records: dict[str, dict[str, Any]],
    used_by: dict[str, set[str]],
    thumbs: Thumbs,
    data: dict[str, Any],
    campaign: str,
) -> str:
    picture = _thumb(item, records, thumbs, data)
    valid = item.get("valid") or {}
    dates = (
        f"{valid.get('from') or '…'} – {valid.get('until') or '…'}" if valid.get("from") or valid.get("until") else ""
    )
    where = used_by.get(item["source"], set())
    return (
        '<div class="item">'
        + (f'<img src="../{_e(picture)}" alt="">' if picture else "")
        + f"<div>{_e(item['text'])}</div><div class=muted>{_e(item['kind'])}, {item['duration']:.1f} s · "
        f"{_e(item['source'])}</div><div class=muted>placed by {_e(campaign)}; played by {len(where)} branch(es)"
        + (f"; valid {_e(dates)}" if dates else "")
        + "</div></div>"
    )
