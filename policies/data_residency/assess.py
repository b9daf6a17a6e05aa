"""Where each class of data lives, and where it is copied: the residency resolution as records.

The pack's policies decide from the same :class:`~.resolve.Stack` and :class:`~.profiles.Profile`
methods (``permits``, ``needs_cndp_notice``, ``classify``, ``locate``, ``copies``); this module
gives their answers as data, one :class:`Placement` per store and location, for reports
(``kasbah residency``) that answer a DPO's or the CNDP's question. Pure: no Pulumi.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kasbah.facts import DataClassification
from policies.framework import Undecided

from . import inventory
from .profiles import Location, Profile
from .replication import Copy, copies
from .resolve import Stack, cloud_name

SENSITIVE = DataClassification.SENSITIVE.value
PERSONAL = DataClassification.PERSONAL.value


class Verdict(StrEnum):
    """How a placement stands under the profile, best to worst."""

    ALLOWED = "allowed"
    ADVISORY = "advisory"
    """Allowed, with a duty: personal data abroad is a transfer to declare to the CNDP."""
    VIOLATION = "violation"
    UNDECIDED = "undecided"
    """A value the decision needs is unknown during preview."""


RANK = {Verdict.ALLOWED: 0, Verdict.ADVISORY: 1, Verdict.UNDECIDED: 2, Verdict.VIOLATION: 3}


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    return max(verdicts, key=RANK.__getitem__, default=Verdict.ALLOWED)


@dataclass(frozen=True)
class Placement:
    """Data of one class at one location: the store itself, or a copy it makes."""

    location: str
    country: str
    cloud: str
    verdict: Verdict
    basis: str
    """The legal basis (or the profile rule) behind the verdict."""
    qualification: str = ""
    """A declared location's qualification, as of today (``level 2 (REF, until ...)``, or why it does not count)."""
    source: str = ""
    """How the location was resolved."""
    what: str = ""
    """For a copy: what copies (``Swift container sync to container x``)."""


@dataclass(frozen=True)
class StoreRecord:
    """One data store of a stack: its class, where it is, and where its data is copied."""

    urn: str
    name: str
    type: str
    label: str
    classification: str | None
    where_classified: str
    cloud: str
    placements: tuple[Placement, ...]
    replicas: tuple[Placement, ...] = ()
    note: str = ""

    @property
    def verdict(self) -> Verdict:
        return worst([p.verdict for p in (*self.placements, *self.replicas)])


@dataclass
class Assessment:
    stores: list[StoreRecord] = field(default_factory=list)


def basis(profile: Profile, cls: str, loc: Location, verdict: Verdict) -> str:
    """Why a class may or may not be at a location, in the law's terms."""
    qual = profile.qualification(loc)
    if cls == SENSITIVE:
        if verdict is Verdict.ALLOWED and qual is not None:
            return f"Law 05-20 and decree 2-24-921: qualified location in Morocco, {qual.describe()}"
        why = qual.why_not_sensitive() if qual is not None else "not a qualified in-country sovereign cloud"
        return f"Law 05-20 and decree 2-24-921: sensitive data only on a level-2 location in Morocco ({why})"
    if verdict is Verdict.ADVISORY:
        return "Law 09-08 art. 43-44: personal data abroad, a transfer to declare to the CNDP"
    if verdict is Verdict.VIOLATION:
        if loc.cloud in ("openstack", "vsphere") and loc.sovereign is None:
            return f"not a declared location: {cls} data only in the approved regions or in-country"
        return f"profile: {cls} data only in the approved regions or in-country (allowedLocations.{cls})"
    if profile.is_in_country(loc):
        return "in Morocco (in-country location)"
    return f"approved region for {cls} data (allowedLocations.{cls})"


def place(profile: Profile, cls: str, loc: Location, what: str = "") -> Placement:
    if not profile.permits(cls, loc):
        verdict = Verdict.VIOLATION
    elif profile.needs_cndp_notice(cls, loc):
        verdict = Verdict.ADVISORY
    else:
        verdict = Verdict.ALLOWED
    qual = profile.qualification(loc)
    return Placement(
        location=loc.name,
        country=profile.country_of(loc),
        cloud=loc.cloud,
        verdict=verdict,
        basis=basis(profile, cls, loc, verdict),
        qualification=qual.describe() if qual is not None else "",
        source=loc.source,
        what=what,
    )


