"""``kasbah new``: copy a blueprint as a standalone Pulumi project, outside this repository.

What ``pulumi new`` does with a template, offline:

- the template's config prompts are asked in a terminal (``--yes`` takes the defaults; without a
  terminal the defaults are taken), ``--config key=value`` answers one (a key without a
  namespace is a ``kasbah:`` key); a prompt without a default must be answered; every value is
  checked against the blueprint's ``Settings`` and an unknown key is refused, before anything
  is written;
- the blueprint's files are copied to DIR (no caches, no stack files; a symbolic link in a
  local template is refused, never followed);
- ``Pulumi.yaml`` gets the project name, loses its ``template:`` section, keeps its stacks in
  ``stacks/`` (``stackConfigDir``) and runs Python in a virtualenv;
- the copy has the repository's layout, so the shipped workflows run on it unchanged:
  ``stacks/Pulumi.<stack>.yaml`` (a secret prompt is never written in clear: the file says to
  run ``pulumi config set --secret``), ``stacks/<stack>.policy.json``, ``.github/workflows/``
  and the policy packs' entry files in ``policies/<pack>/``;
- the README loses the generated-section markers it cannot keep and names the copy's stack;
- ``requirements.txt`` pins Kasbah to the exact version the blueprint was copied
  from, with the wheel and VCS alternatives in a comment.

Blueprints come from the installed distribution (they ship inside the wheel as
the data package ``blueprints``) or from a source checkout; BLUEPRINT may also be
a path to any directory holding a Pulumi.yaml with a ``template:`` section.
"""

from __future__ import annotations

import os
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
    """The stack file: the values, never a secret (each named with the command that sets it)."""
    secret = [p.key for p in prompts if p.secret]
    lines = [f"# Copied from the Kasbah blueprint {blueprint} ({__version__}) by `kasbah new`."]
    for key in secret:
        lines.append(
            f"# {key} is a secret: never written here. Set it with `pulumi config set --secret {key}`."
        )
    plain = {k: v for k, v in values.items() if k not in secret}
    return "\n".join(lines) + "\n" + yaml.safe_dump({"config": plain}, sort_keys=False, width=100)


STACK_NAME_RE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$")
"""Stack names the Pulumi CLI accepts (letters, digits, '-', '_', '.'), never a path (``..``)."""
GENERATED_LINE = re.compile(
    r"^\s*<!-- (?:BEGIN GENERATED|END GENERATED|generated by `kasbah docs`)[^>]*-->\s*\n", re.M
)
REPO_STACK_RE = re.compile(r"\b(?:aws|azure|gcp|edge)-(?:dev|prod|org|test|staging)\b")


def check_stack_name(stack: str) -> None:
    if not STACK_NAME_RE.match(stack) or ".." in stack:
        raise PreviewError(
            f"--stack {stack!r}: a stack name is letters, digits, '-', '_' and '.', starting with a letter, "
            "digit, '-' or '_' (it names stacks/Pulumi.<stack>.yaml). Fix: pass e.g. --stack dev."
        )


def refuse_symlinks(src: Path) -> None:
    """A local template's symlinks are never followed (they could copy files from anywhere)."""
    for root, dirs, files in os.walk(src, followlinks=False):
        for entry in sorted([*dirs, *files]):
            path = Path(root) / entry
            if path.is_symlink():
                raise PreviewError(
                    f"{path}: the template holds a symbolic link, which kasbah new does not follow. "
                    "Fix: replace it by the file it points to."
                )


def validate_values(src: Path, prompts: Sequence[Prompt], values: Mapping[str, str]) -> None:
    """Every value is a key the template asks for or the blueprint's settings know, and valid for it."""
    if not (src / "settings.py").exists():
        _check_keys({p.key for p in prompts}, values)
        return
    from kasbah.docs import load_settings

    with load_settings(src) as module:  # the module stays importable while its type hints resolve
        cls = getattr(module, "Settings", None)
        _check_values(cls if isinstance(cls, type) else None, prompts, values)


def _check_keys(known: set[str], values: Mapping[str, str]) -> None:
    import difflib

    for key in values:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"did you mean {close[0]}?" if close else f"known keys: {', '.join(sorted(known))}"
            raise PreviewError(f"--config {key}: the blueprint has no such key ({hint})")


def _check_values(cls: type | None, prompts: Sequence[Prompt], values: Mapping[str, str]) -> None:
    import dataclasses

    from components.errors import ConfigError
    from components.settings import NAMESPACE, RESERVED_KEYS, camel, parse_settings

    known = {p.key for p in prompts}
    if cls is not None and dataclasses.is_dataclass(cls):
        known |= {f"{NAMESPACE}:{camel(f.name)}" for f in dataclasses.fields(cls)}
    _check_keys(known, values)
    if cls is None:
        return
    prefix = f"{NAMESPACE}:"
    raw = {
        k[len(prefix) :]: v
        for k, v in values.items()
        if k.startswith(prefix) and k[len(prefix) :] not in RESERVED_KEYS
    }
    try:
        parse_settings(cls, raw)
    except ConfigError as exc:
        raise PreviewError(f"--config {exc}") from None


def ask(prompts: Sequence[Prompt], given: Mapping[str, str]) -> dict[str, str]:
    """``pulumi new``'s prompts: each value the command line did not give, its default offered;
    a secret is read without echo (and never written: see :func:`stack_yaml_text`)."""
    import click

    answers: dict[str, str] = {}
    for p in prompts:
        if p.key in given:
            continue
        text = f"{p.key}" + (f" ({p.description})" if p.description else "")
        answers[p.key] = str(
            click.prompt(text, default=p.default, hide_input=p.secret, show_default=not p.secret, err=True)
        )
    return answers


