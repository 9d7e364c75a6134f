"""Entry point for ``python -m loadgen`` and the ``perfstack-loadgen`` script."""

from __future__ import annotations

from perfstack.cli import run_main

__all__ = ["main"]


def main() -> None:
    """Run the loadgen CLI with perfstack's one-line errors and exit codes."""
    from loadgen.cli import PROG
    from loadgen.cli import main as cli_main

    run_main(PROG, cli_main)


if __name__ == "__main__":
    main()
