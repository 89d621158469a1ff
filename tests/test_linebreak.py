"""Line-break opportunities: UAX #14 tailored to clreq, checked case by case and by property."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signage.typography.layout import Box, TextStyle, layout_at
from signage.typography.linebreak import NO_END, NO_START, BreakLevel, analyse

B, S = BreakLevel.basic, BreakLevel.strict


def pieces(text: str, level: BreakLevel = B, locale: str = "zh-Hans-CN") -> str:
    """The text with a '|' at every allowed break."""
    a = analyse(text, locale, level)
    bounds = (0, *a.allowed, len(text))
    return "|".join(text[s:e] for s, e in pairwise(bounds))


CASES = [
    # numbers, amounts, phone numbers are never split
    ("拨打96110咨询", B, "拨|打|96110|咨|询"),
    ("转账5,000元前", B, "转|账|5,000元|前"),
    ("金额48.9万元。", B, "金|额|48.9万元。"),
    ("澳门热线8800 7777。", B, "澳|门|热|线|8800 7777。"),
    ("100%安全", B, "100%|安|全"),
    ("12381、96110", B, "12381、|96110"),
    ("￥3,000.50元到账", B, "￥3,000.50元|到|账"),
    # URLs, e-mail, Latin words
    ("访问www.example.cn下载", B, "访|问|www.example.cn|下|载"),
    ("详见https://www.gov.cn/fz?id=1&a=2，谢谢", B, "详|见|https://www.gov.cn/fz?id=1&a=2，|谢|谢"),
    ("邮件help@bank.com.cn查询", B, "邮|件|help@bank.com.cn|查|询"),
    ("下载APP注册", B, "下|载|APP|注|册"),
    ("Hello world 你好", B, "Hello |world |你|好"),
    # dashes and ellipses: never split; strict also keeps —— off the line start
    ("等待——然后", B, "等|待|——|然|后"),
    ("等待——然后", S, "等|待——|然|后"),
    ("他说……好吧", B, "他|说……|好|吧"),
    ("他说……好吧", S, "他|说……|好|吧"),
    # middle dot: basic keeps it off the line start, strict off both edges
    ("马克·吐温", B, "马|克·|吐|温"),
    ("马克·吐温", S, "马|克·吐|温"),
    # closing punctuation never starts a line, opening never ends one
    ("你好，世界！", B, "你|好，|世|界！"),
    ("“公安局”来电", B, "“公|安|局”|来|电"),
    ("（注意）转账", B, "（注|意）|转|账"),
    ("《反电信网络诈骗法》规定", B, "《反|电|信|网|络|诈|骗|法》|规|定"),
    ("挂断！！再核实", B, "挂|断！！|再|核|实"),
    ("收線、核實、搵求助", B, "收|線、|核|實、|搵|求|助"),
]


@pytest.mark.parametrize(("text", "level", "expected"), CASES, ids=[f"{c[0]}-{c[1].value}" for c in CASES])
def test_break_opportunities_follow_clreq(text: str, level: BreakLevel, expected: str) -> None:
    locale = "zh-Hant-HK" if "線" in text else "zh-Hans-CN"
    assert pieces(text, level, locale) == expected


def test_phrase_hints_are_a_subset_of_allowed_breaks() -> None:
    text = "拨打96110，转账5,000元前先核实“安全账户”。"
    a = analyse(text)
    assert a.phrase <= set(a.allowed)
    # BudouX alone would cut 96110 and 5,000; the allowed set never does
    for number in ("96110", "5,000"):
        start = text.index(number)
        assert not any(start < p < start + len(number) for p in a.allowed)
    # a word is one phrase: the break inside 转账 is allowed but not preferred
    inside = text.index("转账") + 1
    assert inside in a.allowed and inside not in a.phrase


CJK = "反诈骗银行卡电话不出租借售转账核实安全户公检法刷单返利投资理财贷款征信领导熟人"
PUNCT = "，。、！？：；“”‘’（）《》「」…—·"
LATIN = "APPwww.cn"
alphabet = st.sampled_from(list(CJK + PUNCT + LATIN + "0123456789 ,.%"))
texts = st.text(alphabet, min_size=1, max_size=60).filter(lambda t: t.strip() != "")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, chars_wide=st.integers(min_value=1, max_value=20), strict=st.booleans(), headline=st.booleans())
def test_lines_rejoin_fit_and_respect_prohibitions(text, chars_wide, strict, headline, sans) -> None:  # type: ignore[no-untyped-def]
    size = 20
    level = S if strict else B
    width = chars_wide * size
    layout = layout_at(text, size, Box(width), TextStyle(size=size, level=level, headline=headline), sans)
    lines = layout.lines
    assert "".join(text[line.start : line.end] for line in lines) == text
    allowed = set(analyse(text, "zh-Hans-CN", level).allowed)
    no_start = NO_START if not strict else NO_START | set("—")
    for n, line in enumerate(lines):
        unbreakable = not any(line.start < p < line.end for p in allowed)
        if line.width > width + 0.01:
            assert unbreakable, f"line {line.text!r} is {line.width} px wide in {width} px but could break"
        if n > 0 and line.text:
            assert line.text[0] not in no_start, f"line starts with {line.text[0]!r}"
        if n < len(lines) - 1 and line.text:
            assert line.text[-1] not in NO_END, f"line ends with {line.text[-1]!r}"
    for m in re.finditer(r"\d+", text):
        assert not any(m.start() < line.start < m.end() for line in lines), f"number {m.group()} split"


@settings(max_examples=60, deadline=None)
@given(text=st.text(st.sampled_from(list(CJK)), min_size=2, max_size=40), chars_wide=st.integers(2, 12))
def test_headline_never_leaves_one_character_alone(text, chars_wide, sans) -> None:  # type: ignore[no-untyped-def]
    layout = layout_at(text, 20, Box(chars_wide * 20), TextStyle(size=20, headline=True), sans)
    if len(layout.lines) > 1:
        assert len(layout.lines[-1].text) >= 2
        widths = [line.width for line in layout.lines]
        # balanced: no line is more than one character-width (plus a break piece) shorter than needed
        assert max(widths) - min(widths) <= max(widths) / 2 + 20


def test_words_are_kept_whole_with_the_projects_own_dictionary(project_copy: Path) -> None:
    """jieba's dictionary plus content/words.txt: a headline never breaks inside a word it can avoid."""
    from signage.kinds import open_project
    from signage.typography.layout import Box, TextStyle, fit_text
    from signage.typography.linebreak import analyse

    words = project_copy / "content" / "words.txt"
    words.write_text(words.read_text(encoding="utf-8") + "钱货两空\n", encoding="utf-8")
    project = open_project(project_copy)
    assert "钱货两空" in project.fonts.words
    text = "网购认准正规平台，卖家要求脱离平台私下转账，极易钱货两空。"
    phrase = analyse(text).phrase
    for inside in ("正规", "平台", "转账", "钱货两空"):  # no preferred break inside these words
        start = text.index(inside)
        assert not phrase & set(range(start + 1, start + len(inside))), inside
    chain = project.fonts.chain("sans-bold", "zh-Hans-CN")
    layout = fit_text(
        text,
        Box(1027, 779),
        TextStyle(role="sans-bold", size=108, min_size=50, headline=True, align="center", line_height=1.4),
        chain,
    )
    lines = [line.text for line in layout.lines]
    assert lines == ["网购认准正规平台，", "卖家要求脱离", "平台私下转账，", "极易钱货两空。"]
    hk = analyse("有懷疑即刻打防騙易熱線查一查", "zh-Hant-HK")  # Traditional, through hk2s
    # 防騙易熱線 | 查一查: the hotline's name (signage.yaml) is one word, 防騙易|熱線 its weakest joint
    assert {6, 11} <= hk.phrase and not hk.phrase & {7, 8, 9, 12, 13} and 9 in hk.joints


