"""The Python image: multi-stage, pinned base, non-root, and a build context without secrets."""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
import tomllib

from tests.compose.stack import REPO_ROOT

DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()
IGNORE = [line.strip() for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
          if line.strip() and not line.startswith("#")]


def _instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _ignored(path: str) -> bool:
    return any(fnmatch.fnmatch(path, pat) or path.startswith(pat.rstrip("/") + "/") for pat in IGNORE)


def test_multi_stage_build_on_a_pinned_base():
    ins = _instructions()
    args = dict(a.split("=", 1) for k, a in ins if k == "ARG" and "=" in a)
    froms = [a for k, a in ins if k == "FROM"]
    assert len(froms) >= 2, "not a multi-stage build"
    for f in froms:
        image = f.split()[0]
        image = args.get(image.strip("${}"), image)
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", image), f"base {image!r} is not pinned"
    assert any(k == "COPY" and a.startswith("--from=") for k, a in ins), "nothing copied from the build stage"


def test_runs_as_a_non_root_user():
    users = [a.strip() for k, a in _instructions() if k == "USER"]
    assert users and users[-1] not in ("root", "0"), users


def test_copied_sources_exist_and_are_in_the_build_context():
    for k, a in _instructions():
        if k != "COPY" or a.startswith("--from="):
            continue
        sources = [s for s in a.split() if not s.startswith("--")][:-1]
        for src in sources:
            assert (REPO_ROOT / src).exists(), f"COPY {src}: missing"
            assert not _ignored(src), f"COPY {src}: excluded by .dockerignore"


def test_dockerignore_keeps_secrets_and_local_state_out():
    for path in (".git", ".venv", ".env", "reports", "tests"):
        assert _ignored(path), f"{path} would be sent to the Docker daemon"
    for needed in ("perfstack", "exporter", "loadgen", "analyzer", "demo", "performance_config.yaml", "pyproject.toml"):
        assert not _ignored(needed), f"{needed} is excluded but the image needs it"


def test_dependency_list_step_reads_this_pyproject(tmp_path):
    """Run the Dockerfile's requirements step here: it must list every runtime dependency."""
    (run,) = [a for k, a in _instructions() if k == "RUN" and "tomllib" in a]
    script = re.search(r'python -c "(.+?)" > requirements\.txt', run).group(1)
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    res = subprocess.run([sys.executable, "-c", script],
                         cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr
    listed = set(res.stdout.split())
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert set(project["dependencies"]) <= listed
    assert not any(dep.startswith(("pytest", "ruff", "locust")) for dep in listed), "dev/bench tools in the image"
