"""Network facts kept as data: Bastion's required NSG rules, private DNS zones, firewall baseline, costs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
    "privatelink.blob.core.windows.net",
    "privatelink.file.core.windows.net",
    "privatelink.queue.core.windows.net",
    "privatelink.table.core.windows.net",
    "privatelink.dfs.core.windows.net",
    "privatelink.web.core.windows.net",
    "privatelink.vaultcore.azure.net",
    "privatelink.database.windows.net",
    "privatelink.postgres.database.azure.com",
    "privatelink.mysql.database.azure.com",
    "privatelink.documents.azure.com",
    "privatelink.azurecr.io",
    "privatelink.servicebus.windows.net",
    "privatelink.azurewebsites.net",
    "privatelink.cognitiveservices.azure.com",
    "privatelink.openai.azure.com",
    "privatelink.monitor.azure.com",
    "privatelink.oms.opinsights.azure.com",
    "privatelink.ods.opinsights.azure.com",
    "privatelink.agentsvc.azure-automation.net",
    "privatelink.siterecovery.windowsazure.com",
    "privatelink.{location}.backup.windowsazure.com",
    "privatelink.{location}.azmk8s.io",
)
"""Private DNS zones for private endpoints (ALZ's list, trimmed to common services);
``{location}`` is replaced by the hub's location."""

KEY_VAULT_DNS_ZONE = "privatelink.vaultcore.azure.net"


def private_dns_zones(location: str) -> tuple[str, ...]:
    """The private DNS zone names for a hub in ``location``."""
    return tuple(z.replace("{location}", location) for z in PRIVATE_DNS_ZONES)


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
