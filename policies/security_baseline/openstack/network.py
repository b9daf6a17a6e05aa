"""Network rules for OpenStack: security-group rules open to the Internet, deny by default, plain HTTP.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.

A Neutron security-group rule without ``remote_ip_prefix``, ``remote_group_id`` or
``remote_address_group_id`` admits every source; without a protocol or port range it covers every
port (https://docs.openstack.org/api-ref/network/v2/#security-group-rules-security-group-rules).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import (
    Ctx,
    dnssi,
    is_true,
    lower,
    meta,
    need,
    number,
    openstack_sg,
    present,
    rule,
    with_props,
)
from policies.framework.network import ADMIN_PORTS_SCHEMA, ALL_PORTS, PortRange, admin_ports, open_cidr
from policies.security_baseline.openstack.tokens import LISTENER, SECGROUP, SECGROUP_RULE

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _open_ingress(p: dict[str, Any]) -> tuple[PortRange, str] | None:
    """(ports, source) of an ingress rule that admits the whole Internet; None otherwise."""
    if lower(p.get("direction"), "direction") != "ingress":
        return None
    prefix = need(p.get("remoteIpPrefix"), "remoteIpPrefix")
    if prefix is None:
        if present(p.get("remoteGroupId")) or present(p.get("remoteAddressGroupId")):
            return None  # sources are the members of a group (its id may be pending: it was given)
        source = "any source (no remote_ip_prefix or remote group)"
    elif open_cidr(prefix, "remoteIpPrefix"):
        source = str(prefix)
    else:
        return None
    protocol = lower(p.get("protocol"), "protocol")
    if protocol in ("", "any", "0"):
        return ALL_PORTS, source
    if protocol not in ("tcp", "udp", "6", "17", "sctp", "132"):
        return None
    low = number(p.get("portRangeMin"), "portRangeMin")
    high = number(p.get("portRangeMax"), "portRangeMax")
    if low is None and high is None:
        return ALL_PORTS, source
    return PortRange(int(low if low is not None else 0), int(high if high is not None else 65535)), source


def _admin_open(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    found = _open_ingress(p)
    if found is None:
        return
    rng, source = found
    hits = rng.hits(admin_ports(ctx.config))
    if hits and not rng.all:
        yield f"the rule opens administration port(s) {', '.join(map(str, hits))} to {source}."


OPENSTACK_SECGROUP_ADMIN_PORTS_OPEN = rule(
    meta(
        "openstack-secgroup-admin-ports-open",
        CRITICAL,
        "No security-group rule opens an administration port (SSH, RDP, WinRM) to the Internet.",
        "Set remote_ip_prefix to the bastion or VPN range (or remote_group_id to the bastion's group).",
        [openstack_sg("networking/services: Access control lists"), dnssi("Network security")],
        config=ADMIN_PORTS_SCHEMA,
    ),
    {SECGROUP_RULE: with_props(_admin_open)},
)


def _all_open(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    found = _open_ingress(p)
    if found is not None and found[0].all:
        yield f"the rule opens every port to {found[1]}."


OPENSTACK_SECGROUP_ALL_PORTS_OPEN = rule(
    meta(
        "openstack-secgroup-all-ports-open",
        HIGH,
        "No security-group rule opens every port (no protocol or no port range) to the Internet.",
        "Give the rule a protocol, a port range and a narrow remote_ip_prefix.",
        [openstack_sg("networking/services: Access control lists"), dnssi("Network security")],
    ),
    {SECGROUP_RULE: with_props(_all_open)},
)


def _deny_default(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(p.get("deleteDefaultRules"), "deleteDefaultRules"):
        yield (
            "the group keeps Neutron's default rules (egress to anywhere, IPv4 and IPv6): it does not deny by "
            "default."
        )


OPENSTACK_SECGROUP_DENY_BY_DEFAULT = rule(
    meta(
        "openstack-secgroup-deny-by-default",
        MEDIUM,
        "Security groups delete Neutron's default allow-all egress rules and list what they allow.",
        "Set delete_default_rules = true and add the egress rules the workload needs.",
        [openstack_sg("networking/services: Access control lists"), dnssi("Network security")],
    ),
    {SECGROUP: with_props(_deny_default)},
)


def _plain_http(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if lower(p.get("protocol"), "protocol") == "http":
        yield "the listener serves plain HTTP."


OPENSTACK_LB_LISTENER_NO_PLAIN_HTTP = rule(
    meta(
        "openstack-lb-listener-no-plain-http",
        HIGH,
        "Octavia listeners terminate TLS (TERMINATED_HTTPS) or pass it through (HTTPS, TCP); never plain HTTP.",
        "Use protocol TERMINATED_HTTPS with default_tls_container_ref pointing at the certificate in Barbican; "
        "exempt a listener whose only job is an L7 redirect to HTTPS.",
        [openstack_sg("networking/services: Load balancing"), dnssi("Communications security")],
    ),
    {LISTENER: with_props(_plain_http)},
)


POLICIES: list[Policy] = [
    OPENSTACK_SECGROUP_ADMIN_PORTS_OPEN,
    OPENSTACK_SECGROUP_ALL_PORTS_OPEN,
    OPENSTACK_SECGROUP_DENY_BY_DEFAULT,
    OPENSTACK_LB_LISTENER_NO_PLAIN_HTTP,
]
"""This domain's policies, in catalogue order."""
