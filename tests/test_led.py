"""LED outputs as a controller would take them: sizes, colours, pages, scroll loops."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from signage.app.led import LedOptions, render_led
from signage.errors import SignageError
from signage.kinds import open_project as load_project
from signage.project.model import Project
from signage.typography.linebreak import NO_START

from .helpers import edit

RED, GREEN, YELLOW, BLACK = (255, 0, 0), (0, 255, 0), (255, 255, 0), (0, 0, 0)


def render(project: Project, out: Path, **options: object) -> dict:  # type: ignore[type-arg]
    return render_led(project, LedOptions(**options), out)  # type: ignore[arg-type]


def colours(path: Path) -> set[tuple[int, ...]]:
    with Image.open(path) as image:
        return {c for _, c in image.convert("RGB").getcolors(1 << 20)}


@pytest.mark.parametrize("size", ["96x16", "192x32", "128x32", "64x12"])
def test_pages_are_exactly_the_screen_and_rejoin_to_the_text(example: Project, tmp_path: Path, size: str) -> None:
    manifest = render(example, tmp_path / "out", slogan="five-year-ban", screen=size, mode="pages")
    w, h = (int(v) for v in size.split("x"))
    texts = []
    for page in manifest["pages"]:
        for name in (page["file"], page["bmp"]):
            with Image.open(tmp_path / "out" / name) as image:
                assert image.size == (w, h)
        texts.append(page["text"])
        assert page["text"][0] not in NO_START
    assert "".join(texts) == manifest["text"]
    # short form first on small signs: fewer than 24 characters a page
    capacity = (w // 16) * (h // 16) if h >= 16 else w // 12
    assert manifest["form"] == ("short" if capacity < 24 else "full")


def test_single_colour_is_truly_two_colour(example: Project, tmp_path: Path) -> None:
    manifest = render(example, tmp_path, slogan="hotline-ask", screen="192x32", mode="pages", color="red")
    page = manifest["pages"][0]
    assert colours(tmp_path / page["file"]) == {BLACK, RED}
    with Image.open(tmp_path / page["file"]) as png:
        assert png.mode == "P" and len(png.getpalette() or []) // 3 == 2
    with Image.open(tmp_path / page["bmp"]) as bmp:
        assert bmp.mode == "1"
    green = render(example, tmp_path / "g", slogan="hotline-ask", screen="192x32", mode="pages", color="green")
    assert colours(tmp_path / "g" / green["pages"][0]["file"]) == {BLACK, GREEN}


def test_dual_colour_uses_only_led_colours_and_marks_numbers(example: Project, tmp_path: Path) -> None:
    manifest = render(example, tmp_path, slogan="hotline-ask", screen="128x32", mode="pages", color="dual")
    assert "96110" in manifest["text"]
    seen: set[tuple[int, ...]] = set()
    for page in manifest["pages"]:
        seen |= colours(tmp_path / page["file"])
        with Image.open(tmp_path / page["bmp"]) as bmp:
            assert {c for _, c in bmp.convert("RGB").getcolors()} <= {BLACK, RED, GREEN, YELLOW}
    assert seen == {BLACK, RED, YELLOW}  # text red, the hotline yellow


def test_no_anti_aliasing_grey_on_enlarged_rows(example: Project, tmp_path: Path) -> None:
    manifest = render(example, tmp_path, slogan="two-cards", screen="96x32", mode="scroll", color="full")
    with Image.open(tmp_path / manifest["strip"]) as strip:
        assert strip.height == 32
        pixels = np.asarray(strip.convert("RGB")).reshape(-1, 3)
    assert {tuple(p) for p in np.unique(pixels, axis=0)} <= {BLACK, (0xFF, 0x2A, 0x2A), (0xFF, 0xD4, 0x00)}
    # a 32 px row is the 16 px font enlarged 2x: every 2x2 block is one colour
    arr = pixels.reshape(32, -1, 3)
    assert (arr[0::2, 0::2] == arr[1::2, 1::2]).all()


def test_scroll_strip_gif_and_loop(example: Project, tmp_path: Path) -> None:
    manifest = render(example, tmp_path, slogan="hotline-ask", screen="96x16", mode="scroll", speed=3, fps=25, gap=100)
    assert manifest["strip_width"] % 3 == 0 and manifest["gap"] >= 100
    assert manifest["frames"] == manifest["strip_width"] // 3
    assert manifest["duration"] == pytest.approx(manifest["frames"] / 25, abs=0.001)
    with Image.open(tmp_path / manifest["strip"]) as strip:
        assert strip.size == (manifest["strip_width"], 16)
        strip_arr = np.asarray(strip.convert("L"))
    with Image.open(tmp_path / manifest["gif"]) as gif:
        # Pillow merges identical frames (the blank gap) into one with their delays added
        assert gif.n_frames <= manifest["frames"]
        total = 0
        for k in range(gif.n_frames):
            gif.seek(k)
            total += gif.info["duration"]
        assert total == pytest.approx(1000 * manifest["frames"] / 25, abs=10)
        frames = []
        for k in range(3):
            gif.seek(k)
            assert gif.size == (96, 16)
            frames.append(np.asarray(gif.convert("L")))
    # each frame is the previous one moved 3 whole pixels to the left
    assert (frames[1][:, :-3] == frames[0][:, 3:]).all() and (frames[2][:, :-3] == frames[1][:, 3:]).all()
    # with a gap wider than the screen the loop starts blank and the text enters from the right
    assert not frames[0].any()
    assert np.flatnonzero(frames[2].any(axis=0)).min() >= 96 - 3 * 2
    assert strip_arr[:, : manifest["text_width"]].any() and not strip_arr[:, manifest["text_width"] :].any()


def test_full_colour_scroll_has_an_mp4_players_take(example: Project, tmp_path: Path) -> None:
    manifest = render(
        example, tmp_path, slogan="hotline-ask", screen="128x32", mode="scroll", color="full", fps=50, speed=2
    )
    with av.open(str(tmp_path / manifest["mp4"])) as container:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        assert (ctx.name, ctx.profile, ctx.pix_fmt) == ("h264", "High", "yuv420p")
        assert (stream.width, stream.height, stream.average_rate) == (128, 32, 50)
        assert stream.frames == manifest["frames"]
    head = (tmp_path / manifest["mp4"]).read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_a_single_colour_scroll_clip_is_every_pixel_of_the_sign_as_drawn(example: Project, tmp_path: Path) -> None:
    """The clip for media players (lossless 4:4:4): every frame the sign's window on the looping strip,
    pure red on black (within the one level BT.709's limited range rounds to), never a colour between."""
    manifest = render(example, tmp_path, slogan="hotline-ask", screen="door-96x16", speed=3)
    with Image.open(tmp_path / manifest["strip"]) as strip:
        text = np.asarray(strip.convert("L"))[:, : manifest["text_width"]] > 0
    played = np.hstack([text, np.zeros((16, manifest["loop_gap"]), bool)])
    width = played.shape[1]
    assert width % 3 == 0 and manifest["frames"] == width // 3
    looped = np.hstack([played, played])
    with av.open(str(tmp_path / manifest["clip"])) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.profile, stream.codec_context.pix_fmt) == ("High 4:4:4 Predictive", "yuv444p")
        decoded = [frame.to_ndarray(format="rgb24").astype(int) for frame in container.decode(stream)]
    assert len(decoded) == manifest["frames"]
    shown = 0
    for k in [0, 1, 2, 40, len(decoded) // 3, len(decoded) // 2, len(decoded) - 1]:
        x = (width - 96 + 3 * k) % width  # the first frame shows the end of the gap: the text enters
        lit = looped[:, x : x + 96]
        expected = np.where(lit[..., None], np.array(RED), np.array(BLACK))
        assert np.abs(decoded[k] - expected).max() <= 1, k
        shown += int(lit.sum())
    assert shown > 500  # text on the frames compared, not only the dark gap


def test_dot_preview_is_the_screen_enlarged(example: Project, tmp_path: Path) -> None:
    manifest = render(example, tmp_path, slogan="two-cards", screen="96x16", mode="pages")
    with Image.open(tmp_path / manifest["preview"]) as preview:
        pages = len(manifest["pages"])
        assert preview.size == (96 * 8, (17 * pages - 1) * 8)
        assert preview.getpixel((3, 3)) != preview.getpixel((0, 0))  # a dot centre is not background


def test_manifest_describes_the_output(example: Project, tmp_path: Path) -> None:
    render(example, tmp_path, slogan="two-cards", screen="door-192x32")
    record = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert record["content"] == {"kind": "slogan", "id": "two-cards"} and record["target"] == "door-192x32"
    data = record["meta"]
    assert data["content"] == "two-cards" and data["template"] == "pages" and data["mode"] == "pages"
    assert data["screen"] == {"id": "door-192x32", "width": 192, "height": 32, "color": "red"}
    assert all({"file", "text", "bmp", "stay"} <= set(p) for p in data["pages"])
    listed = {f["name"]: f for f in record["files"]}
    assert set(listed) == {p.name for p in tmp_path.iterdir()} - {"manifest.json"}
    assert all((tmp_path / name).stat().st_size == f["bytes"] for name, f in listed.items())


def test_long_token_is_cut_with_a_warning_or_refused(example: Project, tmp_path: Path, project_copy: Path) -> None:
    manifest = render(example, tmp_path / "a", text="访问www.example-bank.com.cn下载", screen="96x16", mode="pages")
    assert manifest["warnings"] and "www.example-bank.com.cn" in manifest["warnings"][0]
    assert "".join(p["text"] for p in manifest["pages"]) == "访问www.example-bank.com.cn下载"
    for template in ("pages", "scroll"):
        edit(project_copy / "templates" / "led" / f"{template}.yaml", "long_tokens: split", "long_tokens: error")
    strict = project_copy
    with pytest.raises(SignageError, match="cannot be broken is .* px wider than the 96x16 screen"):
        render(
            load_project(strict), tmp_path / "b", text="访问www.example-bank.com.cn下载", screen="96x16", mode="pages"
        )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"slogan": "no-such-slogan", "screen": "96x16"}, "no slogan with id 'no-such-slogan'"),
        ({"text": "反诈", "screen": "0x16"}, "zero side"),
        ({"text": "反诈", "screen": "99999x16"}, "not an LED sign"),
        ({"text": "反诈", "screen": "big"}, "neither WxH nor a screen"),
        ({"text": "反诈", "screen": "96x8"}, "smallest row here is 12 px"),
        ({"text": "反诈\U0001f600", "screen": "96x16"}, r"U\+1F600"),
        ({"text": "反诈", "screen": "96x16", "speed": 0}, "--speed"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(
    example: Project,
    tmp_path: Path,
    options: dict,
    message: str,  # type: ignore[type-arg]
) -> None:
    out = tmp_path / "out"
    render(example, out, text="拨打96110", screen="96x16", mode="pages")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(SignageError, match=message):
        render(example, out, **options)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left behind


def test_refuses_to_replace_a_folder_that_is_not_signage_output(example: Project, tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(SignageError, match="not signage output"):
        render(example, tmp_path, text="反诈", screen="96x16")
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_gif_timing_adds_up_to_the_frame_rate(example: Project, tmp_path: Path) -> None:
    manifest = render(example, tmp_path, slogan="hotline-ask", screen="96x16", mode="scroll", fps=30)
    with Image.open(tmp_path / manifest["gif"]) as gif:
        delays = []
        for k in range(gif.n_frames):
            gif.seek(k)
            delays.append(gif.info["duration"])
    assert set(delays) <= {30, 40}  # GIF stores centiseconds
    assert sum(delays) == pytest.approx(1000 * manifest["frames"] / 30, abs=10)


def test_pages_end_at_clauses_and_branch_slogans_need_a_branch(example: Project, tmp_path: Path) -> None:
    # two rows of 12 px a page (16 px ideographs would touch): 33 characters need two pages
    manifest = render(example, tmp_path / "a", slogan="five-year-ban", screen="192x32", mode="pages")
    assert [p["text"][-1] for p in manifest["pages"][:-1]] == ["，"]
    with pytest.raises(SignageError, match="names the branch: give --branch"):
        render(example, tmp_path / "b", slogan="anti-fraud-campaign", screen="192x32", mode="pages")
    chosen = render(
        example, tmp_path / "c", slogan="anti-fraud-campaign", screen="192x32", mode="pages", branch="beijing-chaoyang"
    )
    assert chosen["branch"] == "beijing-chaoyang" and "北京朝阳支行" in chosen["text"]


def test_pages_stay_for_their_reading_time_and_scrolls_show_the_full_text(example: Project, tmp_path: Path) -> None:
    manifest = render(example, tmp_path / "p", slogan="hotline-ask", screen="door-192x32")
    for page in manifest["pages"]:
        visible = sum(1 for c in page["text"] if c.isalnum())
        assert page["stay"] == pytest.approx(min(8.0, max(2.0, visible / 4)), abs=0.01)
    assert manifest["duration"] == pytest.approx(sum(p["stay"] for p in manifest["pages"]))
    fixed = render(example, tmp_path / "f", slogan="hotline-ask", screen="192x32", mode="pages", stay=3)
    assert {p["stay"] for p in fixed["pages"]} == {3.0}
    scroll = render(example, tmp_path / "s", slogan="hotline-ask", screen="door-96x16")
    assert scroll["form"] == "full" and "报警" in scroll["text"]  # a scroll has room for every word, in turn


@pytest.mark.parametrize(
    ("slogan", "word"),
    [("formula-shuadan", "动动手指"), ("five-year-ban", "非柜面业务"), ("formula-shuadan", "加大投入")],
)
def test_pages_never_split_a_word_that_some_paging_keeps_whole(example: Project, slogan: str, word: str) -> None:
    """The issue's cases on the 192x32 door: 动动手|指 and 暂停非柜面|业务 were cut across pages."""
    from signage.led.job import slogan_jobs
    from signage.led.output import page_stays
    from signage.led.render import render_pages

    screen = example.led_screen("door-192x32")
    (job,) = slogan_jobs(example, example.slogans[slogan], screen, example.template("led", "pages"))
    texts = [page.text for page in render_pages(job, example.fonts).pages]
    assert any(word in text for text in texts), texts
    assert all(text[-1] in "，。！？；、" for text in texts), texts  # pages end where a clause does
    for text, stay in zip(texts, page_stays(screen, texts, None)):  # each page stays for its own text
        assert stay == pytest.approx(min(8.0, max(2.0, sum(c.isalnum() for c in text) / 4)), abs=0.01)


def test_check_warns_where_a_dictionary_word_still_splits_in_an_output(project_copy: Path) -> None:
    from signage.app.check import check_project

    from .helpers import make_network

    root = make_network(project_copy)  # two branches, a 64x16 door (four characters a row), small videos
    (root / "content" / "words.txt").write_text("先返小钱后骗大钱\n", encoding="utf-8")
    warned = sorted(str(p) for p in check_project(root) if "split across lines" in p.message)
    assert warned == [
        "led/door-64x16/zh-Hans-CN/formula-shuadan (door-64x16): warning: 先返小钱后骗大钱 is split across lines "
        "in text (no layout keeps it whole): shorten the text or give it more room"
    ]
