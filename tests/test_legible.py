"""Text people can read: no part below its screen's least height for the viewing distance,
list items that hang on cards, LED rows that do not touch, scrolls that start on a dark sign."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import av
import numpy as np
from PIL import Image

from signage.app.card import CardRequest, card_layout
from signage.app.check import check_project
from signage.app.led import LedOptions, render_led
from signage.app.legible import illegible_texts
from signage.card.layout import PX_PER_MM, PlacedText
from signage.card.raster import card_png
from signage.led.render import text_ink
from signage.preview.thumbs import Thumbs
from signage.project.model import Project
from signage.video.job import video_job
from signage.video.scenes import lay_out_states

from .helpers import copy_example, edit, make_network


def _with_tv(project: Project, **settings: object) -> Project:
    """The example with its 1080p lobby profile changed."""
    screens = [tv.model_copy(update=settings) if tv.id == "tv-1080p" else tv for tv in project.config.tv_screens]
    return dataclasses.replace(project, config=project.config.model_copy(update={"tv_screens": screens}))


def test_profiles_default_to_a_least_text_height_for_their_distance(example: Project) -> None:
    # 1/200 of the distance: 20 mm at 4 m is 32 px of a 55" 1080p screen (0.63 mm a pixel)
    least = {s.id: str(s.minimum_text) for s in [*example.config.led_screens, *example.config.tv_screens]}
    assert least["tv-1080p"] == "minimum 32 px for 4 m"
    assert least["portrait-1080x1920"] == "minimum 24 px for 3 m"
    assert least["door-96x16"] == "minimum 10 px for 20 m"  # P10: 100 mm is 10 LEDs


def test_the_hotline_label_is_drawn_at_least_at_its_floor(example: Project) -> None:
    template = example.templates_of("video")["slogan-16x9"]
    job = video_job(example, template, "slogan", "hotline-ask", "zh-Hans-CN")
    (hotline,) = [s for s in lay_out_states(job.template, job.texts, example.fonts, job.locale) if s.kind == "hotline"]
    sizes = {placed.name: placed.layout.size for placed in hotline.texts}
    assert 0.03 * 1080 <= sizes["label"] < sizes["number"]  # was 19 px: 0.018 of the height, its range inverted
    assert illegible_texts(example, [job]) == []


def test_check_names_the_output_screen_and_part_drawn_below_the_minimum(example: Project) -> None:
    template = example.templates_of("video")["slogan-16x9"]
    job = video_job(example, template, "slogan", "hotline-ask", "zh-Hans-CN")
    far = [str(p) for p in illegible_texts(_with_tv(example, viewing_distance=8), [job])]
    # 40 mm at 8 m is 64 px: the 52 px ticker is too small; the 65 px label and the slogan are not
    assert far == ["video slogan-16x9 zh-Hans-CN hotline-ask on tv-1080p: part 'ticker' 52 px < minimum 64 px for 8 m"]
    fixed = [str(p) for p in illegible_texts(_with_tv(example, min_text=70), [job])]
    assert (
        "video slogan-16x9 zh-Hans-CN hotline-ask on tv-1080p: "
        "part 'scenes[1] hotline label' 65 px < minimum 70 px set by min_text" in fixed
    )


def test_signage_check_fails_on_a_profile_read_from_too_far(tmp_path: Path) -> None:
    root = make_network(copy_example(tmp_path / "proj"))
    edit(root / "signage.yaml", "videos: [case-16x9, slogan-16x9]}", "videos: [case-16x9, slogan-16x9], min_text: 12}")
    edit(root / "signage.yaml", "mode: pages, stay: 2}", "mode: pages, stay: 2, viewing_distance: 40}")
    errors = [str(p) for p in check_project(root) if not p.warning]
    assert (
        "video slogan-16x9 zh-Hans-CN formula-shuadan on tv-small: "
        "part 'scenes[1] hotline label' 11 px < minimum 12 px set by min_text" in errors
    )
    # 200 mm at 40 m is 20 LEDs of 10 mm: the 16 px row of the 64x16 door is too small
    assert "led door-64x16 zh-Hans-CN two-cards on door-64x16: part 'text' 16 px < minimum 20 px for 40 m" in errors


def test_wrapped_list_items_hang_under_their_text_on_the_card(example: Project) -> None:
    layout = card_layout(example, CardRequest(template="a5-case", case="fake-loan"))
    (signs,) = [i for i in layout.items() if isinstance(i, PlacedText) and i.layout.text.startswith("●")]
    lines = signs.layout.lines
    wrapped = next(n for n, line in enumerate(lines) if n and not line.text.startswith("●"))
    image = np.asarray(card_png(layout).convert("L")) < 128  # ink: black text on white
    left = round(signs.box[0] * PX_PER_MM)

    def ink_columns(line_no: int) -> np.ndarray:
        top = round(signs.box[1] * PX_PER_MM + lines[line_no].y)
        band = image[top : top + signs.layout.size, left : left + round(signs.box[2] * PX_PER_MM)]
        return np.flatnonzero(band.any(axis=0))

    item = ink_columns(wrapped - 1)  # "● 放款前以解冻金…": the bullet, a space, then the text
    after_bullet = item[np.flatnonzero(np.diff(item) > signs.layout.size // 8)[0] + 1]
    continued = ink_columns(wrapped)  # "收费"
    assert item[0] < signs.layout.size // 4  # the bullet at the margin
    assert abs(continued[0] - after_bullet) <= signs.layout.size // 8  # under the text, not at the margin


def test_two_row_led_pages_keep_a_dark_row_between_rows(example: Project, tmp_path: Path) -> None:
    wqy16 = example.fonts.chain("pixel-16", "zh-Hans-CN")
    top, bottom = text_ink(wqy16, 16, "刷单返利")
    assert bottom - top >= 16  # its ideographs fill the em: two such rows on 32 LEDs would touch
    manifest = render_led(example, LedOptions(screen="192x32", mode="pages", slogan="five-year-ban"), tmp_path)
    first, _ = manifest["pages"]  # 出租、出借、出售账户一经查实，/ 五年内暂停非柜面业务，: two rows
    with Image.open(tmp_path / first["file"]) as image:
        lit = np.flatnonzero(np.asarray(image.convert("L")).any(axis=1))
    runs = np.split(lit, np.flatnonzero(np.diff(lit) > 1) + 1)  # stretches of lit pixel rows
    assert len(runs) == 2, first["text"]  # the rows do not touch: at least one dark pixel row between
    assert max(len(run) for run in runs) <= 13  # 12 px glyphs (a comma reaches one row lower)
    # a text that fits one row stacks nothing and keeps the row's own 16 px font
    short = render_led(example, LedOptions(screen="128x32", mode="pages", slogan="hotline-ask"), tmp_path / "short")
    with Image.open(tmp_path / "short" / short["pages"][0]["file"]) as image:
        assert np.asarray(image.convert("L")).any(axis=1).sum() >= 15


def test_a_scroll_starts_on_a_dark_sign_and_the_text_enters_from_the_right(example: Project, tmp_path: Path) -> None:
    # door-96x16 loops with a 48 px gap: narrower than the sign, so the loop used to open on its own end
    manifest = render_led(example, LedOptions(screen="door-96x16", slogan="two-cards", locale="zh-Hant-HK"), tmp_path)
    assert manifest["gap"] == 48 and manifest["loop_gap"] >= 96
    with Image.open(tmp_path / manifest["gif"]) as gif:
        firsts = []
        for k in range(4):
            gif.seek(k)
            firsts.append(np.asarray(gif.convert("L")).any(axis=0))
    assert not firsts[0].any()
    for frame in firsts[1:]:
        lit = np.flatnonzero(frame)
        assert len(lit) and lit.min() >= 96 - 8  # entering at the right edge
    with av.open(str(tmp_path / manifest["clip"])) as clip:
        first = next(clip.decode(video=0)).to_ndarray(format="rgb24")
    assert first.max() == 0
    # the preview's thumbnail shows the scroll's text, not its dark first frame
    with Thumbs(tmp_path, tmp_path / "preview") as thumbs:
        thumb = thumbs.get(manifest["gif"], led=True)
    assert thumb is not None
    with Image.open(tmp_path / "preview" / thumb) as picture:
        assert (np.asarray(picture.convert("RGB"))[..., 0] > 200).mean() > 0.05  # lit red dots