def copy_ci(dest: Path, stack: str) -> None:
    """The repository's layout around the copy: the shipped workflows, the policy packs' entry
    files (what ``pulumi preview --policy-pack policies/<pack>`` runs; the rules come from the
    pinned kasbah) and the stack's policy configuration."""
    from kasbah.analysis import discover_packs
    from kasbah.docs import workflow_templates

    workflows = dest / ".github" / "workflows"
    workflows.mkdir(parents=True, exist_ok=True)
    for fname, text in workflow_templates().items():
        (workflows / fname).write_text(text, encoding="utf-8")
    for pack in discover_packs():
        target = dest / "policies" / pack.name
        target.mkdir(parents=True, exist_ok=True)
        for entry in ("PulumiPolicy.yaml", "__main__.py", "requirements.txt", "README.md"):
            if (pack / entry).is_file():
                shutil.copyfile(pack / entry, target / entry)
    policy = dest / "stacks" / f"{stack}.policy.json"
    policy.write_text("{}\n", encoding="utf-8")


def readme_text(original: str, stack: str) -> str:
    """The blueprint README for the copy: no generated-section claims it cannot keep (nothing
    regenerates them there), and its commands name the copy's own stack."""
    text = GENERATED_LINE.sub("", original)
    text = text.replace("from the repository root (stacks/Pulumi.", "from the project root (stacks/Pulumi.")
    return REPO_STACK_RE.sub(stack, text)


def new_project(
    blueprint: str | Path,
    dest: str | Path,
    *,
    name: str | None = None,
    stack: str = "dev",
    config: Sequence[str] = (),
    interactive: bool = False,
) -> Path:
    """Copy ``blueprint`` to ``dest`` as a standalone project; returns the stack file written.

    Nothing is written until every value is known and valid: the template's prompts (asked when
    ``interactive``, else their defaults), the ``--config`` values, checked against the blueprint's
    settings; unknown keys, a bad stack name and symbolic links in the template are refused.
    """
    src = find_blueprint(str(blueprint))
    dest = Path(dest).resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise PreviewError(f"{dest}: already exists and is not empty (choose a new directory)")
    name = name or dest.name
    if not PROJECT_NAME_RE.match(name):
        raise PreviewError(
            f"project name {name!r}: use letters, digits, '-', '_' or '.' (at most 100); pass --name NAME"
        )
    check_stack_name(stack)
    refuse_symlinks(src)
    try:
        raw = yaml.safe_load((src / "Pulumi.yaml").read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PreviewError(f"{src / 'Pulumi.yaml'}: malformed YAML: {exc}") from None
    if not isinstance(raw, dict) or "template" not in raw:
        raise PreviewError(f"{src / 'Pulumi.yaml'}: not a template (no 'template:' section)")
    prompts = template_prompts(raw)
    given = parse_assignments(config)
    if interactive:
        given = {**given, **ask(prompts, given)}
    values = stack_config(prompts, given)
    validate_values(src, prompts, values)

    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(*IGNORED), dirs_exist_ok=True, symlinks=True)
    project = yaml.safe_load(project_yaml_text(raw, name))
    project["stackConfigDir"] = "stacks"
    (dest / "Pulumi.yaml").write_text(
        yaml.safe_dump(project, sort_keys=False, width=100, allow_unicode=True), encoding="utf-8"
    )
    req = dest / "requirements.txt"
    req.write_text(
        requirements_text(req.read_text(encoding="utf-8") if req.exists() else ""), encoding="utf-8"
    )
    readme = dest / "README.md"
    if readme.exists():
        readme.write_text(readme_text(readme.read_text(encoding="utf-8"), stack), encoding="utf-8")
    gitignore = dest / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("venv/\n__pycache__/\n*.pyc\nreports/\n", encoding="utf-8")
    (dest / "stacks").mkdir(exist_ok=True)
    stack_file = dest / "stacks" / f"Pulumi.{stack}.yaml"
    stack_file.write_text(stack_yaml_text(src.name, values, prompts), encoding="utf-8")
    copy_ci(dest, stack)
    return stack_file


def stdin_is_terminal() -> bool:
    """Whether to prompt: a person at a terminal (``--yes`` or a pipe take the defaults)."""
    return sys.stdin.isatty()


def run_new(
    blueprint: str, dest: str, name: str | None, stack: str, config: tuple[str, ...], yes: bool = False
) -> int:
    """``kasbah new``: prompt (unless ``--yes`` or no terminal), copy, then say what to do next."""
    interactive = not yes and stdin_is_terminal()
    stack_file = new_project(blueprint, dest, name=name, stack=stack, config=config, interactive=interactive)
    where = stack_file.parent.parent
    stack_name = stack_file.name[len("Pulumi.") : -len(".yaml")]
    raw = yaml.safe_load((find_blueprint(blueprint) / "Pulumi.yaml").read_text(encoding="utf-8")) or {}
    for p in template_prompts(raw):
        if p.secret:
            sys.stdout.write(
                f"Secret {p.key} was not written: run `pulumi config set --secret {p.key} -s {stack_name}`\n"
            )
    sys.stdout.write(
        f"Created {where} from blueprint {blueprint} (kasbah {__version__}), stack {stack_name}.\n"
        "Next:\n"
        f"  cd {where}\n"
        f"  kasbah preview --stack {stack_name}          # offline, with Kasbah's policy packs\n"
        f"  pulumi stack init {stack_name} && pulumi preview   # with the real CLI (creates ./venv)\n"
    )
    return 0
