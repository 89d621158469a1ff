"""The report's charts, drawn by matplotlib (Agg, no display) as PNG bytes for the HTML and the PDF.

matplotlib is the ``report`` extra: imported here only, when an HTML or PDF report is made,
so the CSV report and every other command run without it.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from ..errors import SignageError

if TYPE_CHECKING:
    from .report import CampaignReport

CAMPAIGNS_SHOWN = 12  # bars in the campaign chart (the tables hold every one)
DPI = 120
PLAYED, PLANNED, LED = "#1f6fb2", "#b9c7d6", "#e08a2c"


def _figure(width: float, height: float) -> Any:
    """A figure on the Agg canvas (matplotlib's object interface: no pyplot, no global state)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise SignageError(
            "HTML and PDF reports draw charts with matplotlib: pip install 'signage[report]' (or use --format csv)"
        ) from None
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _thousands() -> Any:
    """Axis numbers as 1,250,000 rather than 1.25 with a 1e6 above the axis."""
    from matplotlib.ticker import StrMethodFormatter

    return StrMethodFormatter("{x:,.0f}")


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def days_chart(report: CampaignReport) -> bytes:
    """Plays per day on screens that report: reported beside planned."""
    figure = _figure(7.5, 2.8)
    axes = figure.subplots()
    labels = [d.strftime("%m-%d") for d, _, _ in report.days]
    at = range(len(labels))
    width = 0.4
    axes.bar([x - width / 2 for x in at], [p for _, p, _ in report.days], width, color=PLAYED, label="reported")
    axes.bar([x + width / 2 for x in at], [p for _, _, p in report.days], width, color=PLANNED, label="planned")
    step = max(1, len(labels) // 15)
    axes.set_xticks(list(at)[::step], labels[::step], fontsize=8)
    axes.set_xlim(-0.75, len(labels) - 0.25)
    axes.set_ylabel("plays")
    axes.yaxis.set_major_formatter(_thousands())
    axes.set_title("Plays per day on screens that report")
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def campaigns_chart(report: CampaignReport) -> bytes:
    """Plays per campaign key: reported, planned on reporting screens, planned on LED signs."""
    lines = sorted(report.campaigns(), key=lambda c: -(c.planned_plays + c.led_plays + c.plays))[:CAMPAIGNS_SHOWN]
    lines.reverse()
    figure = _figure(7.5, 0.9 + 0.45 * max(1, len(lines)))
    axes = figure.subplots()
    rows = range(len(lines))
    height = 0.27
    axes.barh([r + height for r in rows], [c.plays for c in lines], height, color=PLAYED, label="reported")
    axes.barh(list(rows), [c.planned_plays for c in lines], height, color=PLANNED, label="planned")
    axes.barh([r - height for r in rows], [c.led_plays for c in lines], height, color=LED, label="LED signs (planned)")
    axes.set_yticks(list(rows), [c.campaign for c in lines], fontsize=8)
    axes.set_xlabel("plays")
    axes.xaxis.set_major_formatter(_thousands())
    axes.set_title("Plays per campaign: reported beside planned")
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)
