"""Pulumi projects and stack configuration, read as the Pulumi CLI reads them.

- ``Pulumi.yaml``: ``name``, ``runtime`` (python), ``main``, ``stackConfigDir`` and
  ``config`` declarations (keys without a namespace belong to the project; a
  declaration has ``type``, ``default``, ``value``, ``secret``, ``items``; keys of
  other namespaces may only set a ``value``).
- ``Pulumi.<stack>.yaml`` in ``stackConfigDir`` (or beside Pulumi.yaml): ``config``
  values, structured (object/array) values, and ``secure:`` values, which are
  secrets (kept encrypted offline: the program gets a placeholder marked secret).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kasbah.errors import PreviewError

SECRET_PLACEHOLDER = "[secret]"
_STACK_FILE_RE = re.compile(r"^Pulumi\.(?P<stack>[^.]+(?:\.[^.]+)*)\.ya?ml$")


@dataclass(frozen=True)
class Project:
    """A Pulumi project directory."""

    dir: Path
    name: str
    runtime: str
    description: str
    main: Path
    stack_config_dir: Path
    declarations: Mapping[str, Mapping[str, Any]]
    """Config declarations by full key (``ns:key``)."""
    raw: Mapping[str, Any]

    def stack_file(self, stack: str) -> Path:
        for ext in ("yaml", "yml"):
            p = self.stack_config_dir / f"Pulumi.{stack}.{ext}"
            if p.exists():
                return p
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        if not self.stack_config_dir.is_dir():
            return []
        names = []
        for p in self.stack_config_dir.iterdir():
            m = _STACK_FILE_RE.match(p.name)
            if m:
                names.append(m.group("stack"))
        return sorted(names)

    def policy_config_for(self, stack: str) -> Path | None:
        p = self.stack_config_dir / f"{stack}.policy.json"
        return p if p.exists() else None


@dataclass
class StackConfig:
    """A stack's resolved configuration."""

    values: dict[str, Any] = field(default_factory=dict)
    """Typed values by full key (``aws:region`` -> ``"eu-west-3"``); secrets hold the placeholder."""
    secret_keys: set[str] = field(default_factory=set)
    source: Path | None = None

    def runtime_values(self) -> dict[str, str]:
        """Values as the language runtime receives them (strings; structured values as JSON)."""
        return {k: _to_runtime_string(v) for k, v in self.values.items()}

    def namespace(self, ns: str) -> dict[str, Any]:
        prefix = ns + ":"
        return {k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix)}


def _to_runtime_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value)


def _load_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PreviewError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PreviewError(f"{path}: malformed YAML{where}: {problem}") from None


def find_project_file(directory: Path) -> Path:
    for name in ("Pulumi.yaml", "Pulumi.yml"):
        p = directory / name
        if p.exists():
            return p
    raise PreviewError(f"{directory}: no Pulumi.yaml here (not a Pulumi project directory)")


def load_project(directory: str | Path) -> Project:
    directory = Path(directory).resolve()
    if not directory.is_dir():
        raise PreviewError(f"{directory}: no such project directory")
    path = find_project_file(directory)
    raw = _load_yaml(path)
    if not isinstance(raw, dict):
        raise PreviewError(f"{path}: expected a mapping at the top level")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise PreviewError(f"{path}: 'name' is required")
    runtime = raw.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise PreviewError(f"{path}: runtime {runtime_name!r} is not supported offline (only 'python')")
    main = directory / str(raw.get("main") or ".")
    stack_dir = directory / str(raw.get("stackConfigDir") or ".")
    declarations = _declarations(path, name, raw.get("config") or {})
    return Project(
        dir=directory,
        name=name,
        runtime=runtime_name,
        description=str(raw.get("description") or ""),
        main=main,
        stack_config_dir=stack_dir,
        declarations=declarations,
        raw=raw,
    )


