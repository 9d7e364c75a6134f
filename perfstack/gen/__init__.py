"""Generators for every file derived from ``performance_config.yaml``.

Each module here defines ``generate(config) -> dict[str, str]`` mapping a repository-relative
path to its full text. :mod:`perfstack.generate` runs them all, writes or checks the files.
"""
