"""awsx's VPC subnet layout, computed as pulumi-awsx computes it (pure: no Pulumi, no I/O).

Followed from pulumi-awsx's own implementation (github.com/pulumi/pulumi-awsx, ``awsx/ec2/``,
Apache-2.0; read at commit e60adf3c, v3.x, not copied):

- ``subnetDistributorLegacy.ts`` (``getSubnetSpecsLegacy``, the default ``subnetStrategy``): the VPC
  block split evenly between the zones; per zone private subnets (default /19), then public (/20),
  then isolated (/24), each placed after the previous one;
- ``subnetDistributorNew.ts`` (``Auto``, ``AutoMerge``, ``Exact`` with explicit ``cidrBlocks``): each
  zone's block filled in the order of the specs, unsized specs sharing what is left evenly;
- ``subnetNaming.ts``: ``<vpc>-<spec name or type>-<zone number>`` (the Name tag may use the zone
  suffix instead, ``subnetNameTagStrategy: AvailabilityZone``);
- ``vpc.ts``: the validations (overlaps, gaps for ``Exact``, NAT strategy against the subnet types,
  Elastic IP counts), each refused with the provider's own words.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass, field
from typing import Any

SUBNET_TYPES = ("Public", "Private", "Isolated", "Unused")
STRATEGIES = ("Legacy", "Auto", "AutoMerge", "Exact")
NAT_STRATEGIES = ("None", "Single", "OnePerAz")
VALID_SIZES = tuple(2 ** (32 - mask) for mask in range(0, 31))
"""``validSubnetSizes``: the size of a /N block at index N."""


class LayoutError(Exception):
    """awsx refuses the arguments (its own message)."""


@dataclass(frozen=True)
class SpecInput:
    """One ``awsx:ec2:SubnetSpec``."""

    type: str
    name: str | None = None
    cidr_mask: int | None = None
    size: int | None = None
    cidr_blocks: tuple[str, ...] | None = None
    assign_ipv6: bool | None = None
    tags: dict[str, Any] = field(default_factory=dict)

    @property
    def spec_name(self) -> str:
        return self.name if self.name is not None else self.type.lower()


@dataclass(frozen=True)
class Subnet:
    """One subnet awsx creates (``SubnetSpec`` of ``subnetSpecs.ts``)."""

    cidr_block: str
    type: str
    az_name: str
    resource_name: str
    name_tag: str
    assign_ipv6: bool | None = None
    tags: dict[str, Any] = field(default_factory=dict)


_AZ_PREFIX = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-")


def az_suffix(az: str) -> str:
    """``us-east-1a`` -> ``1a`` (``azSuffix``): the zone name without its region prefix."""
    return _AZ_PREFIX.sub("", az) if _AZ_PREFIX.match(az) else az


def subnet_names(vpc: str, spec: SpecInput, az_num: int, az: str, tag_strategy: str) -> tuple[str, str]:
    """(resource name, Name tag): the resource name is always index-based."""
    resource = f"{vpc}-{spec.spec_name}-{az_num}"
    tag = f"{vpc}-{spec.spec_name}-{az_suffix(az)}" if tag_strategy == "AvailabilityZone" else resource
    return resource, tag


def parse_spec(raw: dict[str, Any], index: int) -> SpecInput:
    kind = raw.get("type")
    if kind not in SUBNET_TYPES:
        raise LayoutError(
            f"subnetSpecs[{index}].type must be one of {', '.join(SUBNET_TYPES)} (got {kind!r})"
        )
    blocks = raw.get("cidrBlocks")
    return SpecInput(
        type=str(kind),
        name=str(raw["name"]) if raw.get("name") is not None else None,
        cidr_mask=int(raw["cidrMask"]) if raw.get("cidrMask") is not None else None,
        size=int(raw["size"]) if raw.get("size") is not None else None,
        cidr_blocks=tuple(str(b) for b in blocks) if blocks is not None else None,
        assign_ipv6=raw.get("assignIpv6AddressOnCreation"),
        tags=dict(raw.get("tags") or {}),
    )


# --------------------------------------------------------------------------------------------------
# Address arithmetic, as the ip-address and netmask npm libraries do it


def _addr(cidr: str) -> tuple[int, int]:
    """(address as written, prefix length) of ``a.b.c.d/n`` (the address is not masked)."""
    text, _, mask = cidr.partition("/")
    return int(ipaddress.IPv4Address(text)), int(mask or 32)


def _fmt(addr: int, mask: int) -> str:
    return f"{ipaddress.IPv4Address(addr % 2**32)}/{mask}"


def _start(addr: int, mask: int) -> int:
    return addr & ~((1 << (32 - mask)) - 1) & 0xFFFFFFFF


def _end(addr: int, mask: int) -> int:
    return _start(addr, mask) + (1 << (32 - mask)) - 1


def cidr_subnet(ip_range: str, new_bits: int, net_num: int) -> str:
    """``cidrSubnetV4``: the ``net_num``-th block of ``new_bits`` more bits after the range's address."""
    addr, mask = _addr(ip_range)
    new_mask = mask + new_bits
    if new_mask > 32:
        raise LayoutError(f"Requested {new_bits} new bits, but only {32 - mask} are available.")
    return _fmt(addr + (2 ** (32 - new_mask)) * net_num, new_mask)


