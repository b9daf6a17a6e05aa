"""Network facts kept as data: Bastion's required NSG rules, private DNS zones, firewall baseline, costs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from components.errors import ConfigError


@dataclass(frozen=True)
class NsgRule:
    """One NSG security rule, as Azure's API names its fields."""

    name: str
    priority: int
    direction: str
    """``Inbound`` or ``Outbound``."""
    access: str
    protocol: str
    source: str
    destination: str
    ports: tuple[str, ...]


BASTION_NSG_RULES: tuple[NsgRule, ...] = (
    NsgRule("AllowHttpsInbound", 120, "Inbound", "Allow", "Tcp", "Internet", "*", ("443",)),
    NsgRule("AllowGatewayManagerInbound", 130, "Inbound", "Allow", "Tcp", "GatewayManager", "*", ("443",)),
    NsgRule(
        "AllowAzureLoadBalancerInbound", 140, "Inbound", "Allow", "Tcp", "AzureLoadBalancer", "*", ("443",)
    ),
    NsgRule(
        "AllowBastionHostCommunication",
        150,
        "Inbound",
        "Allow",
        "*",
        "VirtualNetwork",
        "VirtualNetwork",
        ("8080", "5701"),
    ),
    NsgRule("DenyAllInbound", 4096, "Inbound", "Deny", "*", "*", "*", ("*",)),
    NsgRule("AllowSshRdpOutbound", 100, "Outbound", "Allow", "*", "*", "VirtualNetwork", ("22", "3389")),
    NsgRule("AllowAzureCloudOutbound", 110, "Outbound", "Allow", "Tcp", "*", "AzureCloud", ("443",)),
    NsgRule(
        "AllowBastionCommunication",
        120,
        "Outbound",
        "Allow",
        "*",
        "VirtualNetwork",
        "VirtualNetwork",
        ("8080", "5701"),
    ),
    NsgRule("AllowHttpOutbound", 130, "Outbound", "Allow", "*", "*", "Internet", ("80",)),
    NsgRule("DenyAllOutbound", 4096, "Outbound", "Deny", "*", "*", "*", ("*",)),
)
"""The rules Azure requires on AzureBastionSubnet's NSG (learn.microsoft.com, "Working with NSG
access and Azure Bastion"), plus the explicit deny-all of ALZ at priority 4096."""


