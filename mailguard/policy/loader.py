"""Read `rules/*.yaml` into validated models; any problem is `FILE:LINE: problem`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from mailguard.policy.rule_files import (
    RULE_FILES,
    CasesFile,
    ExposureFile,
    OrganisationFile,
    ProtectedFile,
    UnscannableFile,
)


class PolicyError(Exception):
    """The rule set or the register cannot be used; the message is for the administrator."""


class RulesError(PolicyError):
    def __init__(self, path: Path | str, line: int, problem: str) -> None:
        self.path, self.line, self.problem = str(path), line, problem
        super().__init__(f"{self.path}:{line}: {problem}")


@dataclass(frozen=True, slots=True)
class RuleFiles:
    organisation: OrganisationFile = field(default_factory=OrganisationFile)
    exposure: ExposureFile = field(default_factory=ExposureFile)
    protected: ProtectedFile = field(default_factory=ProtectedFile)
    unscannable: UnscannableFile = field(default_factory=UnscannableFile)
    cases: CasesFile = field(default_factory=CasesFile)
    read: tuple[str, ...] = ()  # the files actually read (the rest are defaults)


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _node_at(root: yaml.Node | None, loc: tuple[int | str, ...]) -> yaml.Node | None:
    """The YAML node a pydantic error location points at (or its nearest parent)."""
    node = root
    for step in loc:
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == step), None)
            if found is None:
                return node
            key, value = found
            node = value if step != loc[-1] else key  # point at the key: that's where people look
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return node
    return node


def _check_duplicates(node: yaml.Node | None, path: Path) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                raise RulesError(path, _line(key), f"duplicate key {key.value!r}")
            seen.add(key.value)
            _check_duplicates(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicates(item, path)


def _describe(err: dict[str, Any]) -> str:
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        return f"unknown key {str(err['loc'][-1])!r}"
    return f"{where}: {message}" if where else message


def load_file(path: Path, model: type[BaseModel]) -> BaseModel:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(path, 1, f"cannot read: {exc}") from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise RulesError(path, mark.line + 1 if mark else 1, f"not valid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise RulesError(path, 1, f"not valid YAML: {exc}") from exc
    _check_duplicates(root, path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RulesError(path, _line(root), "expected a mapping of settings at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise RulesError(path, _line(_node_at(root, tuple(err["loc"]))), _describe(err)) from exc


def load_rule_files(directory: Path, *, must_exist: bool = True) -> RuleFiles:
    """Every known file in `directory` (a missing file means its defaults).

    An unknown `*.yaml` there is an error: `exposures.yaml` must not be silently ignored.
    """
    if not directory.is_dir():
        if must_exist:
            raise PolicyError(f"rules directory {directory} does not exist")
        return RuleFiles()
    for extra in sorted(set(p.name for p in directory.glob("*.y*ml")) - set(RULE_FILES)):
        raise RulesError(directory / extra, 1, f"unknown rule file (expected one of {', '.join(RULE_FILES)})")
    loaded: dict[str, Any] = {}
    read: list[str] = []
    for name, model in RULE_FILES.items():
        path = directory / name
        if path.exists():
            loaded[name.removesuffix(".yaml")] = load_file(path, model)
            read.append(str(path))
    files = RuleFiles(**loaded, read=tuple(read))
    _check_names(files, directory)
    return files


def _check_names(files: RuleFiles, directory: Path) -> None:
    seen: dict[str, str] = {}
    for name, section in (
        ("exposure", files.exposure),
        ("protected", files.protected),
        ("unscannable", files.unscannable),
        ("cases", files.cases),
    ):
        for rule in section.rules:
            if rule.name in seen:
                path = directory / f"{name}.yaml"
                line = _rule_line(path, rule.name)
                raise RulesError(
                    path, line, f"rule name {rule.name!r} is already used in {seen[rule.name]}.yaml"
                )
            seen[rule.name] = name


def _rule_line(path: Path, rule_name: str) -> int:
    """The last line naming the rule: the duplicate, not the original."""
    found = 1
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "name:" in line and rule_name in line:
                found = number
    except OSError:
        pass
    return found
