"""Reusable test helpers: a real recording upstream and an in-process relay on free ports.

from .relay import RelayHarness
from .upstream import RecordingUpstream
"""
