"""Kasbah's cross-cutting facts, each declared once: clouds, locations, data classes, zones, ports.

Every package reads these facts from here: the components (defaults of their
arguments), the policy packs (defaults of their configuration) and the engine
(canned invoke answers). The module imports nothing but the standard library,
so a policy pack installed outside the repository imports it from the pinned
``kasbah`` distribution without pulling in Pulumi or a provider SDK (a test
imports it in a bare interpreter and checks that).

Sources: ``../shared/context.md`` ("AWS Wavelength in Casablanca", "Kasbah's
default residency profile"). A fact marked unconfirmed there is marked so here
(:attr:`WavelengthZone.unconfirmed`, :class:`Confidence`) and is resolved at
deploy time by the code that uses it; never assume it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class Cloud(StrEnum):
    """The clouds Kasbah knows: three hyperscalers and two kinds of capacity operated in Morocco."""

    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"
    OPENSTACK = "openstack"
    """OpenStack capacity (an operator's public cloud or a DSI's own): regions are free strings."""
    VSPHERE = "vsphere"
    """VMware vSphere capacity (a vCenter and its datacenters)."""


SOVEREIGN_CLOUDS: Final[frozenset[Cloud]] = frozenset({Cloud.OPENSTACK, Cloud.VSPHERE})
"""Clouds whose locations are declared by the user (:class:`SovereignLocation`), not built in: an OpenStack
region or a vCenter datacenter has no approved default; where it is and how it is qualified is configuration."""


PROVIDER_PACKAGES: Final[Mapping[str, Cloud]] = MappingProxyType(
    {
        "aws": Cloud.AWS,
        "aws-native": Cloud.AWS,
        "azure-native": Cloud.AZURE,
        "azure": Cloud.AZURE,
        "gcp": Cloud.GCP,
        "google-native": Cloud.GCP,
        "openstack": Cloud.OPENSTACK,
        "vsphere": Cloud.VSPHERE,
    }
)
"""Pulumi package (the first segment of a type token) -> the cloud it deploys to."""


def package_of(type_token: str) -> str:
    """The Pulumi package of a type token: ``aws`` for ``aws:s3/bucket:Bucket``.

    A provider resource (``pulumi:providers:aws``) belongs to the package it configures.
    """
    if type_token.startswith("pulumi:providers:"):
        return type_token.removeprefix("pulumi:providers:")
    return type_token.partition(":")[0]


def cloud_of(type_token: str) -> Cloud | None:
    """The cloud a resource type deploys to, from its package; ``None`` for any other package."""
    return PROVIDER_PACKAGES.get(package_of(type_token))


# --------------------------------------------------------------------------------------------------
# Data classification


CLASSIFICATION_TAG: Final = "data-classification"
"""The tag (AWS, Azure) or label (GCP) that carries a data store's classification."""


class DataClassification(StrEnum):
    """Data classes of Kasbah's residency profile, least to most restrictive."""

    PUBLIC = "public"
    INTERNAL = "internal"
    PERSONAL = "personal"
    """Personal data (Law 09-08): stored abroad only in an approved region, the transfer declared to the CNDP."""
    SENSITIVE = "sensitive"
    """Sensitive data (Law 05-20, decree 2-24-921): only on qualified in-country sovereign clouds."""


# --------------------------------------------------------------------------------------------------
# Locations


APPROVED_LOCATIONS: Final[Mapping[Cloud, tuple[str, ...]]] = MappingProxyType(
    {
        Cloud.AWS: ("eu-west-3", "eu-south-2"),
        Cloud.AZURE: ("francecentral", "francesouth", "spaincentral"),
        Cloud.GCP: ("europe-west9", "europe-southwest1"),
        Cloud.OPENSTACK: (),
        Cloud.VSPHERE: (),
    }
)
"""Regions approved for public, internal and personal data, per cloud (no hyperscaler region in Morocco, 2026).

The sovereign clouds (:data:`SOVEREIGN_CLOUDS`) have none built in: their locations are declared.

Personal data stored there is a transfer abroad, declared to the CNDP (Law 09-08, art. 43-44).
"""


