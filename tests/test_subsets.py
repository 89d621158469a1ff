"""Font subsets: one cut per font file, face, characters and purpose, reused from the cache, pruned to a bound."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from signage.card.pdf import FontSubsets
from signage.typography import subsets
from signage.typography.fonts import FontChain, FontFace
from signage.typography.subsets import KEEP, PDF, WEB, SubsetCache, prune, subset_name

DAY = 86400.0


@pytest.fixture()
def face(sans: FontChain) -> FontFace:
    return sans.faces[0]


@pytest.fixture()
def cuts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The characters of every subset actually cut (not found in the cache) during the test."""
    made: list[str] = []
    real = subsets.cut_face

    def counted(face: FontFace, characters: str, cut: subsets.Cut) -> bytes:
        made.append("".join(characters))
        return real(face, characters, cut)

    monkeypatch.setattr(subsets, "cut_face", counted)
    return made


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_the_same_characters_reuse_the_cached_file(face: FontFace, tmp_path: Path, cuts: list[str]) -> None:
    first = SubsetCache(tmp_path, WEB).path(face, "反诈")
    inode = first.stat().st_ino
    again = SubsetCache(tmp_path, WEB).path(face, {"诈", "反"})  # another run, the same set in another order
    assert again == first and again.stat().st_ino == inode
    assert cuts == ["反诈"] and list(tmp_path.iterdir()) == [first]
    cmap = TTFont(first).getBestCmap()
    assert ord("反") in cmap and ord("诈") in cmap and ord("骗") not in cmap


def test_another_character_set_or_another_cut_is_another_file(face: FontFace, tmp_path: Path, cuts: list[str]) -> None:
    web = SubsetCache(tmp_path, WEB)
    one, other = web.path(face, "反诈"), web.path(face, "反诈骗")
    pdf = SubsetCache(tmp_path, PDF).path(face, "反诈")
    assert len({one, other, pdf}) == 3 and len(cuts) == 3
    assert TTFont(other).getBestCmap().keys() > TTFont(one).getBestCmap().keys()
    assert web.used == {one, other}


def test_the_cache_is_pruned_to_its_bound_and_the_file_in_use_stays(
    face: FontFace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subsets, "cut_face", lambda face, characters, cut: "".join(characters).encode())
    cache = SubsetCache(tmp_path, WEB)
    in_use = cache.path(face, "甲")
    _age(in_use, 3 * DAY)  # the oldest file there, but this run handed it out
    stale = [tmp_path / f"old-{n}.otf" for n in range(KEEP + 5)]
    for n, path in enumerate(stale):
        path.write_bytes(b"old")
        _age(path, 2 * DAY - n)
    new = cache.path(face, "乙")  # a cut prunes
    left = set(tmp_path.glob("*.otf"))
    assert len(left) == KEEP + 1
    assert in_use in left and new in left
    assert left - {in_use, new} == set(stale[-(KEEP - 1) :])  # the newest of the rest


def test_subsets_used_within_a_day_stay_beyond_the_bound(tmp_path: Path) -> None:
    files = [tmp_path / f"s{n}.otf" for n in range(KEEP + 3)]
    for path in files:
        path.write_bytes(b"x")
    _age(files[0], 2 * DAY)
    assert prune(tmp_path) == [files[0]]  # the one idle for two days; the others were used just now
    assert prune(tmp_path, keep=1, idle=DAY) == []


def test_cards_cut_through_the_same_cache_and_a_worker_finds_what_it_is_sent(
    face: FontFace, tmp_path: Path, cuts: list[str]
) -> None:
    cards = FontSubsets(tmp_path / "cache", {"反", "诈"})
    path = cards.path(face, set())
    assert path.name == subset_name(face, cards.characters, PDF) and len(cuts) == 1
    worker = FontSubsets.unpack(cards.pack(), tmp_path / "worker")
    assert worker.path(face, {"诈"}).read_bytes() == path.read_bytes()
    assert len(cuts) == 1  # the worker cut nothing: the same key names the file it was sent
