"""Pure address planning of the hub and the spokes (tested with Hypothesis).

The hub's subnets are laid out largest first inside the hub block (so each is
naturally aligned); spokes either state their block or receive the next free
block of the spoke pool; no spoke overlaps another spoke or the hub.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from components.cidr import IPv4Network, assert_disjoint, parse_cidr, plan_subnets
from components.errors import ConfigError

FIREWALL_SUBNET = "AzureFirewallSubnet"
FIREWALL_MANAGEMENT_SUBNET = "AzureFirewallManagementSubnet"
BASTION_SUBNET = "AzureBastionSubnet"
GATEWAY_SUBNET = "GatewaySubnet"
ROUTE_SERVER_SUBNET = "RouteServerSubnet"
MANAGEMENT_SUBNET = "snet-management"
DNS_INBOUND_SUBNET = "snet-dns-inbound"
DNS_OUTBOUND_SUBNET = "snet-dns-outbound"

NO_NSG_SUBNETS: tuple[str, ...] = (
    FIREWALL_SUBNET,
    FIREWALL_MANAGEMENT_SUBNET,
    GATEWAY_SUBNET,
    ROUTE_SERVER_SUBNET,
)
"""Subnets on which Azure forbids or does not support a network security group."""

HUB_SUBNET_PREFIXES: dict[str, int] = {
    FIREWALL_SUBNET: 26,
    FIREWALL_MANAGEMENT_SUBNET: 26,
    BASTION_SUBNET: 26,
    GATEWAY_SUBNET: 27,
    MANAGEMENT_SUBNET: 27,
    DNS_INBOUND_SUBNET: 28,
    DNS_OUTBOUND_SUBNET: 28,
}
"""Each hub subnet's size: Azure's minimum (/26 for the firewall and Bastion, /27 for gateways)."""


@dataclass(frozen=True)
class HubPlan:
    """The hub's address space and its subnets, by subnet name."""

    cidr: IPv4Network
    subnets: Mapping[str, IPv4Network]

    @property
    def firewall_private_ip(self) -> str:
        """Azure Firewall takes the first usable address of AzureFirewallSubnet (Azure reserves .0-.3)."""
        return str(self.subnets[FIREWALL_SUBNET].network_address + 4)


def plan_hub(key: str, cidr: str, *, dns_resolver: bool = True) -> HubPlan:
    """Lay out the hub's subnets in ``cidr`` largest first; ConfigError when they do not fit."""
    network = parse_cidr(key, cidr)
    wanted = {
        name: size
        for name, size in HUB_SUBNET_PREFIXES.items()
        if dns_resolver or name not in (DNS_INBOUND_SUBNET, DNS_OUTBOUND_SUBNET)
    }
    order = sorted(wanted, key=lambda n: (wanted[n], list(HUB_SUBNET_PREFIXES).index(n)))
    need = sum(2 ** (32 - wanted[n]) for n in order)
    if need > network.num_addresses:
        raise ConfigError(
            key,
            f"hub block {network} holds {network.num_addresses} addresses, its subnets need {need}",
            "use a /23 or larger hub block",
        )
    cursor = int(network.network_address)
    subnets: dict[str, IPv4Network] = {}
    for name in order:
        block = ipaddress.IPv4Network((cursor, wanted[name]))
        subnets[name] = block
        cursor += block.num_addresses
    return HubPlan(network, subnets)


@dataclass(frozen=True)
class SpokeRequest:
    """One spoke's address request: a stated block, or ``None`` to take the next free pool block."""

    key: str
    """The config key the block comes from (for error messages)."""
    cidr: str | None


def allocate_spokes(
    hub_key: str,
    hub: IPv4Network,
    pool_key: str,
    pool: str,
    prefix_length: int,
    requests: Sequence[SpokeRequest],
) -> list[IPv4Network]:
    """Each spoke's block: stated blocks are checked, the others take free pool blocks in order.

    No two spokes overlap, and no spoke overlaps the hub (ConfigError naming both keys).
    """
    stated: dict[str, IPv4Network] = {hub_key: hub}
    for req in requests:
        if req.cidr is not None:
            block = parse_cidr(req.key, req.cidr)
            stated[req.key] = block
    assert_disjoint(stated)
    pool_net = parse_cidr(pool_key, pool)
    if not pool_net.prefixlen <= prefix_length <= 28:
        raise ConfigError(
            pool_key,
            f"spoke size /{prefix_length} does not fit the pool {pool_net} (or is smaller than /28)",
            f"use a spoke size between /{pool_net.prefixlen} and /28",
        )
    taken = list(stated.values())
    free = (b for b in pool_net.subnets(new_prefix=prefix_length) if not any(b.overlaps(t) for t in taken))
    out: list[IPv4Network] = []
    for req in requests:
        if req.cidr is not None:
            out.append(stated[req.key])
            continue
        nxt = next(free, None)
        if nxt is None:
            raise ConfigError(
                pool_key,
                f"pool {pool_net} has no free /{prefix_length} left for {req.key}",
                "use a larger spoke pool or smaller spokes",
            )
        out.append(nxt)
    return out


@dataclass(frozen=True)
class SpokeSubnet:
    """One spoke subnet: its name, block, and whether it takes an NSG."""

    name: str
    cidr: IPv4Network
    nsg: bool


def plan_spoke_subnets(key: str, cidr: IPv4Network, tiers: Sequence[str]) -> list[SpokeSubnet]:
    """Split a spoke into one subnet per tier (Azure subnets are regional: one per tier)."""
    for i, tier in enumerate(tiers):
        if tier in NO_NSG_SUBNETS or not tier.replace("-", "").isalnum():
            raise ConfigError(
                f"{key}[{i}]", f"{tier!r} is not a usable spoke tier name", "use names such as 'app'"
            )
    if len(set(tiers)) != len(tiers):
        raise ConfigError(key, "a tier is listed twice", "list each tier once")
    plans = plan_subnets(key, cidr, tiers, zone_count=1, min_prefix=29)
    return [SpokeSubnet(f"snet-{p.tier}", p.cidr, nsg=True) for p in plans]
