"""Shared core of perfstack: the thresholds config, unit parsing and CLI plumbing.

The three products (``exporter``, ``loadgen``, ``analyzer``) depend on this package and never on
each other's internals, so each can be installed, run and tested alone.
"""

__version__ = "0.1.0"
