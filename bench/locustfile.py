"""Locust FastHttpUser peer for the load benchmarks (bench/runs.py): back-to-back GET / with no wait."""

from locust import FastHttpUser, constant, task


class Hammer(FastHttpUser):
    """One virtual user sending GET / as fast as the target answers (no think time)."""

    wait_time = constant(0)

    @task
    def index(self) -> None:
        self.client.get("/")
