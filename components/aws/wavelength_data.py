"""Data about AWS Wavelength zones, kept as data so that it can be overridden, never assumed in code.

Two tables:

- :data:`KNOWN_ZONES`: Wavelength zones Kasbah knows about, with their parent region, parent
  zone, zone group and network border group, and how confident we are in each fact. These are
  *defaults* used for static validation and documentation; the component resolves the zone at
  deploy time with ``aws.get_availability_zone(name=..., all_availability_zones=True)`` and
  uses what the cloud answers (group name, border group), never this table.
- :data:`OFFERED_INSTANCE_TYPES`: the EC2 instance types offered per zone. AWS documents few
  types in Wavelength zones (t3.medium, t3.xlarge, r5.2xlarge, g4dn.2xlarge); check a zone with
  ``aws ec2 describe-instance-type-offerings --location-type availability-zone
  --filters Name=location,Values=<zone>`` and override the list (``EdgeArgs.offered_instance_types``,
  ``kasbah:offeredInstanceTypes``) when it differs.

Sources: ``../shared/context.md`` (AWS Wavelength in Casablanca).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Confidence(StrEnum):
    """How sure we are of a fact (see ``../shared/context.md``)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class WavelengthZoneInfo:
    """What Kasbah knows about one Wavelength zone before asking AWS."""

    name: str
    """Zone name, e.g. ``eu-west-3-cmn-wlz-1a``."""
    parent_region: str
    """The AWS region the zone hangs off (its control plane, logs, snapshots and AMIs live there)."""
    parent_zone: str
    """The regional availability zone the Wavelength zone is attached to."""
    network_border_group: str
    """The border group of carrier IPs (``aws.ec2.Eip.network_border_group``)."""
    zone_id: str
    """The zone id (``euw3-cmn1-wlz1``)."""
    city: str
    """Where the zone is."""
    carrier: str
    """The telecom operator that hosts the zone."""
    confidence: Confidence
    """Confidence in the zone name and border group (the group name is always resolved at deploy time)."""


CASABLANCA_ZONE = "eu-west-3-cmn-wlz-1a"
"""The default zone of the edge pattern (medium confidence: seen in public Terraform examples)."""

KNOWN_ZONES: Mapping[str, WavelengthZoneInfo] = MappingProxyType(
    {
        CASABLANCA_ZONE: WavelengthZoneInfo(
            name=CASABLANCA_ZONE,
            parent_region="eu-west-3",
            parent_zone="eu-west-3a",
            network_border_group="eu-west-3-cmn-wlz-1",
            zone_id="euw3-cmn1-wlz1",
            city="Casablanca",
            carrier="Orange Maroc",
            confidence=Confidence.MEDIUM,
        ),
    }
)
"""Wavelength zones Kasbah knows about, by name. Defaults only: the cloud's answer wins at deploy time."""

DOCUMENTED_WAVELENGTH_TYPES: frozenset[str] = frozenset(
    {"t3.medium", "t3.xlarge", "r5.2xlarge", "g4dn.2xlarge"}
)
"""Instance types AWS has documented as offered in Wavelength zones in general."""

OFFERED_INSTANCE_TYPES: Mapping[str, frozenset[str]] = MappingProxyType(
    {CASABLANCA_ZONE: DOCUMENTED_WAVELENGTH_TYPES}
)
"""Instance types offered per zone (unconfirmed per zone: override when the zone says otherwise)."""

# Wavelength zone names: <parent region>-<location>-wlz-<n>, optionally followed by a letter. AWS's own
# documentation writes them without the letter (us-east-1-wl1-bos-wlz-1, the zone and its network border
# group have the same name: https://docs.aws.amazon.com/wavelength/latest/developerguide/wavelength-quotas.html
# and https://docs.aws.amazon.com/wavelength/latest/developerguide/get-started-wavelength.html); public
# examples also show a letter (eu-west-3-cmn-wlz-1a). Local zones (us-west-2-lax-1a) and regional AZs
# (eu-west-3a) do not match. The zone, its group and its border group are resolved from the API at
# deploy time whatever the form.
_WLZ_RE = re.compile(
    r"^(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d)-(?P<location>[a-z0-9-]+?)-wlz-(?P<n>\d+)(?P<letter>[a-z]?)$"
)
_REGION_RE = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d$")


def is_wavelength_zone_name(name: str) -> bool:
    """Whether ``name`` has the shape of a Wavelength zone name."""
    return _WLZ_RE.match(name) is not None


def parent_region_of(name: str) -> str | None:
    """The parent region encoded in a Wavelength zone name, or ``None`` when it is not one."""
    match = _WLZ_RE.match(name)
    return match.group("region") if match else None


def is_region_name(name: str) -> bool:
    """Whether ``name`` has the shape of an AWS region name (``eu-west-3``)."""
    return _REGION_RE.match(name) is not None


def border_group_of(name: str) -> str | None:
    """The network border group a Wavelength zone name implies (the name minus its letter, if any)."""
    match = _WLZ_RE.match(name)
    if not match:
        return None
    return name[: -len(match.group("letter"))] if match.group("letter") else name


def offered_types(
    zone: str, overrides: Mapping[str, frozenset[str] | list[str] | tuple[str, ...]] | None = None
) -> frozenset[str]:
    """Instance types offered in ``zone``: the override, else the table, else the documented set."""
    if overrides and zone in overrides:
        return frozenset(overrides[zone])
    return OFFERED_INSTANCE_TYPES.get(zone, DOCUMENTED_WAVELENGTH_TYPES)
