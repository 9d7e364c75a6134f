"""Regenerate (or check) every file derived from ``performance_config.yaml``.

``python -m perfstack.generate`` writes them; ``--check`` exits 1 and names the stale files,
which is what CI and ``tests/test_generated.py`` run so committed output never drifts.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from perfstack import gen
from perfstack.config import PerformanceConfig, load_config

__all__ = ["render_all", "main"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def render_all(config: PerformanceConfig) -> dict[str, str]:
    """Run every generator module in :mod:`perfstack.gen` and merge their outputs."""
    out: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(gen.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{gen.__name__}.{info.name}")
        produce = getattr(module, "generate", None)
        if produce is None:
            continue
        for path, text in produce(config).items():
            if path in out:
                raise RuntimeError(f"two generators write {path}")
            out[path] = text
    return out


def stale_files(files: dict[str, str], root: Path = REPO_ROOT) -> list[str]:
    """Return the paths whose committed text differs from ``files``."""
    stale = []
    for rel, text in sorted(files.items()):
        p = root / rel
        if not p.exists() or p.read_text(encoding="utf-8") != text:
            stale.append(rel)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m perfstack.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=None, help="performance_config.yaml to generate from")
    parser.add_argument("--check", action="store_true", help="only report files that are out of date (exit 1)")
    args = parser.parse_args(argv)
    files = render_all(load_config(args.config))
    if args.check:
        stale = stale_files(files)
        for rel in stale:
            print(f"out of date: {rel} (run: make generate)", file=sys.stderr)
        return 1 if stale else 0
    for rel, text in files.items():
        p = REPO_ROOT / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if not p.exists() or p.read_text(encoding="utf-8") != text:
            p.write_text(text, encoding="utf-8")
            print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    from perfstack.cli import run_main

    run_main("perfstack.generate", lambda: main())