def _copy(profile: Profile, copy: Copy, fallback: str | None) -> Placement:
    cls = copy.cls or fallback
    if copy.problem or copy.destination is None or cls is None:
        reason = copy.problem or (
            "the destination is not in this stack, so its location cannot be checked"
            if copy.destination is None
            else "the class of the copied data cannot be determined"
        )
        return Placement(
            location=copy.destination.name if copy.destination is not None else "?",
            country=profile.country_of(copy.destination) if copy.destination is not None else "?",
            cloud=copy.destination.cloud if copy.destination is not None else "?",
            verdict=Verdict.VIOLATION,
            basis=reason,
            what=copy.what,
        )
    return place(profile, cls, copy.destination, copy.what)


def _undecided(what: str) -> Placement:
    return Placement("?", "?", "?", Verdict.UNDECIDED, f"could not decide: {what} is unknown during preview")


def assess(stack: Stack) -> Assessment:
    """Every data store of the stack with its placements and replicas (global services left out)."""
    out = Assessment()
    replicated = {r.urn: r for r in stack.resources if r.resource_type in inventory.REPLICATION_TYPES}
    for resource in stack.resources:
        spec = stack.profile.data_store(resource.resource_type)
        if spec is not None:
            out.stores.extend(_record(stack, resource, spec, replicated))
        elif resource.urn in replicated:
            out.stores.extend(_replicator(stack, resource))
    return out


def _replicator(stack: Stack, resource: Any) -> Iterator[StoreRecord]:
    """A resource that copies another store's data without being a store (S3 replication, backup plans)."""
    undecided: Placement | None = None
    try:
        found = copies(stack, resource)
    except Undecided as und:
        found, undecided = [], _undecided(und.what)
    if not found and undecided is None:
        return
    cls = next((c.cls for c in found if c.cls), None)
    yield StoreRecord(
        urn=resource.urn,
        name=resource.name,
        type=resource.resource_type,
        label=inventory.REPLICATION_TYPES[resource.resource_type],
        classification=cls,
        where_classified="the replicated store",
        cloud=cloud_name(resource.resource_type),
        placements=(),
        replicas=tuple([_copy(stack.profile, c, cls) for c in found] + ([undecided] if undecided else [])),
        note="copies another store's data",
    )


def _record(
    stack: Stack, resource: Any, spec: dict[str, Any], replicated: dict[str, Any]
) -> Iterator[StoreRecord]:
    label = str(spec["label"])
    cloud = cloud_name(resource.resource_type)
    common = {
        "urn": resource.urn,
        "name": resource.name,
        "type": resource.resource_type,
        "label": label,
        "cloud": cloud,
    }
    try:
        if stack.is_store(resource) is None:
            return
        found = stack.classify(resource, spec)
        locs = stack.locate(resource)
    except Undecided as und:
        yield StoreRecord(
            **common, classification=None, where_classified="", placements=(_undecided(und.what),)
        )
        return
    if locs is None:
        return  # a global resource (Azure location "global"): out of residency scope
    cls = found.value if found.valid else None
    if cls is None:
        problem = (
            f"no data-classification tag in {found.where}"
            if found.value is None
            else f"data-classification={found.value!r} is not a class"
        )
        placements = tuple(
            Placement(
                loc.name,
                stack.profile.country_of(loc),
                loc.cloud,
                Verdict.VIOLATION,
                problem,
                source=loc.source,
            )
            for loc in locs
        ) or (Placement("?", "?", cloud, Verdict.VIOLATION, problem),)
        yield StoreRecord(
            **common, classification=found.value, where_classified=found.where, placements=placements
        )
        return
    if not locs:
        unresolved = Placement("?", "?", cloud, Verdict.VIOLATION, "its location cannot be resolved")
        yield StoreRecord(
            **common, classification=cls, where_classified=found.where, placements=(unresolved,)
        )
        return
    replicas: list[Placement] = []
    if resource.urn in replicated:
        try:
            replicas = [_copy(stack.profile, c, cls) for c in copies(stack, resource)]
        except Undecided as und:
            replicas = [_undecided(und.what)]
    yield StoreRecord(
        **common,
        classification=cls,
        where_classified=found.where,
        placements=tuple(place(stack.profile, cls, loc) for loc in locs),
        replicas=tuple(replicas),
    )
