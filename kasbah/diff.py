"""``kasbah diff``: what a change does to a stack, at resource and property level.

The stack is previewed offline twice: at a base git revision (a worktree of that
ref in a temporary directory, same project subpath) and at the working tree.
Both previews run the *current* policy packs and the *current* policy config, so
only the program's change shows. The comparison itself is pure
(:func:`diff_previews` on the JSON form of two previews) and reports:

- added, removed and changed resources (by URN), with each changed property
  (a dotted path, JSON-in-string values such as IAM/SCP documents compared
  structurally) and its old and new values, secrets masked;
- renames: a removed and an added resource with the same type and name under a
  different parent chain. Pulumi deletes and creates such a resource unless the
  new one carries an alias to its old URN; an added resource whose alias names a
  removed one (``pulumi.Alias(name=...)``) is that resource, changed in place;
- policy violations the change introduces or fixes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kasbah.errors import PreviewError

STACK_TYPE = "pulumi:pulumi:Stack"
SECRET_MARK = "[secret]"
UNKNOWN_MARK = "[unknown]"
MAX_VALUE = 120
"""Longest value printed in a report; longer values are cut with an ellipsis."""
SET_LIKE = ("dependsOn", "ignoreChanges")
"""Lists compared as sets: the items added and removed, not index by index."""
MAX_PROPERTIES = 25
"""Changed properties listed per resource in the Markdown report (the PR comment)."""


# --------------------------------------------------------------------------------------------------
# Pure comparison


@dataclass(frozen=True)
class PropertyChange:
    path: str
    old: Any
    new: Any
    kind: str
    """``changed``, ``added`` (absent before) or ``removed`` (absent after)."""


@dataclass
class ResourceChange:
    urn: str
    type: str
    name: str
    properties: list[PropertyChange] = field(default_factory=list)


@dataclass(frozen=True)
class Rename:
    old_urn: str
    new_urn: str
    type: str
    name: str
    properties: tuple[PropertyChange, ...] = ()


@dataclass(frozen=True)
class ViolationKey:
    pack: str
    policy: str
    urn: str
    enforcement: str
    message: str


@dataclass
class StackDiff:
    project: str
    stack: str
    base_ref: str
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[ResourceChange] = field(default_factory=list)
    renamed: list[Rename] = field(default_factory=list)
    introduced: list[ViolationKey] = field(default_factory=list)
    fixed: list[ViolationKey] = field(default_factory=list)
    outputs: list[PropertyChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.renamed
            or self.introduced
            or self.fixed
            or self.outputs
        )


def _maybe_json(value: Any) -> Any:
    """Strings holding a JSON object or array (policy documents) are compared as structures."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def property_changes(old: Any, new: Any, path: str = "") -> list[PropertyChange]:
    """Leaf-level differences between two JSON values, as dotted paths (``a.b[2].c``)."""
    old, new = _maybe_json(old), _maybe_json(new)
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[PropertyChange] = []
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in old:
                out.append(PropertyChange(sub, None, new[key], "added"))
            elif key not in new:
                out.append(PropertyChange(sub, old[key], None, "removed"))
            else:
                out.extend(property_changes(old[key], new[key], sub))
        return out
    if isinstance(old, list) and isinstance(new, list) and path.endswith(SET_LIKE):
        gone = [PropertyChange(path, v, None, "removed") for v in old if v not in new]
        return gone + [PropertyChange(path, None, v, "added") for v in new if v not in old]
    if isinstance(old, list) and isinstance(new, list):
        out = []
        for i in range(max(len(old), len(new))):
            sub = f"{path}[{i}]"
            if i >= len(old):
                out.append(PropertyChange(sub, None, new[i], "added"))
            elif i >= len(new):
                out.append(PropertyChange(sub, old[i], None, "removed"))
            else:
                out.extend(property_changes(old[i], new[i], sub))
        return out
    return [PropertyChange(path or "(value)", old, new, "changed")]


def _resource_view(res: Mapping[str, Any]) -> dict[str, Any]:
    """What a resource change compares: inputs, options that matter, and the provider's name."""
    view: dict[str, Any] = {"inputs": res.get("inputs") or {}}
    options = {k: v for k, v in (res.get("options") or {}).items() if v not in (None, False, [], {})}
    if isinstance(options.get("dependsOn"), list):  # an order-free set of resources, shown short
        options["dependsOn"] = sorted(short_urn(str(u)) for u in options["dependsOn"])
    if options:
        view["options"] = options
    provider = res.get("provider")
    if provider:
        view["provider"] = str(provider).split("::")[-1]
    return view


def leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """``(dotted path, leaf value)`` pairs of a JSON value (JSON-in-string documents expanded)."""
    value = _maybe_json(value)
    if isinstance(value, dict) and value:
        return [
            pair for k in sorted(value, key=str) for pair in leaves(value[k], f"{path}.{k}" if path else k)
        ]
    if isinstance(value, list) and value:
        return [pair for i, v in enumerate(value) for pair in leaves(v, f"{path}[{i}]")]
    return [(path or "(value)", value)]


def _flatten_view(res: Mapping[str, Any]) -> list[PropertyChange]:
    view = _resource_view(res)
    return [
        PropertyChange(p.removeprefix("inputs."), None, v, "added")
        for p, v in leaves(view)
        if v not in ({}, [])
    ]


def _strip_inputs(changes: list[PropertyChange]) -> list[PropertyChange]:
    return [
        PropertyChange(c.path.removeprefix("inputs."), c.old, c.new, c.kind)
        for c in changes
        if c.path != "provider" or (c.old is not None and c.new is not None)
    ]


def _parent_chain_free(urn: str) -> tuple[str, str]:
    """``(type, name)`` of a URN, ignoring the parent chain in its qualified type."""
    parts = urn.split("::")
    if len(parts) < 4:
        return ("", urn)
    return (parts[2].split("$")[-1], parts[-1])


def _alias_urns(res: Mapping[str, Any]) -> list[str]:
    """The old URNs a resource's name aliases point at (same type and parent, another name)."""
    out: list[str] = []
    for alias in (res.get("options") or {}).get("aliases") or []:
        spec = alias.get("spec") if isinstance(alias, Mapping) else None
        if isinstance(alias, str):
            out.append(alias)
        elif (
            isinstance(spec, Mapping)
            and spec.get("name")
            and not spec.get("type")
            and not spec.get("parentUrn")
        ):
            out.append(str(res["urn"]).rsplit("::", 1)[0] + "::" + str(spec["name"]))
    return out


def _violation_keys(preview: Mapping[str, Any]) -> set[ViolationKey]:
    return {
        ViolationKey(
            str(v.get("pack", "")),
            str(v.get("policy", "")),
            str(v.get("urn", "")),
            str(v.get("enforcement", "")),
            " ".join(str(v.get("message", "")).split()),
        )
        for v in preview.get("violations") or []
        if v.get("enforcement") != "disabled"
    }


def diff_previews(base: Mapping[str, Any], head: Mapping[str, Any], base_ref: str = "base") -> StackDiff:
    """Compare two previews in the JSON form of :meth:`kasbah.engine.PreviewResult.to_json`.

    ``base`` may be an empty mapping (the stack did not exist at the base revision).
    """
    result = StackDiff(
        project=str(head.get("project", base.get("project", ""))),
        stack=str(head.get("stack", base.get("stack", ""))),
        base_ref=base_ref[:12] if re.fullmatch(r"[0-9a-f]{40}", base_ref) else base_ref,
    )
    old = {r["urn"]: r for r in base.get("resources") or [] if r.get("type") != STACK_TYPE}
    new = {r["urn"]: r for r in head.get("resources") or [] if r.get("type") != STACK_TYPE}

    for urn in sorted(set(old) & set(new)):
        changes = _strip_inputs(property_changes(_resource_view(old[urn]), _resource_view(new[urn])))
        if changes:
            r = new[urn]
            result.changed.append(ResourceChange(urn, str(r.get("type")), str(r.get("name")), changes))

    removed = sorted(set(old) - set(new))
    added = sorted(set(new) - set(old))
    for urn in list(added):  # aliased: Pulumi updates the old resource in place
        target = next((a for a in _alias_urns(new[urn]) if a in removed), None)
        if target is not None:
            removed.remove(target)
            added.remove(urn)
            changes = _strip_inputs(property_changes(_resource_view(old[target]), _resource_view(new[urn])))
            r = new[urn]
            result.changed.append(ResourceChange(urn, str(r.get("type")), str(r.get("name")), changes))
    by_identity: dict[tuple[str, str], list[str]] = {}
    for urn in added:
        by_identity.setdefault(_parent_chain_free(urn), []).append(urn)
    renamed_new: set[str] = set()
    for urn in removed:
        candidates = [u for u in by_identity.get(_parent_chain_free(urn), []) if u not in renamed_new]
        if len(candidates) == 1:
            target = candidates[0]
            renamed_new.add(target)
            typ, name = _parent_chain_free(urn)
            changes = _strip_inputs(property_changes(_resource_view(old[urn]), _resource_view(new[target])))
            result.renamed.append(Rename(urn, target, typ, name, tuple(changes)))
        else:
            result.removed.append(old[urn])
    result.added = [new[u] for u in added if u not in renamed_new]

    moved = {rn.old_urn: rn.new_urn for rn in result.renamed}
    old_v = {
        ViolationKey(
            v.pack, v.policy, moved.get(v.urn, v.urn), v.enforcement, v.message.replace(v.urn, moved[v.urn])
        )
        if v.urn in moved
        else v
        for v in _violation_keys(base)
    }
    new_v = _violation_keys(head)
    result.introduced = sorted(new_v - old_v, key=_vkey)
    result.fixed = sorted(old_v - new_v, key=_vkey)
    result.outputs = property_changes(base.get("outputs") or {}, head.get("outputs") or {})
    return result


