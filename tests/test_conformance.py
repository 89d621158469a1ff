"""Every file kind checked by a tool that did not write it: ffprobe (Debian's FFmpeg, not the
imageio-ffmpeg build that encodes) on every MP4 kind, pikepdf on every card template as the
build writes it."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image

from signage.app.card import font_subsets
from signage.app.led import LedOptions, render_led
from signage.app.video import VideoRequest
from signage.app.video import render as render_video
from signage.card.job import CardJob, card_job, template_jobs
from signage.errors import SignageError
from signage.ffmpeg import ffmpeg_exe
from signage.job import PlanContext, RenderEnv
from signage.kinds import open_project
from signage.media.job import MediaJob
from signage.project.model import Project

# the module's two fixtures (every MP4 kind, every card template) made once, on one xdist worker; with
# test_cards, which cuts the same font subsets (see there)
pytestmark = pytest.mark.xdist_group("example_cards")

# --- videos ---------------------------------------------------------------------------------

# Every MP4 the example makes, small and short: (kind, how to make it in a folder).
VIDEOS = ["case-16x9", "case-9x16", "slogan-16x9", "ticker", "led-scroll", "supplied-clip"]


@pytest.fixture(scope="module")
def ffprobe() -> str:
    found = shutil.which("ffprobe")
    if found is None:
        if os.environ.get("CI"):  # CI installs Debian's ffmpeg: there, missing is a failure
            raise RuntimeError("Debian's ffprobe is required for the conformance tests: apt-get install ffmpeg")
        pytest.skip("Debian's ffprobe is not installed (apt-get install ffmpeg)")
    return found


def _make(kind: str, project: Project, folder: Path) -> Path:
    if kind == "led-scroll":
        options = LedOptions(screen="96x16", slogan="hotline-ask", color="full", mode="scroll", speed=4)
        manifest = render_led(project, options, folder / "led")
        return folder / "led" / manifest["mp4"]
    if kind == "supplied-clip":  # a bank's own film, untagged, normalised for a TV
        (folder / "film.mp4").parent.mkdir(parents=True, exist_ok=True)
        source = "testsrc=size=200x150:rate=30:duration=1"
        make = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source]
        subprocess.run([*make, "-pix_fmt", "yuv420p", str(folder / "film.mp4")], check=True)
        job = MediaJob(
            content_kind="media",
            content_id="film",
            locale="-",
            branch=None,
            target="tv-small",
            text="",
            source="film.mp4",
            digest="-",
            size=(320, 180),
            video=True,
        )
        (folder / "stage").mkdir()
        return folder / "stage" / job.render(RenderEnv(folder, project.fonts), folder / "stage").files[0]
    out = folder / f"{kind}.mp4"
    request = {
        "case-16x9": VideoRequest("case-16x9", case="shuadan-rebate", size="320x180", duration=4),
        "case-9x16": VideoRequest("case-9x16", case="shuadan-rebate", size="180x320", duration=4),
        "slogan-16x9": VideoRequest("slogan-16x9", slogan="two-cards", size="320x180", duration=4),
        "ticker": VideoRequest("ticker", text="反诈专线96110，转账前先核实", size="320x180", duration=2),
    }[kind]
    render_video(project, request, out)
    return out


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory, example: Project) -> dict[str, Path]:
    return {kind: _make(kind, example, tmp_path_factory.mktemp(kind)) for kind in VIDEOS}


def video_stream(ffprobe: str, path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [ffprobe, "-v", "error", "-select_streams", "v:0", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    streams: list[dict[str, Any]] = json.loads(done.stdout)["streams"]
    assert len(streams) == 1, streams
    return streams[0]


@pytest.mark.parametrize("kind", VIDEOS)
def test_every_mp4_is_h264_high_at_level_41_or_below(kind: str, videos: dict[str, Path], ffprobe: str) -> None:
    stream = video_stream(ffprobe, videos[kind])
    assert (stream["codec_name"], stream["profile"], stream["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert 0 < stream["level"] <= 41


@pytest.mark.parametrize("kind", VIDEOS)
def test_every_mp4_carries_all_four_bt709_colour_tags(kind: str, videos: dict[str, Path], ffprobe: str) -> None:
    stream = video_stream(ffprobe, videos[kind])
    tags = {key: stream.get(key) for key in ("color_primaries", "color_transfer", "color_space", "color_range")}
    assert tags == {"color_primaries": "bt709", "color_transfer": "bt709", "color_space": "bt709", "color_range": "tv"}


# --- print cards ------------------------------------------------------------------------------

TAGGED = re.compile(r"^/([A-Z]{6})\+")
PAINT = {"rg", "RG", "g", "G", "k", "K", "sc", "SC", "scn", "SCN", "cs", "CS"}


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory, example: Project) -> dict[str, tuple[CardJob, bytes]]:
    """The first card of every template, rendered as the build renders it."""
    jobs = {
        name: template_jobs(example, template, PlanContext(dt.date(2026, 6, 1)))[0]
        for name, template in example.templates_of("card").items()
    }
    return {name: (job, _render(example, job, tmp_path_factory.mktemp(name))) for name, job in jobs.items()}


def _render(project: Project, job: CardJob, stage: Path) -> bytes:
    # the font subsets `render card` uses (every character of the project), cut once for the suite
    stage.mkdir(exist_ok=True)
    job.render(RenderEnv(project.root, project.fonts, {"subsets": font_subsets(project)}), stage)
    return (stage / "card.pdf").read_bytes()


def fonts_of(doc: pikepdf.Pdf) -> list[pikepdf.Object]:
    return [font for page in doc.pages for font in page.Resources.get("/Font", {}).values()]


def painting(doc: pikepdf.Pdf) -> Iterator[tuple[str, list[Any]]]:
    """(operator, operands) of every colour operator of every page."""
    for page in doc.pages:
        for instruction in pikepdf.parse_content_stream(page):
            if str(instruction.operator) in PAINT:
                yield str(instruction.operator), list(instruction.operands)


def colour_spaces(doc: pikepdf.Pdf) -> set[str]:
    """Every colour space named by an image or a page's resources."""
    spaces = set()
    for page in doc.pages:
        resources = page.Resources
        for space in resources.get("/ColorSpace", {}).values():
            spaces.add(str(space[0] if isinstance(space, pikepdf.Array) else space))
        for xobject in resources.get("/XObject", {}).values():
            if xobject.get("/Subtype") == pikepdf.Name.Image and "/ColorSpace" in xobject:
                space = xobject.ColorSpace
                spaces.add(str(space[0] if isinstance(space, pikepdf.Array) else space))
    return spaces


