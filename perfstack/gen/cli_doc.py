"""Generate ``docs/cli.md`` from every command's ``--help``, so the reference cannot drift.

Each CLI runs as a child process (``python -m X --help``, then ``--help`` of each subcommand it
lists) with a fixed ``COLUMNS`` so argparse wraps identically on every terminal; the repository's
absolute path is replaced by ``.`` so defaults that show file paths are the same on every machine.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from perfstack.config import PerformanceConfig

__all__ = ["COMMANDS", "HELP_COLUMNS", "generate", "help_text", "subcommands", "render_cli_doc"]

REPO_ROOT = Path(__file__).resolve().parents[2]
HELP_COLUMNS = 100

# (module, what it is for) in the order a newcomer meets them.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("demo.run", "`make demo` / `make stack`: the whole local stack, a load test, the analysis and a verdict."),
    ("demo.service", "The instrumented demo API with fault injection."),
    ("demo.suite", "Every load profile against any service, analyzed and gated "
                   "(`scripts/run-performance-tests.sh` runs this)."),
    ("loadgen", "The load generator."),
    ("analyzer", "The PromQL analyzer and CI gate."),
    ("exporter", "The host exporter."),
    ("perfstack.generate", "Regenerate the files derived from `performance_config.yaml` (`make generate`)."),
)

_CHOICES = re.compile(r"\{([A-Za-z0-9_,-]+)\} \.\.\.")        # usage: {run,suite} ...
_LISTED = re.compile(r"^ {4}([a-z][\w-]*) {2,}\S", re.M)         # a COMMAND metavar's list of choices
_MENTIONED = re.compile(r"python -m [\w.]+ ([a-z][\w-]*) --help")  # "run 'python -m analyzer serve --help'"


def help_text(argv: list[str], root: Path = REPO_ROOT) -> tuple[int, str]:
    """Return (exit code, output) of ``python <argv> --help`` at a fixed terminal width."""
    env = {**os.environ, "COLUMNS": str(HELP_COLUMNS), "LINES": "50", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("FORCE_COLOR", None)
    try:
        res = subprocess.run([sys.executable, *argv, "--help"], cwd=root, env=env, capture_output=True, text=True,
                             timeout=60, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return 124, ""
    return res.returncode, res.stdout.replace(str(root), ".").rstrip() + "\n"


def subcommands(help_output: str) -> list[str]:
    """Return the subcommand names a help text offers: ``{run,suite} ...`` in the usage, a
    ``COMMAND`` list of choices, or a ``python -m X sub --help`` pointer in the description."""
    names: list[str] = []
    match = _CHOICES.search(help_output)
    if match:
        names += match.group(1).split(",")
    if re.search(r"^usage: .* [A-Z_]+ \.\.\.$", help_output, re.M):
        names += _LISTED.findall(help_output)
    names += _MENTIONED.findall(" ".join(help_output.split()))
    return list(dict.fromkeys(names))


def _section(title: str, code: int, text: str, level: str) -> list[str]:
    if code != 0 or not text.strip():
        return [f"{level} `{title}`", "", f"`{title} --help` is not available (exit code {code}).", ""]
    return [f"{level} `{title}`", "", "```text", text.rstrip(), "```", ""]


def render_cli_doc(helps: dict[tuple[str, ...], tuple[int, str]]) -> str:
    """Render the reference from ``{argv: (exit code, help)}`` (pure, for tests)."""
    out = [
        "# CLI reference",
        "",
        "Generated from each command's `--help` by `python -m perfstack.generate` "
        "(`perfstack/gen/cli_doc.py`); do not edit by hand. Every command takes `--config FILE` "
        "(default: the repository's `performance_config.yaml`) and shares the exit codes: 0 pass, "
        "99 a threshold or gate failed, 2 bad usage, bad config or an unreachable dependency, "
        "130 interrupted.",
        "",
        "| command | what it is for |",
        "| --- | --- |",
    ]
    out += [f"| `python -m {m}` | {why} |" for m, why in COMMANDS]
    out.append("")
    for module, _ in COMMANDS:
        code, text = helps.get(("-m", module), (1, ""))
        out += _section(f"python -m {module}", code, text, "##")
        for sub in subcommands(text) if code == 0 else []:
            sub_code, sub_text = helps.get(("-m", module, sub), (1, ""))
            out += _section(f"python -m {module} {sub}", sub_code, sub_text, "###")
    return "\n".join(out).rstrip() + "\n"


def collect_helps(root: Path = REPO_ROOT) -> dict[tuple[str, ...], tuple[int, str]]:
    """Run every command's ``--help`` (and its subcommands'), in parallel."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        tops = dict(zip([("-m", m) for m, _ in COMMANDS],
                        pool.map(lambda m: help_text(["-m", m], root), [m for m, _ in COMMANDS]), strict=True))
        subs = [(*argv, sub) for argv, (code, text) in tops.items() if code == 0 for sub in subcommands(text)]
        return {**tops, **dict(zip(subs, pool.map(lambda a: help_text(list(a), root), subs), strict=True))}


def generate(config: PerformanceConfig) -> dict[str, str]:
    """Return ``{"docs/cli.md": text}``."""
    return {"docs/cli.md": render_cli_doc(collect_helps())}
