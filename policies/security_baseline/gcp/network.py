"""Network rules for GCP: firewall rules open to the internet on admin ports, flow logs, private Google
access, default networks, DNSSEC.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import (
    Ctx,
    cis_gcp,
    dnssi,
    get,
    is_true,
    items,
    lower,
    mcsb,
    meta,
    need,
    rule,
    with_props,
)
from policies.framework.network import ADMIN_PORTS_SCHEMA, ALL_PORTS, PortRange, admin_ports, open_cidr
from policies.security_baseline.gcp.tokens import (
    DNS_ZONE,
    FIREWALL,
    FIREWALL_POLICY_RULE,
    NETWORK,
    PROJECT,
    SUBNET,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _ranges(protocol: Any, ports: Any, what: str) -> list[PortRange]:
    proto = lower(protocol, f"{what} protocol")
    if proto not in ("tcp", "udp", "all", "6", "17", "sctp"):
        return []
    values = items(ports, f"{what} ports")
    if not values:
        return [ALL_PORTS]
    out = []
    for v in values:
        need(v, f"{what} ports")
        low, _, high = str(v).partition("-")
        try:
            out.append(PortRange(int(low), int(high or low)))
        except ValueError:
            continue
    return out


def _open_admin(sources: list[Any], rules: list[tuple[Any, Any]], ctx: Ctx, what: str) -> Iterator[str]:
    opened = [s for i, s in enumerate(sources) if open_cidr(s, f"{what} source {i}")]
    if not opened:
        return
    ports = admin_ports(ctx.config)
    hit = sorted({p for proto, ps in rules for r in _ranges(proto, ps, what) for p in r.hits(ports)})
    if hit:
        yield f"{what} allows {', '.join(map(str, hit))} from {', '.join(map(str, opened))}."


def _firewall(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == FIREWALL:
        if lower(p.get("direction"), "direction") == "egress" or is_true(p.get("disabled"), "disabled"):
            return
        sources = items(p.get("sourceRanges"), "sourceRanges")
        rules = [(get(a, "protocol"), get(a, "ports")) for a in items(p.get("allows"), "allows")]
        yield from _open_admin(sources, rules, ctx, "the rule")
        return
    if lower(p.get("action"), "action") != "allow" or lower(p.get("direction"), "direction") != "ingress":
        return
    if is_true(p.get("disabled"), "disabled"):
        return
    sources = items(get(p, "match", "srcIpRanges"), "match.srcIpRanges")
    rules = [
        (get(c, "ipProtocol"), get(c, "ports"))
        for c in items(get(p, "match", "layer4Configs"), "match.layer4Configs")
    ]
    yield from _open_admin(sources, rules, ctx, "the policy rule")


GCP_FIREWALL_ADMIN_PORTS = rule(
    meta(
        "gcp-firewall-admin-ports-open",
        CRITICAL,
        "No VPC firewall rule or hierarchical firewall policy rule allows remote administration ports "
        "(SSH, RDP, WinRM) from 0.0.0.0/0.",
        "Allow administration only from IAP's range 35.235.240.0/20 (or a bastion's), never from anywhere.",
        [cis_gcp("3.6"), cis_gcp("3.7"), mcsb("NS-1"), dnssi("Network security")],
        config=ADMIN_PORTS_SCHEMA,
    ),
    {FIREWALL: with_props(_firewall), FIREWALL_POLICY_RULE: with_props(_firewall)},
)


def _flow_logs(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    purpose = lower(p.get("purpose"), "purpose")
    if purpose not in ("", "private", "private_rfc_1918"):
        return  # proxy-only and PSC subnets carry no VM traffic and take no log config
    log = p.get("logConfig")
    need(log, "logConfig")
    if log is None:
        yield "VPC flow logs are off (no log_config)."


GCP_SUBNET_FLOW_LOGS = rule(
    meta(
        "gcp-subnet-flow-logs",
        MEDIUM,
        "Subnets record VPC flow logs.",
        'Set `log_config={"aggregation_interval": "INTERVAL_5_SEC", "flow_sampling": 0.5, '
        '"metadata": "INCLUDE_ALL_METADATA"}`.',
        [cis_gcp("3.8"), mcsb("LT-4"), dnssi("Logging and monitoring")],
    ),
    {SUBNET: with_props(_flow_logs)},
)


def _private_access(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if lower(p.get("purpose"), "purpose") not in ("", "private", "private_rfc_1918"):
        return
    if not is_true(p.get("privateIpGoogleAccess"), "privateIpGoogleAccess"):
        yield "VMs without external IPs cannot reach Google APIs (private_ip_google_access is off)."


GCP_SUBNET_PRIVATE_GOOGLE_ACCESS = rule(
    meta(
        "gcp-subnet-private-google-access",
        LOW,
        "Subnets have Private Google Access, so workloads reach Google APIs without external IPs.",
        "Set `private_ip_google_access=True`.",
        [mcsb("NS-2"), dnssi("Network security")],
    ),
    {SUBNET: with_props(_private_access)},
)


def _no_auto_network(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == PROJECT:
        value = p.get("autoCreateNetwork")
        if value is None or is_true(value, "autoCreateNetwork"):
            yield "the project is created with the default auto-mode network (auto_create_network is not false)."
        return
    value = p.get("autoCreateSubnetworks")
    if value is None or is_true(value, "autoCreateSubnetworks"):
        yield "the network is auto mode: a subnet in every region, with the default network's addressing."


GCP_NO_DEFAULT_NETWORK = rule(
    meta(
        "gcp-no-default-network",
        MEDIUM,
        "Projects are created without the default network, and VPC networks are custom mode.",
        "Set `auto_create_network=False` on projects and `auto_create_subnetworks=False` on networks.",
        [cis_gcp("3.1"), mcsb("NS-1"), dnssi("Network security")],
    ),
    {PROJECT: with_props(_no_auto_network), NETWORK: with_props(_no_auto_network)},
)


def _dnssec(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if lower(p.get("visibility"), "visibility") == "private":
        return
    if lower(get(p, "dnssecConfig", "state"), "dnssecConfig.state") != "on":
        yield "DNSSEC is off for this public zone."


GCP_DNS_DNSSEC = rule(
    meta(
        "gcp-dns-dnssec",
        MEDIUM,
        "Public Cloud DNS zones have DNSSEC on.",
        'Set `dnssec_config={"state": "on"}` on public managed zones.',
        [cis_gcp("3.3"), mcsb("NS-10"), dnssi("Network security")],
    ),
    {DNS_ZONE: with_props(_dnssec)},
)


POLICIES: list[Policy] = [
    GCP_FIREWALL_ADMIN_PORTS,
    GCP_SUBNET_FLOW_LOGS,
    GCP_SUBNET_PRIVATE_GOOGLE_ACCESS,
    GCP_NO_DEFAULT_NETWORK,
    GCP_DNS_DNSSEC,
]
"""This domain's policies, in catalogue order."""
