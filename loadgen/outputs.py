"""Write the requested report files; each is written whole (temp file + rename) or not at all."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from loadgen.html_report import render_html
from loadgen.junit import render_junit

__all__ = ["write_outputs", "write_text"]


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, creating parent directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_outputs(report: dict[str, Any], *, json_path: Path | None = None, html_path: Path | None = None,
                  junit_path: Path | None = None) -> None:
    """Write the JSON, HTML and JUnit files that were asked for."""
    if json_path is not None:
        write_text(json_path, json.dumps(report, indent=1, sort_keys=False) + "\n")
    if html_path is not None:
        write_text(html_path, render_html(report))
    if junit_path is not None:
        write_text(junit_path, render_junit(report))