def test_the_example_prints_every_card_in_cmyk(example: Project) -> None:
    templates = example.templates_of("card")
    assert len(templates) >= 5 and all(t.print.cmyk for t in templates.values())


def test_every_font_is_embedded_with_a_subset_tag_of_its_own(cards: dict[str, tuple[CardJob, bytes]]) -> None:
    counts = []
    for name, (_, data) in cards.items():
        with pikepdf.open(io.BytesIO(data)) as doc:
            fonts = fonts_of(doc)
            counts.append(len(fonts))
            tags = []
            for font in fonts:
                descendant = font.DescendantFonts[0]
                descriptor = descendant.FontDescriptor
                assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, (name, font.BaseFont)
                tag = TAGGED.match(str(font.BaseFont))
                assert tag, (name, font.BaseFont)
                assert str(descendant.BaseFont) == str(descriptor.FontName) == str(font.BaseFont)
                tags.append(tag.group(1))
            assert len(set(tags)) == len(tags), (name, tags)  # ISO 32000-1 §9.6.4
    assert min(counts) >= 1 and max(counts) >= 2  # most cards embed a regular and a bold face


def test_cmyk_cards_carry_an_output_intent_with_a_cmyk_icc_profile(cards: dict[str, tuple[CardJob, bytes]]) -> None:
    for name, (job, data) in cards.items():
        with pikepdf.open(io.BytesIO(data)) as doc:
            intents = doc.Root.get("/OutputIntents")
            if not job.template.print.cmyk:
                assert intents is None, name
                continue
            assert intents is not None and len(intents) == 1, name
            intent = intents[0]
            assert intent.S == pikepdf.Name.GTS_PDFX and str(intent.OutputConditionIdentifier) == "FOGRA39"
            profile = intent.DestOutputProfile
            icc = profile.read_bytes()
            assert int(profile.N) == 4 and icc[12:20] == b"prtrCMYK" and icc[36:40] == b"acsp", name
            assert len(icc) == int.from_bytes(icc[:4], "big")  # the whole profile, as its header says


