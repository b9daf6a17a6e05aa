"""Network exposure rules for AWS: inbound rules open to the Internet.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import (
    Ctx,
    cis_aws,
    collect,
    dnssi,
    fsbp,
    get,
    is_true,
    is_unknown,
    items,
    lower,
    mcsb,
    meta,
    need,
    rule,
    with_props,
)
from policies.framework.network import (
    ADMIN_PORTS_SCHEMA,
    PortRange,
    admin_ports,
    aws_exposure,
    exposure,
    open_cidr,
)
from policies.framework.settings import equals, require, require_given, value_at
from policies.security_baseline.aws.defaults import DEFAULTS
from policies.security_baseline.aws.tokens import (
    CLOUDFRONT_DISTRIBUTION,
    DEFAULT_NACL,
    DEFAULT_SECURITY_GROUP,
    ELASTICACHE_CLUSTER,
    ELASTICACHE_REPLICATION_GROUP,
    LOAD_BALANCERS,
    NACL,
    NACL_RULE,
    SECURITY_GROUP,
    SG_INGRESS_RULE,
    SG_RULE,
    SUBNET,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _sg_entries(p: dict[str, Any], ctx: Ctx) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, rule) for each inbound rule a resource declares, normalized to SecurityGroupRule shape."""
    if ctx.type in (SECURITY_GROUP, DEFAULT_SECURITY_GROUP):
        for i, r in enumerate(items(p.get("ingress"), "ingress")):
            need(r, f"ingress[{i}]")
            yield f"ingress[{i}]", r
    elif ctx.type == SG_RULE:
        if lower(p.get("type"), "type") == "ingress":
            yield "rule", p
    elif ctx.type == SG_INGRESS_RULE:
        yield (
            "rule",
            {
                "protocol": p.get("ipProtocol"),
                "fromPort": p.get("fromPort"),
                "toPort": p.get("toPort"),
                "cidrBlocks": [p.get("cidrIpv4")] if p.get("cidrIpv4") is not None else [],
                "ipv6CidrBlocks": [p.get("cidrIpv6")] if p.get("cidrIpv6") is not None else [],
            },
        )


def _sources(r: dict[str, Any], label: str) -> list[Any]:
    out: list[Any] = []
    for key in ("cidrBlocks", "ipv6CidrBlocks"):
        out += items(r.get(key), f"{label}.{key}")
    return out


def _relevance(want_all: bool, ports: tuple[int, ...]) -> Callable[[PortRange], bool]:
    if want_all:
        return lambda rng: rng.all
    return lambda rng: not rng.all and bool(rng.hits(ports))


def _message(rng: PortRange, opened: list[str], ports: tuple[int, ...], where: str) -> str:
    if rng.all:
        return f"inbound {where} from {', '.join(opened)} opens all ports to the Internet."
    hit = ", ".join(map(str, rng.hits(ports)))
    return f"inbound {where} from {', '.join(opened)} opens administration port(s) {hit} ({rng}) to the Internet."


def _sg_findings(ctx: Ctx, want_all: bool) -> Iterator[str]:
    ports = admin_ports(ctx.config)
    relevant = _relevance(want_all, ports)

    def one(label: str, r: dict[str, Any]) -> Callable[[], Iterable[str]]:
        def run() -> Iterable[str]:
            found = exposure(
                lambda: aws_exposure(r.get("protocol"), r.get("fromPort"), r.get("toPort"), label),
                relevant,
                _sources(r, label),
                open_cidr,
                f"{label} source",
            )
            return [] if found is None else [_message(*found, ports, label)]

        return run

    yield from collect(one(label, r) for label, r in _sg_entries(ctx.props, ctx))


_SG_TYPES = (SECURITY_GROUP, DEFAULT_SECURITY_GROUP, SG_RULE, SG_INGRESS_RULE)