def _overlapping(a: str, b: str) -> bool:
    a_addr, a_mask = _addr(a)
    b_addr, b_mask = _addr(b)
    return _start(a_addr, a_mask) <= _end(b_addr, b_mask) and _start(b_addr, b_mask) <= _end(a_addr, a_mask)


def next_block(previous: str, mask: int) -> str:
    """``nextBlock``: the first block of size ``mask`` after the end of ``previous``."""
    addr, pmask = _addr(previous)
    last = _end(addr, pmask)
    return _fmt(_end(last, mask) + 1, mask)


def _next_pow2(n: int) -> int:
    return 1 if n == 0 else 1 << (n - 1).bit_length()


def new_bits(count: int) -> int:
    return 0 if count == 0 else math.ceil(math.log2(count))


def _netmask(base: str | int, mask: int) -> tuple[int, int]:
    """A ``Netmask(base, mask)``: the network of that size containing ``base``."""
    addr = int(ipaddress.IPv4Address(base)) if isinstance(base, str) else base
    return _start(addr, mask), mask


def _next_net(net: tuple[int, int]) -> tuple[int, int]:
    base, mask = net
    return base + (1 << (32 - mask)), mask


# --------------------------------------------------------------------------------------------------
# Allocators


def legacy_subnets(
    vpc: str,
    vpc_cidr: str,
    azs: list[str],
    specs: list[SpecInput] | None,
    az_cidr_mask: int | None = None,
    tag_strategy: str = "Legacy",
) -> list[Subnet]:
    """``getSubnetSpecsLegacy``."""
    vpc_mask = _addr(vpc_cidr)[1]
    bits_per_az = (
        az_cidr_mask - vpc_mask if az_cidr_mask is not None else int(math.log2(_next_pow2(len(azs))))
    )
    bases = [cidr_subnet(vpc_cidr, bits_per_az, i) for i in range(len(azs))]
    if specs is None:
        private = [
            _subnet(vpc, SpecInput("Private"), i, azs[i], cidr_subnet(bases[i], 1, 0), tag_strategy)
            for i in range(len(azs))
        ]
        public = [
            _subnet(
                vpc,
                SpecInput("Public"),
                i,
                azs[i],
                cidr_subnet(cidr_subnet(private[i].cidr_block, 0, 1), 1, 0),
                tag_strategy,
            )
            for i in range(len(azs))
        ]
        return private + public
    base_mask = _addr(bases[0])[1]
    privates_in = [s for s in specs if s.type.lower() == "private"]
    publics_in = [s for s in specs if s.type.lower() == "public"]
    isolated_in = [s for s in specs if s.type.lower() == "isolated"]
    per_subnet = 0 if len(specs) == 1 else 1
    out: list[Subnet] = []
    for i, az in enumerate(azs):
        start_addr, _ = _addr(bases[i])
        current = _fmt(_start(start_addr, _addr(bases[i])[1]) - 1, 32)
        privates: list[Subnet] = []
        publics: list[Subnet] = []
        isolated: list[Subnet] = []
        for j, spec in enumerate(privates_in):
            mask = spec.cidr_mask if spec.cidr_mask is not None else max(base_mask + per_subnet, 19)
            nxt = cidr_subnet(bases[i], mask - base_mask, j)
            if _overlapping(current, nxt):
                nxt = next_block(current, mask)
            privates.append(_subnet(vpc, spec, i, az, nxt, tag_strategy, "Private"))
            current = nxt
        for j, spec in enumerate(publics_in):
            base_cidr = privates[-1].cidr_block if privates else bases[i]
            split = cidr_subnet(base_cidr, 0, 1) if privates else bases[i]
            mask = spec.cidr_mask if spec.cidr_mask is not None else max(base_mask + per_subnet, 20)
            nxt = cidr_subnet(split, mask - _addr(base_cidr)[1], j)
            if _overlapping(current, nxt):
                nxt = next_block(current, mask)
            publics.append(_subnet(vpc, spec, i, az, nxt, tag_strategy, "Public"))
            current = nxt
        for j, spec in enumerate(isolated_in):
            if publics:
                base_cidr = publics[-1].cidr_block
            elif privates:
                base_cidr = privates[-1].cidr_block
            else:
                base_cidr = bases[i]
            split = cidr_subnet(base_cidr, 0, 1) if (publics or privates) else bases[i]
            mask = spec.cidr_mask if spec.cidr_mask is not None else max(base_mask + per_subnet, 24)
            nxt = cidr_subnet(split, mask - _addr(base_cidr)[1], j)
            if _overlapping(current, nxt):
                nxt = next_block(current, mask)
            isolated.append(_subnet(vpc, spec, i, az, nxt, tag_strategy, "Isolated"))
            current = nxt
        out += privates + publics + isolated
    return out