def _vkey(v: ViolationKey) -> tuple[int, str, str, str]:
    return (0 if v.enforcement == "mandatory" else 1, v.pack, v.policy, v.urn)


# --------------------------------------------------------------------------------------------------
# Rendering


def short_urn(urn: str) -> str:
    """``type::name`` with the parent chain dropped (the stack for an empty URN)."""
    if not urn:
        return "(stack)"
    typ, name = _parent_chain_free(urn)
    return f"{typ}::{name}" if typ else urn


def parent_chain(urn: str) -> str:
    """The ancestor types of a URN (``a:b:C > d:e:F``), or ``(stack)``."""
    parts = urn.split("::")
    if len(parts) < 4:
        return "(stack)"
    chain = parts[2].split("$")[:-1]
    return " > ".join(chain) if chain else "(stack)"


def show_value(value: Any) -> str:
    """A value for a report: secrets stay masked, long values are cut."""
    if value is None:
        return "(none)"
    if value == SECRET_MARK:
        return SECRET_MARK
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = " ".join(text.split())
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _summary(d: StackDiff) -> str:
    return (
        f"{len(d.added)} to add, {len(d.changed)} to change, {len(d.removed)} to delete, "
        f"{len(d.renamed)} renamed (delete and create); "
        f"{len(d.introduced)} violation(s) introduced, {len(d.fixed)} fixed"
    )


RENAME_NOTE = (
    "Pulumi will delete and create it (the URN changes) unless the new resource declares an alias to the "
    "old URN: opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(parent=...)])"
)


