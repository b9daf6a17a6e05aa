"""Where a Google Cloud data store keeps its data, and its class (pure over plain values).

Locations, in the order the inventory entry lists its inputs (``where``):

- ``location``: a region (``europe-west9``), a zone (``europe-west9-a``: its region) or a multi-region
  (``EU``, ``eur3``, ``global``: :data:`.locations.GCP_MULTI_REGIONS`); Google accepts any case;
- ``regions``: a list of locations (dual-region data locations, Pub/Sub persistence regions, secret
  replicas, Bigtable cluster zones, regional-disk replica zones), each stored;
- ``spanner-config``: ``regional-<region>`` or a multi-region configuration name (``eur3``);
- ``global``: Secret Manager automatic replication, stored wherever Google chooses.

When no input is set: the entry's ``default`` (BigQuery datasets ``US``, https://cloud.google.com/bigquery/docs/locations;
topics without a message storage policy may be stored in any region, https://cloud.google.com/pubsub/docs/resource-location-restriction;
snapshots without storage locations go to the multi-region nearest their disk,
https://cloud.google.com/compute/docs/disks/snapshots#selecting_a_storage_location), else the resource's
``region``, else its provider's ``region``.

Classes come from the store's ``labels`` (Cloud SQL: ``settings.userLabels``). Stores that take no labels
(log buckets, key rings, Firestore databases) have their project's class: the ``data-classification`` label
of the ``gcp.organizations.Project`` their ``project`` input comes from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from policies.framework import Undecided, is_unknown

from .locations import ANY_REGION, GCP_MULTI_REGIONS
from .profiles import Location, get_path

_ZONE_RE = re.compile(r"^(?P<region>[a-z]+-[a-z]+\d+)-[a-z]$")
_REGION_RE = re.compile(r"^[a-z]+-[a-z]+\d+$")


def location_of(value: str, source: str) -> Location:
    """A location value as Google reads it: zone -> region, multi-region -> its regions."""
    name = value.strip().lower().removeprefix("regional-")
    zone = _ZONE_RE.match(name)
    if zone:
        return Location(zone.group("region"), "gcp", source=source)
    if _REGION_RE.match(name):
        return Location(name, "gcp", source=source)
    if name.startswith("projects/") and "/instanceconfigs/" in name:
        name = name.rsplit("/", 1)[-1].removeprefix("regional-")
        return location_of(name, source)
    members = GCP_MULTI_REGIONS.get(name)
    return Location(name, "gcp", source=source, members=members if members is not None else (ANY_REGION,))


def _values(props: Mapping[str, Any], path: str, who: str) -> list[Any]:
    found = get_path(props, path)
    for v in found:
        if is_unknown(v):
            raise Undecided(f"{who}: {path}")
    return found


def locate(
    spec: Mapping[str, Any],
    props: Mapping[str, Any],
    who: str,
    provider_region: Callable[[], tuple[Any, str]],
) -> list[Location]:
    """Every location a GCP store keeps data in; ``[]`` when nothing says where."""
    for path, kind in spec.get("where", ()):
        if kind == "global":
            if get_path(props, path):
                return [location_of("global", f"its {path} input (automatic replication)")]
            continue
        values = [v for v in _values(props, path, who) if v not in (None, "")]
        if not values:
            continue
        found: list[Location] = []
        planned = provider_region() if path == "region" else (None, "")
        for v in values:
            # The provider plans an unset region as its own: credit it, as the CLI's outputs show it.
            source = planned[1] if v == planned[0] else f"its {path} input"
            loc = location_of(str(v), source)
            if loc not in found:
                found.append(loc)
        return found
    default = spec.get("default")
    if default:
        return [location_of(default, "Google's default when the location is not set")]
    region = props.get("region")
    if is_unknown(region):
        raise Undecided(f"{who}: region")
    if region:
        return [location_of(str(region), "its region input")]
    value, source = provider_region()
    if is_unknown(value):
        raise Undecided(f"the region of {source}")
    return [location_of(str(value), source)] if value else []
