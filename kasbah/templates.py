"""``kasbah new``: copy a blueprint as a standalone Pulumi project, outside this repository.

What ``pulumi new`` does with a template, offline and non-interactively:

- the blueprint's files are copied to DIR (no caches, no stack files);
- ``Pulumi.yaml`` gets the project name, loses its ``template:`` section, and runs
  Python in a virtualenv (``runtime.options``: ``toolchain: pip``, ``virtualenv: venv``);
- ``Pulumi.<stack>.yaml`` is written from the template's config prompts: their
  defaults, overridden by ``--config key=value`` (a key without a namespace is a
  ``kasbah:`` key); a prompt without a default must be given;
- ``requirements.txt`` pins Kasbah to the exact version the blueprint was copied
  from, with the wheel and VCS alternatives in a comment.

Blueprints come from the installed distribution (they ship inside the wheel as
the data package ``blueprints``) or from a source checkout; BLUEPRINT may also be
a path to any directory holding a Pulumi.yaml with a ``template:`` section.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kasbah import REPOSITORY_URL, __version__
from kasbah.errors import PreviewError

PROJECT_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
IGNORED = ("__pycache__", "*.pyc", ".pytest_cache", "venv", ".venv", "Pulumi.*.yaml", "Pulumi.*.yml")
VCS_URL = f"git+{REPOSITORY_URL}"


def blueprints_dir() -> Path:
    """Where the blueprints are: beside the ``kasbah`` package (source checkout or site-packages)."""
    return Path(__file__).resolve().parent.parent / "blueprints"


def available() -> list[str]:
    root = blueprints_dir()
    return sorted(p.parent.name for p in root.glob("*/Pulumi.yaml")) if root.is_dir() else []


def find_blueprint(name: str) -> Path:
    candidate = Path(name)
    if candidate.is_dir() and (candidate / "Pulumi.yaml").exists():
        return candidate.resolve()
    path = blueprints_dir() / name
    if "/" not in name and (path / "Pulumi.yaml").exists():
        return path
    known = ", ".join(available()) or "none found"
    raise PreviewError(f"unknown blueprint {name!r} (blueprints: {known})")


@dataclass(frozen=True)
class Prompt:
    key: str
    description: str
    default: str | None
    secret: bool


def template_prompts(project_yaml: Mapping[str, Any]) -> list[Prompt]:
    """The ``template.config`` prompts of a Pulumi.yaml, in file order."""
    template = project_yaml.get("template") or {}
    config = template.get("config") or {} if isinstance(template, dict) else {}
    prompts = []
    for key, spec in config.items():
        spec = spec if isinstance(spec, dict) else {"default": spec}
        default = spec.get("default")
        prompts.append(
            Prompt(
                str(key),
                " ".join(str(spec.get("description") or "").split()),
                None if default is None else _as_config_string(default),
                bool(spec.get("secret")),
            )
        )
    return prompts


def _as_config_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value)


def parse_assignments(items: Sequence[str]) -> dict[str, str]:
    """``key=value`` pairs (``--config``); a key without a namespace is a ``kasbah:`` key."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise PreviewError(f"--config {item!r}: expected key=value (for example kasbah:prefix=acme)")
        out[key if ":" in key else f"kasbah:{key}"] = value
    return out


def stack_config(prompts: Sequence[Prompt], overrides: Mapping[str, str]) -> dict[str, str]:
    """Prompt defaults overridden by ``overrides``; a prompt with no value is an error naming it."""
    values: dict[str, str] = {}
    missing = []
    for p in prompts:
        if p.key in overrides:
            values[p.key] = overrides[p.key]
        elif p.default is not None:
            values[p.key] = p.default
        else:
            missing.append(p.key)
    if missing:
        raise PreviewError(
            f"no value for {', '.join(missing)}: the template has no default; pass --config KEY=VALUE"
        )
    for key, value in overrides.items():
        values.setdefault(key, value)
    return values


