"""Data about AWS Wavelength zones for the edge pattern, kept as data so that it can be overridden.

- The zones themselves (name, parent region and zone, border group, zone id, and which of these
  facts are unconfirmed) are declared once in :mod:`kasbah.facts` (``WAVELENGTH_ZONES``). They are
  *defaults* used for static validation and documentation; the component resolves the zone at
  deploy time with ``aws.get_availability_zone(name=..., all_availability_zones=True)`` and uses
  what the cloud answers (group name, border group), never the table.
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
from types import MappingProxyType

from kasbah.facts import CASABLANCA_WLZ

DOCUMENTED_WAVELENGTH_TYPES: frozenset[str] = frozenset(
    {"t3.medium", "t3.xlarge", "r5.2xlarge", "g4dn.2xlarge"}
)
"""Instance types AWS has documented as offered in Wavelength zones in general."""

OFFERED_INSTANCE_TYPES: Mapping[str, frozenset[str]] = MappingProxyType(
    {CASABLANCA_WLZ.name: DOCUMENTED_WAVELENGTH_TYPES}
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
