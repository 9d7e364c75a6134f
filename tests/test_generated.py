"""Every file generated from performance_config.yaml is committed and current."""

from perfstack.config import load_config
from perfstack.generate import render_all, stale_files


def test_committed_generated_files_are_current():
    files = render_all(load_config())
    assert files, "no generators produced any file"
    assert stale_files(files) == [], "run `make generate` and commit the result"