def render_text(d: StackDiff) -> str:
    lines = [f"Changes to stack {d.stack} ({d.project}) against {d.base_ref}:", ""]
    lines += [f"  note: {n}" for n in d.notes]
    if d.empty:
        lines.append("  no change")
    for r in d.added:
        lines.append(f"  + {r['type']}  {r['name']}  (under {parent_chain(r['urn'])})")
        for prop in _flatten_view(r):
            lines.append(f"      {prop.path}: {show_value(prop.new)}")
    for c in d.changed:
        lines.append(f"  ~ {c.type}  {c.name}  (under {parent_chain(c.urn)})")
        for p in c.properties:
            lines.append(f"      {p.path}: {show_value(p.old)} => {show_value(p.new)}")
    for r in d.removed:
        lines.append(f"  - {r['type']}  {r['name']}  (under {parent_chain(r['urn'])})")
    for rn in d.renamed:
        lines.append(f"  +- {rn.type}  {rn.name}: moved from {parent_chain(rn.old_urn)}")
        lines.append(f"      to {parent_chain(rn.new_urn)}. {RENAME_NOTE}")
        for p in rn.properties:
            lines.append(f"      {p.path}: {show_value(p.old)} => {show_value(p.new)}")
    for o in d.outputs:
        lines.append(f"  output {o.path}: {show_value(o.old)} => {show_value(o.new)}")
    if d.introduced:
        lines += ["", "Violations introduced:"]
        for v in d.introduced:
            lines.append(
                f"  [{v.enforcement}] {v.pack}/{v.policy} {short_urn(v.urn)}: {show_value(v.message)}"
            )
    if d.fixed:
        lines += ["", "Violations fixed:"]
        for v in d.fixed:
            lines.append(
                f"  [{v.enforcement}] {v.pack}/{v.policy} {short_urn(v.urn)}: {show_value(v.message)}"
            )
    lines += ["", _summary(d)]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def render_markdown(d: StackDiff) -> str:
    out = [f"#### `{d.stack}`: changes against `{d.base_ref}`", "", f"**{_summary(d)}**", ""]
    out += [f"> {n}" for n in d.notes]
    if d.notes:
        out.append("")
    if d.empty:
        return "\n".join([*out, "No change.", ""])
    rows: list[str] = []
    for r in d.added:
        n = len(_flatten_view(r))
        rows.append(f"| 🟢 add | `{r['type']}` | `{r['name']}` | {f'{n} properties' if n else 'component'} |")
    for c in d.changed:
        shown = [
            f"`{_md(p.path)}`: `{_md(show_value(p.old))}` → `{_md(show_value(p.new))}`"
            for p in c.properties[:MAX_PROPERTIES]
        ]
        if len(c.properties) > MAX_PROPERTIES:
            shown.append(f"… and {len(c.properties) - MAX_PROPERTIES} more (see `kasbah diff` output)")
        detail = "<br>".join(shown)
        rows.append(f"| ✏️ change | `{c.type}` | `{c.name}` | {detail} |")
    for r in d.removed:
        rows.append(f"| 🔴 delete | `{r['type']}` | `{r['name']}` | under {_md(parent_chain(r['urn']))} |")
    for rn in d.renamed:
        rows.append(
            f"| ♻️ rename (delete + create) | `{rn.type}` | `{rn.name}` | from {_md(parent_chain(rn.old_urn))} "
            f"to {_md(parent_chain(rn.new_urn))}: {_md(RENAME_NOTE)} |"
        )
    if rows:
        out += ["| action | type | name | details |", "|---|---|---|---|", *rows, ""]
    if d.outputs:
        out += ["Outputs: " + "; ".join(f"`{_md(o.path)}`" for o in d.outputs), ""]
    for title, items in (("Violations introduced", d.introduced), ("Violations fixed", d.fixed)):
        if items:
            out += [f"**{title}**", "", "| enforcement | policy | resource | message |", "|---|---|---|---|"]
            out += [
                f"| {v.enforcement} | `{v.pack}/{v.policy}` | `{short_urn(v.urn)}` | {_md(show_value(v.message))} |"
                for v in items
            ]
            out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------------
# Running the two previews

_SIDE = """
import json, os, sys
args = json.loads(sys.argv[1])
sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]
import kasbah.engine, kasbah.analysis, policies  # the current engine and packs, first
if args["code_root"]:
    sys.path.insert(0, args["code_root"])  # the revision's own components (its root program picks its blueprints)
from kasbah.errors import PreviewError
try:
    r = kasbah.engine.preview(args["project"], args["stack"], config_file=args["config_file"],
                              policy_packs=args["packs"], policy_config=args["policy_config"])
    data = r.to_json()
except PreviewError as err:
    data = {"error": err.message, "detail": err.detail}
with open(args["out"], "w", encoding="utf-8") as fh:
    json.dump(data, fh)
"""


def _git(cwd: Path, *args: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise PreviewError("kasbah diff needs git on PATH") from None
    if proc.returncode != 0:
        msg = (proc.stderr.strip().splitlines() or ["git failed"])[-1]
        raise PreviewError(f"git {' '.join(args)}: {msg}")
    return proc.stdout.strip()


def resolve_commit(directory: Path, ref: str) -> str:
    """The commit a ref names, or a one-line error."""
    top = _git(directory, "rev-parse", "--show-toplevel")
    try:
        return _git(directory, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except PreviewError:
        raise PreviewError(f"--base {ref}: not a commit of the git repository at {top}") from None


@contextmanager
def base_worktree(project_dir: Path, ref: str) -> Iterator[tuple[Path, Path]]:
    """A detached worktree of ``ref``; yields (worktree root, project dir inside it)."""
    top = Path(_git(project_dir, "rev-parse", "--show-toplevel")).resolve()
    commit = resolve_commit(top, ref)
    sub = project_dir.resolve().relative_to(top)
    tmp = Path(tempfile.mkdtemp(prefix="kasbah-diff-"))
    tree = tmp / "base"
    _git(top, "worktree", "add", "--detach", str(tree), commit)
    try:
        yield tree, tree / sub
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(tree)], cwd=top, capture_output=True, check=False
        )
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(["git", "worktree", "prune"], cwd=top, capture_output=True, check=False)


