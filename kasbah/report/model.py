"""What every report format prints, built once from a preview and saved as JSON (version 2).

A :class:`StackReport` is built from a :class:`~kasbah.engine.PreviewResult` by
:func:`from_result`, written by :meth:`StackReport.to_json` and read back by
:func:`load_document`: every format (text, Markdown, SARIF, GitHub annotations, the PR
comment) renders from it, so ``kasbah render report.json --format sarif`` prints what
``kasbah preview --format sarif`` printed. A :class:`FleetReport` holds the reports of many
stacks (``kasbah preview --all``, or shards merged) and the stacks that failed.

Each violation is a :class:`Finding`: policy, severity and enforcement, the resource (type,
name, URN), where it lives (cloud, account or subscription, region), the detail (the message
without the URN and the fix), the remediation and references (from the pack's metadata, once
per policy), and where the program created the resource (the first frame in the repository)
with the component calls above it as related locations. The full message stays as
``message``. Findings a valid exemption hid are kept as ``suppressed``, with reason and expiry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kasbah.engine.model import (
    STACK_TYPE,
    PolicyDescription,
    PreviewResult,
    RecordedResource,
    SourcePosition,
    mask_text,
    mask_value,
)
from kasbah.errors import PreviewError

VERSION = 2
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "preview-v2.schema.json"
SEVERITY_ORDER = ("critical", "high", "medium", "low", "unspecified")
ENFORCEMENT_ORDER = ("mandatory", "advisory", "remediate", "disabled")


@dataclass(frozen=True)
class Place:
    """Where a resource lives: cloud, account or subscription (``default``: the stack's), region."""

    cloud: str
    account: str
    region: str

    def label(self) -> str:
        account = "stack account" if self.account == "default" else self.account
        return f"{self.cloud} · {account} · {self.region}"


@dataclass(frozen=True)
class Related:
    """A component call above the resource: where the program created that component."""

    position: SourcePosition
    urn: str
    label: str
    """``<type> '<name>'`` of the component."""


@dataclass(frozen=True)
class Suppression:
    """The exemption that hid a finding."""

    reason: str
    expires: str
    target: str


@dataclass(frozen=True)
class Finding:
    """One policy violation (or, with ``suppression``, one a valid exemption hid)."""

    policy: str
    pack: str
    urn: str
    type: str
    name: str
    enforcement: str
    severity: str
    message: str
    """The policy's full message (URN, detail, fix), secrets masked: the convenience form."""
    detail: str
    remediation: str = ""
    references: tuple[str, ...] = ()
    place: Place | None = None
    source: SourcePosition | None = None
    related: tuple[Related, ...] = ()
    suppression: Suppression | None = None

    @property
    def rule(self) -> str:
        """``pack/policy``: how people name the policy."""
        return f"{self.pack}/{self.policy}"

    @property
    def resource(self) -> str:
        """``type::name`` (the stack for a stack-level finding)."""
        return f"{self.type}::{self.name}" if self.name else self.type

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "policy": self.policy,
            "pack": self.pack,
            "urn": self.urn,
            "resource": {"type": self.type, "name": self.name},
            "location": (
                {"cloud": self.place.cloud, "account": self.place.account, "region": self.place.region}
                if self.place
                else None
            ),
            "enforcement": self.enforcement,
            "severity": self.severity,
            "detail": self.detail,
            "remediation": self.remediation,
            "references": list(self.references),
            "source": self.source.to_json() if self.source else None,
            "related": [{**r.position.to_json(), "urn": r.urn, "label": r.label} for r in self.related],
            "message": self.message,
        }
        if self.suppression is not None:
            data["suppression"] = {
                "reason": self.suppression.reason,
                "expires": self.suppression.expires,
                "target": self.suppression.target,
            }
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        loc = data.get("location")
        src = data.get("source")
        sup = data.get("suppression")
        resource = data.get("resource") or {}
        return cls(
            policy=str(data["policy"]),
            pack=str(data["pack"]),
            urn=str(data["urn"]),
            type=str(resource.get("type", "")),
            name=str(resource.get("name", "")),
            enforcement=str(data["enforcement"]),
            severity=str(data["severity"]),
            message=str(data["message"]),
            detail=str(data.get("detail", "")),
            remediation=str(data.get("remediation", "")),
            references=tuple(data.get("references") or ()),
            place=Place(str(loc["cloud"]), str(loc["account"]), str(loc["region"])) if loc else None,
            source=SourcePosition(str(src["file"]), int(src["line"])) if src else None,
            related=tuple(
                Related(SourcePosition(str(r["file"]), int(r["line"])), str(r["urn"]), str(r["label"]))
                for r in data.get("related") or ()
            ),
            suppression=Suppression(str(sup["reason"]), str(sup["expires"]), str(sup["target"]))
            if sup
            else None,
        )


