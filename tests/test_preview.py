"""The preview's pages from their templates: every text escaped, the markup the same as ever."""

from __future__ import annotations

import dataclasses

from signage.preview.pages import fill
from signage.preview.views import (
    BranchRow,
    BranchView,
    CardView,
    IndexView,
    ItemView,
    Note,
    PlaylistView,
    Region,
    ScreenView,
    Switch,
)

SLOGAN = 'Hang up <script>alert("x")</script> & call 96110'
ESCAPED = "Hang up &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; call 96110"


def _branch(text: str) -> BranchView:
    item = ItemView("thumbs/a.png", text, "image", 2.5, "led/door/zh/s", branches=2, valid="")
    screen = ScreenView(
        "door", "door-96x16", 96, 16, 360, 60, "thumbs/a.png", text, "default", "why", [Switch("00:00", "d", "w", True)]
    )
    return BranchView(
        id="b1",
        name="支行 & Co",
        tags=["北京"],
        locale="zh-Hans-CN",
        timezone="Asia/Shanghai",
        player="../../publish/b1/player.html",
        screens=[screen],
        playlists=[PlaylistView("door", "door", "default playlist", 5.0, [item])],
        cards_total=1,
        cards=[CardView(None, "a6-table", text)],
    )


def test_a_slogan_with_markup_is_shown_as_text_everywhere_on_a_branch_page() -> None:
    page = fill("branch.html", branch=_branch(SLOGAN))
    assert "<script" not in page
    assert page.count(ESCAPED) == 3  # the frame's alt text, the item and the card
    assert f'alt="{ESCAPED}"' in page
    assert "<title>支行 &amp; Co</title>" in page and "<h1>支行 &amp; Co <span class=muted>b1</span></h1>" in page


def test_a_branch_page_is_one_line_of_the_same_markup() -> None:
    page = fill("branch.html", branch=_branch("有疑问打96110"))
    assert page.endswith("</html>\n") and page.count("\n") == 1
    assert '<div class="item"><img src="../thumbs/a.png" alt=""><div>有疑问打96110</div>' in page
    assert "<div class=muted>image, 2.5 s · led/door/zh/s</div>" in page
    assert '<li class="now">00:00 <b>d</b> <span class=muted>w</span></li>' in page
    assert "<h2>door: door <span class=muted>(default playlist; 1 items, 5 s a loop)</span></h2>" in page
    assert (
        '<p><span class="tag">北京</span> zh-Hans-CN · Asia/Shanghai · <a href="../../publish/b1/player.html">' in page
    )


def test_the_index_escapes_notes_and_names_and_keeps_its_search_script() -> None:
    row = BranchRow("b1", SLOGAN, "zh-Hans-CN", "Asia/Shanghai", "b1", "door (door-96x16)", "v0001")
    index = IndexView("网点 & 分行", [Note(f"warning: {SLOGAN}", error=False)], 1, "now", [Region("华北", [row])])
    page = fill("index.html", page=index)
    assert page.count("<script>") == 1 and "const box=document.getElementById('q')" in page
    assert f'<div class="warn">warning: {ESCAPED}</div>' in page
    assert f'<a href="branches/b1.html">{ESCAPED}</a>' in page and "<h1>网点 &amp; 分行</h1>" in page


def test_a_screen_shows_its_players_state_when_it_has_one() -> None:
    branch = _branch("有疑问打96110")
    silent = fill("branch.html", branch=branch)
    assert "player:" not in silent
    screen = dataclasses.replace(branch.screens[0], state="dark", state_why="last heartbeat 3.0 h ago")
    page = fill("branch.html", branch=dataclasses.replace(branch, screens=[screen]))
    assert (
        '<p>player: <span class="state dark">dark</span> <span class=muted>last heartbeat 3.0 h ago</span></p>' in page
    )