def _subnet(
    vpc: str, spec: SpecInput, az_index: int, az: str, cidr: str, tag_strategy: str, kind: str | None = None
) -> Subnet:
    resource, tag = subnet_names(vpc, spec, az_index + 1, az, tag_strategy)
    return Subnet(cidr, kind or spec.type, az, resource, tag, spec.assign_ipv6, spec.tags)


def _default_bare() -> list[SpecInput]:
    return [SpecInput("Private"), SpecInput("Public")]


def _default_specs(az_mask: int) -> list[SpecInput]:
    if az_mask > 26:
        raise LayoutError(
            f"Automatic subnet creation requires a VPC with at least /26 available per AZ, but only /{az_mask} "
            "is available.If you do need very small subnets, please specify them explicitly."
        )
    top = max(az_mask, 16)
    return [SpecInput(s.type, cidr_mask=top + i + 1) for i, s in enumerate(_default_bare())]


def merge_with_defaults(user: list[SpecInput], defaults: list[SpecInput]) -> list[SpecInput]:
    """``mergeWithDefaultSubnetSpecs`` (AutoMerge)."""
    overrides: dict[str, SpecInput] = {}
    extra: list[SpecInput] = []
    for spec in user:
        match = next((d for d in defaults if d.type.lower() == spec.type.lower()), None)
        if match is not None and spec.name is None:
            key = spec.type.lower()
            if key in overrides:
                raise LayoutError(
                    f'Multiple subnet specs of type "{key}" require unique names. You can have at most one unnamed '
                    'subnet per type. All other subnets of the same type must have unique "name" properties to '
                    "avoid duplicate resource names."
                )
            overrides[key] = spec
            continue
        extra.append(spec)
    merged = []
    for d in defaults:
        o = overrides.get(d.type.lower())
        merged.append(
            SpecInput(
                d.type,
                o.name if o else d.name,
                o.cidr_mask if o and o.cidr_mask is not None else d.cidr_mask,
                o.size if o and o.size is not None else d.size,
                o.cidr_blocks if o else d.cidr_blocks,
                o.assign_ipv6 if o else d.assign_ipv6,
                o.tags if o else d.tags,
            )
        )
    return merged + extra