def finding_order(f: Finding) -> tuple[int, int, str, str, str]:
    e = ENFORCEMENT_ORDER.index(f.enforcement) if f.enforcement in ENFORCEMENT_ORDER else 9
    s = SEVERITY_ORDER.index(f.severity) if f.severity in SEVERITY_ORDER else 9
    return (e, s, f.pack, f.policy, f.urn)


@dataclass
class StackReport:
    """One stack's preview as every format prints it (JSON version 2, ``kind: preview``)."""

    project: str
    stack: str
    stack_file: str
    """The stack's config file, relative to the repository root (stack-level findings point at it)."""
    resources: list[dict[str, Any]]
    outputs: dict[str, Any]
    policy_packs: list[tuple[str, str]]
    policies: list[PolicyDescription]
    findings: list[Finding]
    suppressed: list[Finding] = field(default_factory=list)
    remediations: list[dict[str, Any]] = field(default_factory=list)
    wire_outputs: dict[str, Any] | None = None

    @property
    def resource_count(self) -> int:
        """Resources the stack declares (providers included, the stack itself not): every format says this."""
        return sum(1 for r in self.resources if r["type"] != STACK_TYPE)

    @property
    def mandatory(self) -> list[Finding]:
        return [f for f in self.findings if f.enforcement == "mandatory"]

    @property
    def advisory(self) -> list[Finding]:
        return [f for f in self.findings if f.enforcement == "advisory"]

    @property
    def status(self) -> str:
        return "blocked" if self.mandatory else "passes"

    def policy(self, pack: str, policy: str) -> PolicyDescription | None:
        for p in self.policies:
            if p.pack == pack and p.policy == policy:
                return p
        return None

    def grouped(self) -> list[tuple[PolicyDescription, list[Finding]]]:
        """Findings grouped by policy, most serious first; each policy described once."""
        groups: dict[tuple[str, str, str], list[Finding]] = {}
        for f in sorted(self.findings, key=finding_order):
            groups.setdefault((f.enforcement, f.pack, f.policy), []).append(f)
        out = []
        for (enforcement, pack, policy), items in groups.items():
            desc = self.policy(pack, policy) or PolicyDescription(
                pack, policy, "", items[0].severity, enforcement, items[0].remediation, items[0].references
            )
            out.append((replace(desc, enforcement=enforcement, severity=items[0].severity), items))
        return out

    def summary(self) -> dict[str, int]:
        return {
            "resources": self.resource_count,
            "mandatory": len(self.mandatory),
            "advisory": len(self.advisory),
            "suppressed": len(self.suppressed),
        }

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": VERSION,
            "kind": "preview",
            "project": self.project,
            "stack": self.stack,
            "stack_file": self.stack_file,
            "resources": self.resources,
            "outputs": self.outputs,
            "policy_packs": [{"name": n, "version": v} for n, v in self.policy_packs],
            "policies": [p.to_json() for p in self.policies],
            "violations": [f.to_json() for f in sorted(self.findings, key=finding_order)],
            "suppressed": [f.to_json() for f in sorted(self.suppressed, key=finding_order)],
            "summary": self.summary(),
        }
        if self.remediations:
            data["remediations"] = self.remediations
        if self.wire_outputs is not None:
            data["wire_outputs"] = self.wire_outputs
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StackReport:
        return cls(
            project=str(data["project"]),
            stack=str(data["stack"]),
            stack_file=str(data.get("stack_file") or ""),
            resources=list(data.get("resources") or []),
            outputs=dict(data.get("outputs") or {}),
            policy_packs=[(str(p["name"]), str(p["version"])) for p in data.get("policy_packs") or []],
            policies=[
                PolicyDescription(
                    pack=str(p["pack"]),
                    policy=str(p["policy"]),
                    description=str(p.get("description", "")),
                    severity=str(p.get("severity", "unspecified")),
                    enforcement=str(p.get("enforcement", "advisory")),
                    remediation=str(p.get("remediation", "")),
                    references=tuple(p.get("references") or ()),
                    url=str(p.get("url", "")),
                )
                for p in data.get("policies") or []
            ],
            findings=[Finding.from_json(v) for v in data.get("violations") or []],
            suppressed=[Finding.from_json(v) for v in data.get("suppressed") or []],
            remediations=list(data.get("remediations") or []),
            wire_outputs=data.get("wire_outputs"),
        )


@dataclass(frozen=True)
class StackFailure:
    """A stack whose preview failed (exit 2): its one-line error and the program's frames."""

    stack: str
    error: str
    detail: str = ""
    exit_code: int = 2

    def to_json(self) -> dict[str, Any]:
        return {"stack": self.stack, "error": self.error, "detail": self.detail, "exit_code": self.exit_code}