AWS_SG_ADMIN_PORTS = rule(
    meta(
        "aws-sg-admin-ports-open",
        CRITICAL,
        "No security-group rule (inline, SecurityGroupRule or SecurityGroupIngressRule) opens a remote "
        "administration port (22, 3389, 5985, 5986 by default) to 0.0.0.0/0 or ::/0.",
        "Reach instances through SSM Session Manager or a bastion; restrict the rule to known CIDRs or "
        "a source security group.",
        [cis_aws("5.2"), cis_aws("5.3"), fsbp("EC2.19"), mcsb("NS-1"), dnssi("Network security")],
        config=ADMIN_PORTS_SCHEMA,
    ),
    {t: (lambda ctx: _sg_findings(ctx, want_all=False)) for t in _SG_TYPES},
)


AWS_SG_ALL_PORTS = rule(
    meta(
        "aws-sg-all-ports-open",
        CRITICAL,
        "No security-group rule opens all ports (protocol -1, or 0-65535) to 0.0.0.0/0 or ::/0.",
        "Open only the ports the service needs (e.g. 443), from the narrowest source.",
        [
            cis_aws("5.2"),
            cis_aws("5.3"),
            fsbp("EC2.18"),
            fsbp("EC2.19"),
            mcsb("NS-1"),
            dnssi("Network security"),
        ],
    ),
    {t: (lambda ctx: _sg_findings(ctx, want_all=True)) for t in _SG_TYPES},
)


