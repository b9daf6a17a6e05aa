"""Markdown tables of the policy library, for the azure-landing-zone README (``kasbah docs``).

Generated from the library itself (resolved with stand-in values for what only a deployment
knows), so the README cannot drift from what is assigned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from components.azure import policy_library as pl


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _effects(a: pl.ResolvedAssignment) -> str:
    seen: dict[str, int] = {}
    for m in a.members:
        e = {
            "deployifnotexists": "DeployIfNotExists",
            "auditifnotexists": "AuditIfNotExists",
            "denyaction": "DenyAction",
        }.get(m.effect, m.effect.capitalize())
        seen[e] = seen.get(e, 0) + 1
    if len(a.members) == 1:
        return next(iter(seen))
    return ", ".join(f"{e} x{n}" for e, n in sorted(seen.items()) if e != "Disabled")


def _definition(a: pl.ResolvedAssignment) -> str:
    kind = "initiative" if a.target_is_set else "definition"
    origin = "built-in" if a.builtin else "library"
    return f"{origin} {kind} `{a.target}`"


def assignments_table(
    lib: pl.Library, defaults: Mapping[str, Any], switches: Mapping[str, pl.PolicySwitch] | None = None
) -> str:
    """Every assignment, per management group (and at each landing-zone subscription)."""
    rows = [
        "| group | assignment | what it does | definition | effect | enforced |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    resolved: list[pl.ResolvedAssignment] = pl.resolve_groups(lib, "root", switches or {}, defaults)
    resolved += pl.resolve(lib, pl.SUBSCRIPTION_ARCHETYPE, None, "root", switches or {}, defaults)
    for a in resolved:
        where = a.archetype if a.group is not None else "each landing-zone subscription"
        rows.append(
            f"| {where} | `{a.name}` | {_cell(a.display_name)} | {_definition(a)} | {_effects(a)} | "
            f"{'yes' if a.enforcement is pl.Enforcement.DEFAULT else 'report only'} |"
        )
    return "\n".join(rows)


def remediation_table(lib: pl.Library, defaults: Mapping[str, Any]) -> str:
    """For each DeployIfNotExists or Modify assignment: what is remediated automatically and what is not."""
    rows = [
        "| assignment | remediated in every existing subscription at deployment | acts only on later creates and updates |",
        "| --- | --- | --- |",
    ]
    resolved = pl.resolve_groups(lib, "root", {}, defaults) + pl.resolve(
        lib, pl.SUBSCRIPTION_ARCHETYPE, None, "root", {}, defaults
    )
    seen: set[str] = set()
    for a in resolved:
        if not a.needs_identity or a.name in seen:
            continue
        seen.add(a.name)
        auto = {m.reference_id or m.definition.display_name for m in a.remediation_members()}
        rest = [
            m
            for m in a.members
            if m.may_remediate and (m.reference_id or m.definition.display_name) not in auto
        ]
        rows.append(
            f"| `{a.name}` | {_names(sorted(auto))} | {_names(sorted(m.reference_id or m.definition.display_name for m in rest))} |"
        )
    return "\n".join(rows)


def _names(items: Sequence[str]) -> str:
    if not items:
        return "none"
    if len(items) > 8:
        return f"{len(items)} members ({', '.join(items[:4])}, ...)"
    return ", ".join(_cell(i) for i in items)
