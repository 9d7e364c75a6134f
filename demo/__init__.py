"""The demo: an instrumented LLM-style service and the one-command stack around it.

``python -m demo.service`` is the service under test (chat, embeddings, images and a SQLite-backed
users API with an LRU cache and fault injection). ``python -m demo.run`` starts the service, the
exporter, Prometheus and Alertmanager on free loopback ports, loads the service, analyzes the run
and prints a verdict; ``python -m demo.suite`` runs every load profile against any base URL.
"""

__all__: list[str] = []
