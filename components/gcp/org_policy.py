"""``kasbah:gcp:OrgPolicies``: the organization policies of ``org_policies.json``, on the root.

The policies are data in the Organization Policy API v2 format (``Policy.spec.rules``,
https://cloud.google.com/resource-manager/docs/reference/orgpolicy/rest/v2/organizations.policies);
:func:`render` fills the placeholders from configuration and :func:`to_pulumi` turns a rule into
``gcp.orgpolicy.Policy``'s shape (booleans become the strings ``"TRUE"``/``"FALSE"`` the provider takes,
https://www.pulumi.com/registry/packages/gcp/api-docs/orgpolicy/policy/). A policy's name is
``<root>/policies/<constraint>`` on an organization or a folder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.common import CommonArgs
from components.errors import ConfigError
from components.gcp import naming
from components.gcp.gcp_data import APPROVED_REGIONS, org_policy_library


@dataclass(frozen=True)
class OrgPolicySpec:
    """Organization policies (``kasbah:orgPolicies``)."""

    member_customer_ids: list[str] = field(default_factory=list)
    """Cloud Identity customer ids whose principals may be granted IAM roles
    (``iam.allowedPolicyMemberDomains``). Default: the organization's own directory customer id."""
    contact_domains: list[str] = field(default_factory=list)
    """Domains essential contacts may use (``essentialcontacts.allowedContactDomains``). Default: the
    organization's domain."""
    disabled: list[str] = field(default_factory=list)
    """Constraints of the library not to set (e.g. ``compute.vmExternalIpAccess`` where VMs need public
    IPs). Default: none."""


def library() -> dict[str, dict[str, Any]]:
    """Constraint -> its entry in ``org_policies.json``."""
    policies: dict[str, dict[str, Any]] = org_policy_library()["policies"]
    return policies


def validate_org_policies(key: str, spec: OrgPolicySpec) -> None:
    known = library()
    for i, c in enumerate(spec.disabled):
        if c not in known:
            raise ConfigError(
                f"{key}.disabled[{i}]",
                f"{c!r} is not in the library",
                f"use one of {', '.join(sorted(known))}",
            )
    for i, cid in enumerate(spec.member_customer_ids):
        naming.validate_customer_id(f"{key}.memberCustomerIds[{i}]", cid)
    for i, domain in enumerate(spec.contact_domains):
        naming.validate_domain(f"{key}.contactDomains[{i}]", domain)


def location_values(regions: Sequence[str]) -> list[str]:
    """The ``gcp.resourceLocations`` values of some regions: their value groups (``in:<region>-locations``,
    the region and its zones: https://cloud.google.com/resource-manager/docs/organization-policy/defining-locations)."""
    return [f"in:{r}-locations" for r in regions]


def render(
    constraint: str,
    entry: Mapping[str, Any],
    *,
    regions: Sequence[str] = APPROVED_REGIONS,
    customer_ids: Sequence[str],
    contact_domains: Sequence[str],
) -> list[dict[str, Any]]:
    """The policy's rules with the placeholders filled (pure)."""
    fills = {
        "{locations}": location_values(regions),
        "{member_customer_ids}": [f"is:{c}" for c in customer_ids],
        "{contact_domains}": [f"@{d}" for d in contact_domains],
    }
    rules: list[dict[str, Any]] = []
    for rule in entry["rules"]:
        out = dict(rule)
        values = rule.get("values")
        if values is not None:
            out["values"] = {
                kind: [v for item in items for v in fills.get(item, [item])] for kind, items in values.items()
            }
        rules.append(out)
    return rules


def to_pulumi(rule: Mapping[str, Any]) -> dict[str, Any]:
    """One v2 rule in ``gcp.orgpolicy.PolicySpecRuleArgs``' shape."""
    out: dict[str, Any] = {}
    for src, dst in (("enforce", "enforce"), ("allowAll", "allow_all"), ("denyAll", "deny_all")):
        if src in rule:
            out[dst] = "TRUE" if rule[src] else "FALSE"
    values = rule.get("values")
    if values is not None:
        out["values"] = {
            dst: list(values[src])
            for src, dst in (("allowedValues", "allowed_values"), ("deniedValues", "denied_values"))
            if values.get(src)
        }
    return out


@dataclass(frozen=True)
class OrgPoliciesArgs:
    """Inputs of :class:`OrgPolicies`."""

    spec: OrgPolicySpec
    """Switches and values (the blueprint's ``kasbah:orgPolicies``). Required."""
    root: str
    """``organizations/<id>`` or ``folders/<id>``. Required."""
    customer_ids: Sequence[str]
    """Customer ids allowed as IAM members (resolved: config, else the organization's). Required."""
    contact_domains: Sequence[str]
    """Domains allowed for essential contacts (resolved). Required."""
    regions: Sequence[str] = APPROVED_REGIONS
    """Allowed regions (``gcp.resourceLocations``). Default: the approved regions."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix. Default: ``CommonArgs()``."""


class OrgPolicies(pulumi.ComponentResource):
    """One ``gcp.orgpolicy.Policy`` per enabled constraint of the library."""

    policies: dict[str, gcp.orgpolicy.Policy]

    def __init__(self, name: str, args: OrgPoliciesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kasbah:gcp:OrgPolicies", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.policies = {}
        for constraint, entry in sorted(library().items()):
            if constraint in args.spec.disabled:
                continue
            rules = render(
                constraint,
                entry,
                regions=args.regions,
                customer_ids=args.customer_ids,
                contact_domains=args.contact_domains,
            )
            self.policies[constraint] = gcp.orgpolicy.Policy(
                f"{name}-{constraint.replace('.', '-')}",
                name=f"{args.root}/policies/{constraint}",
                parent=args.root,
                spec={"rules": [to_pulumi(r) for r in rules]},
                opts=child,
            )
        self.register_outputs({"constraints": sorted(self.policies)})