def auto_subnets(
    vpc: str,
    vpc_cidr: str,
    azs: list[str],
    specs: list[SpecInput] | None,
    az_cidr_mask: int | None = None,
    tag_strategy: str = "Legacy",
    merge: bool = False,
) -> list[Subnet]:
    """``getSubnetSpecs`` / ``getSubnetSpecsAutoMerge`` (the ``Auto`` and ``AutoMerge`` strategies)."""
    vpc_base, vpc_mask = _addr(vpc_cidr)
    az_mask = az_cidr_mask if az_cidr_mask is not None else vpc_mask + new_bits(len(azs))
    if merge:
        alloc_specs = merge_with_defaults(specs or [], _default_specs(az_mask))
        named = merge_with_defaults(specs or [], _default_bare())
    else:
        alloc_specs = specs if specs is not None else _default_specs(az_mask)
        named = specs if specs is not None else _default_bare()
    if not alloc_specs:
        raise LayoutError("No subnets specified")
    default_mask = az_mask + new_bits(len(alloc_specs))
    az_size = 1 << (32 - az_mask)
    total = sum(1 << (32 - (s.cidr_mask if s.cidr_mask is not None else default_mask)) for s in alloc_specs)
    if total > az_size:
        raise LayoutError(
            f"Subnets are too large for VPC. VPC has {az_size} addresses, but subnets require {total} addresses."
        )
    allocation: dict[tuple[int, int], str] = {}
    az_net = _netmask(_start(vpc_base, vpc_mask), az_mask)
    for a in range(len(azs)):
        current: tuple[int, int] | None = None
        for k, spec in enumerate(alloc_specs):
            mask = spec.cidr_mask if spec.cidr_mask is not None else default_mask
            if current is None:
                current = _netmask(az_net[0], mask)
            else:
                last = current[0] + (1 << (32 - current[1])) - 1
                current = _next_net(_netmask(last, mask))
            allocation[(a, k)] = _fmt(*current)
        az_net = _next_net(az_net)
    return [
        _subnet(vpc, spec, a, az, allocation[(a, k)], tag_strategy)
        for a, az in enumerate(azs)
        for k, spec in enumerate(named)
    ]


def explicit_subnets(
    vpc: str, azs: list[str], specs: list[SpecInput], tag_strategy: str = "Legacy"
) -> list[Subnet]:
    """``getSubnetSpecsExplicit``: each spec's ``cidrBlocks``, one per zone."""
    return [
        _subnet(vpc, spec, a, az, (spec.cidr_blocks or ())[a], tag_strategy)
        for a, az in enumerate(azs)
        for spec in specs
    ]