PRIVATE_DNS_ZONES: tuple[str, ...] = (
    "optional(string, null)",
    "privatelink.{regionName}.azurecontainerapps.io",
    "privatelink.api.azureml.ms",
    "privatelink.notebooks.azure.net",
    "privatelink.cognitiveservices.azure.com",
    "privatelink.openai.azure.com",
    "privatelink.services.ai.azure.com",
    "privatelink.directline.botframework.com",
    "privatelink.token.botframework.com",
    "privatelink.servicebus.windows.net",
    "privatelink.datafactory.azure.net",
    "privatelink.adf.azure.com",
    "privatelink.azurehdinsight.net",
    "privatelink.{regionName}.kusto.windows.net",
    "privatelink.blob.core.windows.net",
    "privatelink.queue.core.windows.net",
    "privatelink.table.core.windows.net",
    "privatelink.file.core.windows.net",
    "privatelink.web.core.windows.net",
    "privatelink.dfs.core.windows.net",
    "privatelink.afs.azure.net",
    "privatelink.analysis.windows.net",
    "privatelink.pbidedicated.windows.net",
    "privatelink.tip1.powerquery.microsoft.com",
    "privatelink.azuredatabricks.net",
    "privatelink.fabric.microsoft.com",
    "privatelink.batch.azure.com",
    "privatelink-global.wvd.microsoft.com",
    "privatelink.wvd.microsoft.com",
    "privatelink.{regionName}.azmk8s.io",
    "privatelink.azurecr.io",
    "privatelink.database.windows.net",
    "privatelink.documents.azure.com",
    "privatelink.mongo.cosmos.azure.com",
    "privatelink.mongocluster.cosmos.azure.com",
    "privatelink.cassandra.cosmos.azure.com",
    "privatelink.gremlin.cosmos.azure.com",
    "privatelink.table.cosmos.azure.com",
    "privatelink.analytics.cosmos.azure.com",
    "privatelink.postgres.cosmos.azure.com",
    "privatelink.mariadb.database.azure.com",
    "privatelink.postgres.database.azure.com",
    "privatelink.mysql.database.azure.com",
    "privatelink.redis.cache.windows.net",
    "privatelink.redisenterprise.cache.azure.net",
    "privatelink.redis.azure.net",
    "privatelink.his.arc.azure.com",
    "privatelink.guestconfiguration.azure.com",
    "privatelink.dp.kubernetesconfiguration.azure.com",
    "privatelink.eventgrid.azure.net",
    "privatelink.ts.eventgrid.azure.net",
    "privatelink.azure-api.net",
    "privatelink.azurehealthcareapis.com",
    "privatelink.dicom.azurehealthcareapis.com",
    "privatelink.azure-devices.net",
    "privatelink.azure-devices-provisioning.net",
    "privatelink.api.adu.microsoft.com",
    "privatelink.azureiotcentral.com",
    "privatelink.digitaltwins.azure.net",
    "privatelink.media.azure.net",
    "privatelink.azure-automation.net",
    "privatelink.{regionCode}.backup.windowsazure.com",
    "privatelink.siterecovery.windowsazure.com",
    "privatelink.monitor.azure.com",
    "privatelink.oms.opinsights.azure.com",
    "privatelink.ods.opinsights.azure.com",
    "privatelink.agentsvc.azure-automation.net",
    "privatelink.{regionName}.prometheus.monitor.azure.com",
    "privatelink.purview.azure.com",
    "privatelink.purviewstudio.azure.com",
    "privatelink.purview-service.microsoft.com",
    "privatelink.prod.migration.windowsazure.com",
    "privatelink.grafana.azure.com",
    "privatelink.vaultcore.azure.net",
    "privatelink.managedhsm.azure.net",
    "privatelink.azconfig.io",
    "privatelink.attest.azure.net",
    "privatelink.search.windows.net",
    "privatelink.azurewebsites.net",
    "privatelink.service.signalr.net",
    "privatelink.azurestaticapps.net",
    "privatelink.azuresynapse.net",
    "privatelink.sql.azuresynapse.net",
    "privatelink.dev.azuresynapse.net",
    "privatelink.webpubsub.azure.com",
)
"""The private link DNS zones ALZ ships, as the Azure Verified Modules pattern
avm-ptn-network-private-link-private-dns-zones lists them (github.com/Azure/terraform-azurerm-avm-ptn-network-private-link-private-dns-zones,
variables.tf, commit 7579464, MIT), checked against https://learn.microsoft.com/azure/private-link/private-endpoint-dns.
``{regionName}`` is the region's name (AKS, Data Explorer, Container Apps, managed Prometheus),
``{regionCode}`` its geo-code (Azure Backup). Left out, as the AVM module does: Static Web Apps'
partitioned zone ``privatelink.{partitionId}.azurestaticapps.net`` (the partition is only known per app)."""

PRIVATE_LINK_REGION_CODES: dict[str, str] = {
    "australiacentral": "acl",
    "australiacentral2": "acl2",
    "australiaeast": "ae",
    "australiasoutheast": "ase",
    "austriaeast": "aue",
    "belgiumcentral": "bec",
    "brazilsouth": "brs",
    "brazilsoutheast": "bse",
    "canadacentral": "cnc",
    "canadaeast": "cne",
    "centralindia": "inc",
    "centralus": "cus",
    "centraluseuap": "ccy",
    "chilecentral": "clc",
    "denmarkeast": "dke",
    "eastasia": "ea",
    "eastus": "eus",
    "eastus2": "eus2",
    "eastus2euap": "ecy",
    "eastus3": "eus3",
    "francecentral": "frc",
    "francesouth": "frs",
    "germanynorth": "gn",
    "germanywestcentral": "gwc",
    "indiasouthcentral": "insc",
    "indonesiacentral": "idc",
    "israelcentral": "ilc",
    "israelnorthwest": "iln",
    "italynorth": "itn",
    "japaneast": "jpe",
    "japanwest": "jpw",
    "jioindiacentral": "jic",
    "jioindiawest": "jiw",
    "koreacentral": "krc",
    "koreasouth": "krs",
    "malaysiasouth": "mys",
    "malaysiawest": "myw",
    "mexicocentral": "mxc",
    "newzealandnorth": "nzn",
    "northcentralus": "ncus",
    "northeastus5": "ne5s",
    "northeurope": "ne",
    "norwayeast": "nwe",
    "norwaywest": "nww",
    "polandcentral": "plc",
    "qatarcentral": "qac",
    "southafricanorth": "san",
    "southafricawest": "saw",
    "southcentralus": "scus",
    "southcentralus2": "usc2",
    "southeastasia": "sea",
    "southeastus": "use",
    "southeastus3": "use3",
    "southeastus5": "use5",
    "southindia": "ins",
    "southwestus": "swus",
    "spaincentral": "spc",
    "swedencentral": "sdc",
    "swedensouth": "sds",
    "switzerlandnorth": "szn",
    "switzerlandwest": "szw",
    "taiwannorth": "twn",
    "taiwannorthwest": "tnw",
    "uaecentral": "uac",
    "uaenorth": "uan",
    "uksouth": "uks",
    "ukwest": "ukw",
    "usdodcentral": "udc",
    "usdodeast": "ude",
    "usgovarizona": "uga",
    "usgovtexas": "ugt",
    "usgovvirginia": "ugv",
    "westcentralus": "wcus",
    "westeurope": "we",
    "westindia": "inw",
    "westus": "wus",
    "westus2": "wus2",
    "westus3": "wus3",
}
"""Region geo-codes of the regional private link zones (Azure Backup's ``privatelink.<geo>.backup.windowsazure.com``):
https://learn.microsoft.com/azure/backup/private-endpoints#when-using-custom-dns-server-or-host-files and the
geo-code list it links; as ALZ's Deploy-Private-DNS-Zones initiative maps them (parameter dnzZoneRegionShortNames,
github.com/Azure/Azure-Landing-Zones-Library, commit faae8cc, MIT)."""

