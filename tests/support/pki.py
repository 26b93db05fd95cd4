"""A test CA's files on disk: the CA certificate, and a server certificate and key for
127.0.0.1 / localhost / mailguard.test, as the relay's settings take them."""

from __future__ import annotations

from pathlib import Path

import trustme


def write_pki(ca: trustme.CA, folder: Path) -> dict[str, Path]:
    cert = ca.issue_cert("127.0.0.1", "localhost", "mailguard.test")
    paths = {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}
    ca.cert_pem.write_to_path(paths["ca"])
    cert.cert_chain_pems[0].write_to_path(paths["cert"])
    cert.private_key_pem.write_to_path(paths["key"])
    return paths
