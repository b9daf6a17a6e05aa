"""The residency profile (from the policy-pack config) and pure location logic.

No Pulumi here: tests call these functions directly. A location is a name
(an AWS/Azure/GCP region, a Wavelength zone, or a sovereign location named
in config); a Wavelength zone is its own location, in-country when listed
in ``inCountryLocations``, and falls back to its parent region otherwise.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kasbah.facts import (
    CLASSIFICATION_TAG,
    HOME_COUNTRY,
    LOCATION_COUNTRIES,
    WAVELENGTH_ZONES,
    DataClassification,
    SovereignLocation,
)
from policies.framework import PolicyConfigError, Undecided, is_unknown, today

from . import inventory, locations, sovereign
from .sovereign import Qualification

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
class DeclaredClass:
    """A class stated in configuration for stores that cannot carry the tag (Trove, content libraries)."""

    urn: str
    """fnmatch pattern over the store's URN."""
    classification: str


@dataclass(frozen=True)
class Profile:
    """Where each data class may be stored (the pack's configuration, defaults = Kasbah's profile)."""

    allowed: Mapping[str, frozenset[str]]
    """Class -> locations allowed besides in-country ones (sensitive: narrows the qualified locations)."""
    in_country: frozenset[str]
    """Locations on Moroccan territory: allowed for public, internal and personal data, no CNDP notice."""
    wavelength_zones: Mapping[str, WavelengthZone]
    """Known Wavelength zones, by zone name, zone id and border group."""
    extra_types: frozenset[str]
    """Extra data-store type tokens (classification from tags)."""
    sovereign: tuple[SovereignLocation, ...] = ()
    """Declared OpenStack regions and vCenter datacenters with their qualification (none by default)."""
    declared_classes: tuple[DeclaredClass, ...] = ()
    """Classes of stores that cannot carry the tag, by URN pattern."""
    today: _dt.date = field(default_factory=today)
    """The day qualifications are checked against (UTC)."""

    def qualification(self, loc: Location) -> Qualification | None:
        """The declared location behind a resolved location (``None``: not a declared location)."""
        return Qualification(loc.sovereign, self.today) if loc.sovereign is not None else None

    def declared(self, name: str) -> SovereignLocation | None:
        return next((d for d in self.sovereign if d.name == name), None)

    def qualified_for_sensitive(self) -> list[str]:
        """Declared locations that may hold sensitive data today (level 2, in Morocco, not expired)."""
        narrowed = self.allowed.get(SENSITIVE, frozenset())
        return sorted(
            d.name
            for d in self.sovereign
            if Qualification(d, self.today).may_hold_sensitive and (not narrowed or d.name in narrowed)
        )

    def allowed_for(self, cls: str) -> frozenset[str]:
        if cls == SENSITIVE:
            return frozenset(self.qualified_for_sensitive())
        return self.allowed.get(cls, frozenset()) | self.in_country

    def permits(self, cls: str, loc: Location) -> bool:
        if cls == SENSITIVE:
            return loc.sovereign is not None and loc.name in self.allowed_for(SENSITIVE)
        allowed = self.allowed_for(cls)
        if loc.name in allowed:
            return True
        if loc.members is not None:
            # A multi-region: allowed only if every region it may use is (never "any region").
            return bool(loc.members) and all(m in allowed for m in loc.members)
        return loc.parent is not None and loc.parent in allowed

    def is_in_country(self, loc: Location) -> bool:
        return loc.members is None and loc.name in self.in_country

    def country_of(self, loc: Location) -> str:
        """ISO code of a location's country: declared, a Wavelength zone's, in-country, an approved region's."""
        if loc.sovereign is not None:
            return loc.sovereign.country
        zone = WAVELENGTH_ZONES.get(loc.name)
        if zone is not None:
            return zone.country
        if loc.name in self.in_country:
            return HOME_COUNTRY
        return LOCATION_COUNTRIES.get(loc.name) or LOCATION_COUNTRIES.get(loc.parent or "", "?")

    def needs_cndp_notice(self, cls: str, loc: Location) -> bool:
        """Personal data stored (allowed) outside Morocco: a transfer to declare to the CNDP."""
        return cls == PERSONAL and self.permits(cls, loc) and not self.is_in_country(loc)

    def describe_allowed(self, cls: str) -> str:
        allowed = sorted(self.allowed_for(cls))
        if not allowed:
            if cls == SENSITIVE:
                return (
                    "nowhere yet (no level-2 qualified location in Morocco is declared in sovereignLocations, "
                    "or every declared qualification has expired)"
                )
            return "nowhere (allowedLocations and inCountryLocations are empty)"
        return ", ".join(allowed)

    def declared_class(self, urn: str) -> str | None:
        for entry in self.declared_classes:
            if fnmatch.fnmatchcase(urn, entry.urn):
                return entry.classification
        return None

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
"""The default profile: approved regions for every class but sensitive, which has no default location."""

_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True}

