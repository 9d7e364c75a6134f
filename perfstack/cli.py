"""Shared command-line plumbing: one-line errors and fixed exit codes.

Every perfstack CLI promises the same contract: 0 pass, 99 a gate or threshold failed,
2 bad usage/config/unreachable dependency, 130 interrupted. Errors are one line on stderr,
never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn

__all__ = ["EXIT_OK", "EXIT_GATE_FAILED", "EXIT_USAGE", "EXIT_INTERRUPTED", "UsageError",
           "die", "run_main", "ArgumentParser"]

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_GATE_FAILED = 99
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A user-facing failure: printed as one line, exit code 2."""


def die(prog: str, message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``prog: error: message`` on one line and exit."""
    one_line = " ".join(str(message).split())
    print(f"{prog}: error: {one_line}", file=sys.stderr)
    raise SystemExit(code)


class ArgumentParser(argparse.ArgumentParser):
    """argparse with defaults shown and exit code 2 on a one-line error."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", argparse.ArgumentDefaultsHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        die(self.prog, message)


def run_main(prog: str, main: Callable[[], int]) -> NoReturn:
    """Run ``main`` and turn known failures into one-line errors with the right exit code."""
    from perfstack.config import ConfigError

    try:
        code = main()
    except (ConfigError, UsageError) as exc:
        die(prog, str(exc))
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except OSError as exc:
        die(prog, f"{exc.strerror or exc}" + (f": {exc.filename}" if getattr(exc, "filename", None) else ""))
    raise SystemExit(code or 0)
