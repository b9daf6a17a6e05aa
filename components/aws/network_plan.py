"""Pure address planning of the hub-and-spoke network: egress, inspection and spoke VPCs.

Every VPC is split by :func:`components.cidr.plan_subnets` into tiers x AZs.
:func:`plan_network` checks that no two VPCs overlap (naming both) and that
each VPC is large enough for its AZ count, before any resource exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from components.aws.aws_data import Segment
from components.cidr import IPv4Network, SubnetPlan, parse_cidr, plan_subnets
from components.errors import ConfigError

MAX_AZ_COUNT = 3
"""The canned and typical number of AZs per region (a, b, c)."""

EGRESS_TIERS: tuple[str, ...] = ("public", "transit")
INSPECTION_TIERS: tuple[str, ...] = ("firewall", "transit")
SPOKE_TIERS: tuple[str, ...] = ("private", "transit")


class NatStrategy(StrEnum):
    """How the egress VPC reaches the internet."""

    NONE = "none"
    """No NAT gateway: spokes have no internet egress."""
    SINGLE = "single"
    """One NAT gateway in the first AZ: cheapest, one AZ is a single point of failure."""
    PER_AZ = "per-az"
    """One NAT gateway per AZ: highly available, billed hourly per gateway."""


@dataclass(frozen=True)
class SpokeArgs:
    """One spoke VPC attached to the Transit Gateway."""

    name: str
    """Short name (lowercase letters, digits, dashes). Required."""
    cidr: str
    """IPv4 block of the VPC, for example 10.20.0.0/16. Required."""
    segment: Segment = Segment.NONPROD
    """Routing segment: prod, nonprod or shared. Default: ``nonprod``."""
    az_count: int = 2
    """Number of AZs the spoke's subnets span (1-3). Default: ``2``."""


@dataclass(frozen=True)
class VpcPlan:
    """A planned VPC: its role, name, block, segment, AZ count and subnets."""

    role: str
    name: str
    key: str
    cidr: IPv4Network
    segment: Segment
    az_count: int
    subnets: tuple[SubnetPlan, ...] = field(default=())

    def tier(self, tier: str) -> list[SubnetPlan]:
        return [s for s in self.subnets if s.tier == tier]


@dataclass(frozen=True)
class NetworkPlan:
    egress: VpcPlan
    inspection: VpcPlan | None
    spokes: tuple[VpcPlan, ...]

    @property
    def vpcs(self) -> list[VpcPlan]:
        return [self.egress, *([self.inspection] if self.inspection else []), *self.spokes]


_NAME_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def _check_az_count(key: str, count: int) -> None:
    if not 1 <= count <= MAX_AZ_COUNT:
        raise ConfigError(
            key, f"AZ count {count} is outside 1-{MAX_AZ_COUNT}", f"use 1 to {MAX_AZ_COUNT} AZs"
        )


DEFAULT_VPC_QUOTA = 5
"""Amazon VPC's default "VPCs per Region" quota (L-F678F1CE, adjustable); the account's default VPC
counts against it: https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html"""


def check_vpc_quota(
    key: str, vpc_count: int, quota: int = DEFAULT_VPC_QUOTA, default_vpc: bool = True
) -> None:
    """The network account can hold every planned VPC (pure): CreateVpc fails past the region's quota.

    The quota is raised through Service Quotas (a request, approved asynchronously), so it is checked
    here, against the configured value, rather than requested by the stack.
    """
    if quota < 1:
        raise ConfigError(
            f"{key}.vpcQuota", f"{quota} is not a quota", "give the account's VPCs per Region quota"
        )
    used = vpc_count + (1 if default_vpc else 0)
    if used > quota:
        raise ConfigError(
            f"{key}.vpcQuota",
            f"the network needs {vpc_count} VPCs"
            + (" besides the default VPC" if default_vpc else "")
            + f", over the VPCs per Region quota of {quota}",
            "request an increase of quota L-F678F1CE (aws service-quotas request-service-quota-increase "
            "--service-code vpc --quota-code L-F678F1CE --desired-value <n>) and set vpcQuota to the granted "
            "value, or delete the default VPC and set defaultVpc to false",
        )


