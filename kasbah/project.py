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

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kasbah.errors import PreviewError
from kasbah.yamlgo import config_string, go_json, read_text
from kasbah.yamlgo import load as yaml_load

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

    def policy_config_for(self, stack: str, pack: str | None = None) -> Path | None:
        """``<stackConfigDir>/<stack>.<pack>.policy.json`` if it exists, else ``<stack>.policy.json``."""
        candidates = [f"{stack}.{pack}.policy.json"] if pack else []
        for name in [*candidates, f"{stack}.policy.json"]:
            p = self.stack_config_dir / name
            if p.exists():
                return p
        return None


@dataclass
class StackConfig:
    """A stack's resolved configuration."""

    values: dict[str, Any] = field(default_factory=dict)
    """Typed values by full key (``aws:region`` -> ``"eu-west-3"``); secrets hold the placeholder."""
    secret_keys: set[str] = field(default_factory=set)
    source: Path | None = None

    def runtime_values(self) -> dict[str, str]:
        """Values as the language runtime receives them: strings, structured values as Go's compact JSON."""
        return {k: config_string(v) for k, v in self.values.items()}

    def namespace(self, ns: str) -> dict[str, Any]:
        prefix = ns + ":"
        return {k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix)}


def _load_yaml(path: Path) -> Any:
    return yaml_load(path, read_text(path, what="YAML file"))


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


_TYPE_NAMES = ("string", "integer", "boolean", "array", "object")


def _is_primitive(value: Any) -> bool:
    return isinstance(value, str | int | bool | float) or value is None


def _declarations(path: Path, project: str, config: Any) -> dict[str, dict[str, Any]]:
    """``config:`` of Pulumi.yaml, rewritten and validated as the CLI does.

    pulumi/pulumi ``sdk/go/common/workspace/project.go``: ``RewriteShorthandConfigValues``
    (a bare value is a ``default`` for a key of the project, a ``value`` for another
    namespace) and ``Project.Validate``.
    """
    if not isinstance(config, dict):
        raise PreviewError(f"{path}: 'config' must be a mapping")
    out: dict[str, dict[str, Any]] = {}
    for key, decl in config.items():
        key = str(key)
        fk = full_key(project, key)
        own = ":" not in key or key.startswith(project + ":")
        if not isinstance(decl, dict):
            decl = {"default": decl} if own else {"value": decl}
        decl = dict(decl)
        unknown = sorted(set(decl) - {"type", "description", "items", "default", "value", "secret"})
        if unknown:
            raise PreviewError(f"{path}: config key '{key}': unknown attribute {unknown[0]!r}")
        if "default" in decl and "value" in decl:
            raise PreviewError(
                f"{path}: project config '{key}' cannot have both a 'default' and 'value' attribute. "
                "Fix: keep one."
            )
        type_name = decl.get("type")
        if type_name is not None and type_name not in _TYPE_NAMES:
            raise PreviewError(
                f"{path}: config key '{key}': unknown type {type_name!r} (one of {', '.join(_TYPE_NAMES)})"
            )
        if own:
            if type_name == "array" and not isinstance(decl.get("items"), dict):
                raise PreviewError(
                    f"{path}: the configuration key '{key}' declares an array but does not specify the "
                    "underlying type via the 'items' attribute"
                )
            if (
                type_name is not None
                and "default" in decl
                and not validate_value(type_name, decl.get("items"), decl["default"])
            ):
                raise PreviewError(
                    f"{path}: the default value specified for configuration key '{key}' is not of the "
                    f"expected type '{full_type_name(type_name, decl.get('items'))}'"
                )
        else:
            if type_name is not None:
                raise PreviewError(
                    f"{path}: configuration key '{key}' is not namespaced by the project and should not define a type"
                )
            if "default" in decl:
                raise PreviewError(
                    f"{path}: configuration key '{key}' is not namespaced by the project and should not define "
                    "a default value. Did you mean to use the 'value' attribute instead of 'default'?"
                )
            if "value" not in decl:
                raise PreviewError(
                    f"{path}: configuration key '{key}' is namespaced and must provide an attribute 'value'"
                )
        out[fk] = decl
    return out


def full_type_name(type_name: str, items: Any) -> str:
    if type_name == "array" and isinstance(items, dict):
        return f"List<{full_type_name(str(items.get('type')), items.get('items'))}>"
    return type_name


def validate_value(type_name: str, items: Any, value: Any) -> bool:
    """``ValidateConfigValue`` (pulumi/pulumi ``sdk/go/common/workspace/project.go``)."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        if isinstance(value, float):
            return value.is_integer()
        return isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value) is not None
    if type_name == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if type_name == "object":
        return isinstance(value, dict)
    if not isinstance(value, list) or not isinstance(items, dict):
        return False
    return all(validate_value(str(items.get("type")), items.get("items"), v) for v in value)


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
    for key, value in stack_values.items():
        fk = full_key(project.name, str(key))
        plain, secret = _unsecure(value)
        cfg.values[fk] = plain
        if secret:
            cfg.secret_keys.add(fk)
    _apply_project_config(project, stack, path, cfg)
    return cfg


def _apply_project_config(project: Project, stack: str, path: Path, cfg: StackConfig) -> None:
    """Project values and defaults, then the checks of ``ValidateStackConfigAndApplyProjectConfig``.

    pulumi/pulumi ``pkg/workspace/config.go``: every missing key of the project's namespace is
    listed at once; explicitly typed keys are checked (a ``secret`` key must be ``secure:``,
    the value must have the declared type and ``items``).
    """
    missing = []
    for key in sorted(project.declarations):
        decl = project.declarations[key]
        if key in cfg.values:
            continue
        if "default" in decl or "value" in decl:
            cfg.values[key] = decl["default"] if "default" in decl else decl["value"]
        elif key.startswith(project.name + ":"):
            missing.append(key)
    if missing:
        names = ", ".join(f"'{k.split(':', 1)[1]}'" for k in missing)
        first = missing[0].split(":", 1)[1]
        raise PreviewError(
            f"{path}: stack '{stack}' is missing configuration value{'s' if len(missing) > 1 else ''} {names}."
            f" Fix: `pulumi config set {first} <value>` (or give it a default in Pulumi.yaml)"
        )
    for key in sorted(project.declarations):
        decl = project.declarations[key]
        type_name = decl.get("type")
        if type_name is None:
            continue
        short = key.split(":", 1)[1] if key.startswith(project.name + ":") else key
        secure = key in cfg.secret_keys
        if decl.get("secret") and not secure:
            raise PreviewError(
                f"{path}: stack '{stack}' with configuration key '{short}' must be encrypted as it's secret. "
                f"Fix: `pulumi config set --secret {short} <value>`"
            )
        if secure:
            continue  # ciphertext: its type can only be checked once decrypted (by the CLI)
        value = cfg.values[key]
        content = value if isinstance(value, dict | list) else config_string(value)
        if not validate_value(str(type_name), decl.get("items"), content):
            raise PreviewError(
                f"{path}: stack '{stack}' with configuration key '{short}' must be of type "
                f"'{full_type_name(str(type_name), decl.get('items'))}' (got {go_json(value) if not isinstance(value, str) else repr(value)})"
            )