LOCATION_COUNTRIES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "eu-west-3": "FR",
        "eu-south-2": "ES",
        "francecentral": "FR",
        "francesouth": "FR",
        "spaincentral": "ES",
        "europe-west9": "FR",
        "europe-southwest1": "ES",
    }
)
"""ISO 3166-1 alpha-2 country of each approved region (``../shared/context.md``: Paris, Spain, Madrid); a
report groups locations by country. Wavelength zones carry their own country; sovereign locations declare it."""


def approved_locations(cloud: Cloud) -> tuple[str, ...]:
    """The approved regions of one cloud, in the order above (the first is the cloud's home region)."""
    return APPROVED_LOCATIONS[cloud]


class QualificationLevel(StrEnum):
    """A cloud provider's qualification under decree 2-24-921 (Bulletin officiel 7352, December 2024).

    Source: ``../shared/context.md``, "Moroccan law that shapes data residency". The list of qualified
    providers is not published as data Kasbah can cite, so nothing is qualified by default: the user
    declares each location's level, with the qualification's reference and expiry date.
    """

    NONE = "none"
    """Not qualified: the location may hold what the profile allows any location in its country."""
    LEVEL_1 = "1"
    """Level 1, hosting sensitive systems: a Moroccan company whose operation and administration systems
    are all in Morocco. Not enough to process or store sensitive data."""
    LEVEL_2 = "2"
    """Level 2, processing or storing sensitive data: level 1, plus majority Moroccan ownership, with
    processing, storage and management in Morocco. The only level that may hold sensitive data."""


SENSITIVE_DATA_LEVEL: Final = QualificationLevel.LEVEL_2
"""The qualification level sensitive data requires (decree 2-24-921), on a location in :data:`HOME_COUNTRY`."""

HOME_COUNTRY: Final = "MA"
"""ISO 3166-1 alpha-2 code of Morocco: locations there are in-country (Law 05-20, decree 2-21-406)."""


@dataclass(frozen=True)
class SovereignLocation:
    """An OpenStack region or a vCenter datacenter, declared by the user with its qualification.

    The residency pack reads these from its configuration (``sovereignLocations``, documented in
    ``policies/data_residency/README.md``); none ships by default (:data:`SOVEREIGN_LOCATIONS`).
    """

    name: str
    """The location's name in reports and in ``allowedLocations`` (e.g. ``operator-casa-1``)."""
    provider: str
    """The company operating the cloud (the qualified provider)."""
    cloud: Cloud
    """``openstack`` or ``vsphere``."""
    country: str
    """ISO 3166-1 alpha-2 code of the country the location (and its administration) is in."""
    level: QualificationLevel
    """Qualification level under decree 2-24-921."""
    region: str = ""
    """OpenStack: the region name (free string, as the provider's ``region`` setting)."""
    auth_url: str = ""
    """OpenStack: the Keystone endpoint, to tell apart two clouds that both call a region ``RegionOne``."""
    vcenter: str = ""
    """vSphere: the vCenter server (host name, as the provider's ``vsphereServer`` setting)."""
    datacenter: str = ""
    """vSphere: the datacenter name in that vCenter."""
    reference: str = ""
    """The qualification's reference (decision number); required for levels 1 and 2."""
    expires: str = ""
    """The qualification's expiry date (``YYYY-MM-DD``, valid through that day); required for levels 1 and 2."""


SOVEREIGN_LOCATIONS: Final[tuple[SovereignLocation, ...]] = ()
"""Qualified in-country sovereign clouds (decree 2-24-921): none by default, so sensitive data has nowhere to go
until the user declares one (the list of qualified providers is not published as data Kasbah can cite)."""


