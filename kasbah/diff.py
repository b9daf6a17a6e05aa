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

import dataclasses
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
from typing import TYPE_CHECKING, Any

from kasbah.errors import PreviewError

if TYPE_CHECKING:
    from kasbah.report.markdown import Links

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
    source: dict[str, Any] | None = None
    """Where the program creates it (``{"file", "line"}``), from the working tree's report."""


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
    detail: str = field(default="", compare=False)
    """What is wrong (the report's ``detail``): what the reports print; identity is the message."""


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
    """What a resource change compares: inputs, options that matter, and the provider's name.

    Aliases are left out: they change no property (the SDK adds type aliases to many resources,
    as ``aws.s3.Bucket`` to ``BucketV2``) and the comparison already follows them."""
    view: dict[str, Any] = {"inputs": res.get("inputs") or {}}
    options = {
        k: v
        for k, v in (res.get("options") or {}).items()
        if v not in (None, False, [], {}) and k != "aliases"
    }
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
            " ".join(str(v.get("detail", "")).split()),
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
            result.changed.append(
                ResourceChange(urn, str(r.get("type")), str(r.get("name")), changes, r.get("source"))
            )

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
            v.pack,
            v.policy,
            moved.get(v.urn, v.urn),
            v.enforcement,
            v.message.replace(v.urn, moved[v.urn]),
            v.detail,
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


DIFF_VERSION = 1


def diff_to_json(d: StackDiff) -> dict[str, Any]:
    """A stack diff as JSON (``kasbah diff --format json``), read back by :func:`diff_from_json`."""
    data = dataclasses.asdict(d)
    data["summary"] = {
        "added": len(d.added),
        "changed": len(d.changed),
        "removed": len(d.removed),
        "renamed": len(d.renamed),
        "introduced": len(d.introduced),
        "fixed": len(d.fixed),
    }
    return data


def diff_from_json(data: Mapping[str, Any]) -> StackDiff:
    def props(items: Any) -> list[PropertyChange]:
        return [
            PropertyChange(str(p["path"]), p.get("old"), p.get("new"), str(p["kind"])) for p in items or []
        ]

    def keys(items: Any) -> list[ViolationKey]:
        return [
            ViolationKey(**{k: str(v[k]) for k in ("pack", "policy", "urn", "enforcement", "message")})
            for v in items or []
        ]

    return StackDiff(
        project=str(data.get("project", "")),
        stack=str(data["stack"]),
        base_ref=str(data.get("base_ref", "")),
        added=list(data.get("added") or []),
        removed=list(data.get("removed") or []),
        changed=[
            ResourceChange(
                str(c["urn"]), str(c["type"]), str(c["name"]), props(c.get("properties")), c.get("source")
            )
            for c in data.get("changed") or []
        ],
        renamed=[
            Rename(
                str(r["old_urn"]),
                str(r["new_urn"]),
                str(r["type"]),
                str(r["name"]),
                tuple(props(r.get("properties"))),
            )
            for r in data.get("renamed") or []
        ],
        introduced=keys(data.get("introduced")),
        fixed=keys(data.get("fixed")),
        outputs=props(data.get("outputs")),
        notes=[str(n) for n in data.get("notes") or []],
    )


def diffs_document(diffs: Sequence[StackDiff]) -> dict[str, Any]:
    return {"version": DIFF_VERSION, "kind": "diff", "diffs": [diff_to_json(d) for d in diffs]}


def read_diffs(paths: Sequence[str | Path]) -> list[StackDiff]:
    """Saved ``kasbah diff --format json`` outputs (one stack or many), in stack order."""
    out: dict[str, StackDiff] = {}
    for p in paths:
        try:
            data = json.loads(Path(p).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise PreviewError(f"{p}: cannot read the diff ({exc})") from None
        if not isinstance(data, dict) or data.get("kind") != "diff" or data.get("version") != DIFF_VERSION:
            raise PreviewError(f"{p}: not a Kasbah diff (write it with `kasbah diff --format json`)")
        for item in data.get("diffs") or []:
            d = diff_from_json(item)
            out[d.stack] = d
    return [out[k] for k in sorted(out)]


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


def where(source: Any) -> str:
    """``  at file:line`` of a resource that knows where the program creates it."""
    if isinstance(source, Mapping) and source.get("file"):
        return f"  at {source['file']}:{source.get('line')}"
    return ""


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
        lines.append(
            f"  + {r['type']}  {r['name']}  (under {parent_chain(r['urn'])}){where(r.get('source'))}"
        )
        for prop in _flatten_view(r):
            lines.append(f"      {prop.path}: {show_value(prop.new)}")
    for c in d.changed:
        lines.append(f"  ~ {c.type}  {c.name}  (under {parent_chain(c.urn)}){where(c.source)}")
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
                f"  [{v.enforcement}] {v.pack}/{v.policy} {short_urn(v.urn)}: {show_value(v.detail or v.message)}"
            )
    if d.fixed:
        lines += ["", "Violations fixed:"]
        for v in d.fixed:
            lines.append(
                f"  [{v.enforcement}] {v.pack}/{v.policy} {short_urn(v.urn)}: {show_value(v.detail or v.message)}"
            )
    lines += ["", _summary(d)]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def _md_at(source: Any, links: Links | None) -> str:
    """```file:line``` of a resource, linked to the line on the web when ``links`` knows where."""
    if not (isinstance(source, Mapping) and source.get("file")):
        return ""
    from kasbah.engine.model import SourcePosition

    pos = SourcePosition(str(source["file"]), int(source.get("line") or 0))
    return links.source(pos) if links is not None else f"`{pos.file}:{pos.line}`"


