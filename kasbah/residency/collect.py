"""Collect the residency view: preview stacks, run the residency resolution, build the report model.

Each stack is previewed offline with the ``data-residency`` pack only (a bad residency
configuration is the same one-line exit-2 error as in ``kasbah preview``); the recorded
resources are then handed to the pack's own resolution (:mod:`policies.data_residency.assess`)
through a thin adapter that gives them the shape pulumi-policy gives stack policies (type,
plain inputs with unknowns kept, provider, property dependencies). The profile is the one the
pack receives for the stack: ``<stack>.data-residency.policy.json``, else ``<stack>.policy.json``,
reconciled with the schema defaults as the CLI does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kasbah.engine.model import (
    OUTPUT_SIG,
    RESOURCE_SIG,
    SECRET_SIG,
    SECRET_SIG_KEY,
    UNKNOWN_SENTINEL,
    PreviewResult,
    RecordedResource,
)
from kasbah.errors import PreviewError

PACK_DIR = Path(__file__).resolve().parents[2] / "policies" / "data_residency"
PACK_NAME = "data-residency"
PROFILE_POLICY = "residency-location"
"""The residency policy whose configuration is the stack's profile (the four carry the same schema)."""


def unwire(value: Any) -> Any:
    """Wire JSON -> the values a policy sees: secrets unwrapped, references as ids/URNs, unknowns kept."""
    if isinstance(value, dict):
        sig = value.get(SECRET_SIG_KEY)
        if sig == SECRET_SIG:
            return unwire(value.get("value"))
        if sig == RESOURCE_SIG:
            return value.get("id") or value.get("urn") or UNKNOWN_SENTINEL
        if sig == OUTPUT_SIG:
            return unwire(value["value"]) if "value" in value else UNKNOWN_SENTINEL
        return {k: unwire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwire(v) for v in value]
    return value


@dataclass
class Resource:
    """A recorded resource in the shape the residency resolution reads (pulumi-policy's PolicyResource)."""

    urn: str
    name: str
    resource_type: str
    props: dict[str, Any]
    provider: Resource | None = None
    property_dependencies: dict[str, list[Resource]] = field(default_factory=dict)


def adapt(resources: Sequence[RecordedResource]) -> list[Resource]:
    """The recorded resources, related to their providers and property dependencies."""
    by_urn = {r.urn: Resource(r.urn, r.name, r.type, unwire(r.wire)) for r in resources}
    for r in resources:
        res = by_urn[r.urn]
        res.provider = by_urn.get(r.provider) if r.provider else None
        res.property_dependencies = {
            prop: [by_urn[u] for u in urns if u in by_urn] for prop, urns in r.property_dependencies.items()
        }
    return [by_urn[r.urn] for r in resources if r.custom and not r.type.startswith("pulumi:providers:")]


def profile_config(root: Path, stack: str) -> dict[str, Any]:
    """The residency profile's configuration for a stack, reconciled as the CLI reconciles it."""
    from kasbah import analysis
    from kasbah.project import load_project

    project = load_project(root)
    pack = analysis.load_pack(PACK_DIR)
    given, where = analysis.load_policy_config(project.policy_config_for(stack, PACK_NAME))
    reconciled = analysis.reconcile(pack, given, where or "default profile")
    return dict(reconciled.get(PROFILE_POLICY, {}).get("properties") or {})


@dataclass
class StackView:
    stack: str
    project: str
    records: list[Any]
    accounts: dict[str, str]
    """URN -> the account, subscription, project or vCenter its provider targets."""
    mandatory: int


def account_of(resource: Resource) -> str:
    from kasbah.engine import clouds

    entry = clouds.cloud_for(resource.resource_type)
    inputs = resource.provider.props if resource.provider is not None else {}
    found = entry.account_of(inputs) if entry is not None else None
    return found or "stack's own"


def view_of(result: PreviewResult, config: Mapping[str, Any]) -> StackView:
    from policies.data_residency.assess import assess
    from policies.data_residency.profiles import profile_from_config
    from policies.data_residency.resolve import Stack
    from policies.framework import PolicyConfigError

    resources = adapt(result.resources)
    try:
        profile = profile_from_config(config, PROFILE_POLICY)
    except PolicyConfigError as exc:
        raise PreviewError(f"stack {result.stack}: {exc}") from None
    records = assess(Stack(resources, profile)).stores
    by_urn = {r.urn: r for r in resources}
    accounts = {rec.urn: account_of(by_urn[rec.urn]) for rec in records if rec.urn in by_urn}
    mandatory = sum(1 for v in result.violations if v.enforcement == "mandatory" and v.pack == PACK_NAME)
    return StackView(result.stack, result.project, records, accounts, mandatory)


def collect(root: Path, stacks: Iterable[str], progress: bool = False) -> list[StackView]:
    """Preview each stack with the residency pack and resolve where its data lives."""
    import sys

    from kasbah import engine

    views = []
    for name in stacks:
        if progress and sys.stderr.isatty():
            print(f"kasbah: previewing {name}...", file=sys.stderr)
        result = engine.preview(root, name, policy_packs=[PACK_DIR])
        views.append(view_of(result, profile_config(root, name)))
    return views