def full_key(project: str, key: str) -> str:
    """``key`` -> ``project:key``; ``ns:key`` and the legacy ``ns:config:key`` -> ``ns:key``."""
    if ":" not in key:
        return f"{project}:{key}"
    ns, _, rest = key.partition(":")
    return f"{ns}:{rest.removeprefix('config:')}"


_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}


def _declarations(path: Path, project: str, config: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(config, dict):
        raise PreviewError(f"{path}: 'config' must be a mapping")
    out: dict[str, dict[str, Any]] = {}
    for key, decl in config.items():
        fk = full_key(project, str(key))
        own = fk.startswith(project + ":")
        if isinstance(decl, dict):
            if not own and ({"type", "default", "items", "description"} & set(decl)):
                raise PreviewError(
                    f"{path}: config key '{key}' is not namespaced by the project and should not define a type"
                    " or default (only 'value')"
                )
            if "type" in decl and decl["type"] not in _TYPES:
                raise PreviewError(f"{path}: config key '{key}': unknown type {decl['type']!r}")
            out[fk] = dict(decl)
        else:
            out[fk] = {"value": decl}
    return out


def _check_type(where: str, key: str, decl: Mapping[str, Any], value: Any) -> None:
    expected = decl.get("type")
    if expected is None:
        return
    py = _TYPES[expected]
    ok = isinstance(value, py) and not (py is int and isinstance(value, bool))
    if py is int and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        ok = True
    if py is bool and isinstance(value, str) and value in ("true", "false"):
        ok = True
    if not ok:
        raise PreviewError(f"{where}: config key '{key}' should be of type {expected}, got {value!r}")


def _unsecure(value: Any) -> tuple[Any, bool]:
    """Replace ``{secure: ...}`` leaves by the placeholder; report whether any was found."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        found = False
        out = {}
        for k, v in value.items():
            out[k], f = _unsecure(v)
            found = found or f
        return out, found
    if isinstance(value, list):
        items = [_unsecure(v) for v in value]
        return [i for i, _ in items], any(f for _, f in items)
    return value, False


def load_stack_config(project: Project, stack: str, config_file: str | Path | None = None) -> StackConfig:
    """Resolve a stack's configuration as the CLI does (project values, then stack values)."""
    if config_file is not None:
        path = Path(config_file).resolve()
        if not path.exists():
            raise PreviewError(f"{path}: config file not found")
    else:
        path = project.stack_file(stack)
        if not path.exists():
            known = ", ".join(project.stacks()) or "none"
            raise PreviewError(
                f"unknown stack '{stack}': {path} does not exist (stacks of {project.name}: {known})"
            )
    raw = _load_yaml(path) or {}
    if not isinstance(raw, dict):
        raise PreviewError(f"{path}: expected a mapping at the top level")
    if raw.get("environment"):
        raise PreviewError(
            f"{path}: 'environment' (Pulumi ESC) cannot be resolved offline; inline the values"
        )
    stack_values = raw.get("config") or {}
    if not isinstance(stack_values, dict):
        raise PreviewError(f"{path}: 'config' must be a mapping")

    cfg = StackConfig(source=path)
    for key, decl in project.declarations.items():
        if "value" in decl:
            cfg.values[key] = decl["value"]
        elif "default" in decl:
            cfg.values[key] = decl["default"]
        if decl.get("secret"):
            cfg.secret_keys.add(key)
    for key, value in stack_values.items():
        fk = full_key(project.name, str(key))
        plain, secret = _unsecure(value)
        cfg.values[fk] = plain
        if secret:
            cfg.secret_keys.add(fk)
    for key, decl in project.declarations.items():
        if key not in cfg.values:
            raise PreviewError(
                f"{path}: stack '{stack}' is missing configuration value '{key}'"
                f" (set it with `pulumi config set {key.split(':', 1)[1] if key.startswith(project.name + ':') else key} ...`)"
            )
        _check_type(str(path), key, decl, cfg.values[key])
    return cfg
