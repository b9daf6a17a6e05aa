"""``kasbah:gcp:HierarchicalFirewall``: a firewall policy on the root, evaluated before every VPC's rules.

Rules (https://cloud.google.com/firewall/docs/firewall-policies-overview; terraform-example-foundation's
3-networks-hub-and-spoke/envs/shared/hierarchical_firewall.tf):

- allow IAP TCP forwarding (35.235.240.0/20) to SSH and RDP (https://cloud.google.com/iap/docs/using-tcp-forwarding);
- allow load-balancer health checks (https://cloud.google.com/load-balancing/docs/health-check-concepts#ip-ranges);
- deny the remote administration ports (``kasbah.facts.REMOTE_ADMIN_PORTS``) from anywhere else, so no VPC
  rule can open them to the internet (CIS Google Cloud 3.6, 3.7);
- hand RFC 1918 ingress to the VPC rules (``goto_next``).

The policy is associated with the organization or the adopted folder (``FirewallPolicyAssociation``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.common import CommonArgs
from components.gcp import naming
from components.gcp.gcp_data import HEALTH_CHECK_RANGES, IAP_TCP_RANGE
from kasbah.facts import REMOTE_ADMIN_PORTS

RFC1918 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")


@dataclass(frozen=True)
class Rule:
    """One rule of the policy (pure data, tested without Pulumi)."""

    key: str
    priority: int
    action: str
    sources: tuple[str, ...]
    ports: tuple[str, ...]
    description: str


def baseline_rules() -> list[Rule]:
    """The policy's rules, by priority."""
    admin = tuple(str(p) for p in sorted(REMOTE_ADMIN_PORTS))
    return [
        Rule(
            "allow-iap", 1000, "allow", (IAP_TCP_RANGE,), ("22", "3389"), "IAP TCP forwarding to SSH and RDP."
        ),
        Rule("allow-health-checks", 1010, "allow", HEALTH_CHECK_RANGES, (), "Load-balancer health checks."),
        Rule(
            "deny-admin-ports",
            1100,
            "deny",
            ("0.0.0.0/0",),
            admin,
            "Remote administration ports from anywhere else.",
        ),
        Rule("delegate-rfc1918", 2000, "goto_next", RFC1918, (), "Private ranges: the VPC rules decide."),
    ]


@dataclass(frozen=True)
class HierarchicalFirewallArgs:
    """Inputs of :class:`HierarchicalFirewall`."""

    root: str
    """``organizations/<id>`` or ``folders/<id>``. Required."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix. Default: ``CommonArgs()``."""


class HierarchicalFirewall(pulumi.ComponentResource):
    """The baseline hierarchical firewall policy and its association."""

    policy: gcp.compute.FirewallPolicy

    def __init__(
        self, name: str, args: HierarchicalFirewallArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kasbah:gcp:HierarchicalFirewall", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.policy = gcp.compute.FirewallPolicy(
            f"{name}-policy",
            parent=args.root,
            short_name=naming.rfc1035("kasbah:prefix", f"{args.common.prefix}-baseline"),
            description="Kasbah landing zone baseline: IAP and health checks in, admin ports never from the internet.",
            opts=child,
        )
        for rule in baseline_rules():
            layer4 = {"ip_protocol": "tcp", **({"ports": list(rule.ports)} if rule.ports else {})}
            gcp.compute.FirewallPolicyRule(
                f"{name}-{rule.key}",
                firewall_policy=self.policy.id,
                priority=rule.priority,
                action=rule.action,
                direction="INGRESS",
                description=rule.description,
                enable_logging=rule.action != "goto_next",
                match={"src_ip_ranges": list(rule.sources), "layer4_configs": [layer4]},
                opts=child,
            )
        gcp.compute.FirewallPolicyAssociation(
            f"{name}-association",
            name=f"{args.common.prefix}-baseline",
            firewall_policy=self.policy.id,
            attachment_target=args.root,
            opts=child,
        )
        self.register_outputs({"policyId": self.policy.id})