def _nacl_findings(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    ports = admin_ports(ctx.config)
    entries: list[tuple[str, dict[str, Any]]] = []
    if ctx.type == NACL_RULE:
        if is_true(p.get("egress"), "egress"):
            return
        entries.append(("rule", {**p, "action": p.get("ruleAction")}))
    else:
        for i, r in enumerate(items(p.get("ingress"), "ingress")):
            need(r, f"ingress[{i}]")
            entries.append((f"ingress[{i}]", r))

    def one(label: str, r: dict[str, Any]) -> Callable[[], Iterable[str]]:
        def run() -> Iterable[str]:
            if lower(r.get("action"), f"{label} action") != "allow":
                return []
            found = exposure(
                lambda: aws_exposure(r.get("protocol"), r.get("fromPort"), r.get("toPort"), label),
                lambda rng: bool(rng.hits(ports)),
                [c for c in (r.get("cidrBlock"), r.get("ipv6CidrBlock")) if c is not None],
                open_cidr,
                f"{label} cidr",
            )
            if found is None:
                return []
            rng, opened = found
            hit = ", ".join(map(str, rng.hits(ports)))
            return [
                f"the NACL allows {label} from {', '.join(opened)} to administration port(s) {hit} ({rng})."
            ]

        return run

    yield from collect(one(label, r) for label, r in entries)


AWS_NACL_ADMIN_PORTS = rule(
    meta(
        "aws-nacl-admin-ports-open",
        MEDIUM,
        "No network ACL allows inbound traffic from 0.0.0.0/0 or ::/0 to remote administration ports "
        "(directly or through an all-ports rule).",
        "Add a deny entry for 22/3389 from 0.0.0.0/0 before the allow entries, or narrow the allow rules.",
        [cis_aws("5.1"), fsbp("EC2.21"), mcsb("NS-1"), dnssi("Network security")],
        config=ADMIN_PORTS_SCHEMA,
    ),
    {
        NACL: with_props(_nacl_findings),
        DEFAULT_NACL: with_props(_nacl_findings),
        NACL_RULE: with_props(_nacl_findings),
    },
)


def _default_sg(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    ingress = items(p.get("ingress"), "ingress")
    egress = items(p.get("egress"), "egress")
    if ingress or egress:
        yield "the VPC's default security group has rules; it must restrict all traffic."


AWS_DEFAULT_SG_CLOSED = rule(
    meta(
        "aws-default-sg-restricts-all",
        MEDIUM,
        "A managed default security group has no ingress or egress rules.",
        "Declare `aws.ec2.DefaultSecurityGroup(vpc_id=...)` with no `ingress`/`egress`, and use dedicated "
        "security groups.",
        [cis_aws("5.4"), fsbp("EC2.2"), mcsb("NS-1")],
    ),
    {DEFAULT_SECURITY_GROUP: with_props(_default_sg)},
)


def _cache_subnet_group(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == ELASTICACHE_CLUSTER and p.get("replicationGroupId") is not None:
        return  # a member of a replication group uses the group's subnet group
    name = get(p, "subnetGroupName")
    if is_unknown(name):
        return  # the name of a subnet group the stack creates: not the default one
    if name is None or str(name).lower() == "default":
        yield "the cache runs in the default subnet group (every subnet of the default VPC)."


AWS_ELASTICACHE_SUBNET_GROUP = rule(
    meta(
        "aws-elasticache-subnet-group",
        MEDIUM,
        "ElastiCache clusters and replication groups run in a subnet group of their own (private subnets), not in "
        "the default one.",
        "Create an `aws.elasticache.SubnetGroup` with private subnets and pass its `name` as `subnet_group_name`.",
        [fsbp("ElastiCache.7"), mcsb("NS-1"), dnssi("Network security")],
    ),
    {
        ELASTICACHE_CLUSTER: with_props(_cache_subnet_group),
        ELASTICACHE_REPLICATION_GROUP: with_props(_cache_subnet_group),
    },
)


AWS_SUBNET_NO_AUTO_PUBLIC_IP = rule(
    meta(
        "aws-subnet-no-auto-public-ip",
        MEDIUM,
        "Subnets do not assign public IPv4 addresses to the instances launched in them.",
        "Remove `map_public_ip_on_launch=True` (it defaults to false); publish through a load balancer or NAT.",
        [fsbp("EC2.15"), mcsb("NS-1"), dnssi("Network security")],
    ),
    {
        SUBNET: require(
            "mapPublicIpOnLaunch",
            equals(False),
            "the subnet gives every instance launched in it a public IPv4 address.",
            default=DEFAULTS.of(SUBNET, "mapPublicIpOnLaunch"),
        )
    },
)


def _application_lb(props: Mapping[str, Any], ctx: Ctx) -> bool:
    kind = value_at(props, "loadBalancerType", DEFAULTS.of(ctx.type, "loadBalancerType"))
    return lower(kind, "loadBalancerType") == "application"


AWS_LB_DROP_INVALID_HEADERS = rule(
    meta(
        "aws-lb-drop-invalid-headers",
        MEDIUM,
        "Application load balancers drop HTTP headers that are not valid instead of passing them to targets.",
        "Set `drop_invalid_header_fields=True` (it defaults to false).",
        [fsbp("ELB.4"), mcsb("NS-6"), dnssi("Network security")],
    ),
    {
        t: require(
            "dropInvalidHeaderFields",
            equals(True),
            "the load balancer routes requests with invalid header fields to its targets.",
            default=DEFAULTS.of(t, "dropInvalidHeaderFields"),
            applies=_application_lb,
        )
        for t in LOAD_BALANCERS
    },
)


AWS_CLOUDFRONT_WAF = rule(
    meta(
        "aws-cloudfront-waf",
        MEDIUM,
        "CloudFront distributions are associated with an AWS WAF web ACL.",
        "Create an `aws.wafv2.WebAcl` (scope CLOUDFRONT, in us-east-1, with the AWS managed rule groups) and set "
        "the distribution's `web_acl_id` to its ARN.",
        [fsbp("CloudFront.6"), mcsb("NS-6"), dnssi("Network security")],
    ),
    {CLOUDFRONT_DISTRIBUTION: require_given("webAclId", "the distribution has no WAF web ACL.")},
)


POLICIES: list[Policy] = [
    AWS_SG_ADMIN_PORTS,
    AWS_SG_ALL_PORTS,
    AWS_NACL_ADMIN_PORTS,
    AWS_DEFAULT_SG_CLOSED,
    AWS_ELASTICACHE_SUBNET_GROUP,
    AWS_SUBNET_NO_AUTO_PUBLIC_IP,
    AWS_LB_DROP_INVALID_HEADERS,
    AWS_CLOUDFRONT_WAF,
]
"""This domain's policies, in catalogue order."""
