"""The campaign report as a PDF (fpdf2): the project's own sans face, cut to the report's characters,
the charts, and each table (long ones cut at :data:`ROWS_SHOWN`, the CSV holds them whole)."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence

from fpdf import FPDF
from fpdf.fonts import FontFace as TableStyle

from ..project.model import Project
from ..typography.subsets import PDF, SubsetCache, subsets_dir
from .formats import PLANNED_MARK, characters, summary, tables
from .report import CampaignReport

ROWS_SHOWN = 200
WIDE = ("content", "frequency", "cards")  # tables set smaller
logging.getLogger("fpdf").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def _cells(rows: Sequence[Sequence[object]]) -> list[list[str]]:
    out = []
    for row in rows:
        cells = []
        for v in row:
            if isinstance(v, float):
                text = f"{v:,.2f}".rstrip("0").rstrip(".")
            elif isinstance(v, int):
                text = f"{v:,}"
            else:
                text = str(v)
            cells.append(text if len(text) <= 90 else text[:87] + "…")
        out.append(cells)
    return out


def to_pdf(report: CampaignReport, charts: Sequence[bytes], project: Project, title: str, locale: str) -> bytes:
    """The report as PDF bytes, A4 landscape, set in the project's ``sans`` role."""
    sections = [(name, head, _cells(rows)) for name, head, rows in tables(report)]
    facts = summary(report)
    cut = SubsetCache(subsets_dir(), PDF)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_creation_date(report.generated)
    pdf.set_title(title)
    pdf.set_author("signage")
    pdf.set_auto_page_break(True, margin=12)
    face = project.fonts.chain("sans", locale, design_metrics=True).primary
    pdf.add_font(
        "sans", "", str(cut.path(face, characters(project, report, title)))
    )  # one face: headings are larger, not bolder
    pdf.add_page()
    pdf.set_font("sans", "", 16)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sans", "", 9)
    with pdf.table(col_widths=(40, 220), first_row_as_headings=False, line_height=5) as table:
        for key, value in facts:
            row = table.row()
            row.cell(key)
            row.cell(value)
    for note in report.notes:
        pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    for png in charts:
        pdf.ln(2)
        pdf.image(io.BytesIO(png), w=200)
    heading = TableStyle(fill_color=(238, 242, 246))
    for name, head, rows in sections:
        pdf.ln(4)
        pdf.set_font("sans", "", 12)
        pdf.cell(0, 7, name, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("sans", "", 7 if name in WIDE else 8)
        if name in ("content", "campaigns"):
            pdf.multi_cell(
                0,
                4,
                f"led_planned_*: LED signs cannot report; these plays are {PLANNED_MARK}, counted from the schedule.",
                new_x="LMARGIN",
                new_y="NEXT",
            )
        if not rows:
            pdf.cell(0, 5, "none", new_x="LMARGIN", new_y="NEXT")
            continue
        with pdf.table(headings_style=heading, line_height=4, text_align="LEFT") as table:
            for row_cells in [head, *rows[:ROWS_SHOWN]]:
                row = table.row()
                for cell in row_cells:
                    row.cell(cell)
        if len(rows) > ROWS_SHOWN:
            pdf.cell(
                0,
                5,
                f"… and {len(rows) - ROWS_SHOWN} more rows: the CSV report has them all",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    return bytes(pdf.output())