def test_a_headline_takes_a_line_more_rather_than_split_a_word(sans) -> None:  # type: ignore[no-untyped-def]
    """The issue's case: four lines split 加|大, 千|万 and 先返|后骗; five keep every word whole."""
    from signage.typography.layout import fit_text

    text = "刷单+小额返利+加大投入=诈骗……千万不要相信“先返后骗”的兼职广告。"
    layout = fit_text(text, Box(280), TextStyle(size=32, headline=True), sans)
    assert [line.text for line in layout.lines] == [
        "刷单+小额返利+",
        "加大投入=诈骗……",
        "千万不要相信",
        "“先返后骗”的",
        "兼职广告。",
    ]
    assert layout.size == 32 and layout.split_cost == 0
    body = fit_text(text, Box(280), TextStyle(size=32), sans)  # body text keeps the fewest lines here
    assert len(body.lines) <= 5


def test_without_room_for_a_line_more_a_headline_steps_one_size_down(sans) -> None:  # type: ignore[no-untyped-def]
    from signage.typography.layout import fit_text

    text = "刷单+小额返利+加大投入=诈骗……千万不要相信“先返后骗”的兼职广告。"
    tight = TextStyle(size=32, min_size=20, headline=True, max_lines=4)
    layout = fit_text(text, Box(280), tight, sans)
    assert len(layout.lines) <= 4 and 32 / 1.125 <= layout.size < 32
    fixed = fit_text(text, Box(280), TextStyle(size=32, headline=True, max_lines=4), sans)
    # no layout at 32 px in four lines keeps every word whole: the split falls at a weakest joint
    assert fixed.size == 32 and len(fixed.lines) == 4 and fixed.split_cost > 0