def test_cmyk_cards_use_device_cmyk_only(cards: dict[str, tuple[CardJob, bytes]]) -> None:
    for name, (job, data) in cards.items():
        if not job.template.print.cmyk:
            continue
        with pikepdf.open(io.BytesIO(data)) as doc:
            operators = [op for op, _ in painting(doc)]
            assert operators and set(operators) <= {"k", "K"}, (name, sorted(set(operators)))
            assert colour_spaces(doc) <= {"/DeviceCMYK"}, name
            # black text on the black plate alone, never a four-colour black
            fills = [tuple(float(v) for v in operands) for op, operands in painting(doc) if op == "k"]
            assert (0, 0, 0, 1) in fills and not [f for f in fills if f[3] == 1 and sum(f[:3]) > 0], name


def test_crop_marks_where_the_template_asks(cards: dict[str, tuple[CardJob, bytes]]) -> None:
    for name, (job, data) in cards.items():
        with pikepdf.open(io.BytesIO(data)) as doc:
            page = doc.pages[0]
            media, bleed = ([round(float(v), 2) for v in box] for box in (page.MediaBox, page.obj.BleedBox))
            strokes = [i for i in pikepdf.parse_content_stream(page) if str(i.operator) == "S"]
        if job.template.print.marks:
            assert media[2] - bleed[2] > 20 and len(strokes) >= 8, name  # a slug, eight crop-mark strokes
        else:
            assert media == bleed and not strokes, name


def test_the_same_card_gives_the_same_bytes(example: Project, tmp_path: Path) -> None:
    template = example.template("card", "a6-table")
    job = card_job(example, template, "two-cards", "zh-Hans-CN")
    first = _render(example, job, tmp_path / "a")
    assert _render(example, job, tmp_path / "b") == first


def _with_image(project_copy: Path, picture: Image.Image) -> Project:
    picture.save(project_copy / "media" / "logo.png")
    path = project_copy / "templates" / "card" / "a6-table.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "  - {type: rect, name: bottom-band",
        "  - {type: image, name: logo, box: [8, 6, 14, 14], file: media/logo.png}\n  - {type: rect, name: bottom-band",
    )
    path.write_text(text, encoding="utf-8")
    return open_project(project_copy)


def test_pictures_are_converted_for_the_printing_condition(project_copy: Path, tmp_path: Path) -> None:
    """An RGB picture goes through the output intent's profile; a greyscale one to the black plate."""
    for mode, left, right in (("RGB", (200, 16, 46), (255, 255, 255)), ("L", 128, 0)):
        picture = Image.new(mode, (60, 60), left)  # the example's red, or a mid grey
        picture.paste(right, (30, 0, 60, 60))  # and paper white, or black
        project = _with_image(project_copy, picture)
        job = card_job(project, project.template("card", "a6-table"), "two-cards", "zh-Hans-CN")
        with pikepdf.open(io.BytesIO(_render(project, job, tmp_path / mode))) as doc:
            images = [x for x in doc.pages[0].Resources.XObject.values() if x.Subtype == pikepdf.Name.Image]
            assert len(images) == 1 and images[0].ColorSpace == pikepdf.Name.DeviceCMYK, mode
            assert "/SMask" not in images[0] and "/ICCBased" not in str(images[0].ColorSpace)
            pixels = pikepdf.PdfImage(images[0]).as_pil_image()
        assert pixels.mode == "CMYK"
        first, second = pixels.getpixel((10, 30)), pixels.getpixel((50, 30))
        assert isinstance(first, tuple) and isinstance(second, tuple)
        if mode == "RGB":  # red as magenta and yellow with a little cyan and black; white as no ink
            assert first[1] > 230 and first[2] > 170 and first[0] < 60 and first[3] < 40, first
            assert second == (0, 0, 0, 0)
        else:
            assert first[:3] == (0, 0, 0) and 120 <= first[3] <= 135 and second == (0, 0, 0, 255)


def test_a_picture_with_transparency_is_refused_in_cmyk(project_copy: Path, tmp_path: Path) -> None:
    picture = Image.new("RGBA", (60, 60), (200, 16, 46, 0))
    project = _with_image(project_copy, picture)
    job = card_job(project, project.template("card", "a6-table"), "two-cards", "zh-Hans-CN")
    with pytest.raises(SignageError, match="logo.png has transparent pixels"):
        _render(project, job, tmp_path)
