"""Pure address planning shared by every cloud: parsing, overlap checks, subnet layout."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from components.errors import ConfigError

IPv4Network = ipaddress.IPv4Network


def parse_cidr(key: str, value: str) -> IPv4Network:
    """Parse an IPv4 CIDR block strictly (host bits must be zero)."""
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            key, f"{value!r} is not an IPv4 CIDR block ({exc})", "write it as 10.20.0.0/16"
        ) from None


def find_overlaps(blocks: Mapping[str, IPv4Network]) -> list[tuple[str, str]]:
    """Every pair of named blocks that overlap, in a stable order."""
    names = sorted(blocks)
    pairs: list[tuple[str, str]] = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if blocks[a].overlaps(blocks[b]):
                pairs.append((a, b))
    return pairs


def assert_disjoint(blocks: Mapping[str, IPv4Network]) -> None:
    """Raise a ConfigError naming both keys of the first overlapping pair."""
    for a, b in find_overlaps(blocks):
        raise ConfigError(
            f"{a} and {b}",
            f"{blocks[a]} overlaps {blocks[b]}",
            "give each network its own, non-overlapping address range",
        )


@dataclass(frozen=True)
class SubnetPlan:
    """One planned subnet: its tier (``public``, ``private``...), zone index and block."""

    tier: str
    zone_index: int
    cidr: IPv4Network


def plan_subnets(
    key: str,
    network: IPv4Network,
    tiers: Sequence[str],
    zone_count: int,
    min_prefix: int = 28,
) -> list[SubnetPlan]:
    """Split ``network`` into ``len(tiers) * zone_count`` equal subnets, tier-major.

    Subnets are the largest equal blocks that fit (a power of two count), so a
    /16 with two tiers over three AZs yields six /19s. Raises a ConfigError when
    the network is too small for the request (subnets smaller than ``min_prefix``).
    """
    if zone_count < 1:
        raise ConfigError(key, f"zone count {zone_count} is below 1", "use at least one zone")
    if not tiers:
        raise ConfigError(key, "no subnet tier requested", "ask for at least one tier")
    needed = len(tiers) * zone_count
    extra_bits = (needed - 1).bit_length()
    new_prefix = network.prefixlen + extra_bits
    if new_prefix > min_prefix:
        largest = max(network.prefixlen - extra_bits, 0)
        raise ConfigError(
            key,
            f"{network} is too small for {len(tiers)} tier(s) x {zone_count} zone(s): "
            f"subnets would be /{new_prefix}, smaller than /{min_prefix}",
            f"use a block of /{min_prefix - extra_bits if min_prefix - extra_bits > 0 else largest} "
            "or larger, or fewer zones",
        )
    blocks = list(network.subnets(new_prefix=new_prefix))
    plans: list[SubnetPlan] = []
    for t, tier in enumerate(tiers):
        for z in range(zone_count):
            plans.append(SubnetPlan(tier, z, blocks[t * zone_count + z]))
    return plans
