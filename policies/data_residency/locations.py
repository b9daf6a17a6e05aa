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
)
"""Type-token prefixes of global services, out of residency scope (never data stores, even if configured)."""

GLOBAL_LOCATIONS: Final[frozenset[str]] = frozenset({"global"})
"""Azure ``location`` values of global resources (DNS zones, Front Door...): out of scope."""
