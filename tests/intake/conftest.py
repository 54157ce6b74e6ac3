"""Intake fixtures: the recorded live sources' services and a polite client with test-sized
waits (shared with the sources' tests)."""

from tests.sources.conftest import client, live  # noqa: F401
