"""A street as a register row's record holds it (keyed hashes), for tests of the comparisons."""

from __future__ import annotations

from mailguard.detect.register.fuzzy import Near, build
from mailguard.detect.register.keys import Keyring
from mailguard.detect.register.probe import Probe
from mailguard.detect.register.record import Recorder, Street, decode


def hashed_street(street: tuple[str, ...]) -> tuple[Street, Probe]:
    """The hashed form of canonical `street` words, with the probe of its (one-street) index."""
    keys = Keyring(b"a test key of enough length")
    recorder = Recorder(keys.hash_once)
    record = recorder.street(street)
    probe = Probe(keys, Near(*build(recorder.names, keys.hashes), keys))
    return decode(record, "T1", probe).streets[0], probe
