"""The register's compiled module, `mailguard.detect.register._native`: its keyed hashing
(_native.c, OpenSSL's SHA-256), the trigger pass's word finder and token walk (_words.c,
_triggers.c) and the row decoder (_record.c): the one part of the build pyproject.toml cannot
declare in a stable form. Optional: without a C compiler, Python's headers and OpenSSL's
(Debian: gcc python3-dev libssl-dev) the install still succeeds and the Python beside each
part does the same work, more slowly."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "mailguard.detect.register._native",
            [f"mailguard/detect/register/{name}.c" for name in ("_native", "_words", "_triggers", "_record")],
            depends=["mailguard/detect/register/_native.h"],
            libraries=["crypto"],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ]
)
