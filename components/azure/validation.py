"""Pure validation of Azure identifiers and locations (raise ConfigError naming the key)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from components.errors import ConfigError
from kasbah.facts import Cloud, approved_locations

APPROVED_LOCATIONS: tuple[str, ...] = approved_locations(Cloud.AZURE)
"""Azure regions of Kasbah's default residency profile (``kasbah.facts.APPROVED_LOCATIONS``)."""

DEFAULT_LOCATION = "francecentral"
"""Default primary location."""

_GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_MG_ID_RE = re.compile(r"^[A-Za-z0-9_.()-]{1,90}$")
_LOCATION_RE = re.compile(r"^[a-z][a-z0-9]{2,39}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

MANAGEMENT_GROUP_ID_MAX = 90
"""Azure's limit on a management group id."""


def validate_guid(key: str, value: str, what: str = "subscription id") -> str:
    """Return ``value`` lower-cased when it is a GUID (``xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx``)."""
    if not isinstance(value, str) or not _GUID_RE.match(value):
        raise ConfigError(
            key,
            f"{value!r} is not a valid {what} (a GUID such as 00000000-0000-0000-0000-000000000000)",
            f"copy the {what} from `az account show --query id -o tsv`",
        )
    return value.lower()


def validate_subscription_id(key: str, value: str) -> str:
    """Return the subscription id (lower-cased) when it is a GUID."""
    return validate_guid(key, value, "subscription id")


def validate_management_group_id(key: str, value: str) -> str:
    """A management group id: 1-90 letters, digits, ``-``, ``_``, ``.``, ``(``, ``)``, not ending with ``.``."""
    if not isinstance(value, str) or len(value) > MANAGEMENT_GROUP_ID_MAX:
        raise ConfigError(
            key,
            f"management group id {value!r} is longer than {MANAGEMENT_GROUP_ID_MAX} characters",
            "shorten the prefix or the id",
        )
    if not _MG_ID_RE.match(value) or value.endswith("."):
        raise ConfigError(
            key,
            f"management group id {value!r} may only hold letters, digits, '-', '_', '.', '(' and ')' "
            "and may not end with '.'",
            "use letters, digits and hyphens, e.g. 'kbh-corp'",
        )
    return value


def validate_location(key: str, value: str, allowed: Sequence[str], allowed_key: str) -> str:
    """Return ``value`` when it is one of ``allowed`` (the residency profile's approved locations)."""
    if not isinstance(value, str) or not _LOCATION_RE.match(value):
        raise ConfigError(
            key, f"{value!r} is not an Azure location name", "use a name such as 'francecentral'"
        )
    if value not in allowed:
        raise ConfigError(
            key,
            f"location {value!r} is outside the approved list {list(allowed)} ({allowed_key})",
            f"use one of {list(allowed)}, or add it to {allowed_key} once its use is approved "
            "(a transfer outside Morocco must be declared to the CNDP)",
        )
    return value


def validate_locations(key: str, values: Sequence[str]) -> tuple[str, ...]:
    """The approved-locations list: non-empty, well-formed names, no duplicates."""
    if not values:
        raise ConfigError(
            key,
            "the approved-locations list is empty",
            f"list at least one location, e.g. {list(APPROVED_LOCATIONS)}",
        )
    seen: set[str] = set()
    for i, loc in enumerate(values):
        if not isinstance(loc, str) or not _LOCATION_RE.match(loc):
            raise ConfigError(
                f"{key}[{i}]", f"{loc!r} is not an Azure location name", "use a name such as 'francecentral'"
            )
        if loc in seen:
            raise ConfigError(f"{key}[{i}]", f"location {loc!r} is listed twice", "list each location once")
        seen.add(loc)
    return tuple(values)


def validate_expiry(key: str, value: str | None) -> dt.date:
    """An exemption expiry: a required ``YYYY-MM-DD`` date."""
    if value is None or str(value).strip() == "":
        raise ConfigError(
            key, "exemption has no expiry", "add an expiry date (YYYY-MM-DD): exemptions are never permanent"
        )
    text = str(value)
    try:
        if not _DATE_RE.match(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(key, f"{text!r} is not a date", "write the expiry as YYYY-MM-DD") from None
