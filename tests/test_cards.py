"""Print cards as a print shop receives them: boxes, embedded subsets, text, marks, CMYK."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

from signage.app.card import CardRequest, font_subsets, render_card
from signage.card.layout import PX_PER_MM, PlacedText, layout_card
from signage.card.pdf import PT_PER_MM, PdfOptions, card_pdf, sheet_slots
from signage.card.raster import card_png
from signage.errors import SignageError
from signage.kinds import open_project as load_project
from signage.project.model import Project

from .helpers import Cli, edit

MM = PT_PER_MM
# The cards here and in test_conformance are set in the example's font subsets (every character of the
# project, about two seconds a face to cut, once for the run): on one xdist worker, so that the two
# workers never cut the same subset at the same time (seen in two of four full runs).
pytestmark = pytest.mark.xdist_group("example_cards")


def pdf_of(project: Project, template: str, content: str, locale: str = "zh-Hans-CN", **options: object) -> bytes:
    layout = layout_card(project, project.template("card", template), content, locale)
    return card_pdf([layout], font_subsets(project), PdfOptions(**options))  # type: ignore[arg-type]


def box(values: pikepdf.Array) -> list[float]:
    return [round(float(v), 1) for v in values]


def test_page_boxes_are_trim_plus_bleed(example: Project) -> None:
    with pikepdf.open(__import__("io").BytesIO(pdf_of(example, "a6-table", "two-cards"))) as doc:
        page = doc.pages[0]
        assert box(page.MediaBox) == box(pikepdf.Array([0, 0, 111 * MM, 154 * MM]))
        assert box(page.obj.BleedBox) == box(page.MediaBox)
        assert box(page.obj.TrimBox) == box(pikepdf.Array([3 * MM, 3 * MM, 108 * MM, 151 * MM]))


def test_crop_marks_sit_in_a_slug_outside_the_bleed(example: Project) -> None:
    data = pdf_of(example, "prompt-90x54", "hotline-ask", marks=True)
    with pikepdf.open(__import__("io").BytesIO(data)) as doc:
        page = doc.pages[0]
        slug, bleed = 10, 2
        assert box(page.MediaBox) == box(
            pikepdf.Array([0, 0, (90 + 2 * (slug + bleed)) * MM, (54 + 2 * (slug + bleed)) * MM])
        )
        assert box(page.obj.TrimBox) == box(pikepdf.Array([12 * MM, 12 * MM, 102 * MM, 66 * MM]))
        content = page.Contents.read_bytes().decode("latin-1")
    assert content.count(" l") >= 8  # eight crop-mark strokes


def test_fonts_are_embedded_subsets_and_text_copies_back(example: Project) -> None:
    data = pdf_of(example, "a6-table", "two-cards")
    with pikepdf.open(__import__("io").BytesIO(data)) as doc:
        fonts = doc.pages[0].Resources.Font
        assert len(fonts) >= 2  # regular and bold
        for name in fonts:
            font = fonts[name]
            assert re.match(r"^/[A-Z]{6}\+", str(font.BaseFont)), font.BaseFont  # subset tag
            descriptor = font.DescendantFonts[0].FontDescriptor
            assert "/FontFile3" in descriptor or "/FontFile2" in descriptor
            assert "/ToUnicode" in font
    text = pdfium.PdfDocument(data)[0].get_textpage().get_text_range().replace("\r", "").replace("\n", "")
    rendered = example.fill(example.entry("two-cards", "text.zh-Hans-CN"))
    assert rendered in text and "96110" in text


def test_pdf_and_png_preview_put_text_in_the_same_place(example: Project) -> None:
    layout = layout_card(example, example.template("card", "a6-table"), "hotline-ask", "zh-Hans-CN")
    data = card_pdf([layout], font_subsets(example), PdfOptions())
    bleed_px = round(3 * PX_PER_MM)
    rendered = pdfium.PdfDocument(data)[0].render(scale=300 / 72).to_pil().convert("L")
    preview = card_png(layout).convert("L")
    pdf_trim = np.asarray(rendered)[bleed_px : bleed_px + preview.height, bleed_px : bleed_px + preview.width]
    png = np.asarray(preview)
    checked = 0
    for item in layout.items():
        if not isinstance(item, PlacedText):
            continue
        x, y, w, h = (round(v * PX_PER_MM) for v in item.box)
        regions = [img[y : y + h, x : x + w] for img in (pdf_trim, png)]
        background = [np.median(r) for r in regions]
        boxes = []
        for region, bg in zip(regions, background):
            ys, xs = np.nonzero(np.abs(region.astype(int) - bg) > 100)
            boxes.append((xs.min(), ys.min(), xs.max(), ys.max()))
        assert np.abs(np.subtract(*boxes)).max() <= 2, (item.layout.text, boxes)
        checked += 1
    assert checked >= 4


def test_cmyk_black_text_is_pure_k(example: Project) -> None:
    data = pdf_of(example, "a4-sign", "two-cards", cmyk=True)
    with pikepdf.open(__import__("io").BytesIO(data)) as doc:
        content = doc.pages[0].Contents.read_bytes().decode("latin-1")
    assert " rg" not in content and " RG" not in content  # no RGB anywhere
    assert "0 0 0 1 k" in content and "0 0 0 0.9" not in content  # black as 100 % K, not a tint
    for match in re.finditer(r"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) k", content):
        c, m, y, k = (float(v) for v in match.groups())
        assert c + m + y + k <= 2.5 and not (k == 1 and c + m + y > 0)  # never a rich four-colour black


def test_tent_card_prints_the_top_face_upside_down(example: Project) -> None:
    layout = layout_card(example, example.template("card", "tent-a4"), "two-cards", "zh-Hans-CN")
    image = np.asarray(card_png(layout).convert("RGB")).astype(int)
    red = (image[:, :, 0] > 150) & (image[:, :, 1] < 80)
    rows = red.mean(axis=1)
    half = image.shape[0] // 2
    # both faces have their red title band at the fold (the ridge), none at the sheet edges
    assert rows[half - 20] > 0.9 and rows[half + 20] > 0.9
    assert rows[10] < 0.5 and rows[-10] < 0.5


def test_sheet_imposes_several_cards_with_marks(example: Project) -> None:
    (w, h), slots = sheet_slots((90, 54), 2, "A4")
    assert len(slots) == 9  # 3 x 3 on a landscape sheet, each card keeping its 2 mm bleed
    for x, y in slots:  # room for the bleed and a 5 mm mark outside the grid
        assert x - 2 - 6 >= 0 and y - 2 - 6 >= 0 and x + 90 + 8 <= w and y + 54 + 8 <= h
    for x1, y1 in slots:  # bleeds never overlap a neighbour's card
        for x2, y2 in slots:
            if (x1, y1) != (x2, y2):
                assert abs(x1 - x2) >= 90 + 4 - 1e-6 or abs(y1 - y2) >= 54 + 4 - 1e-6
    data = pdf_of(example, "prompt-90x54", "hotline-ask", sheet="A4")
    doc = pdfium.PdfDocument(data)
    assert len(doc) == 1
    assert doc[0].get_textpage().get_text_range().count("96110") >= 2 * len(slots)


def test_png_preview_is_the_trimmed_card_at_300_dpi(example: Project, tmp_path: Path) -> None:
    out = tmp_path / "card.png"
    render_card(example, CardRequest("a6-table", slogan="two-cards"), out, None, PdfOptions())
    with Image.open(out) as image:
        assert image.size == (round(105 * PX_PER_MM), round(148 * PX_PER_MM))
        assert round(image.info["dpi"][0]) == 300


def test_every_drawn_character_reaches_the_pdf(project_copy: Path) -> None:
    project = _template(project_copy, "a6-table", 'text: "{{ strings.scan }}"', 'text: "鑫龘{{ strings.scan }}"')
    data = pdf_of(project, "a6-table", "two-cards")
    text = pdfium.PdfDocument(data)[0].get_textpage().get_text_range()
    assert "鑫龘扫码" in text  # literal template text outside the content's characters
    poster = pdfium.PdfDocument(pdf_of(project, "a5-case", "shuadan-rebate"))[0].get_textpage().get_text_range()
    assert poster.count("●") == len(project.case("shuadan-rebate").warning_signs)


def test_case_poster_shows_the_case(example: Project) -> None:
    layout = layout_card(example, example.template("card", "a5-case"), "shuadan-rebate", "zh-Hans-CN")
    case = example.case("shuadan-rebate")
    assert layout.texts["title"] == case.title
    assert all(sign in layout.texts["signs"] for sign in case.warning_signs)
    assert "96110" in layout.texts["advice"]  # the case's own {{ hotline }} filled in


def _template(project_copy: Path, name: str, old: str, new: str) -> Project:
    edit(project_copy / "templates" / "card" / f"{name}.yaml", old, new)
    return load_project(project_copy)


def test_text_that_cannot_fit_names_template_block_item_and_overflow(project_copy: Path) -> None:
    project = _template(project_copy, "a6-table", "size: [26, 12]", "size: [60, 50]")
    with pytest.raises(SignageError) as err:
        layout_card(project, project.template("card", "a6-table"), "two-cards", "zh-Hans-CN")
    message = str(err.value)
    assert "a6-table.slogan: two-cards" in message and "does not fit its 87x66 mm box at 50 pt" in message
    assert "mm of height, the box has 66 mm" in message


def test_missing_image_and_long_qr_are_clear_errors(project_copy: Path) -> None:
    from signage.kinds import read as read_project

    path = project_copy / "templates" / "card" / "a6-table.yaml"
    original = path.read_text(encoding="utf-8")
    with pytest.raises(SignageError, match=r"a6-table.yaml: a6-table.blocks\[7\].file: logo.png not found"):
        _template(
            project_copy,
            "a6-table",
            "  - {type: rect, name: bottom-band",
            "  - {type: image, name: logo, box: [80, 6, 18, 14], file: logo.png}\n  - {type: rect, name: bottom-band",
        )
    project, _ = read_project(project_copy)  # as `render card` loads: the missing file still stops the card
    assert project is not None
    with pytest.raises(SignageError, match=r"a6-table.logo: two-cards: image logo.png not found"):
        layout_card(project, project.template("card", "a6-table"), "two-cards", "zh-Hans-CN")
    path.write_text(original, encoding="utf-8")
    project = _template(
        project_copy, "a6-table", 'data: "{{ app_url }}"', 'data: "{{ app_url }}?x={{ slogan.text * 6 }}"'
    )
    with pytest.raises(SignageError, match=r"QR data too long for a 24 mm code"):
        layout_card(project, project.template("card", "a6-table"), "two-cards", "zh-Hans-CN")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("bleed: 3", "bleed: 50", "bleed"),
        ("page: A6", "page: 10x148", "each side must be 20 to 1200 mm"),
        ("page: A6", "page: 0x148", "in quotes"),
        ("box: [9, 33, 87, 66]", "box: [1, 33, 87, 66]", "leaves the safe area"),
        ("color: black", 'color: "not-a-colour"', "is not a colour"),
    ],
)
def test_nonsense_templates_are_located_errors(project_copy: Path, old: str, new: str, message: str) -> None:
    from signage.app.check import check_project

    path = project_copy / "templates" / "card" / "a6-table.yaml"
    edit(path, old, new)
    problems = [str(p) for p in check_project(project_copy)]
    assert any("a6-table.yaml" in p and message in p for p in problems), problems


def test_render_card_cli_writes_nothing_on_error(cli: Cli, example_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "card.pdf"
    ok = cli(
        "--project",
        str(example_dir),
        "render",
        "card",
        "--template",
        "prompt-90x54",
        "--slogan",
        "hotline-ask",
        "--cmyk",
        "--marks",
        "-o",
        str(out),
    )
    assert ok.exit_code == 0, ok.stderr
    before = out.read_bytes()
    bad = cli(
        "--project",
        str(example_dir),
        "render",
        "card",
        "--template",
        "a5-case",
        "--slogan",
        "two-cards",
        "-o",
        str(out),
    )
    assert bad.exit_code == 1 and "made for a case" in bad.stderr and "Traceback" not in bad.stderr
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["card.pdf"]


def test_print_options_with_png_and_images_outside_the_project_are_refused(
    example: Project, tmp_path: Path, project_copy: Path
) -> None:
    with pytest.raises(SignageError, match="--cmyk, --marks and --sheet are for the PDF"):
        render_card(
            example, CardRequest("a6-table", slogan="two-cards"), tmp_path / "x.png", None, PdfOptions(cmyk=True)
        )
    with pytest.raises(SignageError, match=r"a6-table.yaml:\d+: .*'/etc/passwd' must be a file inside the project"):
        _template(
            project_copy,
            "a6-table",
            "  - {type: rect, name: bottom-band",
            "  - {type: image, name: logo, box: [80, 6, 18, 14], file: /etc/passwd}\n"
            "  - {type: rect, name: bottom-band",
        )


def test_print_settings_per_template_and_placeholder_urls(project_copy: Path) -> None:
    """A template's `print:` makes build's PDFs shop-ready; `check` warns that the QR codes lead nowhere."""
    import datetime as dt

    from signage.app.check import check_project
    from signage.build import build
    from signage.kinds import open_project, planners

    warnings = [str(p) for p in check_project(project_copy) if p.warning]
    assert any("regions.CN.app_url" in w and "placeholder" in w for w in warnings)
    assert any("regions.HK.app_url" in w for w in warnings)  # example.com.hk is one too
    for template in (project_copy / "templates" / "card").glob("*.yaml"):
        if template.stem != "prompt-90x54":
            template.unlink()
    for case in (project_copy / "content" / "cases").glob("*.yaml"):  # one slogan is enough to see the settings
        case.unlink()
    (project_copy / "content" / "slogans.yaml").write_text(
        "- id: hotline-ask\n  kind: hotline\n  text:\n    zh-Hans-CN: 遇到可疑情况请拨打{{ hotline }}咨询。\n",
        encoding="utf-8",
    )
    template = project_copy / "templates" / "card" / "prompt-90x54.yaml"
    text = template.read_text(encoding="utf-8")
    assert text.count("\nprint: {cmyk: true}") == 1  # the example's: CMYK; crop marks added here
    template.write_text(text.replace("\nprint: {cmyk: true}", "\nprint: {cmyk: true, marks: true}"), encoding="utf-8")
    build(open_project(project_copy), planners(("cards",)), workers=1, today=dt.date(2026, 6, 1), tty=False)
    pdf = next((project_copy / "output" / "cards" / "prompt-90x54").glob("*/*/card.pdf"))
    with pikepdf.open(pdf) as doc:
        page = doc.pages[0]
        media = [float(v) for v in page.MediaBox]
        trim = [float(v) for v in page.TrimBox]
        assert media[2] - trim[2] > 10 * PT_PER_MM  # a slug for the crop marks beyond the bleed
        content = (
            b"".join(part.read_bytes() for part in page.Contents)
            if isinstance(page.Contents, pikepdf.Array)
            else page.Contents.read_bytes()
        )
        assert b" k\n" in content or b" k " in content or b" K" in content  # CMYK colour operators


def test_a_tent_card_marks_its_fold_outside_the_trim(example: Project) -> None:
    data = pdf_of(example, "tent-a4", "two-cards", marks=True)
    slug, bleed, scale = 10, 3, 4  # render at 4 px a point
    page = pdfium.PdfDocument(data)[0]
    image = np.asarray(page.render(scale=scale).to_pil().convert("L"))
    fold_y = round((slug + bleed + 297 / 2) * MM * scale)
    mark_x = slice(round(2 * MM * scale), round((slug - 1) * MM * scale))  # in the slug, left of the bleed
    near = image[fold_y - 3 : fold_y + 4, mark_x]
    assert (near < 128).any()  # a dark stroke at the fold
    assert (near > 200).any()  # dashed: gaps between the dashes
    away = image[fold_y - 60 : fold_y - 40, mark_x]
    assert (away > 200).all()  # nothing else in the slug there
    png = np.asarray(card_png(layout_card(example, example.template("card", "tent-a4"), "two-cards", "zh-Hans-CN")))
    middle = png[png.shape[0] // 2 - 2 : png.shape[0] // 2 + 3, :, 0]
    assert ((middle > 100) & (middle < 200)).any()  # the preview shows a grey fold guide


def test_case_titles_share_one_size_across_the_catalogue(example: Project) -> None:
    from signage.card.job import template_jobs
    from signage.card.layout import place_card
    from signage.job import PlanContext, local_today

    template = example.template("card", "a5-case")
    jobs = template_jobs(example, template, PlanContext(local_today(example)))
    title = next(n for n, b in enumerate(template.blocks) if b.name == "title")
    sizes = []
    for job in jobs:
        layout = place_card(
            template, dict(job.texts), job.content_id, job.locale, example.fonts, example.root, dict(job.caps)
        )
        placed = next(
            i for i in layout.items() if isinstance(i, PlacedText) and i.layout.text == dict(job.texts)[str(title)]
        )
        sizes.append(placed.layout.size)
    common = max(sizes, key=sizes.count)
    assert sizes.count(common) >= len(sizes) / 2 and max(sizes) == common  # one size; only a misfit goes smaller
    assert dict(jobs[0].caps)[title] * PX_PER_MM / MM == pytest.approx(common, abs=1)


def test_sections_flow_under_each_other_and_fill_their_space(example: Project) -> None:
    template = example.template("card", "a5-case")
    for case in ("fake-loan", "police-impersonation"):
        layout = layout_card(example, template, case, "zh-Hans-CN")
        placed = {
            name: item
            for item in layout.items()
            if isinstance(item, PlacedText)
            for name, text in layout.texts.items()
            if item.layout.text == text
        }

        def bottom(name: str, placed: dict[str, PlacedText] = placed) -> float:
            item = placed[name]
            return item.box[1] + (item.layout.lines[-1].y + item.layout.size) / PX_PER_MM

        assert placed["signs-head"].box[1] == pytest.approx(bottom("story") + 4)
        assert placed["signs"].box[1] == pytest.approx(bottom("signs-head") + 1.5)
        assert placed["advice-head"].box[1] == pytest.approx(bottom("signs") + 4)
        assert 179 - 12 < bottom("advice") <= 179 + 0.01  # filled down to the rule, not a gap
        body = {placed[n].layout.size for n in ("story", "signs", "advice")}
        assert len(body) == 1  # one body size for the three sections


def test_a_flowing_block_must_follow_an_earlier_text_block(project_copy: Path) -> None:
    from signage.app.check import check_project

    path = project_copy / "templates" / "card" / "a5-case.yaml"
    edit(path, "after: story,", "after: nothing,")
    problems = [str(p) for p in check_project(project_copy)]
    assert any("after: 'nothing' is not the name of an earlier text block" in p for p in problems), problems
