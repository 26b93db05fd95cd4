"""The red-team register's Scanner (extracting in-process), for the surface property tests."""

from redteam.conftest import scanner  # noqa: F401 - a fixture, shared with tests/redteam
