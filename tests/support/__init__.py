"""Reusable test helpers: a real recording upstream and an in-process relay on free ports.

from support.relay import RelayHarness
from support.upstream import RecordingUpstream
"""
