"""The residency profile (from the policy-pack config) and pure location logic.

No Pulumi here: tests call these functions directly. A location is a name
(an AWS/Azure/GCP region, a Wavelength zone, or a sovereign location named
in config); a Wavelength zone is its own location, in-country when listed
in ``inCountryLocations``, and falls back to its parent region otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kasbah.facts import CLASSIFICATION_TAG, DataClassification
from policies.framework import Undecided, is_unknown

from . import inventory, locations

CLASSES: tuple[str, ...] = tuple(c.value for c in DataClassification)
SENSITIVE = DataClassification.SENSITIVE.value
PERSONAL = DataClassification.PERSONAL.value


# --- the profile -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WavelengthZone:
    zone: str
    parent_region: str
    border_group: str = ""
    zone_id: str = ""


@dataclass(frozen=True)
class Profile:
    """Where each data class may be stored (the pack's configuration, defaults = Kasbah's profile)."""

    allowed: Mapping[str, frozenset[str]]
    """Class -> locations allowed besides in-country ones (sensitive: qualified sovereign locations only)."""
    in_country: frozenset[str]
    """Locations on Moroccan territory: allowed for public, internal and personal data, no CNDP notice."""
    wavelength_zones: Mapping[str, WavelengthZone]
    """Known Wavelength zones, by zone name, zone id and border group."""
    extra_types: frozenset[str]
    """Extra data-store type tokens (classification from tags)."""

    def allowed_for(self, cls: str) -> frozenset[str]:
        base = self.allowed.get(cls, frozenset())
        return base if cls == SENSITIVE else base | self.in_country

    def permits(self, cls: str, loc: Location) -> bool:
        allowed = self.allowed_for(cls)
        return loc.name in allowed or (loc.parent is not None and loc.parent in allowed)

    def is_in_country(self, loc: Location) -> bool:
        return loc.name in self.in_country

    def needs_cndp_notice(self, cls: str, loc: Location) -> bool:
        """Personal data stored (allowed) outside Morocco: a transfer to declare to the CNDP."""
        return cls == PERSONAL and self.permits(cls, loc) and not self.is_in_country(loc)

    def describe_allowed(self, cls: str) -> str:
        allowed = sorted(self.allowed_for(cls))
        if not allowed:
            return "nowhere yet (no qualified in-country sovereign location is configured)"
        return ", ".join(allowed)

    def data_store(self, resource_type: str) -> dict[str, Any] | None:
        spec = inventory.DATA_STORES.get(resource_type)
        if spec is not None:
            return spec
        if resource_type in self.extra_types and not is_global_service(resource_type):
            return _EXTRA_STORE
        return None


_EXTRA_STORE: dict[str, Any] = {
    "label": "data store",
    "classification": inventory.TAGS,
    "zone": ("availabilityZone",),
    "subnets": (),
    "defines_volumes": (),
}


def is_global_service(resource_type: str) -> bool:
    return resource_type.startswith(locations.GLOBAL_SERVICES)


DEFAULT_ALLOWED: dict[str, list[str]] = {
    cls: list(locations.SOVEREIGN_LOCATIONS if cls == SENSITIVE else locations.APPROVED_REGIONS)
    for cls in CLASSES
}

_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True}

CONFIG_PROPERTIES: dict[str, Any] = {
    "allowedLocations": {
        "type": "object",
        "description": (
            "Locations (regions, zones, sovereign locations) where each data class may be stored, besides "
            "inCountryLocations (which public, internal and personal data may always use). 'sensitive' lists "
            "the qualified in-country sovereign clouds (decree 2-24-921): none by default."
        ),
        "additionalProperties": False,
        "properties": {cls: {**_STRINGS} for cls in CLASSES},
        "default": DEFAULT_ALLOWED,
    },
    "inCountryLocations": {
        **_STRINGS,
        "description": (
            "Locations on Moroccan territory (Wavelength zones, sovereign regions): allowed for public, internal "
            "and personal data, and personal data there is not a transfer abroad (no CNDP notice)."
        ),
        "default": list(locations.IN_COUNTRY_LOCATIONS),
    },
    "wavelengthZones": {
        "type": "array",
        "description": (
            "Wavelength zones (added to the built-in Casablanca zone): zone name, parent region, network "
            "border group and zone id. A zone is its own location; a zone not in inCountryLocations is "
            "treated as its parent region."
        ),
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["zone", "parentRegion"],
            "properties": {
                "zone": {"type": "string", "minLength": 1},
                "parentRegion": {"type": "string", "minLength": 1},
                "borderGroup": {"type": "string"},
                "zoneId": {"type": "string"},
            },
        },
        "default": [dict(z) for z in locations.WAVELENGTH_ZONES],
    },
    "extraDataStoreTypes": {
        **_STRINGS,
        "description": (
            "Extra resource type tokens to treat as data stores (class from the data-classification tag, "
            "location from region/location inputs and the provider). Global services are ignored."
        ),
        "default": [],
    },
}
"""JSON-schema properties of every residency policy's configuration (defaults = the default profile)."""


