"""``kasbah docs [--check]``: regenerate every generated document, or fail listing the stale ones.

- Each ``blueprints/<bp>/README.md``, between the markers
  ``<!-- BEGIN GENERATED: <part> -->`` and ``<!-- END GENERATED: <part> -->``:

  - ``config``: the configuration table (key, type, default, description) from the
    ``Settings`` dataclass of ``blueprints/<bp>/settings.py``
    (:func:`components.settings.config_table_rows`);
  - ``outputs``: the stack outputs table, from ``OUTPUTS`` in the same file;
  - ``diagram`` (where the README has these markers): the Mermaid resource graph
    (:mod:`kasbah.graph`) of the blueprint's offline preview with the template's
    default configuration (``template.config`` in its Pulumi.yaml);
  - any part named in ``GENERATED_PARTS`` of the same settings.py (a dict of part name
    to a function returning its Markdown), where the README has its markers.

- ``POLICIES.md``: :func:`policies.docs.render_policies_md`.

``--check`` writes nothing and exits 1 listing the stale files and the command to run.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import yaml

from kasbah.errors import PreviewError

COMMAND = "kasbah docs"
REQUIRED_PARTS = ("config", "outputs", "diagram")
OPTIONAL_PARTS = ("diagram",)
_BLOCK = re.compile(
    r"(?P<begin><!-- BEGIN GENERATED: (?P<part>[\w-]+) -->)(?P<body>.*?)(?P<end><!-- END GENERATED: (?P=part) -->)",
    re.S,
)


def _repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@dataclass
class DocsReport:
    written: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@contextmanager
def load_settings(blueprint_dir: Path) -> Iterator[ModuleType]:
    """``blueprints/<bp>/settings.py`` as a module with a unique name, removed from sys.modules after."""
    path = blueprint_dir / "settings.py"
    name = "_kasbah_docs_settings_" + re.sub(r"\W", "_", blueprint_dir.name)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PreviewError(f"{path}: cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    before = set(sys.modules)
    sys.modules[name] = module  # dataclasses and typing.get_type_hints look the module up by name
    sys.path.insert(0, str(blueprint_dir))
    try:
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise PreviewError(f"{path}: failed to import: {type(exc).__name__}: {exc}") from None
        yield module
    finally:
        sys.modules.pop(name, None)
        inside = str(blueprint_dir.resolve()) + "/"
        for other in set(sys.modules) - before:  # sibling modules the settings imported
            if str(getattr(sys.modules[other], "__file__", None) or "").startswith(inside):
                del sys.modules[other]
        if str(blueprint_dir) in sys.path:
            sys.path.remove(str(blueprint_dir))


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def config_table(settings_cls: type) -> str:
    from components.settings import config_table_rows

    lines = ["| key | type | default | description |", "| --- | --- | --- | --- |"]
    for key, typ, default, desc in config_table_rows(settings_cls):
        shown = default if default in ("(required)", "see below") else f"`{_cell(default)}`"
        lines.append(f"| `{key}` | {_cell(typ)} | {shown} | {_cell(desc)} |")
    return "\n".join(lines)


def outputs_table(outputs: Mapping[str, str]) -> str:
    lines = ["| output | description |", "| --- | --- |"]
    lines += [f"| `{name}` | {_cell(desc)} |" for name, desc in outputs.items()]
    return "\n".join(lines)


def diagram(blueprint_dir: Path) -> str:
    """The Mermaid graph of the blueprint's offline preview with the template's defaults."""
    from kasbah import engine, graph
    from kasbah.templates import stack_config, template_prompts

    raw = yaml.safe_load((blueprint_dir / "Pulumi.yaml").read_text(encoding="utf-8")) or {}
    values = stack_config(template_prompts(raw), {})
    with tempfile.TemporaryDirectory(prefix="kasbah-docs-") as tmp:
        stack_file = Path(tmp) / "Pulumi.docs.yaml"
        stack_file.write_text(yaml.safe_dump({"config": values}), encoding="utf-8")
        result = engine.preview(blueprint_dir, "docs", config_file=stack_file, policy_packs=[])
    return "```mermaid\n" + graph.render(result, "mermaid").rstrip("\n") + "\n```"


def replace_blocks(text: str, parts: Mapping[str, str], source: str) -> str:
    def sub(m: re.Match[str]) -> str:
        part = m.group("part")
        if part not in parts:
            return m.group(0)
        note = f"<!-- generated by `{COMMAND}` from {source}: do not edit by hand -->"
        return f"{m.group('begin')}\n{note}\n{parts[part]}\n{m.group('end')}"

    return _BLOCK.sub(sub, text)


def render_readme(blueprint_dir: Path, text: str, report: DocsReport) -> str:
    readme = blueprint_dir / "README.md"
    present = {m.group("part") for m in _BLOCK.finditer(text)}
    missing = [p for p in REQUIRED_PARTS if p not in present]
    if missing:
        report.problems.append(
            f"{readme}: missing the markers "
            + ", ".join(f"<!-- BEGIN GENERATED: {p} -->/<!-- END GENERATED: {p} -->" for p in missing)
        )
    parts: dict[str, str] = {}
    with load_settings(blueprint_dir) as module:
        settings_cls = getattr(module, "Settings", None)
        outputs = getattr(module, "OUTPUTS", None)
        if settings_cls is None:
            report.problems.append(f"{blueprint_dir / 'settings.py'}: no `Settings` dataclass")
        else:
            parts["config"] = config_table(settings_cls)
        if not isinstance(outputs, dict):
            report.problems.append(f"{blueprint_dir / 'settings.py'}: no `OUTPUTS` dict")
        else:
            parts["outputs"] = outputs_table(outputs)
        for part, render in (getattr(module, "GENERATED_PARTS", None) or {}).items():
            if part in present:
                parts[part] = str(render())
    if "diagram" in present:
        parts["diagram"] = diagram(blueprint_dir)
    return replace_blocks(text, parts, f"blueprints/{blueprint_dir.name}")


def generated_files(root: Path, report: DocsReport) -> dict[Path, str]:
    """Every generated file and its expected content."""
    out: dict[Path, str] = {}
    for bp in sorted(p.parent for p in (root / "blueprints").glob("*/Pulumi.yaml")):
        readme = bp / "README.md"
        if not readme.exists():
            report.problems.append(f"{readme}: missing (every blueprint has a README)")
            continue
        if not (bp / "settings.py").exists():
            report.problems.append(f"{bp / 'settings.py'}: missing (the typed config the tables come from)")
            continue
        out[readme] = render_readme(bp, readme.read_text(encoding="utf-8"), report)
    if (root / "policies").is_dir():
        try:  # written by the policy packs' owners; imported lazily, by name
            policies_docs = importlib.import_module("policies.docs")
        except ImportError as exc:
            report.notes.append(f"POLICIES.md not generated: policies.docs cannot be imported ({exc})")
        else:
            out[root / "POLICIES.md"] = str(policies_docs.render_policies_md())
    return out


def run(root: Path, check: bool) -> DocsReport:
    report = DocsReport()
    for path, text in generated_files(root, report).items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if check:
            report.stale.append(path)
        else:
            path.write_text(text, encoding="utf-8")
            report.written.append(path)
    return report


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def cmd_docs(args: argparse.Namespace) -> int:
    root = Path(args.root).resolve()
    report = run(root, args.check)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    if args.check:
        if report.stale:
            print("stale generated docs:", file=sys.stderr)
            for p in report.stale:
                print(f"  {_rel(p, root)}", file=sys.stderr)
            print(f"run `{COMMAND}` to regenerate them", file=sys.stderr)
            return 1
        if not report.problems:
            print("generated docs are current")
    else:
        for p in report.written:
            print(f"wrote {_rel(p, root)}")
        if not report.written:
            print("generated docs were already current")
    return 1 if report.problems else 0


def register_cli(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("docs", help="regenerate the blueprint README tables and diagrams and POLICIES.md")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 listing stale files")
    p.add_argument("--root", default=str(_repo_root()), help="repository root (default: Kasbah's own)")
    p.set_defaults(func=cmd_docs)