def plan_network(
    egress_cidr: str,
    spokes: Sequence[SpokeArgs],
    az_count: int = 2,
    inspection_cidr: str | None = None,
    key: str = "NetworkArgs",
) -> NetworkPlan:
    """Plan every VPC of the network, validating blocks, AZ counts, names and segments.

    ``key`` is the prefix of error keys (``kasbah:network`` in a blueprint).
    """
    _check_az_count(f"{key}.azCount", az_count)
    blocks: dict[str, tuple[str, IPv4Network]] = {}

    def add(label: str, cidr_key: str, value: str) -> IPv4Network:
        net = parse_cidr(cidr_key, value)
        for other_label, (other_key, other) in blocks.items():
            if net.overlaps(other):
                raise ConfigError(
                    f"{other_key} and {cidr_key}",
                    f"{other_label} ({other}) overlaps {label} ({net})",
                    "give each VPC its own, non-overlapping address range",
                )
        blocks[label] = (cidr_key, net)
        return net

    egress_net = add("the egress VPC", f"{key}.egressCidr", egress_cidr)
    egress = VpcPlan(
        "egress",
        "egress",
        f"{key}.egressCidr",
        egress_net,
        Segment.SHARED,
        az_count,
        tuple(plan_subnets(f"{key}.egressCidr", egress_net, EGRESS_TIERS, az_count)),
    )
    inspection: VpcPlan | None = None
    if inspection_cidr:
        net = add("the inspection VPC", f"{key}.inspectionCidr", inspection_cidr)
        inspection = VpcPlan(
            "inspection",
            "inspection",
            f"{key}.inspectionCidr",
            net,
            Segment.SHARED,
            az_count,
            tuple(plan_subnets(f"{key}.inspectionCidr", net, INSPECTION_TIERS, az_count)),
        )
    seen: dict[str, int] = {}
    planned: list[VpcPlan] = []
    for i, spoke in enumerate(spokes):
        skey = f"{key}.spokes[{i}]"
        if not spoke.name or not set(spoke.name) <= _NAME_OK or len(spoke.name) > 24:
            raise ConfigError(
                f"{skey}.name",
                f"spoke name {spoke.name!r} is not 1-24 lowercase letters, digits or dashes",
                "use a short name such as 'payments'",
            )
        if spoke.name in seen or spoke.name in ("egress", "inspection"):
            where = f"{key}.spokes[{seen[spoke.name]}].name and " if spoke.name in seen else ""
            raise ConfigError(
                f"{where}{skey}.name",
                f"spoke name {spoke.name!r} is used twice",
                "give each spoke its own name",
            )
        seen[spoke.name] = i
        try:
            segment = Segment(spoke.segment)
        except ValueError:
            raise ConfigError(
                f"{skey}.segment",
                f"unknown segment {spoke.segment!r}",
                f"use one of {', '.join(s.value for s in Segment)}",
            ) from None
        _check_az_count(f"{skey}.azCount", spoke.az_count)
        net = add(f"spoke {spoke.name!r}", f"{skey}.cidr", spoke.cidr)
        subnets = plan_subnets(f"{skey}.cidr", net, SPOKE_TIERS, spoke.az_count)
        planned.append(VpcPlan("spoke", spoke.name, skey, net, segment, spoke.az_count, tuple(subnets)))
    return NetworkPlan(egress, inspection, tuple(planned))


DEFAULT_EGRESS_DOMAINS: tuple[str, ...] = (".amazonaws.com", ".amazonlinux.com")
"""Domains the inspection firewall lets spokes reach by default."""


@dataclass(frozen=True, kw_only=True)
class NetworkSpec:
    """The hub-and-spoke network's own inputs, pure: what the landing zone's settings embed (declared
    once, here) and :class:`components.aws.network.NetworkArgs` extends."""

    egress_cidr: str = "10.0.0.0/20"
    """Block of the egress (hub) VPC. Default: ``10.0.0.0/20``."""
    inspection: bool = False
    """Deploy the inspection VPC with AWS Network Firewall (billed hourly per AZ). Default: ``False``."""
    inspection_cidr: str = "10.0.16.0/20"
    """Block of the inspection VPC, when enabled. Default: ``10.0.16.0/20``."""
    az_count: int = 2
    """AZs of the egress and inspection VPCs (1-3). Default: ``2``."""
    nat_strategy: NatStrategy = NatStrategy.SINGLE
    """NAT gateways of the egress VPC: none, single or per-az. Default: ``single``."""
    spokes: list[SpokeArgs] = field(default_factory=list)
    """Spoke VPCs (name, cidr, segment, azCount). Default: none."""
    interface_endpoints: list[str] = field(default_factory=list)
    """Interface endpoints created in every spoke (service short names, e.g. ``ssm``). Default: none."""
    egress_allowed_domains: list[str] = field(default_factory=lambda: list(DEFAULT_EGRESS_DOMAINS))
    """With inspection: the only domains spokes may reach on the internet over TLS (SNI) and HTTP (Host);
    a leading dot allows subdomains. Everything else is dropped. Default: AWS service endpoints
    (``.amazonaws.com``) and the OS package mirrors of Amazon Linux (``.amazonlinux.com``)."""
    amazon_side_asn: int = 64512
    """BGP ASN of the Transit Gateway. Default: ``64512``."""
    vpc_quota: int = DEFAULT_VPC_QUOTA
    """The network account's VPCs per Region quota in the home region (L-F678F1CE): raise it through
    Service Quotas before deploying more VPCs than it allows. Default: ``5``."""
    default_vpc: bool = True
    """The network account still has its default VPC in this region (it counts against the quota).
    Default: ``True``."""


def validate_network(spec: NetworkSpec, key: str = "NetworkArgs") -> NetworkPlan:
    """Validate and plan (pure): overlapping blocks, AZ counts, segments, endpoint names, domains, ASN,
    the VPC quota. Errors name the key under ``key``."""
    for i, svc in enumerate(spec.interface_endpoints):
        if not svc or not all(c.isalnum() or c in "-." for c in svc):
            raise ConfigError(
                f"{key}.interfaceEndpoints[{i}]", f"{svc!r} is not a service short name", "e.g. ssm"
            )
    for i, domain in enumerate(spec.egress_allowed_domains):
        if not domain or " " in domain or "/" in domain:
            raise ConfigError(
                f"{key}.egressAllowedDomains[{i}]", f"{domain!r} is not a domain", "e.g. .amazonaws.com"
            )
    if not (64512 <= spec.amazon_side_asn <= 65534 or 4200000000 <= spec.amazon_side_asn <= 4294967294):
        raise ConfigError(
            f"{key}.amazonSideAsn", f"{spec.amazon_side_asn} is not a private ASN", "use 64512-65534"
        )
    plan = plan_network(
        spec.egress_cidr,
        spec.spokes,
        az_count=spec.az_count,
        inspection_cidr=spec.inspection_cidr if spec.inspection else None,
        key=key,
    )
    check_vpc_quota(key, len(plan.vpcs), spec.vpc_quota, spec.default_vpc)
    return plan
