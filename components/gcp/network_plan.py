"""Pure address planning of the GCP hub and spokes (tested without Pulumi).

One VPC per Shared VPC host: the hub and one spoke per environment, each peered with the hub. A VPC's
block is split into one subnet per region. Limits that fail deployments are checked here:

- a VPC network has at most 25 peering connections by default
  (https://cloud.google.com/vpc/docs/quota#vpc-peering);
- subnet primary ranges are at most /8 and at least /29
  (https://cloud.google.com/vpc/docs/subnets#valid-ranges), never inside the ranges Google reserves
  for its APIs and never overlapping between peered networks (peering refuses overlapping subnets,
  https://cloud.google.com/vpc/docs/vpc-peering#restrictions).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from components.cidr import IPv4Network, assert_disjoint, parse_cidr, plan_subnets
from components.errors import ConfigError

MAX_PEERINGS = 25
"""Peering connections per VPC network (default quota)."""

RESERVED = (
    ipaddress.IPv4Network("199.36.153.4/30"),
    ipaddress.IPv4Network("199.36.153.8/30"),
    ipaddress.IPv4Network("35.199.192.0/19"),
)
"""Google API VIPs and the Cloud DNS forwarding source range: never used as subnets."""


@dataclass(frozen=True)
class SpokeRequest:
    """An environment's spoke: its config key and requested block (``None``: take one from the pool)."""

    key: str
    environment: str
    cidr: str | None


@dataclass(frozen=True)
class VpcPlan:
    """One VPC: its role (``hub`` or the environment), its block and its subnets by region."""

    name: str
    cidr: IPv4Network
    subnets: dict[str, IPv4Network]


def _subnets(key: str, cidr: IPv4Network, regions: Sequence[str]) -> dict[str, IPv4Network]:
    plans = plan_subnets(key, cidr, ["main"], len(regions), min_prefix=29)
    return {regions[p.zone_index]: p.cidr for p in plans}


def _check_block(key: str, cidr: IPv4Network) -> None:
    if cidr.prefixlen < 8:
        raise ConfigError(key, f"{cidr} is larger than /8", "use a /8 or smaller block")
    for reserved in RESERVED:
        if cidr.overlaps(reserved):
            raise ConfigError(
                key, f"{cidr} overlaps {reserved}, which Google reserves", "use an RFC 1918 block"
            )


def plan_network(
    hub_key: str,
    hub_cidr: str,
    pool_key: str,
    pool_cidr: str,
    prefix_length: int,
    spokes: Sequence[SpokeRequest],
    regions: Sequence[str],
) -> list[VpcPlan]:
    """The hub and one VPC per spoke: blocks (given, else the next free ``/prefix_length`` of the
    pool), disjoint, each split into one subnet per region."""
    if len(spokes) > MAX_PEERINGS:
        raise ConfigError(
            hub_key,
            f"{len(spokes)} spokes peer with the hub (the limit is {MAX_PEERINGS} per network)",
            "use fewer environments",
        )
    hub = parse_cidr(hub_key, hub_cidr)
    _check_block(hub_key, hub)
    pool = parse_cidr(pool_key, pool_cidr)
    given: dict[str, IPv4Network] = {hub_key: hub}
    chosen: dict[str, IPv4Network] = {}
    for s in spokes:
        if s.cidr is not None:
            chosen[s.environment] = given[s.key] = parse_cidr(s.key, s.cidr)
            _check_block(s.key, given[s.key])
    assert_disjoint(given)
    if not pool.prefixlen <= prefix_length <= 29:
        raise ConfigError(
            f"{pool_key} and {pool_key}PrefixLength",
            f"/{prefix_length} does not fit in {pool}",
            "use a prefix length between the pool's and 29",
        )
    taken = list(given.values())
    free = (c for c in pool.subnets(new_prefix=prefix_length) if not any(c.overlaps(b) for b in taken))
    for s in spokes:
        if s.cidr is None:
            block = next(free, None)
            if block is None:
                raise ConfigError(
                    pool_key,
                    f"{pool} has no free /{prefix_length} left for {s.environment}",
                    "use a larger pool",
                )
            chosen[s.environment] = block
            taken.append(block)
    plans = [VpcPlan("hub", hub, _subnets(hub_key, hub, regions))]
    plans += [
        VpcPlan(s.environment, chosen[s.environment], _subnets(s.key, chosen[s.environment], regions))
        for s in spokes
    ]
    return plans
