"""Network exposure rules for AWS: inbound rules open to the Internet.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import (
    Ctx,
    cis_aws,
    collect,
    dnssi,
    fsbp,
    is_true,
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
from policies.security_baseline.aws.tokens import (
    DEFAULT_NACL,
    DEFAULT_SECURITY_GROUP,
    NACL,
    NACL_RULE,
    SECURITY_GROUP,
    SG_INGRESS_RULE,
    SG_RULE,
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


POLICIES: list[Policy] = [
    AWS_SG_ADMIN_PORTS,
    AWS_SG_ALL_PORTS,
    AWS_NACL_ADMIN_PORTS,
    AWS_DEFAULT_SG_CLOSED,
]
"""This domain's policies, in catalogue order."""