def render_markdown(d: StackDiff, links: Links | None = None) -> str:
    """The PR comment's block of changes; ``links`` turns source lines into links (GitHub Actions)."""
    out = [f"#### `{d.stack}`: changes against `{d.base_ref}`", "", f"**{_summary(d)}**", ""]
    out += [f"> {n}" for n in d.notes]
    if d.notes:
        out.append("")
    if d.empty:
        return "\n".join([*out, "No change.", ""])
    rows: list[str] = []
    for r in d.added:
        n = len(_flatten_view(r))
        at = f" at {_md_at(r.get('source'), links)}" if r.get("source") else ""
        rows.append(
            f"| 🟢 add | `{r['type']}` | `{r['name']}` | {f'{n} properties' if n else 'component'}{at} |"
        )
    for c in d.changed:
        shown = [
            f"`{_md(p.path)}`: `{_md(show_value(p.old))}` → `{_md(show_value(p.new))}`"
            for p in c.properties[:MAX_PROPERTIES]
        ]
        if len(c.properties) > MAX_PROPERTIES:
            shown.append(f"… and {len(c.properties) - MAX_PROPERTIES} more (see `kasbah diff` output)")
        detail = "<br>".join(shown)
        at = f"at {_md_at(c.source, links)}<br>" if c.source else ""
        rows.append(f"| ✏️ change | `{c.type}` | `{c.name}` | {at}{detail} |")
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
                f"| {v.enforcement} | `{v.pack}/{v.policy}` | `{short_urn(v.urn)}` | {_md(show_value(v.detail or v.message))} |"
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
import kasbah.engine, kasbah.analysis, kasbah.report, policies  # the current engine and packs, first
if args["code_root"]:
    sys.path.insert(0, args["code_root"])  # the revision's own components (its root program picks its blueprints)
from kasbah.errors import PreviewError
try:
    if args["policy_config_of"]:  # the working tree's files, per pack, as a preview of it reads them
        from kasbah.project import load_project
        head = load_project(args["policy_config_of"])
        packs = kasbah.analysis.load_packs(args["kwargs"]["policy_packs"])
        found = [head.policy_config_for(args["stack"], p.name) for p in packs]
        args["kwargs"]["policy_config"] = [str(f) if f else None for f in found]
    r = kasbah.engine.preview(args["project"], args["stack"], **args["kwargs"])
    data = kasbah.report.from_result(r).to_json()
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
    engine = root / "kasbah" / "engine"
    return (root / "components" / "__init__.py").exists() and (
        (engine / "__init__.py").exists() or engine.with_suffix(".py").exists()
    )