def requirements_text(original: str, version: str = __version__) -> str:
    """The blueprint's requirements with ``kasbah`` pinned to ``version``."""
    kept = [
        line
        for line in original.splitlines()
        if line.strip()
        and not re.match(r"^\s*kasbah\b(?![-_.\w])", line)
        and not line.lstrip().startswith("#")
    ]
    header = [
        f"# Kasbah's components and policy packs, pinned to the version this project was copied from ({version}).",
        "# To install from a built wheel or from git instead, replace the pin by one of:",
        f"#   kasbah @ file:///path/to/kasbah-{version}-py3-none-any.whl",
        f"#   kasbah @ {VCS_URL}@v{version}",
        f"kasbah=={version}",
    ]
    return "\n".join(header + kept) + "\n"


def project_yaml_text(raw: Mapping[str, Any], name: str) -> str:
    data = dict(raw)
    data["name"] = name
    data.pop("template", None)
    data["runtime"] = {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}
    ordered: dict[str, Any] = {k: data[k] for k in ("name", "runtime", "description") if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    return yaml.safe_dump(ordered, sort_keys=False, width=100, allow_unicode=True)


def stack_yaml_text(blueprint: str, values: Mapping[str, str], prompts: Sequence[Prompt]) -> str:
    secret = [p.key for p in prompts if p.secret]
    lines = [f"# Copied from the Kasbah blueprint {blueprint} ({__version__}) by `kasbah new`."]
    if secret:
        lines.append(
            "# Secrets are written in clear here: set them with `pulumi config set --secret` before committing: "
            + ", ".join(secret)
        )
    return "\n".join(lines) + "\n" + yaml.safe_dump({"config": dict(values)}, sort_keys=False, width=100)


def new_project(
    blueprint: str | Path,
    dest: str | Path,
    *,
    name: str | None = None,
    stack: str = "dev",
    config: Sequence[str] = (),
) -> Path:
    """Copy ``blueprint`` to ``dest`` as a standalone project; returns the stack file written."""
    src = find_blueprint(str(blueprint))
    dest = Path(dest).resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise PreviewError(f"{dest}: already exists and is not empty (choose a new directory)")
    name = name or dest.name
    if not PROJECT_NAME_RE.match(name):
        raise PreviewError(
            f"project name {name!r}: use letters, digits, '-', '_' or '.' (at most 100); pass --name NAME"
        )
    if not re.match(r"^[A-Za-z0-9_.-]+$", stack):
        raise PreviewError(f"stack name {stack!r}: use letters, digits, '-', '_' or '.'")
    try:
        raw = yaml.safe_load((src / "Pulumi.yaml").read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PreviewError(f"{src / 'Pulumi.yaml'}: malformed YAML: {exc}") from None
    if not isinstance(raw, dict) or "template" not in raw:
        raise PreviewError(f"{src / 'Pulumi.yaml'}: not a template (no 'template:' section)")
    prompts = template_prompts(raw)
    values = stack_config(prompts, parse_assignments(config))

    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(*IGNORED), dirs_exist_ok=True)
    (dest / "Pulumi.yaml").write_text(project_yaml_text(raw, name), encoding="utf-8")
    req = dest / "requirements.txt"
    req.write_text(
        requirements_text(req.read_text(encoding="utf-8") if req.exists() else ""), encoding="utf-8"
    )
    gitignore = dest / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("venv/\n__pycache__/\n*.pyc\n", encoding="utf-8")
    stack_file = dest / f"Pulumi.{stack}.yaml"
    stack_file.write_text(stack_yaml_text(src.name, values, prompts), encoding="utf-8")
    return stack_file


def run_new(blueprint: str, dest: str, name: str | None, stack: str, config: tuple[str, ...]) -> int:
    """``kasbah new``: copy, then say what to do next."""
    stack_file = new_project(blueprint, dest, name=name, stack=stack, config=config)
    where = stack_file.parent
    stack_name = stack_file.name[len("Pulumi.") : -len(".yaml")]
    sys.stdout.write(
        f"Created {where} from blueprint {blueprint} (kasbah {__version__}), stack {stack_name}.\n"
        "Next:\n"
        f"  cd {where}\n"
        f"  kasbah preview --stack {stack_name}          # offline, with Kasbah's policy packs\n"
        f"  pulumi stack init {stack_name} && pulumi preview   # with the real CLI (creates ./venv)\n"
    )
    return 0