class Confidence(StrEnum):
    """How sure we are of a fact (as ``../shared/context.md`` rates it)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class WavelengthZone:
    """An AWS Wavelength zone, as known before asking AWS (the cloud's answer wins at deploy time)."""

    name: str
    """Zone name, e.g. ``eu-west-3-cmn-wlz-1a``."""
    parent_region: str
    """The AWS region the zone hangs off (its control plane, logs, snapshots and AMIs live there)."""
    parent_zone: str
    """The regional availability zone the Wavelength zone is attached to."""
    network_border_group: str
    """The border group of carrier IPs (``aws.ec2.Eip.network_border_group``)."""
    zone_id: str
    """The zone id, e.g. ``euw3-cmn1-wlz1``."""
    city: str
    """Where the zone is."""
    country: str
    """ISO 3166-1 alpha-2 code of the country the zone is in (``MA``: the zone is an in-country location)."""
    carrier: str
    """The telecom operator that hosts the zone."""
    confidence: Confidence
    """Confidence in the zone name, border group and zone id."""
    group_name: str | None = None
    """The zone group to opt in to; ``None`` when unconfirmed (resolved with ``aws.get_availability_zone``)."""
    unconfirmed: tuple[str, ...] = ()
    """Names of the fields above that are not confirmed by AWS's own documentation."""


CASABLANCA_WLZ: Final = WavelengthZone(
    name="eu-west-3-cmn-wlz-1a",
    parent_region="eu-west-3",
    parent_zone="eu-west-3a",
    network_border_group="eu-west-3-cmn-wlz-1",
    zone_id="euw3-cmn1-wlz1",
    city="Casablanca",
    country="MA",
    carrier="Orange Maroc",
    confidence=Confidence.MEDIUM,
    group_name=None,
    unconfirmed=("name", "parent_zone", "network_border_group", "zone_id", "group_name"),
)
"""The first Wavelength zone in Africa (Orange Maroc, GITEX Africa 2024), under Paris (``eu-west-3``, high
confidence). Zone name, border group and id are seen in public Terraform examples, not in AWS's own table
(medium); the parent AZ is assumed; the zone group name is not confirmed: every deployment resolves it."""

WAVELENGTH_ZONES: Final[Mapping[str, WavelengthZone]] = MappingProxyType(
    {CASABLANCA_WLZ.name: CASABLANCA_WLZ}
)
"""Wavelength zones Kasbah knows, by zone name."""

IN_COUNTRY_LOCATIONS: Final[tuple[str, ...]] = tuple(
    z.name for z in WAVELENGTH_ZONES.values() if z.country == HOME_COUNTRY
) + tuple(loc.name for loc in SOVEREIGN_LOCATIONS if loc.country == HOME_COUNTRY)
"""Locations on Moroccan territory: the Wavelength zones in Morocco and the qualified sovereign clouds."""


# --------------------------------------------------------------------------------------------------
# Ports


REMOTE_ADMIN_PORTS: Final[Mapping[int, str]] = MappingProxyType(
    {22: "SSH", 3389: "RDP", 5985: "WinRM over HTTP", 5986: "WinRM over HTTPS"}
)
"""Remote administration of hosts (CIS AWS 5.2-5.3, CIS Azure 6.1-6.2, MCSB NS-1).

The default ``adminPorts`` of the baseline policies ``aws-sg-admin-ports-open``,
``aws-nacl-admin-ports-open`` and ``azure-nsg-admin-ports-open`` (each policy's config can change it).
"""

MANAGEMENT_PORTS: Final[Mapping[int, str]] = MappingProxyType(
    {
        **REMOTE_ADMIN_PORTS,
        23: "Telnet",
        5900: "VNC",
        2375: "Docker API",
        2376: "Docker API over TLS",
        6443: "Kubernetes API server",
        10250: "kubelet API",
    }
)
"""Every management port a platform never opens to anywhere: remote administration plus the control planes
of containers and Kubernetes. The edge pattern refuses an application port among them when its sources
include 0.0.0.0/0 (``components.aws.edge_plan``)."""


# --------------------------------------------------------------------------------------------------
# Google Cloud name formats


@dataclass(frozen=True)
class NameFormat:
    """A name format Google's API enforces: a create with any other name is refused."""

    pattern: str
    """Regular expression of a valid name (``re.fullmatch``)."""
    what: str
    """What a valid name is, in words."""
    source: str
    """Google's page stating the format."""


GCP_NAME_FORMATS: Final[Mapping[str, NameFormat]] = MappingProxyType(
    {
        "project-id": NameFormat(
            r"[a-z][a-z0-9-]{4,28}[a-z0-9]",
            "6-30 lowercase letters, digits or hyphens, starting with a letter, not ending with a hyphen",
            "https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin",
        ),
        "folder-display-name": NameFormat(
            r"[A-Za-z0-9]([A-Za-z0-9 _-]{0,28}[A-Za-z0-9])?",
            "1-30 letters, digits, spaces, hyphens or underscores, starting and ending with a letter or digit",
            "https://cloud.google.com/resource-manager/docs/creating-managing-folders",
        ),
        "rfc1035": NameFormat(
            r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?",
            "1-63 lowercase letters, digits or hyphens, starting with a letter (RFC 1035)",
            "https://cloud.google.com/compute/docs/naming-resources",
        ),
        "tag-short-name": NameFormat(
            r"[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?",
            "1-63 characters, alphanumeric at both ends, with '-', '_' or '.' inside",
            "https://cloud.google.com/resource-manager/docs/tags/tags-creating-and-managing",
        ),
        "log-bucket-id": NameFormat(
            r"[A-Za-z0-9_.-]{1,100}",
            "up to 100 letters, digits, underscores, hyphens or periods",
            "https://cloud.google.com/logging/docs/buckets#create_bucket",
        ),
        "kms-name": NameFormat(
            r"[A-Za-z0-9_-]{1,63}",
            "1-63 letters, digits, underscores or hyphens",
            "https://cloud.google.com/kms/docs/create-key-ring",
        ),
        "perimeter-name": NameFormat(
            r"accessPolicies/[0-9]+/servicePerimeters/[A-Za-z][A-Za-z0-9_]{0,49}",
            "accessPolicies/<number>/servicePerimeters/<a letter, then up to 49 letters, digits or underscores>",
            "https://cloud.google.com/vpc-service-controls/docs/create-service-perimeters",
        ),
        "bucket-name": NameFormat(
            r"[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]",
            "3-63 lowercase letters, digits, hyphens, underscores or dots, starting and ending with a letter or digit",
            "https://cloud.google.com/storage/docs/buckets#naming",
        ),
        "service-account-id": NameFormat(
            r"[a-z]([-a-z0-9]{4,28}[a-z0-9])",
            "6-30 lowercase letters, digits or hyphens, starting with a letter",
            "https://cloud.google.com/iam/docs/service-accounts-create",
        ),
    }
)
"""Name formats of Google Cloud resources, by kind (the components validate with them before creating
anything; the deploy-readiness pack checks any program's literal names against them)."""


# --------------------------------------------------------------------------------------------------
# Monitoring


ACTIVITY_LOG_ALERT_OPERATIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Microsoft.Authorization/policyAssignments/write": "Create policy assignment",
        "Microsoft.Authorization/policyAssignments/delete": "Delete policy assignment",
        "Microsoft.Network/networkSecurityGroups/write": "Create or update network security group",
        "Microsoft.Network/networkSecurityGroups/delete": "Delete network security group",
        "Microsoft.Security/securitySolutions/write": "Create or update security solution",
        "Microsoft.Security/securitySolutions/delete": "Delete security solution",
        "Microsoft.Sql/servers/firewallRules/write": "Create or update SQL server firewall rule",
        "Microsoft.Sql/servers/firewallRules/delete": "Delete SQL server firewall rule",
        "Microsoft.Network/publicIPAddresses/write": "Create or update public IP address",
        "Microsoft.Network/publicIPAddresses/delete": "Delete public IP address",
    }
)
"""The Azure operations a subscription raises an activity-log alert on (CIS Microsoft Azure Foundations
Benchmark 2.0.0, 5.2.1 to 5.2.10; Azure Policy's built-ins "An activity log alert should exist for specific
... operations" name the same operations). The Azure landing zone's ``Management`` creates one alert per
operation; the baseline policy ``azure-activity-log-alerts-present`` requires them."""
