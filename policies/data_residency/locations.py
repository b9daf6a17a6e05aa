"""Where data may live: approved regions, in-country locations, Wavelength zones, Azure pairs.

Data, not logic. The defaults are Kasbah's documented residency profile
(``../shared/context.md``, "Kasbah's default residency profile"); every list
here is overridable through the policy-pack configuration (see README.md).
"""

from __future__ import annotations

from typing import Final

APPROVED_REGIONS: Final[dict[str, tuple[str, ...]]] = {
    "aws": ("eu-west-3", "eu-south-2"),
    "azure": ("francecentral", "francesouth", "spaincentral"),
    "gcp": ("europe-west9", "europe-southwest1"),
}
"""Regions approved for public, internal and personal data (personal: the transfer is declared to the CNDP)."""

CASABLANCA_WLZ: Final[dict[str, str]] = {
    "zone": "eu-west-3-cmn-wlz-1a",
    "parentRegion": "eu-west-3",
    "borderGroup": "eu-west-3-cmn-wlz-1",
    "zoneId": "euw3-cmn1-wlz1",
}
"""AWS Wavelength zone in Casablanca (Orange Maroc). Zone name, border group and id: medium confidence."""

WAVELENGTH_ZONES: Final[tuple[dict[str, str], ...]] = (CASABLANCA_WLZ,)
"""Wavelength zones known to the pack; more can be added with the ``wavelengthZones`` config."""

IN_COUNTRY_LOCATIONS: Final[tuple[str, ...]] = (CASABLANCA_WLZ["zone"],)
"""Locations on Moroccan territory (a personal-data store there is not a transfer abroad)."""

SOVEREIGN_LOCATIONS: Final[tuple[str, ...]] = ()
"""Qualified in-country sovereign clouds (decree 2-24-921): none by default, so sensitive data has nowhere to go."""

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