KEY_VAULT_DNS_ZONE = "privatelink.vaultcore.azure.net"
AUTOMATION_DNS_ZONE = "privatelink.azure-automation.net"


def private_dns_zones(location: str, key: str = "kasbah:location") -> tuple[str, ...]:
    """The private DNS zone names for a hub in ``location`` (ConfigError when its geo-code is unknown)."""
    code = PRIVATE_LINK_REGION_CODES.get(location)
    if code is None:
        raise ConfigError(
            key,
            f"no private link geo-code is known for {location!r} (Azure Backup's zone needs it)",
            "add it to PRIVATE_LINK_REGION_CODES from Microsoft's geo-code list",
        )
    return tuple(z.replace("{regionName}", location).replace("{regionCode}", code) for z in PRIVATE_DNS_ZONES)


class FirewallSku(StrEnum):
    """Azure Firewall tier."""

    STANDARD = "Standard"
    PREMIUM = "Premium"


@dataclass(frozen=True)
class FirewallNetworkRule:
    """A baseline network rule of the firewall policy (sources are the spokes' address space)."""

    name: str
    protocols: tuple[str, ...]
    destination_fqdns: tuple[str, ...]
    destination_addresses: tuple[str, ...]
    ports: tuple[str, ...]


@dataclass(frozen=True)
class FirewallApplicationRule:
    """A baseline application rule (FQDN tags or target FQDNs, HTTPS)."""

    name: str
    fqdn_tags: tuple[str, ...] = ()
    target_fqdns: tuple[str, ...] = ()


BASELINE_NETWORK_RULES: tuple[FirewallNetworkRule, ...] = (
    FirewallNetworkRule("allow-ntp", ("UDP",), ("time.windows.com",), (), ("123",)),
    FirewallNetworkRule(
        "allow-azure-kms", ("TCP",), ("azkms.core.windows.net", "kms.core.windows.net"), (), ("1688",)
    ),
    FirewallNetworkRule("allow-azure-monitor", ("TCP",), (), ("AzureMonitor",), ("443",)),
)
"""Network rules every landing zone needs (FQDNs resolve through the firewall's DNS proxy)."""

BASELINE_APPLICATION_RULES: tuple[FirewallApplicationRule, ...] = (
    FirewallApplicationRule("allow-windows-update", fqdn_tags=("WindowsUpdate", "WindowsDiagnostics")),
    FirewallApplicationRule("allow-defender", fqdn_tags=("MicrosoftActiveProtectionService",)),
    FirewallApplicationRule("allow-azure-backup", fqdn_tags=("AzureBackup",)),
    FirewallApplicationRule(
        "allow-ubuntu-updates",
        target_fqdns=("azure.archive.ubuntu.com", "security.ubuntu.com", "api.snapcraft.io"),
    ),
)
"""Application rules every landing zone needs."""

DDOS_PLAN_MONTHLY_USD = 2944
"""List price of a DDoS Network Protection plan per month (covers 100 public IPs), USD, 2025."""

COSTS_USD_MONTHLY: dict[str, int] = {
    "Azure Firewall Standard": 912,
    "Azure Firewall Premium": 1277,
    "Azure Bastion Standard": 212,
    "VPN gateway VpnGw1AZ": 263,
    "DDoS Network Protection plan": DDOS_PLAN_MONTHLY_USD,
}
"""Approximate fixed monthly costs (deployment hours only, before data processing), USD, 2025."""
