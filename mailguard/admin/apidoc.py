"""docs/api.md, written from the admin app's own OpenAPI description, so the reference cannot
drift from the code (tests/admin/test_apidoc.py checks they agree).

    python -m mailguard.admin.apidoc > docs/api.md
"""

from __future__ import annotations

import sys
from typing import Any

HEADER = """# Admin HTTP API

Generated from `GET /openapi.json` by `python -m mailguard.admin.apidoc > docs/api.md`; a test
fails when the two disagree. JSON over HTTP on `MAILGUARD_ADMIN_LISTEN`; every `/api/` call needs
`Authorization: Bearer <token>` (`MAILGUARD_ADMIN_TOKEN`, or a token from the tokens file with
the role viewer, reviewer or admin). `/metrics`, `/healthz` and `/readyz` need no token.
"""


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def type_of(schema: dict[str, Any]) -> str:
    """A short, readable type: `ItemSummary`, `list of AuditEntry`, `string or null`."""
    name = _ref_name(schema)
    if name:
        return f"[{name}](#{name.lower()})"
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return " or ".join(type_of(s) for s in schema[key])
    if schema.get("type") == "array":
        return "list of " + type_of(schema.get("items", {}))
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    if schema.get("type") == "object" and "additionalProperties" in schema:
        return "object of " + type_of(schema["additionalProperties"])
    return str(schema.get("type", "any"))


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _operation(method: str, path: str, op: dict[str, Any]) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", ""]
    if op.get("summary"):
        lines += [_cell(op["summary"]), ""]
    if op.get("description"):
        lines += [op["description"].strip(), ""]
    params = op.get("parameters", [])
    if params:
        lines += ["| parameter | in | type | required | meaning |", "|---|---|---|---|---|"]
        for p in params:
            schema = p.get("schema", {})
            lines.append(
                f"| `{p['name']}` | {p['in']} | {_cell(type_of(schema))} | {'yes' if p.get('required') else 'no'} "
                f"| {_cell(p.get('description') or schema.get('description') or '')} |"
            )
        lines.append("")
    body = op.get("requestBody", {}).get("content", {})
    for media, content in body.items():
        lines += [f"Request body ({media}): {type_of(content.get('schema', {}))}", ""]
    lines += ["| status | meaning | body |", "|---|---|---|"]
    for code, response in op.get("responses", {}).items():
        schemas = [c.get("schema", {}) for c in response.get("content", {}).values()]
        shown = ", ".join(type_of(s) for s in schemas if s) or ""
        lines.append(f"| {code} | {_cell(response.get('description', ''))} | {_cell(shown)} |")
    return [*lines, ""]


def _schema(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### {name}", ""]
    if schema.get("description"):
        lines += [_cell(schema["description"]), ""]
    if "enum" in schema:
        return [*lines, "One of " + ", ".join(f"`{v}`" for v in schema["enum"]) + ".", ""]
    props = schema.get("properties", {})
    if props:
        required = set(schema.get("required", []))
        lines += ["| field | type | required | meaning |", "|---|---|---|---|"]
        for field, prop in props.items():
            lines.append(
                f"| `{field}` | {_cell(type_of(prop))} | {'yes' if field in required else 'no'} "
                f"| {_cell(prop.get('description', ''))} |"
            )
        lines.append("")
    return lines


def render(spec: dict[str, Any]) -> str:
    lines = [HEADER, "## Endpoints", ""]
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            lines += _operation(method, path, op)
    lines += ["## Types", ""]
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        lines += _schema(name, schema)
    return "\n".join(lines).rstrip() + "\n"


def current_spec() -> dict[str, Any]:
    """The OpenAPI description of the admin app as `mailguard serve` builds it."""
    from mailguard.admin.app import create_app
    from mailguard.runtime import Runtime
    from mailguard.settings import Settings

    return create_app(Runtime(Settings(admin_token="documentation-only"))).openapi()


if __name__ == "__main__":
    sys.stdout.write(render(current_spec()))