def _strings(value: Any, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"residency config {key}: expected a list of strings, got {value!r}")
    return [str(v) for v in value]


def profile_from_config(config: Mapping[str, Any] | None) -> Profile:
    """The profile a policy's configuration describes (missing keys take the schema default)."""
    cfg = config or {}
    defaults = {k: v["default"] for k, v in CONFIG_PROPERTIES.items()}
    raw_allowed = cfg.get("allowedLocations")
    if raw_allowed is None:
        raw_allowed = defaults["allowedLocations"]
    allowed = {
        cls: frozenset(_strings(raw_allowed.get(cls, DEFAULT_ALLOWED[cls]), f"allowedLocations.{cls}"))
        for cls in CLASSES
    }
    in_country = cfg.get("inCountryLocations")
    if in_country is None:
        in_country = defaults["inCountryLocations"]
    zones: dict[str, WavelengthZone] = {}
    configured = cfg.get("wavelengthZones")
    for raw in [*locations.WAVELENGTH_ZONES, *(configured or [])]:
        zone = WavelengthZone(
            zone=str(raw["zone"]),
            parent_region=str(raw["parentRegion"]),
            border_group=str(raw.get("borderGroup") or ""),
            zone_id=str(raw.get("zoneId") or ""),
        )
        for key in (zone.zone, zone.zone_id, zone.border_group):
            if key:
                zones[key] = zone
    extra = cfg.get("extraDataStoreTypes")
    return Profile(
        allowed=allowed,
        in_country=frozenset(_strings(in_country, "inCountryLocations")),
        wavelength_zones=zones,
        extra_types=frozenset(_strings(extra, "extraDataStoreTypes")),
    )


DEFAULT_PROFILE = profile_from_config(None)


# --- locations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """A resolved location: its name, cloud, the parent region of a zone, and how it was resolved."""

    name: str
    cloud: str
    parent: str | None = None
    source: str = ""

    def describe(self) -> str:
        if self.parent is not None:
            return f"{self.name} (Wavelength zone of {self.parent}, from {self.source})"
        return f"{self.name} (from {self.source})"


_WLZ_RE = re.compile(r"^(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d+)-[a-z0-9]+-wlz-\d+[a-z]?$")
_AZ_RE = re.compile(r"^(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d+)[a-z]$")


def zone_location(zone: str, region: str | None, profile: Profile, source: str) -> Location | None:
    """The location an availability-zone input gives (``None`` when it says nothing beyond the region).

    A Wavelength zone (configured, by name, id or border group, or recognised by
    its ``-wlz-`` name) is its own location under its parent region; a regional
    AZ (``eu-west-3a``) gives its region.
    """
    known = profile.wavelength_zones.get(zone)
    if known is not None:
        return Location(known.zone, "aws", parent=known.parent_region, source=source)
    m = _WLZ_RE.match(zone)
    if m:
        return Location(zone, "aws", parent=m.group("region"), source=source)
    m = _AZ_RE.match(zone)
    if m and m.group("region") != region:
        return Location(m.group("region"), "aws", source=source)
    return None


def aws_region(own_region: Any, provider_region: Any, provider_name: str) -> Location | None:
    """AWS region: the resource's own ``region`` input, else its provider's (explicit or default)."""
    if own_region is not None and own_region != "" and own_region != provider_region:
        # The CLI's AnalyzeStack sees the region the provider planned: the provider's, unless set.
        if is_unknown(own_region):
            raise Undecided("the resource's region input")
        return Location(str(own_region), "aws", source="the resource's region input")
    if provider_region is not None and provider_region != "":
        if is_unknown(provider_region):
            raise Undecided(f"the region of {provider_name}")
        return Location(str(provider_region), "aws", source=provider_name)
    return None


