"""The recorded live-source server, shared with the source tests."""

from tests.sources.conftest import client, server  # noqa: F401  (fixtures)
