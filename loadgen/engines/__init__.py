"""HTTP engines: the only part of the load generator that changes between ``aiohttp`` and ``fast``."""