def normalize(specs: list[SpecInput] | None, az_count: int) -> tuple[list[SpecInput] | None, bool]:
    """``validateAndNormalizeSubnetInputs``: (specs with ``cidrMask`` from ``size``, whether explicit)."""
    if specs is None:
        return None, False
    issues: list[str] = []
    by_type: dict[str, list[SpecInput]] = {}
    for spec in specs:
        by_type.setdefault(spec.type.lower(), []).append(spec)
    for kind, group in by_type.items():
        names = [s.name for s in group]
        named = [n for n in names if n is not None]
        if len(group) > 1 and (names.count(None) > 1 or len(set(named)) < len(named)):
            issues.append(
                f'Multiple subnet specs of type "{kind}" require unique names. You can have at most one unnamed '
                'subnet per type. All other subnets of the same type must have unique "name" properties to '
                "avoid duplicate resource names."
            )
    invalid = [s.size for s in specs if s.size is not None and s.size not in VALID_SIZES]
    if invalid:
        issues.append(
            f"The following subnet sizes are invalid: {', '.join(map(str, invalid))}. "
            f"Valid sizes are: {', '.join(map(str, VALID_SIZES))}."
        )
    explicit = any(s.cidr_blocks is not None for s in specs)
    out: list[SpecInput] = []
    for i, spec in enumerate(specs):
        if explicit:
            if spec.cidr_blocks is None:
                issues.append(
                    "If any subnet spec has explicit cidrBlocks, all subnets must have explicit cidrBlocks."
                )
                continue
            if len(spec.cidr_blocks) != az_count:
                issues.append(
                    f"The number of CIDR blocks in subnetSpecs[{i}] must match the number of availability zones ({az_count})."
                )
                continue
            masks = [_addr(b)[1] for b in spec.cidr_blocks]
            if spec.cidr_mask is not None and any(m != spec.cidr_mask for m in masks):
                issues.append(
                    f"The cidrMask in subnetSpecs[{i}] must match all cidrBlocks or be left undefined."
                )
                continue
            if spec.size is not None and any(1 << (32 - m) != spec.size for m in masks):
                issues.append(f"The size in subnetSpecs[{i}] must match all cidrBlocks or be left undefined.")
                continue
            out.append(spec)
            continue
        mask = spec.cidr_mask
        if mask is None and spec.size:
            mask = VALID_SIZES.index(spec.size) if spec.size in VALID_SIZES else None
        expected = VALID_SIZES[mask] if mask else None
        if spec.size is not None and expected is not None and expected != spec.size:
            issues.append(
                f"Subnet size {spec.size} does not match the expected size for a /{mask} subnet ({expected})."
            )
        out.append(
            SpecInput(spec.type, spec.name, mask, expected, spec.cidr_blocks, spec.assign_ipv6, spec.tags)
        )
    if issues:
        raise LayoutError("Invalid subnet specifications:\n - " + "\n - ".join(issues))
    return out, explicit


def plan_subnets(
    vpc: str,
    vpc_cidr: str,
    azs: list[str],
    specs: list[SpecInput] | None,
    strategy: str,
    nat_strategy: str,
    az_cidr_mask: int | None = None,
    tag_strategy: str = "Legacy",
) -> list[Subnet]:
    """The subnets awsx creates, validated as ``decideAndValidateSubnetSpecs`` validates them."""
    if strategy not in STRATEGIES:
        raise LayoutError(f"Unknown subnetStrategy '{strategy}'")
    if strategy == "AutoMerge" and specs and any(s.cidr_blocks is not None for s in specs):
        raise LayoutError(
            'subnetStrategy="AutoMerge" does not support subnetSpecs with explicit cidrBlocks. '
            'Use subnetStrategy="Auto" or "Exact" to fully specify the subnet layout.'
        )
    normalized, explicit = normalize(specs, len(azs))
    if normalized is None:
        allocator = "new" if strategy in ("Auto", "AutoMerge") else "legacy"
    elif strategy == "Legacy":
        allocator = "legacy"
    elif explicit:
        allocator = "explicit"
    else:
        allocator = "new"
    if allocator == "legacy":
        subnets = legacy_subnets(vpc, vpc_cidr, azs, normalized, None, tag_strategy)
    elif allocator == "explicit":
        subnets = explicit_subnets(vpc, azs, normalized or [], tag_strategy)
    else:
        subnets = auto_subnets(
            vpc, vpc_cidr, azs, normalized, az_cidr_mask, tag_strategy, strategy == "AutoMerge"
        )
    overlapping = [
        s for s in subnets if any(o is not s and _overlapping(s.cidr_block, o.cidr_block) for o in subnets)
    ]
    if overlapping:
        raise LayoutError(
            "The following subnets overlap with at least one other subnet. Make the CIDR for the VPC larger, reduce "
            "the size of the subnets per AZ, or use less Availability Zones: "
            + ", ".join(f"{s.resource_name}: {s.cidr_block}" for s in overlapping)
        )
    if strategy == "Exact":
        _no_gaps(vpc_cidr, subnets)
    validate_nat(nat_strategy, subnets)
    return subnets


