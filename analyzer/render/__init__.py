"""Report renderers: pure functions from the report dict to text (json, text, markdown, html)."""

from __future__ import annotations

from .html import render_html
from .markdown import render_markdown
from .text import render_json, render_text

__all__ = ["render", "FORMATS", "render_json", "render_text", "render_markdown", "render_html"]

FORMATS = {"text": render_text, "json": render_json, "markdown": render_markdown, "html": render_html}


def render(report: dict, fmt: str) -> str:
    """Render ``report`` in ``fmt`` (one of :data:`FORMATS`)."""
    return FORMATS[fmt](report)
