"""Where data may live: approved regions, in-country locations, Wavelength zones, Azure pairs.

Data, not logic. The cross-cutting facts (approved regions, in-country locations,
Wavelength zones) come from :mod:`kasbah.facts`, in the shape of this pack's
configuration; the Azure region pairs and the global services are the pack's own.
Every list here is overridable through the policy-pack configuration (see README.md).
"""

from __future__ import annotations

from typing import Final

from kasbah import facts

APPROVED_REGIONS: Final[tuple[str, ...]] = tuple(
    r for regions in facts.APPROVED_LOCATIONS.values() for r in regions
)
"""Regions approved for public, internal and personal data, every cloud (``kasbah.facts.APPROVED_LOCATIONS``)."""

WAVELENGTH_ZONES: Final[tuple[dict[str, str], ...]] = tuple(
    {
        "zone": z.name,
        "parentRegion": z.parent_region,
        "borderGroup": z.network_border_group,
        "zoneId": z.zone_id,
    }
    for z in facts.WAVELENGTH_ZONES.values()
)
"""Wavelength zones known to the pack, in the configuration's shape (``kasbah.facts.WAVELENGTH_ZONES``);
more can be added with the ``wavelengthZones`` config."""

IN_COUNTRY_LOCATIONS: Final[tuple[str, ...]] = facts.IN_COUNTRY_LOCATIONS
"""Locations on Moroccan territory (a personal-data store there is not a transfer abroad)."""

SOVEREIGN_LOCATIONS: Final[tuple[str, ...]] = tuple(loc.name for loc in facts.SOVEREIGN_LOCATIONS)
"""Names of the qualified in-country sovereign clouds (decree 2-24-921): none by default, so sensitive data has
nowhere to go until ``sovereignLocations`` declares one."""

AZURE_REGION_PAIRS: Final[dict[str, str | None]] = {
    # Europe
    "francecentral": "francesouth",
    "francesouth": "francecentral",
    "spaincentral": None,
    "italynorth": None,
    "polandcentral": None,
    "austriaeast": None,
    "belgiumcentral": None,
    "westeurope": "northeurope",
    "northeurope": "westeurope",
    "germanywestcentral": "germanynorth",
    "germanynorth": "germanywestcentral",
    "uksouth": "ukwest",
    "ukwest": "uksouth",
    "switzerlandnorth": "switzerlandwest",
    "switzerlandwest": "switzerlandnorth",
    "norwayeast": "norwaywest",
    "norwaywest": "norwayeast",
    "swedencentral": "swedensouth",
    "swedensouth": "swedencentral",
    # Middle East and Africa
    "southafricanorth": "southafricawest",
    "southafricawest": "southafricanorth",
    "uaenorth": "uaecentral",
    "uaecentral": "uaenorth",
    "qatarcentral": None,
    "israelcentral": None,
    # Americas
    "eastus": "westus",
    "westus": "eastus",
    "eastus2": "centralus",
    "centralus": "eastus2",
    "northcentralus": "southcentralus",
    "southcentralus": "northcentralus",
    "westus2": "westcentralus",
    "westcentralus": "westus2",
    "westus3": "eastus",
    "canadacentral": "canadaeast",
    "canadaeast": "canadacentral",
    "brazilsouth": "southcentralus",
    "mexicocentral": None,
    # Asia Pacific
    "centralindia": "southindia",
    "southindia": "centralindia",
    "westindia": "southindia",
    "japaneast": "japanwest",
    "japanwest": "japaneast",
    "koreacentral": "koreasouth",
    "koreasouth": "koreacentral",
    "australiaeast": "australiasoutheast",
    "australiasoutheast": "australiaeast",
    "southeastasia": "eastasia",
    "eastasia": "southeastasia",
    "newzealandnorth": None,
}
"""Azure region -> the paired region geo-redundant storage replicates to (``None``: no pair, GRS refused)."""

GLOBAL_SERVICES: Final[tuple[str, ...]] = (
    "aws:iam/",
    "aws:organizations/",
    "aws:route53/",
    "aws:cloudfront/",
    "aws:ssoadmin/",
    "aws:identitystore/",
    "aws:budgets/",
    "aws:shield/",
    "azure-native:authorization:",
    "azure-native:management:",
    "azure-native:managementgroups:",
    "azure-native:aad:",
    "azure-native:billing:",
    "azure-native:costmanagement:",
    "azure-native:consumption:",
    "gcp:organizations/",
    "gcp:folder/",
    "gcp:projects/",
    "gcp:iam/",
    "gcp:orgpolicy/",
    "gcp:billing/",
    "gcp:accesscontextmanager/",
    "gcp:essentialcontacts/",
    "gcp:tags/",
)
"""Type-token prefixes of global services, out of residency scope (never data stores, even if configured)."""

GLOBAL_LOCATIONS: Final[frozenset[str]] = frozenset({"global"})
"""Azure ``location`` values of global resources (DNS zones, Front Door...): out of scope."""


GCP_EU_REGIONS: Final[tuple[str, ...]] = (
    "europe-central2",
    "europe-north1",
    "europe-north2",
    "europe-southwest1",
    "europe-west1",
    "europe-west3",
    "europe-west4",
    "europe-west8",
    "europe-west9",
    "europe-west10",
    "europe-west12",
)
"""Google Cloud regions in member states of the European Union (the ``EU`` multi-region may use any of
them: https://cloud.google.com/storage/docs/locations#location-mr, https://cloud.google.com/bigquery/docs/locations)."""

ANY_REGION: Final = "*"
"""A multi-region member meaning "any region Google chooses" (never allowed unless the name itself is)."""

GCP_MULTI_REGIONS: Final[dict[str, tuple[str, ...]]] = {
    # Cloud Storage and BigQuery multi-regions
    "eu": GCP_EU_REGIONS,
    "us": (ANY_REGION,),
    "asia": (ANY_REGION,),
    # Cloud KMS multi-regions (https://cloud.google.com/kms/docs/locations#multi-regional)
    "europe": (*GCP_EU_REGIONS, "europe-west2", "europe-west6", ANY_REGION),
    "global": (ANY_REGION,),
    # Cloud Storage predefined dual-regions (https://cloud.google.com/storage/docs/locations#predefined)
    "eur4": ("europe-north1", "europe-west4"),
    "nam4": ("us-central1", "us-east1"),
    "asia1": ("asia-northeast1", "asia-northeast2"),
    # Firestore and Spanner multi-region configurations (https://cloud.google.com/firestore/docs/locations,
    # https://cloud.google.com/spanner/docs/instance-configurations#configs-multi-region): read-write
    # replicas in Belgium and the Netherlands (Spanner's witness in Finland).
    "eur3": ("europe-west1", "europe-west4", "europe-north1"),
    "nearest-multi-region": (ANY_REGION,),
}
"""Google Cloud multi-region and dual-region names (lower case) -> the regions their data may be stored in.
A multi-region is never in-country, and is allowed for a class only if each of its regions is (or if the
configuration names the multi-region itself). A name not listed here cannot be resolved and is refused."""
