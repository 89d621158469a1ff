"""Font faces cut to the characters a document shows, cached on disk and pruned.

Cutting a 20 MB CJK collection takes about two seconds, so each cut is kept, named by
one cache key: the font file (name, size, modification time), the face, the characters
and the kind of cut. Print cards (fpdf2 then embeds its own subset of the cut) and the
preview's inline web fonts both come through here, into one folder with one pruning
policy: the newest :data:`KEEP` stay, older ones go once idle for a day, and a file this
process handed out is never removed.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

from ..atomic import atomic_write_bytes
from ..resources import cache_dir
from .fonts import FontFace

KEEP = 24  # subsets kept whatever their age: a few projects' faces in each glyph form
IDLE = 86400.0  # seconds unused after which a subset beyond the newest KEEP is removed
SUFFIX = ".otf"
# In every subset's name: bumped when cut_face makes other bytes (2: the face's own bounding boxes;
# 3: PDF cuts without layout tables)
CUT_VERSION = "3"


@dataclass(frozen=True)
class Cut:
    """What a subset is for, beyond its characters: it changes the bytes, so it is part of the key."""

    name: str
    all_names: bool  # keep every 'name' record, not only fontTools' default few
    notdef_outline: bool  # keep the .notdef glyph's outline (a missing character shows as a box)
    layout: bool = True  # keep the OpenType layout tables (GSUB, GPOS, GDEF) and every feature in them


# Re-cut by fpdf2 when it embeds the face, which drops the layout tables (it draws glyphs by their
# characters, unshaped): closing over them and cutting them was half of a cut's time for nothing
# (a CJK face's cut to the example's cards' 741 characters: 0.62 s against 0.33 s, the same PDFs).
PDF = Cut("pdf", all_names=True, notdef_outline=True, layout=False)
WEB = Cut("web", all_names=False, notdef_outline=False)  # inlined in a page as it is (the browser shapes it)


def subsets_dir() -> Path:
    """The one folder of cut faces, shared by every project of the user (see :func:`cache_dir`)."""
    return cache_dir() / "fonts"


def cut_face(face: FontFace, characters: Iterable[str], cut: Cut) -> bytes:
    """The face's font file reduced to ``characters``, every OpenType layout feature kept."""
    # recalcBBoxes=False: saving would draw every kept glyph again to recompute the font's bounding
    # boxes (about half of a cut's time); the whole face's boxes enclose every glyph of any subset
    font = TTFont(str(face.spec.path), fontNumber=face.index, lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    options = subset.Options()
    if cut.layout:
        options.layout_features = ["*"]
    else:
        options.layout_features = []
        options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    if cut.all_names:
        options.name_IDs = ["*"]
    options.notdef_outline = cut.notdef_outline
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in characters])
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def subset_name(face: FontFace, characters: Iterable[str], cut: Cut) -> str:
    """The cache key as a file name: the same font file, face, characters and cut, the same name.

    The file goes by name, size and modification time (not its path), so a cluster worker
    given the same font with the same time finds the subsets it was sent.
    """
    stat = face.spec.path.stat()
    chars = "".join(sorted(set(characters)))
    key = f"{CUT_VERSION}|{face.spec.path.name}|{face.index}|{stat.st_size}|{stat.st_mtime_ns}|{cut.name}|{chars}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"{face.spec.id}-{face.index}-{cut.name}-{digest}{SUFFIX}"


def prune(folder: Path, in_use: Collection[Path] = (), keep: int = KEEP, idle: float = IDLE) -> list[Path]:
    """Remove the subsets beyond the newest ``keep`` that were unused for ``idle`` seconds.

    A subset's modification time is when it was last cut or handed out, so one another
    build is reading is recent and stays; so does every file in ``in_use``. Returns what went.
    """
    now = time.time()
    found = []
    for path in folder.glob(f"*{SUFFIX}"):
        try:
            found.append((path.stat().st_mtime, path))
        except OSError:
            continue  # another process removed it
    removed = []
    for mtime, old in sorted(found, reverse=True)[keep:]:
        if old not in in_use and now - mtime > idle:
            old.unlink(missing_ok=True)
            removed.append(old)
    return removed


class SubsetCache:
    """Faces cut one way into one folder: each cut made once, reused while its key holds."""

    def __init__(self, folder: Path, cut: Cut):
        self.folder, self.cut = folder, cut
        self.used: set[Path] = set()  # every file handed out: in use, so never pruned by this process

    def path(self, face: FontFace, characters: Iterable[str]) -> Path:
        """The file of ``face`` cut to ``characters``, cut now if no earlier run left it."""
        chars = "".join(sorted(set(characters)))
        target = self.folder / subset_name(face, chars, self.cut)
        self.used.add(target)
        if target.is_file():
            os.utime(target)  # in use: pruning by another process leaves recently used subsets alone
            return target
        atomic_write_bytes(target, cut_face(face, chars, self.cut))
        prune(self.folder, self.used)
        return target

    def read(self, face: FontFace, characters: Iterable[str]) -> bytes:
        """The bytes of ``face`` cut to ``characters``."""
        return self.path(face, characters).read_bytes()
