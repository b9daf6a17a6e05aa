"""Network exposure rules for Azure: inbound rules open to the Internet.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import Ctx, cis_azure, collect, dnssi, get, items, lower, mcsb, meta, need, rule
from policies.framework.network import (
    ADMIN_PORTS_SCHEMA,
    PortRange,
    admin_ports,
    exposure,
    internet_prefix,
    nsg_ranges,
)
from policies.security_baseline.azure.tokens import NSG, NSG_RULE

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _nsg_rules(p: dict[str, Any], ctx: Ctx) -> Iterator[tuple[str, dict[str, Any]]]:
    if ctx.type == NSG:
        for i, r in enumerate(items(p.get("securityRules"), "securityRules")):
            need(r, f"securityRules[{i}]")
            yield f"rule {get(r, 'name') or i}", r
    else:
        yield "rule", p


def _nsg_findings(ctx: Ctx, want_all: bool) -> Iterator[str]:
    ports = admin_ports(ctx.config)

    def relevant(rng: PortRange) -> bool:
        return rng.all if want_all else (not rng.all and bool(rng.hits(ports)))

    def one(label: str, r: dict[str, Any]) -> Callable[[], Iterable[str]]:
        def run() -> Iterable[str]:
            if lower(r.get("direction"), f"{label} direction") != "inbound":
                return []
            if lower(r.get("access"), f"{label} access") != "allow":
                return []

            def exposed_range() -> PortRange | None:
                protocol = lower(r.get("protocol"), f"{label} protocol")
                if protocol not in ("*", "tcp", "udp"):
                    return None  # ICMP, ESP, AH have no ports
                hits = [
                    rng
                    for rng in nsg_ranges(
                        r.get("destinationPortRange"), r.get("destinationPortRanges"), label
                    )
                    if relevant(rng)
                ]
                return hits[0] if hits else None

            sources = (
                [r["sourceAddressPrefix"]] if r.get("sourceAddressPrefix") is not None else []
            ) + items(r.get("sourceAddressPrefixes"), f"{label} sourceAddressPrefixes")
            # Sources such as GatewayManager, AzureLoadBalancer or VirtualNetwork (the Bastion subnet's
            # required rules) are not the Internet.
            found = exposure(exposed_range, lambda rng: True, sources, internet_prefix, f"{label} source")
            if found is None:
                return []
            rng, opened = found
            where = f"inbound {label} from {', '.join(opened)}"
            if rng.all:
                return [f"{where} opens all ports."]
            hit = ", ".join(map(str, rng.hits(ports)))
            return [f"{where} opens administration port(s) {hit} ({rng})."]

        return run

    yield from collect(one(label, r) for label, r in _nsg_rules(ctx.props, ctx))


AZURE_NSG_ADMIN_PORTS = rule(
    meta(
        "azure-nsg-admin-ports-open",
        CRITICAL,
        "No NSG rule (inline or a SecurityRule resource) allows inbound traffic from the Internet (*, "
        "Internet, Any, 0.0.0.0/0, ::/0) to a remote administration port (22, 3389, 5985, 5986 by default). "
        "The inbound rules Azure requires on a Bastion subnet (443 from Internet, GatewayManager and "
        "AzureLoadBalancer; 8080/5701 from VirtualNetwork) are not exposure.",
        "Reach machines through Azure Bastion or a VPN; limit the rule's source to known address ranges.",
        [cis_azure("6.1"), cis_azure("6.2"), mcsb("NS-1"), dnssi("Network security")],
        config=ADMIN_PORTS_SCHEMA,
    ),
    {NSG: lambda ctx: _nsg_findings(ctx, False), NSG_RULE: lambda ctx: _nsg_findings(ctx, False)},
)


AZURE_NSG_ALL_PORTS = rule(
    meta(
        "azure-nsg-all-ports-open",
        CRITICAL,
        "No NSG rule allows inbound traffic from the Internet on all ports (* or 0-65535).",
        "Allow only the ports the service needs (e.g. 443) from the narrowest source.",
        [cis_azure("6.1"), cis_azure("6.2"), mcsb("NS-1"), dnssi("Network security")],
    ),
    {NSG: lambda ctx: _nsg_findings(ctx, True), NSG_RULE: lambda ctx: _nsg_findings(ctx, True)},
)


POLICIES: list[Policy] = [
    AZURE_NSG_ADMIN_PORTS,
    AZURE_NSG_ALL_PORTS,
]
"""This domain's policies, in catalogue order."""