def test_traditional_text_is_segmented_as_traditional_whatever_the_locale(sans) -> None:  # type: ignore[no-untyped-def]
    text = "各網點提醒：出借賬戶是違法行為，切勿出借。"
    wei = text.index("為")
    for locale in ("zh-Hans-CN", "zh-Hant-HK"):
        a = analyse(text, locale)
        assert wei not in a.phrase, locale  # 行|為 is inside 違法行為
        assert {text.index("違"), text.index("行"), wei} - a.phrase == {text.index("行"), wei}
    from signage.typography.layout import fit_text

    for width in range(120, 400, 20):
        lines = fit_text(text, Box(width), TextStyle(size=20, headline=True), sans).lines
        assert all(line.end != wei for line in lines), width


def test_the_project_dictionary_keeps_names_whole_and_changes_the_fingerprint(example) -> None:  # type: ignore[no-untyped-def]
    from signage.led.job import text_job
    from signage.typography.fonts import FontRegistry

    project = example
    words = set(project.fonts.words)
    # branch names, address parts, fraud-type labels, the app's and hotline's names
    assert {
        "长治英雄中路支行",
        "英雄中路",
        "长治市",
        "网络婚恋交友",
        "網上情緣騙案",
        "国家反诈中心APP",
        "防騙易熱線",
    } <= words
    name = analyse("欢迎光临长治英雄中路支行")
    start = 4
    assert not name.phrase & set(range(start + 1, start + 8))  # no word boundary inside the name
    assert {start + 2, start + 6} <= name.joints and start + 4 not in name.joints  # 长治|英雄中路|支行

    text = "守钱宝盒防诈骗"
    assert 2 in analyse(text).phrase  # jieba: 守钱|宝盒
    screen = project.led_screen("door-192x32")
    template = project.template("led", "pages")
    job = text_job(project, text, "zh-Hans-CN", None, screen, template)
    # the project's list (content/words.txt, read into the registry) with one word more
    fonts = FontRegistry(project.fonts.catalog, project.fonts.roles, (*project.fonts.words, "守钱宝盒"))
    assert 2 not in analyse(text).phrase
    assert job.key(fonts) != job.key(project.fonts)  # outputs render again when the dictionary changes


def test_address_parts_become_words() -> None:
    from signage.project.dictionary import address_words

    assert address_words("长治市英雄中路12号") == ["长治市", "英雄中路"]
    assert address_words("北京市朝阳区朝阳路88号") == ["北京市", "朝阳区", "朝阳路"]
    assert address_words("香港中環德輔道中8號") == []  # no unit of two to five characters
