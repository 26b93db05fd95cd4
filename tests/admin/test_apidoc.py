"""docs/api.md is what the admin app's OpenAPI description says, to the letter."""

from __future__ import annotations

from pathlib import Path

from mailguard.admin.apidoc import current_spec, render

DOC = Path(__file__).parents[2] / "docs" / "api.md"


def test_docs_api_md_is_in_sync_with_openapi() -> None:
    assert DOC.read_text() == render(current_spec()), (
        "docs/api.md is out of date: run `python -m mailguard.admin.apidoc > docs/api.md`"
    )


def test_every_path_and_type_is_documented() -> None:
    spec, text = current_spec(), DOC.read_text()
    for path, item in spec["paths"].items():
        for method in item:
            assert f"`{method.upper()} {path}`" in text
    for name in spec["components"]["schemas"]:
        assert f"### {name}" in text
