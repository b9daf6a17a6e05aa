"""The text report: the resource tree, counts, outputs, then the violations grouped by policy.

Each policy is described once (description, fix, references) with the resources it fired on
under it, each with where the program created it and the component calls above. Plain text:
what a file or a pipe receives (the terminal view is :mod:`kasbah.ui`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from kasbah.engine.model import STACK_TYPE
from kasbah.report.model import Finding, StackReport


def where(f: Finding) -> str:
    """``file:line`` of the finding and, after it, the place (cloud · account · region)."""
    parts = [str(f.source)] if f.source else []
    if f.place:
        parts.append(f"[{f.place.label()}]")
    return "  ".join(parts)


def summary_line(report: StackReport) -> str:
    line = (
        f"{report.resource_count} resources, {len(report.mandatory)} mandatory violation(s), "
        f"{len(report.advisory)} advisory"
    )
    return line + (f", {len(report.suppressed)} exempted" if report.suppressed else "")


def _tree(report: StackReport, lines: list[str]) -> None:
    children: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for r in report.resources:
        children[r.get("parent")].append(r)
    places: dict[str, str] = {}
    from kasbah.graph import location_of, resources_of

    placed = {p.urn: p for p in resources_of({"resources": report.resources})}
    for r in report.resources:
        if r["type"].startswith("pulumi:") or r.get("provider") is None:
            continue
        _, account, region = location_of(placed[r["urn"]], placed)
        places[r["urn"]] = f"  [{'stack account' if account == 'default' else account} · {region}]"

    def walk(parent: str | None, depth: int) -> None:
        for r in sorted(children.get(parent, []), key=lambda x: (x["type"], x["name"])):
            marker = "+" if r["type"] != STACK_TYPE else " "
            lines.append(f"{'    ' * depth}{marker} {r['type']:<60} {r['name']}{places.get(r['urn'], '')}")
            walk(r["urn"], depth + 1)

    walk(None, 0)


def render_findings(report: StackReport, lines: list[str]) -> None:
    """The violations grouped by policy (and the exempted ones), appended to ``lines``."""
    for desc, items in report.grouped():
        noun = "resource" if len(items) == 1 else "resources"
        lines += [
            "",
            f"{desc.enforcement.upper()} · {desc.severity} · {desc.pack}/{desc.policy} ({len(items)} {noun})",
        ]
        if desc.description:
            lines.append(f"  {desc.description}")
        if desc.remediation:
            lines.append(f"  Fix: {desc.remediation}")
        if desc.references:
            lines.append(f"  References: {'; '.join(desc.references)}")
        for f in items:
            lines.append(f"  - {f.resource}  {where(f)}".rstrip())
            lines.append(f"      {f.detail or f.message}")
            for rel in f.related:
                lines.append(f"      created by {rel.label} at {rel.position}")
    if report.suppressed:
        lines += ["", f"Exempted ({len(report.suppressed)}):"]
        for f in report.suppressed:
            sup = f.suppression
            assert sup is not None
            lines.append(f"  - {f.rule} {f.resource}  {where(f)}".rstrip())
            lines.append(f"      exempted until {sup.expires} ({sup.target}): {sup.reason}")


def render_text(report: StackReport) -> str:
    lines: list[str] = [f"Previewing {report.project} (stack {report.stack}) offline", ""]
    _tree(report, lines)
    lines += ["", "Resources by type:"]
    counts = Counter(r["type"] for r in report.resources if r["type"] != STACK_TYPE)
    for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {n:>5}  {t}")
    if report.outputs:
        lines += ["", "Outputs:"]
        for k, v in sorted(report.outputs.items()):
            lines.append(f"  {k}: {json.dumps(v)}")
    if report.remediations:
        lines += ["", f"Remediated ({len(report.remediations)}):"]
        for rem in report.remediations:
            props = ", ".join(rem.get("properties") or []) or "no change"
            lines.append(f"  [{rem['pack']}/{rem['policy']}] {_short(str(rem['urn']))}: {props}")
    lines += ["", f"Policy packs: {', '.join(f'{n}@{v}' for n, v in report.policy_packs) or 'none'}"]
    render_findings(report, lines)
    lines += ["", summary_line(report)]
    return "\n".join(lines) + "\n"


def _short(urn: str) -> str:
    if not urn:
        return "(stack)"
    parts = urn.split("::")
    return f"{parts[2].split('$')[-1]}::{parts[-1]}" if len(parts) >= 4 else urn
