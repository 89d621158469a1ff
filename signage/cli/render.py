"""``signage render led|card|video``: one piece of content for one device, into a file or folder."""

from __future__ import annotations

from . import LazyGroup

render = LazyGroup(
    "render",
    lazy={
        "led": (
            "render_led:led",
            "LED sign images: pages (PNG + BMP) or a scroll strip with GIF (and MP4 for full colour).",
        ),
        "card": (
            "render_card:card",
            "A print-ready card: PDF (vector text, embedded subsets, bleed, boxes) or a 300-dpi PNG preview.",
        ),
        "video": (
            "render_video:video",
            "A lobby video: H.264 High MP4 with AAC audio, plus .srt, .poster.png and .json beside it.",
        ),
    },
    help="Render one piece of content for one device.",
)