def _is_kasbah_checkout(root: Path) -> bool:
    return (root / "components" / "__init__.py").exists() and (root / "kasbah" / "engine.py").exists()


def preview_json(
    project: Path,
    stack: str,
    *,
    packs: Sequence[str] | None,
    policy_config: str | Mapping[str, Any],
    config_file: str | None = None,
    code_root: Path | None = None,
    where: str,
) -> dict[str, Any]:
    """Preview in a fresh interpreter (clean module state) and return the JSON form."""
    with tempfile.TemporaryDirectory(prefix="kasbah-side-") as tmp:
        out = Path(tmp) / "preview.json"
        args = {
            "project": str(project),
            "stack": stack,
            "config_file": config_file,
            "packs": list(packs) if packs is not None else None,
            "policy_config": policy_config,
            "code_root": str(code_root) if code_root else None,
            "out": str(out),
        }
        env = dict(os.environ)
        env["KASBAH_STACK_CHAIN"] = ""
        proc = subprocess.run(
            [sys.executable, "-c", _SIDE, json.dumps(args)],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if not out.exists():
            tail = "\n".join(proc.stderr.strip().splitlines()[-12:])
            raise PreviewError(f"{where}: the preview crashed (exit {proc.returncode})", detail=tail)
        data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    if "error" in data:
        raise PreviewError(f"{where}: {data['error']}", detail=str(data.get("detail") or ""))
    return data


def run_diff(
    project_dir: str | Path,
    stack: str | None,
    base_ref: str,
    *,
    policy_packs: Sequence[str] | None = None,
) -> StackDiff:
    from kasbah.engine import default_stack
    from kasbah.project import load_project

    head_dir = Path(project_dir).resolve()
    project = load_project(head_dir)
    stack = stack or default_stack(project)
    if not project.stack_file(stack).exists():
        known = ", ".join(project.stacks()) or "none"
        raise PreviewError(f"unknown stack '{stack}' in {head_dir} (stacks: {known})")
    current_policy = project.policy_config_for(stack)
    policy_config: str | dict[str, Any] = str(current_policy) if current_policy else {}
    packs = [str(Path(p).resolve()) for p in policy_packs] if policy_packs is not None else None

    resolve_commit(head_dir, base_ref)  # a bad ref fails before any preview
    head = preview_json(
        head_dir,
        stack,
        packs=packs,
        policy_config=policy_config,
        code_root=None,
        where=f"working tree, stack {stack}",
    )
    notes: list[str] = []
    with base_worktree(head_dir, base_ref) as (tree, base_dir):
        base_project_file = base_dir / "Pulumi.yaml"
        base_stack_file = None
        if base_project_file.exists():
            base_stack_file = load_project(base_dir).stack_file(stack)
        if base_stack_file is None or not base_stack_file.exists():
            notes.append(f"stack {stack} does not exist at {base_ref}: every resource is new")
            base: dict[str, Any] = {}
        else:
            base = preview_json(
                base_dir,
                stack,
                packs=packs,
                policy_config=policy_config,
                code_root=tree if _is_kasbah_checkout(tree) else None,
                where=f"{base_ref}, stack {stack}",
            )
    result = diff_previews(base, head, base_ref)
    result.notes = notes
    return result


def cmd_diff(args: argparse.Namespace) -> int:
    d = run_diff(args.project_dir, args.stack, args.base, policy_packs=args.policy_pack)
    text = render_markdown(d) if args.format == "markdown" else render_text(d)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def register_cli(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "diff",
        help="what a change does to a stack: offline preview at a git ref and at the working tree, compared",
    )
    p.add_argument("project_dir", nargs="?", default=".", help="directory holding Pulumi.yaml (default: .)")
    p.add_argument("--stack", "-s", help="stack name (default: as for `kasbah preview`)")
    p.add_argument("--base", required=True, metavar="GIT_REF", help="the revision to compare against")
    p.add_argument(
        "--policy-pack", action="append", metavar="DIR", help="policy pack directory (default: Kasbah's)"
    )
    p.add_argument("--format", "-f", choices=("text", "markdown"), default="text")
    p.set_defaults(func=cmd_diff)