def _no_gaps(vpc_cidr: str, subnets: list[Subnet]) -> None:
    """``validateNoGaps``."""
    vpc_addr, vpc_mask = _addr(vpc_cidr)
    gaps: list[str] = []
    prev: Subnet | None = None
    for spec in subnets:
        addr, mask = _addr(spec.cidr_block)
        if prev is None:
            if _start(addr, mask) != _start(vpc_addr, vpc_mask):
                gaps.append(
                    f"{spec.resource_name} ({spec.cidr_block}) does not start at the beginning of the VPC ({vpc_cidr})"
                )
        else:
            paddr, pmask = _addr(prev.cidr_block)
            if _start(addr, mask) != _end(paddr, pmask) + 1:
                gaps.append(
                    f"{prev.resource_name} ({prev.cidr_block}) <=> {spec.resource_name} ({spec.cidr_block})"
                )
        prev = spec
    if prev is not None:
        addr, mask = _addr(prev.cidr_block)
        if _end(addr, mask) != _end(vpc_addr, vpc_mask):
            gaps.append(f"{prev.resource_name} ends before VPC ends")
    if gaps:
        raise LayoutError(
            f"There are gaps in the subnet ranges. Please fix the following gaps: {', '.join(gaps)}"
        )


def validate_nat(strategy: str, subnets: list[Subnet]) -> None:
    """``validateNatGatewayStrategy``."""
    low = strategy.lower()
    if low in ("oneperaz", "single"):
        types = {s.type.lower() for s in subnets}
        if "public" in types and types & {"private", "isolated"}:
            return
        raise LayoutError(
            "If NAT Gateway strategy is 'OnePerAz' or 'Single', public subnets must be declared to host the NAT "
            "Gateway resource, along with private or isolated subnets to route through it."
        )
    if low != "none":
        raise LayoutError(f"Unknown NAT Gateway strategy '{strategy}'")


def validate_eips(strategy: str, eips: list[Any], az_count: int) -> None:
    """``validateEips``."""
    low = strategy.lower()
    if low == "none" and eips:
        raise LayoutError(
            f"Elastic IP allocation IDs cannot be specified when NAT Gateway strategy is '{strategy}'."
        )
    if low == "single" and len(eips) > 1:
        raise LayoutError(
            f"Exactly one Elastic IP may be specified when NAT Gateway strategy is '{strategy}'."
        )
    if low == "oneperaz" and eips and len(eips) != az_count:
        raise LayoutError(
            f"The number of Elastic IPs, if specified, must match the number of availability zones for the VPC "
            f"({az_count}) when NAT Gateway strategy is '{strategy}'"
        )
    if low not in ("none", "single", "oneperaz"):
        raise LayoutError(f"Unknown NatGatewayStrategy '{strategy}'")


def should_create_nat(strategy: str, count: int, az_index: int) -> bool:
    low = strategy.lower()
    if low == "single":
        return count < 1
    if low == "oneperaz":
        return count < az_index + 1
    return False


def creation_order(subnets: list[Subnet], azs: list[str]) -> list[Subnet]:
    """Per zone, public first, then private, then isolated (``compareSubnetSpecs``, a stable sort)."""
    rank = {"public": 0, "private": 1, "isolated": 2}
    out: list[Subnet] = []
    for az in azs:
        here = [s for s in subnets if s.az_name == az and s.type != "Unused"]
        out += sorted(here, key=lambda s: rank.get(s.type.lower(), 3))
    return out
