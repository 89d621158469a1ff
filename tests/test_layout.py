"""Fit-to-box and glyph placement with the real fonts."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops

from signage.errors import SignageError, TextOverflowError
from signage.project.model import Project
from signage.typography.fonts import FontChain
from signage.typography.layout import Box, TextStyle, fit_text, layout_at
from signage.typography.raster import paint_text

SLOGAN = "不出租、不出借、不出售银行卡和电话卡，守住你的“两卡”，远离帮信罪。拨打96110咨询。"


def test_fit_picks_the_largest_size_that_fits(sans: FontChain) -> None:
    box = Box(400, 200)
    style = TextStyle(size=48, min_size=16, max_lines=4)
    layout = fit_text(SLOGAN, box, style, sans)
    assert 16 <= layout.size < 48
    assert len(layout.lines) <= 4
    assert layout.height <= 200
    assert all(line.width <= 400 for line in layout.lines)
    bigger = layout_at(SLOGAN, layout.size + 1, box, style, sans)
    too_big = len(bigger.lines) > 4 or bigger.height > 200 or bigger.overflow > 0
    assert too_big, "one size up should no longer fit"


def test_cjk_advances_are_one_em_and_glyph_positions_add_up(sans: FontChain) -> None:
    layout = layout_at("反诈骗", 40, Box(400), TextStyle(size=40), sans)
    line = layout.lines[0]
    assert [g.x for g in line.glyphs] == [0, 40, 80]
    assert line.width == 120
    assert line.baseline == line.y + 35  # Noto CJK: typo ascender 880 of 1000


def test_text_that_cannot_fit_names_item_and_overflow(sans: FontChain) -> None:
    with pytest.raises(TextOverflowError) as err:
        fit_text(SLOGAN, Box(200, 40), TextStyle(size=30, min_size=20, max_lines=1), sans, item="two-cards")
    message = str(err.value)
    assert "two-cards" in message and "20 px" in message and "at most 1 allowed" in message


def test_unbreakable_token_wider_than_box_is_an_error(sans: FontChain) -> None:
    with pytest.raises(TextOverflowError) as err:
        fit_text("访问www.example-bank.com.cn下载", Box(120), TextStyle(size=20, min_size=12), sans, item="url")
    assert "cannot be broken" in str(err.value) and "px wider than the box" in str(err.value)


def test_missing_glyph_names_character_and_code_point(sans: FontChain) -> None:
    with pytest.raises(SignageError) as err:
        fit_text("反诈😀", Box(400), TextStyle(size=20), sans, item="emoji-slogan")
    assert "emoji-slogan" in str(err.value) and "U+1F600" in str(err.value)


def test_fallback_chain_draws_what_the_first_font_lacks(example: Project) -> None:
    chain = example.fonts.chain("pixel-16", "zh-Hans-CN")
    rare = "\u4db6"  # CJK extension A, added in Unicode 4.1: in GNU Unifont, not in WenQuanYi
    assert not chain.faces[0].has(rare)
    assert chain.face_index(rare) == 1
    layout = fit_text(f"反诈{rare}", Box(96, 16), TextStyle(role="pixel-16", size=16, line_height=1), chain)
    assert [g.face for g in layout.lines[0].glyphs] == [0, 0, 1]


def test_locale_picks_the_regional_glyph_forms(example: Project) -> None:
    sc = example.fonts.chain("sans", "zh-Hans-CN")
    hk = example.fonts.chain("sans", "zh-Hant-HK")
    tw = example.fonts.chain("sans", "zh-Hant-TW")
    assert (sc.primary.name, hk.primary.name, tw.primary.name) == (
        "Noto Sans CJK SC",
        "Noto Sans CJK HK",
        "Noto Sans CJK TC",
    )

    def draw(chain: FontChain) -> Image.Image:
        image = Image.new("L", (80, 80), 0)
        paint_text(image, layout_at("骨", 64, Box(80), TextStyle(size=64), chain), (8, 8), fill=255)
        return image

    # 骨 is drawn differently in mainland and Hong Kong forms
    assert ImageChops.difference(draw(sc), draw(hk)).getbbox() is not None


def test_headline_balances_and_avoids_a_lone_last_character(sans: FontChain) -> None:
    text = "陌生来电让你转账到安全账户的都是诈骗"
    box = Box(8 * 30)
    plain = layout_at(text, 30, box, TextStyle(size=30), sans)
    head = layout_at(text, 30, box, TextStyle(size=30, headline=True), sans)
    assert len(head.lines) == len(plain.lines) == 3
    assert [l.text for l in plain.lines][-1] == "诈骗"  # greedy fills, leaving a short tail

    def spread(layout) -> float:  # type: ignore[no-untyped-def]
        return max(l.width for l in layout.lines) - min(l.width for l in layout.lines)

    assert spread(head) < spread(plain)
    # balanced as far as whole words allow: 陌生来电让你转账 / 到安全账户的 / 都是诈骗, never 转|账 or 账|户
    assert [l.text for l in head.lines] == ["陌生来电让你转账", "到安全账户的", "都是诈骗"]
    assert "".join(l.text for l in head.lines) == text
    orphan = "不要轻信陌生来电和短信"  # greedy at 10 per line would leave 信 alone
    lines = layout_at(orphan, 30, Box(10 * 30), TextStyle(size=30, headline=True), sans).lines
    assert len(lines) == 2 and len(lines[-1].text) >= 2


def test_alignment_and_vertical_position(sans: FontChain) -> None:
    box = Box(300, 100)
    centre = layout_at("反诈", 20, box, TextStyle(size=20, align="center", valign="middle"), sans)
    assert centre.lines[0].x == 130 and centre.lines[0].y == 40
    right = layout_at("反诈", 20, box, TextStyle(size=20, align="right", valign="bottom"), sans)
    assert right.lines[0].x == 260 and right.lines[0].y == 80


def test_justify_spreads_all_but_the_last_line(sans: FontChain) -> None:
    text = "银行卡电话卡不出租不出借不出售守住两卡"
    layout = layout_at(text, 20, Box(170), TextStyle(size=20, align="justify"), sans)
    assert len(layout.lines) > 1
    for line in layout.lines[:-1]:
        assert line.glyphs[-1].x + line.glyphs[-1].advance == pytest.approx(170, abs=0.5) or line.text[-1] in "，。"
    assert layout.lines[-1].glyphs[0].x == 0


def test_justify_never_spreads_words_numbers_or_dashes(sans: FontChain) -> None:
    text = "请认准APP官方渠道——拨打96110核实后再转账给对方账户"
    layout = layout_at(text, 20, Box(230), TextStyle(size=20, align="justify"), sans)
    assert len(layout.lines) > 2
    assert all(line.width == pytest.approx(230) for line in layout.lines[:-1])  # really justified
    for line in layout.lines:
        for a, b in zip(line.glyphs, line.glyphs[1:]):
            pair = a.char + b.char
            if pair in ("PP", "AP", "——") or (a.char.isdigit() and b.char.isdigit()):
                assert b.x == pytest.approx(a.x + a.advance), f"{pair!r} was spread apart"


def test_full_width_punctuation_may_hang_at_line_end(sans: FontChain) -> None:
    layout = layout_at("转账前，", 40, Box(400), TextStyle(size=40), sans)
    # Mainland ， sits in the left half of its em: the line measures by its ink
    assert 140 <= layout.lines[0].width < 160


def test_line_feed_is_a_forced_break(sans: FontChain) -> None:
    layout = layout_at("第一行\n第二行", 20, Box(400), TextStyle(size=20), sans)
    assert [l.text for l in layout.lines] == ["第一行", "第二行"]
    assert layout.lines[1].y == 25


def test_bitmap_fonts_paint_only_two_colours(example: Project) -> None:
    chain = example.fonts.chain("pixel-12", "zh-Hans-CN")
    layout = fit_text(
        "转账前先核实，拨打96110", Box(192, 24), TextStyle(role="pixel-12", size=12, line_height=1), chain
    )
    assert layout.size == 12
    image = Image.new("L", (192, 24), 0)
    paint_text(image, layout, fill=255)
    assert {v for _, v in image.getcolors()} == {0, 255}
    # ink stays inside the rows of its lines
    assert image.getbbox()[3] <= 12 * len(layout.lines)


def test_adjacent_punctuation_is_squeezed_to_half_width(sans: FontChain) -> None:
    """“”，。 pairs are set at half width (clreq), and the painters draw them where the layout says."""
    text = "理赔”“误开，账户”，就是"
    line = layout_at(text, 40, Box(2000), TextStyle(size=40), sans).lines[0]
    x = {g.index: g.x for g in line.glyphs}
    # ” keeps its left half (80-100); “ is drawn from 80 so its ink, the right half, sits at 100-120
    assert (x[2], x[3], x[4]) == (80.0, 80.0, 120.0)  # 理赔”“ takes 3 em, not 4
    assert x[10] - x[9] == 20  # ”，
    runs = line.runs()
    assert all(not (text[g.index] in "”“" and g.squeezed is False) for g in line.glyphs if g.index in (2, 3, 9))
    assert len(runs) >= 4  # a run never continues past a squeezed mark: painters use the font's own advances
    spaced = layout_at("理赔，误开", 40, Box(2000), TextStyle(size=40), sans).lines[0]
    assert [g.x for g in spaced.glyphs] == [0, 40, 80, 120, 160]  # a lone mark keeps its full width


def test_ragged_body_text_keeps_words_whole_where_justified_text_may_not(sans: FontChain) -> None:
    """Body text keeps its one size and line count here; ragged lines may end short to keep 养老|钱
    and 说辞 whole, justified lines (where a short line would show as loose spacing) split them."""
    text = "解冻金、养老钱都是骗子的说辞，不要相信。"
    ragged = fit_text(text, Box(262), TextStyle(size=40, align="left"), sans)
    justified = fit_text(text, Box(262), TextStyle(size=40, align="justify"), sans)
    assert ragged.size == justified.size == 40 and len(ragged.lines) == len(justified.lines)
    assert [line.text for line in ragged.lines] == ["解冻金、", "养老钱都是", "骗子的说辞，", "不要相信。"]
    assert ragged.mid_phrase_breaks == 0 < justified.mid_phrase_breaks


def test_every_kind_lays_its_texts_out_for_checks_as_its_render_does(example: Project) -> None:
    """What `check` reads for words split across lines: a card's blocks by name, a video's scenes."""
    from signage.card.job import card_job
    from signage.video.job import video_job

    card = card_job(example, example.template("card", "a6-table"), "formula-shuadan", "zh-Hans-CN")
    parts = dict(card.text_layouts(example.fonts, example.root))
    assert "slogan" in parts and parts["slogan"].text == example.slogans["formula-shuadan"].text["zh-Hans-CN"]
    video = video_job(example, example.template("video", "slogan-16x9"), "slogan", "formula-shuadan", "zh-Hans-CN")
    scenes = video.text_layouts(example.fonts, example.root)
    assert scenes and all(part.startswith("scenes[") for part, _ in scenes)
    assert any("动动手指" in layout.text and not layout.split_words({"动动手指"}) for _, layout in scenes)