@dataclass
class FleetReport:
    """Many stacks' reports (``kasbah preview --all``; shards merged): JSON version 2, ``kind: fleet``."""

    stacks: list[StackReport]
    failures: list[StackFailure] = field(default_factory=list)
    whole: bool = False
    """Render as a fleet even with one stack (``kasbah preview --all``: the same shape every time)."""

    @property
    def lone(self) -> StackReport | None:
        """The one stack of a single-stack report, which prints as that stack's report."""
        if len(self.stacks) == 1 and not self.failures and not self.whole:
            return self.stacks[0]
        return None

    @property
    def exit_code(self) -> int:
        """2 when a stack failed, else 1 when a stack has mandatory violations, else 0."""
        if self.failures:
            return max(f.exit_code for f in self.failures)
        return 1 if any(s.mandatory for s in self.stacks) else 0

    def summary(self) -> dict[str, int]:
        return {
            "stacks": len(self.stacks) + len(self.failures),
            "failed": len(self.failures),
            "blocked": sum(1 for s in self.stacks if s.mandatory),
            "resources": sum(s.resource_count for s in self.stacks),
            "mandatory": sum(len(s.mandatory) for s in self.stacks),
            "advisory": sum(len(s.advisory) for s in self.stacks),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "kind": "fleet",
            "stacks": [s.to_json() for s in sorted(self.stacks, key=lambda s: s.stack)],
            "failures": [f.to_json() for f in sorted(self.failures, key=lambda f: f.stack)],
            "summary": self.summary(),
        }

    @classmethod
    def merge(cls, parts: Iterable[FleetReport]) -> FleetReport:
        """Shards of a fleet (a workflow matrix) as one; a stack present twice is an error."""
        stacks: dict[str, StackReport] = {}
        failures: dict[str, StackFailure] = {}
        parts = list(parts)
        for part in parts:
            for s in part.stacks:
                if s.stack in stacks or s.stack in failures:
                    raise PreviewError(f"stack {s.stack} appears in two reports: merge each stack once")
                stacks[s.stack] = s
            for f in part.failures:
                if f.stack in stacks or f.stack in failures:
                    raise PreviewError(f"stack {f.stack} appears in two reports: merge each stack once")
                failures[f.stack] = f
        whole = len(parts) > 1 or any(p.whole for p in parts)
        return cls([stacks[k] for k in sorted(stacks)], [failures[k] for k in sorted(failures)], whole=whole)


def load_document(data: Any, where: str) -> FleetReport:
    """A saved report (one stack or a fleet, version 2) as a fleet; a wrong file is one clear error."""
    if not isinstance(data, Mapping) or data.get("version") != VERSION:
        found = data.get("version") if isinstance(data, Mapping) else type(data).__name__
        raise PreviewError(
            f"{where}: not a Kasbah report of version {VERSION} (found version {found!r}). "
            "Fix: write it with `kasbah preview --format json` of this Kasbah version."
        )
    try:
        if data.get("kind") == "fleet":
            return FleetReport(
                whole=True,
                stacks=[StackReport.from_json(s) for s in data.get("stacks") or []],
                failures=[
                    StackFailure(
                        str(f["stack"]), str(f["error"]), str(f.get("detail", "")), int(f.get("exit_code", 2))
                    )
                    for f in data.get("failures") or []
                ],
            )
        return FleetReport([StackReport.from_json(data)])
    except (KeyError, TypeError, ValueError) as exc:
        raise PreviewError(f"{where}: malformed Kasbah report ({type(exc).__name__}: {exc})") from None


def read_reports(paths: Sequence[str | Path]) -> FleetReport:
    """Saved reports (``--format json`` of ``preview`` or ``preview --all``) merged into one fleet."""
    parts = []
    for p in paths:
        path = Path(p)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PreviewError(f"{p}: cannot read the report ({exc.strerror or exc})") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PreviewError(f"{p}: not JSON ({exc.msg} at line {exc.lineno})") from None
        parts.append(load_document(data, str(p)))
    return FleetReport.merge(parts)


# --------------------------------------------------------------------------------------------------
# Building a report from a preview


def _sorted_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(v) for v in value]
    return value


def _detail(message: str, urn: str, remediation: str, description: str = "") -> str:
    """The message without the policy's description (pulumi-policy puts it first), the leading
    ``<urn>: `` and the trailing ``Fix: <remediation>``: what is wrong with this resource."""
    text = " ".join(message.split())
    desc = " ".join(description.split())
    if desc and text.startswith(desc + " "):
        text = text[len(desc) + 1 :]
    if urn and text.startswith(urn + ": "):
        text = text[len(urn) + 2 :]
    fix = " ".join(remediation.split())
    if fix and text.endswith(" Fix: " + fix):
        text = text[: -len(" Fix: " + fix)]
    return text.strip()


