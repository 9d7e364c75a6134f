"""Every shell command shown in the docs refers to real make targets, modules, scripts and flags.

Each ```sh block in ``docs/*.md`` and ``README.md`` is split into commands; ``make`` targets and
variables are checked against the Makefile, ``python -m X [sub]`` and ``scripts/*.sh`` commands
against their own ``--help`` (every ``--flag`` used must be listed there).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from functools import cache
from pathlib import Path

import pytest

from demo.faults import parse_faults
from perfstack import units
from perfstack.gen.cli_doc import help_text, subcommands
from perfstack.generate import REPO_ROOT

DOCS = sorted((REPO_ROOT / "docs").glob("*.md")) + [REPO_ROOT / "README.md"]
PYTHONS = {"python", "python3", ".venv/bin/python", "$(PY)"}
OTHER_PROGRAMS = {"curl", "docker", "promtool", "amtool", "prometheus", "prometheus-alertmanager", "alertmanager", "git", "cd",
                  "chromium", "xdg-open", "open"}
_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)


def shell_commands(markdown: str) -> list[str]:
    """Return the commands of every ```sh block (continuations joined, comments and blanks dropped)."""
    out = []
    for block in _BLOCK.findall(markdown):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip().removeprefix("$ ")
            if line and not line.startswith("#"):
                out.append(line)
    return out


def doc_commands() -> list[tuple[str, str]]:
    return [(path.name, cmd) for path in DOCS if path.exists() for cmd in shell_commands(path.read_text())]


@cache
def makefile_targets() -> tuple[set[str], str]:
    text = (REPO_ROOT / "Makefile").read_text()
    return set(re.findall(r"^([A-Za-z][\w-]*):", text, re.M)), text


@cache
def help_for(argv: tuple[str, ...]) -> str:
    code, text = help_text(list(argv))
    assert code == 0, f"`{' '.join(argv)} --help` exited {code}"
    return text


def check_flags(flags: list[str], help_output: str, what: str) -> None:
    for flag in flags:
        assert re.search(rf"(^|[\s\[,]){re.escape(flag)}([\s\]=,]|$)", help_output, re.M), \
            f"{what}: {flag} is not in its --help"


def check_command(cmd: str) -> None:
    tokens = shlex.split(cmd, comments=True)
    env = {}
    while tokens and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", tokens[0]):
        key, _, value = tokens.pop(0).partition("=")
        env[key] = value
    if "DEMO_FAULT" in env:
        parse_faults(env["DEMO_FAULT"])
    assert tokens, f"no command in {cmd!r}"
    prog, args = tokens[0], tokens[1:]
    flags = [a.split("=", 1)[0] for a in args if a.startswith("--")]
    if prog == "make":
        targets, text = makefile_targets()
        for arg in args:
            if "=" in arg:
                var, _, value = arg.partition("=")
                assert re.search(rf"\b{var}\b", text), f"{cmd}: the Makefile does not use {var}"
                if var == "DEMO_FAULT":
                    parse_faults(value)
                if var == "DEMO_DURATION":
                    units.parse_duration(value)
            else:
                assert arg in targets, f"{cmd}: no make target {arg!r}"
    elif prog in PYTHONS:
        assert args[:1] == ["-m"], f"{cmd}: show python commands as `python -m module`"
        module = args[1]
        argv = ("-m", module)
        top = help_for(argv)
        rest = args[2:]
        if rest and rest[0] in subcommands(top):
            argv = (*argv, rest[0])
        check_flags(flags, help_for(argv), cmd)
    elif prog.startswith("scripts/"):
        path = REPO_ROOT / prog
        assert path.is_file() and os.access(path, os.X_OK), f"{cmd}: {prog} is not an executable script"
        check_flags(flags, _script_help(path), cmd)
    elif prog == "cp":
        assert (REPO_ROOT / args[0]).is_file(), f"{cmd}: {args[0]} does not exist"
    elif prog == "docker" and args[:1] == ["compose"]:
        compose = (REPO_ROOT / "docker-compose.yml").read_text()
        for i, arg in enumerate(args):
            if arg == "--profile":
                assert re.search(rf"profiles:.*\b{re.escape(args[i + 1])}\b", compose), f"{cmd}: no compose profile {args[i + 1]}"
    else:
        assert prog in OTHER_PROGRAMS, f"{cmd}: unknown program {prog!r} (not make, python -m, scripts/)"


@cache
def _script_help(path: Path) -> str:
    res = subprocess.run([str(path), "--help"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "COLUMNS": "100"}, cwd=REPO_ROOT)
    assert res.returncode == 0, f"{path} --help exited {res.returncode}: {res.stderr}"
    return res.stdout


def test_docs_show_shell_commands():
    docs = {name for name, _ in doc_commands()}
    assert {"quickstart.md", "README.md"} <= docs


@pytest.mark.parametrize(("doc", "cmd"), doc_commands(), ids=lambda v: v[:60] if isinstance(v, str) else v)
def test_shell_command_in_docs_is_real(doc, cmd):
    check_command(cmd)


@pytest.mark.parametrize("cmd", ["make nosuchtarget", "python -m demo.run --no-such-flag",
                                 "make demo DEMO_FAULT=bogus", "frobnicate --now",
                                 "scripts/run-performance-tests.sh --nope"])
def test_checker_rejects_made_up_commands(cmd):
    with pytest.raises((AssertionError, ValueError)):
        check_command(cmd)


def test_docs_referred_to_exist():
    for path in DOCS:
        for ref in set(re.findall(r"`((?:docs|scripts|demo|prometheus|alertmanager)/[\w./-]+\.\w+)`", path.read_text())):
            if "*" not in ref:
                assert (REPO_ROOT / ref).exists(), f"{path.name} refers to {ref}, which does not exist"


def test_architecture_has_the_data_flow_diagram():
    text = (REPO_ROOT / "docs" / "architecture.md").read_text()
    assert "```mermaid" in text
    for part in ("loadgen", "service", "exporter", "Prometheus", "rules", "Alertmanager", "analyzer"):
        assert part in text
