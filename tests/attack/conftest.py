"""Fixtures for the attack suites: a test CA and relay certificates, a users file."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme
from support.pki import write_pki

from mailguard.relay.smtp_auth import hash_password

PASSWORD = "correct horse"


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def pki(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("attack-pki")
    return write_pki(ca, folder)


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users"
    path.write_text(f"scanner:{hash_password(PASSWORD, iterations=1000)}\n")
    return path


def client_tls(pki: dict[str, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(pki["ca"]))