def normalize_azure_location(value: str) -> str:
    """``France Central`` -> ``francecentral`` (Azure accepts both spellings)."""
    return value.replace(" ", "").lower()


def azure_pair(region: str) -> tuple[bool, str | None]:
    """(known, paired region) for an Azure region; a known region may have no pair (``None``)."""
    if region in locations.AZURE_REGION_PAIRS:
        return True, locations.AZURE_REGION_PAIRS[region]
    return False, None


def region_of_arn(arn: Any) -> str | None:
    """The region field of an ARN (``None`` when unknown, empty or not an ARN)."""
    if not isinstance(arn, str) or is_unknown(arn) or not arn.startswith("arn:"):
        return None
    parts = arn.split(":")
    return parts[3] or None if len(parts) > 3 else None


# --- classification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Classification:
    """A store's classification as read from its tags: ``value`` is None when missing."""

    value: str | None
    where: str

    @property
    def valid(self) -> bool:
        return self.value in CLASSES


def _tag(tags: Any, where: str) -> Classification | None:
    if is_unknown(tags):
        raise Undecided(where)
    if not isinstance(tags, Mapping):
        return None
    value = tags.get(CLASSIFICATION_TAG)
    if value is None:
        return None
    if is_unknown(value):
        raise Undecided(f"the {CLASSIFICATION_TAG} tag in {where}")
    return Classification(str(value), where)


def defines_volumes(spec: Mapping[str, Any], props: Mapping[str, Any]) -> bool:
    """Whether a launch template or instance defines volumes (and so is a data store)."""
    if not spec["defines_volumes"]:
        return True
    if spec["classification"] == inventory.LAUNCH_TEMPLATE_VOLUMES:
        mappings = props.get("blockDeviceMappings")
        if is_unknown(mappings):
            raise Undecided("blockDeviceMappings")
        if isinstance(mappings, list) and any(isinstance(m, Mapping) and m.get("ebs") for m in mappings):
            return True
        return bool(_volume_tag_specs(props))
    return any(props.get(k) not in (None, [], {}) for k in spec["defines_volumes"])


def _volume_tag_specs(props: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    specs = props.get("tagSpecifications")
    if is_unknown(specs):
        raise Undecided("tagSpecifications")
    out = []
    for spec in specs if isinstance(specs, list) else []:
        if isinstance(spec, Mapping):
            rtype = spec.get("resourceType")
            if is_unknown(rtype):
                raise Undecided("tagSpecifications[].resourceType")
            if rtype == "volume":
                out.append(spec)
    return out


def classification_of(spec: Mapping[str, Any], props: Mapping[str, Any]) -> Classification:
    """Read a data store's classification from where its inventory entry says."""
    source = spec["classification"]
    if source == inventory.LAUNCH_TEMPLATE_VOLUMES:
        for tag_spec in _volume_tag_specs(props):
            found = _tag(tag_spec.get("tags"), "tagSpecifications (resourceType volume)")
            if found is not None:
                return found
        return Classification(None, "tagSpecifications (resourceType volume)")
    if source == inventory.INSTANCE_VOLUMES:
        found = _tag(props.get("volumeTags"), "volumeTags")
        if found is not None:
            return found
        root = props.get("rootBlockDevice")
        if is_unknown(root):
            raise Undecided("rootBlockDevice")
        if isinstance(root, Mapping):
            found = _tag(root.get("tags"), "rootBlockDevice.tags")
            if found is not None:
                return found
        return Classification(None, "volumeTags")
    for key in ("tags", "tagsAll"):
        found = _tag(props.get(key), key)
        if found is not None:
            return found
    return Classification(None, "tags")


def most_restrictive(values: Iterable[str]) -> str | None:
    """The most restrictive of some classes (public < internal < personal < sensitive)."""
    ranked = [v for v in values if v in CLASSES]
    return max(ranked, key=CLASSES.index) if ranked else None


def get_path(props: Mapping[str, Any], path: str) -> list[Any]:
    """Values at a dotted path; lists along the way are searched (unknowns are returned as found)."""
    current: list[Any] = [props]
    for part in path.split("."):
        nxt: list[Any] = []
        for value in current:
            for item in value if isinstance(value, list) else [value]:
                if is_unknown(item):
                    nxt.append(item)
                elif isinstance(item, Mapping) and item.get(part) is not None:
                    nxt.append(item[part])
        current = nxt
    flat: list[Any] = []
    for value in current:
        flat.extend(value if isinstance(value, list) else [value])
    return flat
