"""What the demo's model endpoints cost: pure functions of a seeded RNG and the request.

Latency for chat is drawn from a token-count distribution (log-normal, like real completion
lengths) so percentiles look like an LLM API's rather than a constant. Images do real CPU work
(deflate of generated pixels) so CPU rises with load.
"""

from __future__ import annotations

import hashlib
import math
import random
import struct
import zlib

__all__ = ["chat_tokens", "chat_seconds", "embedding_seconds", "embed", "image_seconds", "render_image", "words"]

_WORDS = ("the", "model", "stack", "latency", "token", "cache", "query", "prompt", "vector", "image",
          "answer", "context", "stream", "batch", "metric", "window")


def chat_tokens(rng: random.Random, *, median: int = 120, sigma: float = 0.6, cap: int = 1024) -> int:
    """Return a completion length in tokens: log-normal around ``median``, at least 1, at most ``cap``."""
    return max(1, min(cap, round(rng.lognormvariate(math.log(median), sigma))))


def chat_seconds(tokens: int, multiplier: float = 1.0, *, first_token: float = 0.04,
                 per_token: float = 0.0009) -> float:
    """Return the simulated generation time: time to first token plus a cost per token."""
    return (first_token + tokens * per_token) * multiplier


def embedding_seconds(rng: random.Random, multiplier: float = 1.0) -> float:
    """Return a short, slightly variable embedding time (10-30 ms)."""
    return rng.uniform(0.010, 0.030) * multiplier


def image_seconds(rng: random.Random, multiplier: float = 1.0) -> float:
    """Return the simulated accelerator time of an image generation (80-200 ms)."""
    return rng.uniform(0.080, 0.200) * multiplier


def words(rng: random.Random, count: int) -> str:
    """Return ``count`` filler words (the 'completion')."""
    return " ".join(rng.choice(_WORDS) for _ in range(count))


def embed(text: str, dims: int = 64) -> list[float]:
    """Return a deterministic unit vector for ``text`` (hash-seeded, so equal inputs embed equally)."""
    digest = hashlib.sha256(text.encode()).digest()
    rng = random.Random(digest)
    vec = [rng.gauss(0.0, 1.0) for _ in range(dims)]
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [round(v / norm, 6) for v in vec]


def render_image(seed: int, size: int = 96, rounds: int = 3) -> tuple[bytes, str]:
    """Generate and deflate a ``size`` x ``size`` RGB image; return (compressed bytes, sha256).

    This is the demo's real CPU cost: a few milliseconds of pixel maths and zlib per call.
    """
    rng = random.Random(seed)
    pixels = bytearray()
    for _ in range(rounds):
        base = rng.randrange(256)
        pixels = bytearray()
        for y in range(size):
            row = bytes(((x * y + base) ^ (x + y)) & 0xFF for x in range(size * 3))
            pixels += row
    data = zlib.compress(struct.pack(">II", size, size) + bytes(pixels), level=6)
    return data, hashlib.sha256(data).hexdigest()