CONFIG_PROPERTIES: dict[str, Any] = {
    "allowedLocations": {
        "type": "object",
        "description": (
            "Locations (regions, zones, sovereign locations) where each data class may be stored, besides "
            "inCountryLocations and the sovereignLocations in Morocco (which public, internal and personal data "
            "may always use). Sensitive data may be stored only on level-2 qualified sovereignLocations in "
            "Morocco (decree 2-24-921); a non-empty 'sensitive' list narrows those to the names listed."
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
    sovereign.KEY: sovereign.SCHEMA,
    "declaredClassifications": {
        "type": "array",
        "description": (
            "Classes of data stores that cannot carry the data-classification tag (OpenStack Trove instances, "
            "vSphere content libraries and their items): an fnmatch pattern over the URN and the class. Such a "
            "store with no entry is unclassified (a violation)."
        ),
        "default": [],
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["urn", "classification"],
            "properties": {
                "urn": {"type": "string", "minLength": 1},
                "classification": {"enum": list(CLASSES)},
            },
        },
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


def profile_from_config(
    config: Mapping[str, Any] | None, policy: str = "?", day: _dt.date | None = None
) -> Profile:
    """The profile a policy's configuration describes (missing keys take the schema default).

    Raises :class:`PolicyConfigError` (one line naming ``policy`` and the key) for a declaration the
    schema cannot refuse: a missing field of a cloud kind, an impossible date, a duplicate, a name in
    ``allowedLocations.sensitive`` that no ``sovereignLocations`` entry declares.
    """
    cfg = config or {}
    defaults = {k: v["default"] for k, v in CONFIG_PROPERTIES.items()}
    raw_allowed = cfg.get("allowedLocations")
    if raw_allowed is None:
        raw_allowed = defaults["allowedLocations"]
    allowed = {
        cls: frozenset(_strings(raw_allowed.get(cls, DEFAULT_ALLOWED[cls]), f"allowedLocations.{cls}"))
        for cls in CLASSES
    }
    declared = sovereign.parse(cfg.get(sovereign.KEY), policy)
    names = sovereign.declared_names(declared)
    for name in sorted(allowed[SENSITIVE] - names):
        raise PolicyConfigError(
            policy,
            "allowedLocations.sensitive",
            f"{name!r} is not a declared sovereign location; sensitive data may be stored only on a level-2 "
            "qualified location in Morocco (decree 2-24-921)",
            f"declare it in {sovereign.KEY} with its qualification, or remove it",
        )
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
    classes = tuple(
        DeclaredClass(str(item["urn"]), str(item["classification"]))
        for item in cfg.get("declaredClassifications") or []
    )
    return Profile(
        allowed=allowed,
        in_country=frozenset(_strings(in_country, "inCountryLocations"))
        | {d.name for d in declared if d.country == HOME_COUNTRY},
        wavelength_zones=zones,
        extra_types=frozenset(_strings(extra, "extraDataStoreTypes")),
        sovereign=declared,
        declared_classes=classes,
        today=day or today(),
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
    members: tuple[str, ...] | None = None
    """For a multi-region (GCP ``EU``, ``global``...): the regions its data may be stored in (``*``: any)."""
    sovereign: SovereignLocation | None = None
    """The declared OpenStack region or vCenter datacenter this location is (``None``: not declared)."""

    def describe(self) -> str:
        if self.parent is not None:
            return f"{self.name} (Wavelength zone of {self.parent}, from {self.source})"
        if self.members is not None:
            regions = "any region" if "*" in self.members else ", ".join(self.members)
            return f"{self.name} (multi-region: {regions}; from {self.source})"
        if self.sovereign is not None:
            where = self.sovereign.region or f"{self.sovereign.vcenter}/{self.sovereign.datacenter}"
            return f"{self.name} ({self.sovereign.provider} {self.cloud} {where}, from {self.source})"
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
    if source == inventory.PROJECT_LABELS:
        return Classification(None, PROJECT_LABELS_WHERE)  # the stack reads the project's (resolve.Stack)
    if source == inventory.SQL_USER_LABELS:
        settings = props.get("settings")
        if is_unknown(settings):
            raise Undecided("settings")
        labels = settings.get("userLabels") if isinstance(settings, Mapping) else None
        return _tag(labels, "settings.userLabels") or Classification(None, "settings.userLabels")
    if source == inventory.METADATA:
        return _tag(props.get("metadata"), "metadata") or Classification(None, "metadata")
    if source == inventory.IMAGE_PROPERTIES:
        return _tag(props.get("properties"), "properties") or Classification(None, "properties")
    if source in RELATIONAL_SOURCES or source.startswith(inventory.RELATED_PREFIX):
        raise ValueError(f"classification source {source!r} needs the stack (resolve.Stack.classification)")
    keys = ("labels", "effectiveLabels") if source == inventory.LABELS else ("tags", "tagsAll")
    for key in keys:
        found = _tag(props.get(key), key)
        if found is not None:
            return found
    return Classification(None, keys[0])


PROJECT_LABELS_WHERE = "its project's labels"
"""Where the class of a GCP store without labels (log bucket, key ring, Firestore database) is read."""


RELATIONAL_SOURCES: frozenset[str] = frozenset({inventory.VSPHERE_TAGS, inventory.DECLARED})
"""Classification sources read through other resources or the configuration, not the store's own inputs."""


def is_relational(spec: Mapping[str, Any]) -> bool:
    source = str(spec["classification"])
    return source in RELATIONAL_SOURCES or source.startswith(inventory.RELATED_PREFIX)


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
