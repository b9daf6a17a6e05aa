"""Declared sovereign locations: OpenStack regions and vCenter datacenters, with their qualification.

Decree 2-24-921 qualifies cloud providers at two levels (``kasbah.facts.QualificationLevel``):
level 1 may host sensitive systems, level 2 may also process and store sensitive data.
The list of qualified providers is not published as data Kasbah can cite, so the user
declares each location in the residency policies' configuration (``sovereignLocations``);
none ships by default. A qualification counts until its expiry date (inclusive, UTC);
after it, the location counts as not qualified and every message about it says so.

Pure functions: tests call them directly. Configuration errors are one line naming the
policy and the key (:class:`~policies.framework.PolicyConfigError`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from kasbah.facts import (
    HOME_COUNTRY,
    SENSITIVE_DATA_LEVEL,
    SOVEREIGN_CLOUDS,
    Cloud,
    QualificationLevel,
    SovereignLocation,
)
from policies.framework import PolicyConfigError

KEY: Final = "sovereignLocations"

_LEVELS: Final[dict[Any, QualificationLevel]] = {
    "none": QualificationLevel.NONE,
    1: QualificationLevel.LEVEL_1,
    2: QualificationLevel.LEVEL_2,
}

_TEXT = {"type": "string", "minLength": 1}

SCHEMA: Final[dict[str, Any]] = {
    "type": "array",
    "description": (
        "In-country (or other) OpenStack regions and vCenter datacenters, each with its provider, country and "
        "qualification under decree 2-24-921 (level none, 1 or 2, with the qualification's reference and expiry "
        "date). None by default: nothing is qualified until declared. Sensitive data may be stored only on a "
        "level-2 location in Morocco whose qualification has not expired."
    ),
    "default": [],
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "provider", "cloud", "country", "qualification"],
        "properties": {
            "name": {**_TEXT, "description": "the location's name in reports and in allowedLocations"},
            "provider": {**_TEXT, "description": "the company operating the cloud"},
            "cloud": {"enum": sorted(c.value for c in SOVEREIGN_CLOUDS)},
            "region": {**_TEXT, "description": "OpenStack: the region name"},
            "authUrl": {**_TEXT, "description": "OpenStack: the Keystone endpoint (optional)"},
            "vcenter": {**_TEXT, "description": "vSphere: the vCenter server (the provider's vsphereServer)"},
            "datacenter": {**_TEXT, "description": "vSphere: the datacenter name"},
            "country": {"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2"},
            "qualification": {
                "type": "object",
                "additionalProperties": False,
                "required": ["level"],
                "properties": {
                    "level": {"enum": list(_LEVELS)},
                    "reference": {**_TEXT, "description": "the qualification decision's reference"},
                    "expires": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"},
                },
            },
        },
    },
}
"""JSON schema of ``sovereignLocations`` (every object closed: the CLI refuses a typo)."""


@dataclass(frozen=True)
class Qualification:
    """Where a declared location stands on a given day."""

    location: SovereignLocation
    today: _dt.date

    @property
    def expiry(self) -> _dt.date | None:
        return _dt.date.fromisoformat(self.location.expires) if self.location.expires else None

    @property
    def expired(self) -> bool:
        """A level-1 or level-2 qualification whose expiry date has passed."""
        expiry = self.expiry
        return (
            self.location.level is not QualificationLevel.NONE and expiry is not None and expiry < self.today
        )

    @property
    def level(self) -> QualificationLevel:
        """The level that counts today: the declared one, or none once expired."""
        return QualificationLevel.NONE if self.expired else self.location.level

    @property
    def in_country(self) -> bool:
        return self.location.country == HOME_COUNTRY

    @property
    def may_hold_sensitive(self) -> bool:
        return self.in_country and self.level is SENSITIVE_DATA_LEVEL

    def describe(self) -> str:
        """``level 2 (QC-2025-014, until 2027-12-31)``, or why it does not count."""
        loc = self.location
        if loc.level is QualificationLevel.NONE:
            return "not qualified (decree 2-24-921)"
        text = f"level {loc.level.value} ({loc.reference}, until {loc.expires})"
        if self.expired:
            return f"level {loc.level.value} qualification {loc.reference} expired on {loc.expires}: it no longer counts"
        return text

    def why_not_sensitive(self) -> str:
        """Why sensitive data may not be stored here (empty when it may)."""
        loc = self.location
        if not self.in_country:
            return f"{loc.name} is in {loc.country}, not in Morocco (Law 05-20: sensitive data stays on national territory)"
        if self.expired:
            return f"the {self.describe()}"
        if loc.level is QualificationLevel.LEVEL_1:
            return (
                f"{loc.name} ({loc.provider}) is qualified at level 1 ({loc.reference}), which allows hosting "
                "sensitive systems but not processing or storing sensitive data: that requires level 2 "
                "(decree 2-24-921)"
            )
        if loc.level is QualificationLevel.NONE:
            return f"{loc.name} ({loc.provider}) is not qualified under decree 2-24-921"
        return ""


def _err(policy: str, key: str, problem: str, fix: str) -> PolicyConfigError:
    return PolicyConfigError(policy, key, problem, fix)


def _date(policy: str, key: str, raw: Any) -> str:
    text = str(raw)
    try:
        if len(text) != 10:
            raise ValueError(text)
        _dt.date.fromisoformat(text)
    except ValueError:
        raise _err(
            policy, key, f"{text!r} is not a calendar date", "use an existing date, YYYY-MM-DD"
        ) from None
    return text


def _text(item: Mapping[str, Any], field: str) -> str:
    value = item.get(field)
    return str(value) if value is not None else ""


def parse_one(raw: Any, index: int, policy: str = "?") -> SovereignLocation:
    """One declared location (the schema has checked the shape; cross-field rules are checked here)."""
    key = f"{KEY}[{index}]"
    if not isinstance(raw, Mapping):
        raise _err(
            policy, key, f"{raw!r} is not an object", "give name, provider, cloud, country, qualification"
        )
    for field in ("name", "provider", "cloud", "country", "qualification"):
        if raw.get(field) in (None, ""):
            raise _err(
                policy,
                f"{key}.{field}",
                "is required",
                f"add {field} (see policies/data_residency/README.md)",
            )
    try:
        cloud = Cloud(str(raw["cloud"]))
    except ValueError:
        cloud = None
    if cloud not in SOVEREIGN_CLOUDS:
        raise _err(
            policy,
            f"{key}.cloud",
            f"{raw['cloud']!r} is not a sovereign cloud kind",
            f"use one of: {', '.join(sorted(c.value for c in SOVEREIGN_CLOUDS))}",
        )
    assert cloud is not None
    country = str(raw["country"])
    if len(country) != 2 or not country.isalpha() or not country.isupper():
        raise _err(policy, f"{key}.country", f"{country!r} is not an ISO 3166-1 alpha-2 code", "use e.g. MA")
    if cloud is Cloud.OPENSTACK:
        if not raw.get("region"):
            raise _err(policy, f"{key}.region", "an openstack location names its region", "add region")
        for other in ("vcenter", "datacenter"):
            if raw.get(other):
                raise _err(
                    policy,
                    f"{key}.cloud and {key}.{other}",
                    f"{other} belongs to a vsphere location",
                    "remove it, or set cloud to vsphere",
                )
    else:
        for needed in ("vcenter", "datacenter"):
            if not raw.get(needed):
                raise _err(
                    policy,
                    f"{key}.{needed}",
                    "a vsphere location names its vcenter and datacenter",
                    f"add {needed}",
                )
        for other in ("region", "authUrl"):
            if raw.get(other):
                raise _err(
                    policy,
                    f"{key}.cloud and {key}.{other}",
                    f"{other} belongs to an openstack location",
                    "remove it, or set cloud to openstack",
                )
    qual = raw["qualification"]
    if not isinstance(qual, Mapping):
        raise _err(
            policy, f"{key}.qualification", f"{qual!r} is not an object", "give level, reference, expires"
        )
    level_raw = qual.get("level")
    level = _LEVELS.get(level_raw) if not isinstance(level_raw, bool) else None
    if level is None:
        raise _err(
            policy, f"{key}.qualification.level", f"{level_raw!r} is not a level", 'use "none", 1 or 2'
        )
    reference, expires = _text(qual, "reference"), ""
    if level is not QualificationLevel.NONE:
        if not reference:
            raise _err(
                policy,
                f"{key}.qualification.reference",
                f"a level-{level.value} qualification names its reference",
                "add the qualification decision's reference",
            )
        if not qual.get("expires"):
            raise _err(
                policy,
                f"{key}.qualification.expires",
                f"a level-{level.value} qualification has an expiry date",
                "add expires: YYYY-MM-DD (the date on the qualification)",
            )
    if qual.get("expires"):
        expires = _date(policy, f"{key}.qualification.expires", qual["expires"])
    return SovereignLocation(
        name=str(raw["name"]),
        provider=str(raw["provider"]),
        cloud=cloud,
        country=country,
        level=level,
        region=_text(raw, "region"),
        auth_url=_text(raw, "authUrl"),
        vcenter=_text(raw, "vcenter"),
        datacenter=_text(raw, "datacenter"),
        reference=reference,
        expires=expires,
    )


def parse(raw: Iterable[Any] | None, policy: str = "?") -> tuple[SovereignLocation, ...]:
    """Every declared location; names, OpenStack regions and vCenter datacenters are each declared once."""
    out: list[SovereignLocation] = []
    names: dict[str, int] = {}
    places: dict[tuple[str, ...], int] = {}
    for i, item in enumerate(raw or []):
        loc = parse_one(item, i, policy)
        if loc.name in names:
            raise _err(
                policy,
                f"{KEY}[{names[loc.name]}].name and {KEY}[{i}].name",
                f"both are {loc.name!r}",
                "give each location its own name",
            )
        names[loc.name] = i
        place = (loc.cloud.value, loc.region, loc.auth_url, loc.vcenter, loc.datacenter)
        if place in places:
            raise _err(
                policy,
                f"{KEY}[{places[place]}] and {KEY}[{i}]",
                "declare the same place twice",
                "declare each OpenStack region (with authUrl) or vCenter datacenter once",
            )
        places[place] = i
        out.append(loc)
    return tuple(out)


def declared_names(locations: Iterable[SovereignLocation]) -> frozenset[str]:
    return frozenset(loc.name for loc in locations)
