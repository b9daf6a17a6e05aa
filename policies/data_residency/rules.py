"""The ``data-residency`` policy pack: Moroccan data residency for AWS and Azure data stores.

Four policies, so that enforcement levels can be set one by one:

- ``residency-classification-tag`` (mandatory): every data store carries the
  ``data-classification`` tag with a valid class;
- ``residency-location`` (mandatory): every data store is where its class is allowed;
- ``residency-replication`` (mandatory): every copy (S3 replication, DynamoDB
  replicas, RDS cross-region replicas, backup copy rules, EFS replication, Azure
  geo-redundancy, Cosmos DB locations) lands where its class is allowed;
- ``residency-cndp-transfer-notice`` (advisory): personal data stored or copied
  abroad (to an approved region) must be declared to the CNDP (Law 09-08, art. 43-44).

The profile (allowed locations per class, in-country locations, Wavelength
zones, extra data-store types) is each policy's configuration; its schema
defaults are Kasbah's default profile. See README.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, Severity, StackValidationArgs

from kasbah.facts import CLASSIFICATION_TAG, SOVEREIGN_CLOUDS
from policies.framework import (
    DECREE_2_24_921,
    LAW_05_20,
    PolicyMeta,
    Reference,
    Undecided,
    dnssi,
    law_09_08,
    plain,
    stack_policy,
)

from . import inventory
from .profiles import (
    CLASSES,
    CONFIG_PROPERTIES,
    SENSITIVE,
    Location,
    Profile,
    profile_from_config,
)
from .replication import copies
from .resolve import Stack

PACK_NAME = "data-residency"

_DECREE = Reference(DECREE_2_24_921, "2024", "cloud qualification levels 1-2")
_LAW_05_20 = Reference(LAW_05_20, "2020", "decree 2-21-406: sensitive data hosted on national territory")

CLASSIFICATION_TAG_META = PolicyMeta(
    id="residency-classification-tag",
    description=(
        f"Every data store carries the '{CLASSIFICATION_TAG}' tag with one of {' | '.join(CLASSES)} "
        "(launch templates and instances: on the volumes they define)."
    ),
    severity=Severity.HIGH,
    remediation=(
        f"Tag the data store with {CLASSIFICATION_TAG}=<{'|'.join(CLASSES)}> "
        "(components.common.classification_tags), on a launch template in a tagSpecifications entry "
        "with resourceType 'volume', on an instance in volumeTags; on OpenStack in its metadata (a Glance "
        f"image: its properties); on vSphere with a vsphere.Tag of the '{CLASSIFICATION_TAG}' category; "
        "a store the provider cannot tag (Trove, content libraries) in declaredClassifications."
    ),
    references=(dnssi("information classification"), law_09_08("art. 43"), _LAW_05_20),
    config_properties=CONFIG_PROPERTIES,
)

LOCATION_META = PolicyMeta(
    id="residency-location",
    description=(
        "Every data store is stored where its class is allowed: public, internal and personal data in the "
        "approved regions or in-country; sensitive data only on a level-2 qualified location in Morocco "
        "(decree 2-24-921) declared in sovereignLocations, whose qualification has not expired."
    ),
    severity=Severity.HIGH,
    remediation=(
        "Deploy the store to a location allowed for its class (its region/location input, its provider's "
        "region, or its availability zone), or change allowedLocations in the policy-pack config if your "
        "organisation is authorised."
    ),
    references=(law_09_08("art. 43-44"), _LAW_05_20, _DECREE),
    config_properties=CONFIG_PROPERTIES,
)

REPLICATION_META = PolicyMeta(
    id="residency-replication",
    description=(
        "Replicated data (S3 replication, DynamoDB replicas, RDS cross-region replicas, backup copy rules, "
        "EFS replication, Azure geo-redundancy, Cosmos DB locations) lands where its class is allowed."
    ),
    severity=Severity.HIGH,
    remediation=(
        "Point the replication at a location allowed for the data's class, or use a locally/zone-redundant "
        "option (Azure LRS/ZRS, Local/Zone backup redundancy) where the paired region is not allowed."
    ),
    references=(law_09_08("art. 43-44"), _LAW_05_20, _DECREE),
    config_properties=CONFIG_PROPERTIES,
)

CNDP_NOTICE_META = PolicyMeta(
    id="residency-cndp-transfer-notice",
    description=(
        "Personal data stored or replicated outside Morocco (in an approved region) is a transfer abroad "
        "that must be declared to the CNDP (Law 09-08, art. 43-44)."
    ),
    severity=Severity.LOW,
    enforcement=EnforcementLevel.ADVISORY,
    remediation=(
        "Declare the transfer to the CNDP (and obtain its authorisation where required) before deploying, "
        "or keep the personal data in-country (e.g. the Casablanca Wavelength zone)."
    ),
    references=(law_09_08("art. 43-44"), law_09_08("art. 60")),
    config_properties=CONFIG_PROPERTIES,
)


def _profile(config: Mapping[str, Any] | None, policy: str) -> Profile:
    return profile_from_config(plain(config) if config is not None else None, policy)


def _label(spec: Mapping[str, Any], resource: Any) -> str:
    return f"{spec['label']} '{resource.name}'"


def _location_hint(cls: str, loc: Location, profile: Profile) -> str:
    if cls == SENSITIVE:
        qual = profile.qualification(loc)
        why = qual.why_not_sensitive() if qual is not None else ""
        if why:
            return (
                f"Sensitive data (Law 05-20, decree 2-24-921) may only be stored on a level-2 qualified location "
                f"in Morocco: {why}. Move it to a qualified location, or update the declaration in "
                "sovereignLocations once the qualification is renewed or upgraded."
            )
        return (
            "Sensitive data (Law 05-20, decree 2-24-921) may only be hosted on a qualified in-country "
            "sovereign cloud: no AWS, Azure or GCP region and no Wavelength zone qualifies; declare the "
            "level-2 qualified OpenStack region or vCenter datacenter in sovereignLocations once you have one."
        )
    if loc.cloud in SOVEREIGN_CLOUD_NAMES and loc.sovereign is None:
        return (
            f"{loc.name} is not a declared location: declare this {loc.cloud} location in sovereignLocations "
            "(provider, country, qualification) so that the pack knows where it is."
        )
    return (
        f"Move it to an allowed location, or add {loc.name} to allowedLocations.{cls} in the policy-pack "
        "config if your organisation is authorised."
    )


SOVEREIGN_CLOUD_NAMES = frozenset(c.value for c in SOVEREIGN_CLOUDS)


def _unresolved_hint() -> str:
    return (
        "Set aws:region, azure-native:location, gcp:region, openstack:region or vsphere:vsphereServer in the "
        "stack config, "
        "or the resource's own region/location."
    )


# --- residency-classification-tag --------------------------------------------------------------


def _check_classification(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    stack = Stack(args.resources, _profile(args.get_config(), CLASSIFICATION_TAG_META.id))
    undecided: list[str] = []
    for resource in stack.resources:
        spec = stack.profile.data_store(resource.resource_type)
        if spec is None:
            continue
        try:
            if stack.is_store(resource) is None or spec["classification"] == inventory.PROJECT_LABELS:
                continue  # a GCP store without labels has its project's class: residency-location checks it
            found = stack.classify(resource, spec)
        except Undecided as und:
            undecided.append(f"{resource.urn}: {und.what}")
            continue
        label = _label(spec, resource)
        if found.value is None:
            fail(
                f"{label} has no '{CLASSIFICATION_TAG}' tag in {found.where}: every data store must be "
                f"classified {' | '.join(CLASSES)}.",
                resource,
            )
        elif not found.valid:
            fail(
                f"{label} has '{CLASSIFICATION_TAG}'={found.value!r} in {found.where}, which is not one of "
                f"{' | '.join(CLASSES)}.",
                resource,
            )
    _raise_undecided(undecided)


# --- residency-location --------------------------------------------------------------------------


def _each_store(stack: Stack, undecided: list[str], unlabelled: list[Any] | None = None) -> Any:
    """(resource, spec, class, locations) for each classified data store; unknowns go to ``undecided``,
    GCP stores whose project carries no valid class to ``unlabelled``."""
    unlabelled = [] if unlabelled is None else unlabelled
    for resource in stack.resources:
        if stack.profile.data_store(resource.resource_type) is None:
            continue
        try:
            spec = stack.is_store(resource)
            if spec is None:
                continue
            found = stack.classify(resource, spec)
            if spec["classification"] == inventory.PROJECT_LABELS and not found.valid:
                unlabelled.append((resource, spec, found))
                continue
            if not found.valid or found.value is None:
                continue  # residency-classification-tag reports it
            locs = stack.locate(resource)
        except Undecided as und:
            undecided.append(f"{resource.urn}: {und.what}")
            continue
        if locs is None:
            continue
        yield resource, spec, found.value, locs


def _raise_undecided(undecided: list[str]) -> None:
    if undecided:
        raise Undecided("; ".join(undecided))


def _check_location(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    stack = Stack(args.resources, _profile(args.get_config(), LOCATION_META.id))
    undecided: list[str] = []
    unlabelled: list[Any] = []
    for resource, spec, cls, locs in _each_store(stack, undecided, unlabelled):
        if not locs:
            fail(
                f"{_label(spec, resource)} ({cls}): its location cannot be resolved (no region/location input, "
                f"no region or server on its provider, no resource group location). {_unresolved_hint()}",
                resource,
            )
            continue
        for loc in locs:
            if not stack.profile.permits(cls, loc):
                fail(
                    f"{_label(spec, resource)} holds {cls} data in {loc.describe()}, but {cls} data may be "
                    f"stored only in: {stack.profile.describe_allowed(cls)}. {_location_hint(cls, loc, stack.profile)}",
                    resource,
                )
    for resource, spec, found in unlabelled:
        shown = f"'{found.value}', which is not a class" if found.value else "no class"
        fail(
            f"{_label(spec, resource)} takes no labels, so its class is its project's, and {found.where} give "
            f"{shown}: label the project {CLASSIFICATION_TAG}=<{'|'.join(CLASSES)}>.",
            resource,
        )
    _raise_undecided(undecided)


# --- residency-replication -----------------------------------------------------------------------


def _each_copy(stack: Stack, undecided: list[str]) -> Any:
    for resource in stack.resources:
        if resource.resource_type not in inventory.REPLICATION_TYPES:
            continue
        try:
            found = copies(stack, resource)
        except Undecided as und:
            undecided.append(f"{resource.urn}: {und.what}")
            continue
        for copy in found:
            yield resource, copy


def _check_replication(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    stack = Stack(args.resources, _profile(args.get_config(), REPLICATION_META.id))
    undecided: list[str] = []
    for resource, copy in _each_copy(stack, undecided):
        what = f"{copy.what} of '{resource.name}'"
        if copy.problem:
            fail(f"{what} ({copy.cls or 'unclassified'} data): {copy.problem}.", resource)
            continue
        if copy.cls is None:
            if copy.covered:
                continue  # the unclassified source store is reported by residency-classification-tag
            fail(
                f"{what}: the class of the replicated data cannot be determined (tag the source data store, or "
                f"the resource itself, with '{CLASSIFICATION_TAG}').",
                resource,
            )
            continue
        if copy.destination is None:
            fail(
                f"{what} ({copy.cls} data): the destination is not in this stack, so its location cannot be "
                f"checked; {copy.cls} data may be stored only in: {stack.profile.describe_allowed(copy.cls)}.",
                resource,
            )
            continue
        if not stack.profile.permits(copy.cls, copy.destination):
            fail(
                f"{what} copies {copy.cls} data to {copy.destination.describe()}, but {copy.cls} data may be "
                f"stored only in: {stack.profile.describe_allowed(copy.cls)}. "
                f"{_location_hint(copy.cls, copy.destination, stack.profile)}",
                resource,
            )
    _raise_undecided(undecided)


# --- residency-cndp-transfer-notice --------------------------------------------------------------


def _cndp_message(subject: str, loc: Location, profile: Profile) -> str:
    return (
        f"{subject} personal data in {loc.describe()}, outside Morocco: this transfer abroad must be declared "
        "to the CNDP, which authorises transfers (Law 09-08, art. 43-44; an unnotified transfer is an offence, "
        f"art. 60). In-country locations need no declaration: {', '.join(sorted(profile.in_country)) or 'none'}."
    )


def _check_cndp(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    stack = Stack(args.resources, _profile(args.get_config(), CNDP_NOTICE_META.id))
    profile = stack.profile
    undecided: list[str] = []
    for resource, spec, cls, locs in _each_store(stack, undecided):
        for loc in locs:
            if profile.needs_cndp_notice(cls, loc):
                fail(_cndp_message(f"{_label(spec, resource)} stores", loc, profile), resource)
    for resource, copy in _each_copy(stack, undecided):
        if (
            copy.cls
            and copy.destination is not None
            and profile.needs_cndp_notice(copy.cls, copy.destination)
        ):
            fail(
                _cndp_message(f"{copy.what} of '{resource.name}' copies", copy.destination, profile), resource
            )
    _raise_undecided(undecided)


# --- assembly ------------------------------------------------------------------------------------


POLICIES: list[Policy] = [
    stack_policy(CLASSIFICATION_TAG_META, _check_classification),
    stack_policy(LOCATION_META, _check_location),
    stack_policy(REPLICATION_META, _check_replication),
    stack_policy(CNDP_NOTICE_META, _check_cndp),
]
"""The pack's policies, in report order."""