def preview_json(
    project: Path,
    stack: str,
    *,
    packs: Sequence[str] | None,
    policy_config: Any,
    config_file: str | None = None,
    code_root: Path | None = None,
    policy_config_of: Path | None = None,
    where: str,
    engine_kwargs: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Preview in a fresh interpreter (clean module state) and return the report's JSON form.

    ``policy_config_of``: a project whose stack policy files configure the packs (per pack,
    ``<stack>.<pack>.policy.json`` else ``<stack>.policy.json``), in place of ``policy_config``."""
    with tempfile.TemporaryDirectory(prefix="kasbah-side-") as tmp:
        out = Path(tmp) / "preview.json"
        args = {
            "project": str(project),
            "stack": stack,
            "kwargs": {
                **dict(engine_kwargs or {}),
                "config_file": config_file,
                "policy_packs": list(packs) if packs is not None else None,
                "policy_config": policy_config,
            },
            "code_root": str(code_root) if code_root else None,
            "policy_config_of": str(policy_config_of) if policy_config_of else None,
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
    policy_config: Any = None,
    engine_kwargs: Mapping[str, Any] | None = None,
    head: Mapping[str, Any] | None = None,
    progress: Any = None,
) -> StackDiff:
    """Compare a stack at ``base_ref`` with the working tree (or with ``head``, its saved report).

    Both sides run the current policy packs and the current policy configuration (by default
    the working tree's stack policy file), so only the program's change shows."""
    from kasbah.engine import default_stack
    from kasbah.project import load_project

    head_dir = Path(project_dir).resolve()
    project = load_project(head_dir)
    stack = stack or default_stack(project)
    if not project.stack_file(stack).exists():
        known = ", ".join(project.stacks()) or "none"
        raise PreviewError(f"unknown stack '{stack}' in {head_dir} (stacks: {known})")
    # By default both sides read the working tree's stack policy files (per pack, as a preview does).
    config_of = head_dir if policy_config is None else None
    if isinstance(policy_config, str):
        policy_config = str(Path(policy_config).resolve())
    elif isinstance(policy_config, list):
        policy_config = [str(Path(p).resolve()) for p in policy_config]
    packs = [str(Path(p).resolve()) for p in policy_packs] if policy_packs is not None else None
    kwargs = dict(engine_kwargs or {})
    config_file = kwargs.pop("config_file", None)
    config_file = str(Path(config_file).resolve()) if config_file else None

    def step(name: str) -> None:
        if progress is not None:
            progress.phase(name, None, stack)

    resolve_commit(head_dir, base_ref)  # a bad ref fails before any preview
    if head is None:
        step("preview (working tree)")
        head = preview_json(
            head_dir,
            stack,
            packs=packs,
            policy_config=policy_config,
            config_file=config_file,
            code_root=None,
            policy_config_of=config_of,
            where=f"working tree, stack {stack}",
            engine_kwargs=kwargs,
        )
    step(f"preview ({base_ref[:12]})")
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
                config_file=config_file,
                code_root=tree if _is_kasbah_checkout(tree) else None,
                policy_config_of=config_of,
                where=f"{base_ref}, stack {stack}",
                engine_kwargs=kwargs,
            )
    step("compare")
    result = diff_previews(base, head, base_ref)
    result.notes = notes
    return result


def introduces_mandatory(d: StackDiff) -> bool:
    return any(v.enforcement == "mandatory" for v in d.introduced)


def render_diffs(diffs: Sequence[StackDiff], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(diffs_document(diffs), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        from kasbah.report.markdown import Links

        links = Links.from_env()
        return "\n".join(render_markdown(d, links) for d in diffs)
    return "\n".join(render_text(d) for d in diffs)


def run_diff_command(
    opts: Any, targets: Sequence[Any], base: str, head_report: str | None, all_stacks: bool
) -> int:
    """``kasbah diff``: exit 1 when the change introduces mandatory violations."""
    from kasbah import ui
    from kasbah.cli import write_text
    from kasbah.engine import default_stack
    from kasbah.project import load_project
    from kasbah.report import read_reports

    project = load_project(opts.project_dir)
    if all_stacks and (opts.stack or opts.config_file):
        raise PreviewError("--all compares every stack: drop --stack and --config-file")
    stacks = project.stacks() if all_stacks else [opts.stack or default_stack(project)]
    heads: dict[str, dict[str, Any]] = {}
    if head_report:
        fleet = read_reports([head_report])
        heads = {s.stack: s.to_json() for s in fleet.stacks}
        if all_stacks:  # the stacks the report holds (a shard of a CI matrix), failed ones left out
            stacks = sorted(heads)
        missing = [s for s in stacks if s not in heads]
        if missing:
            raise PreviewError(f"--report {head_report}: no preview of stack {', '.join(missing)} in it")
    kwargs = opts.engine_kwargs()
    packs = kwargs.pop("policy_packs")
    policy_config = kwargs.pop("policy_config")
    diffs = []
    stderr = ui.console(opts.color, sys.stderr)
    with ui.Phases(stderr if stderr.is_terminal else None) as phases:
        for stack in sorted(stacks):
            diffs.append(
                run_diff(
                    project.dir,
                    stack,
                    base,
                    policy_packs=packs,
                    policy_config=policy_config,
                    engine_kwargs=kwargs,
                    head=heads.get(stack),
                    progress=phases,
                )
            )
    for t in targets:
        write_text(render_diffs(diffs, t.format), t.output)
    return 1 if any(introduces_mandatory(d) for d in diffs) else 0