def _component_label(res: RecordedResource) -> str:
    return f"{res.type} '{res.name}'"


class _Resources:
    """Lookups over a preview's resources: by URN, ancestors, places."""

    def __init__(self, result: PreviewResult) -> None:
        from kasbah.graph import resources_of

        self.by_urn = {r.urn: r for r in result.resources}
        self.placed = {p.urn: p for p in resources_of(result)}

    def place(self, res: RecordedResource) -> Place | None:
        from kasbah.graph import location_of

        if not res.custom or res.type.startswith("pulumi:"):
            return None
        cloud, account, region = location_of(self.placed[res.urn], self.placed)
        return Place(cloud, account, region)

    def ancestors(self, res: RecordedResource) -> list[RecordedResource]:
        out = []
        cur = self.by_urn.get(res.parent or "")
        while cur is not None and cur.type != STACK_TYPE:
            out.append(cur)
            cur = self.by_urn.get(cur.parent or "")
        return out


def _finding(
    v: Any,
    resources: _Resources,
    policies: Mapping[tuple[str, str], PolicyDescription],
    stack_position: SourcePosition | None,
    secrets: frozenset[str],
    suppression: Suppression | None = None,
) -> Finding:
    desc = policies.get((v.pack, v.policy))
    res = resources.by_urn.get(v.urn)
    remediation = desc.remediation if desc else ""
    message = mask_text(v.message, secrets)
    if res is None or res.type == STACK_TYPE:
        return Finding(
            policy=v.policy,
            pack=v.pack,
            urn=v.urn,
            type=STACK_TYPE,
            name="",
            enforcement=getattr(v, "enforcement", desc.enforcement if desc else "advisory"),
            severity=getattr(v, "severity", desc.severity if desc else "unspecified"),
            message=message,
            detail=_detail(message, v.urn, remediation, desc.description if desc else ""),
            remediation=remediation,
            references=desc.references if desc else (),
            source=stack_position,
            suppression=suppression,
        )
    chain = resources.ancestors(res)
    source = res.source or next((a.source for a in chain if a.source), None) or stack_position
    related: list[Related] = []
    seen = {source}
    for comp in chain:
        if comp.source is not None and comp.source not in seen:
            seen.add(comp.source)
            related.append(Related(comp.source, comp.urn, _component_label(comp)))
    return Finding(
        policy=v.policy,
        pack=v.pack,
        urn=v.urn,
        type=res.type,
        name=res.name,
        enforcement=getattr(v, "enforcement", desc.enforcement if desc else "advisory"),
        severity=getattr(v, "severity", desc.severity if desc else "unspecified"),
        message=message,
        detail=_detail(message, v.urn, remediation, desc.description if desc else ""),
        remediation=remediation,
        references=desc.references if desc else (),
        place=resources.place(res),
        source=source,
        related=tuple(related),
        suppression=suppression,
    )


def from_result(result: PreviewResult, *, stack_file: str = "", wire_outputs: bool = False) -> StackReport:
    """The report of one preview. ``stack_file``: the stack's config file, relative to the repository."""
    secrets = result.secrets
    resources = []
    for r in result.resources:
        data = {k: v for k, v in r.to_json().items() if k in ("urn", "type", "name", "parent", "provider")}
        data["inputs"] = _sorted_keys(mask_value(r.inputs, secrets))
        data["options"] = _sorted_keys(r.options)
        data["source"] = r.source.to_json() if r.source else None
        resources.append(data)
    lookups = _Resources(result)
    policies = {(p.pack, p.policy): p for p in result.policies}
    stack_position = SourcePosition(stack_file, 1) if stack_file else None
    findings = [_finding(v, lookups, policies, stack_position, secrets) for v in result.violations]
    suppressed = []
    for e in result.exempted:
        desc = policies.get((e.pack, e.policy))
        suppressed.append(
            replace(
                _finding(
                    e, lookups, policies, stack_position, secrets, Suppression(e.reason, e.expires, e.target)
                ),
                enforcement=desc.enforcement if desc else "advisory",
                severity=desc.severity if desc else "unspecified",
            )
        )
    return StackReport(
        project=result.project,
        stack=result.stack,
        stack_file=stack_file,
        resources=resources,
        outputs=_sorted_keys(mask_value(result.outputs, secrets)),
        policy_packs=list(result.policy_packs),
        policies=sorted(result.policies, key=lambda p: (p.pack, p.policy)),
        findings=sorted(findings, key=finding_order),
        suppressed=sorted(suppressed, key=finding_order),
        remediations=[r.to_json() for r in result.remediations],
        wire_outputs=_sorted_keys(result.wire_outputs) if wire_outputs else None,
    )
