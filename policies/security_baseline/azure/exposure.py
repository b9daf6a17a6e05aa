"""Public exposure rules for Azure: data and endpoints reachable by anyone.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import (
    PERSONAL_DATA_SECURITY,
    Ctx,
    cis_azure,
    dnssi,
    get,
    is_true,
    items,
    lower,
    mcsb,
    meta,
    need,
    rule,
    with_props,
)
from policies.framework.network import internet_prefix
from policies.security_baseline.azure.defaults import ALLOW_BLOB_PUBLIC_ACCESS, api_version, default_value
from policies.security_baseline.azure.tokens import (
    AKS,
    BLOB_CONTAINER,
    COSMOS,
    KEY_VAULT,
    SQL_FIREWALL_RULE,
    SQL_SERVER,
    STORAGE_ACCOUNT,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
PERSONAL = PERSONAL_DATA_SECURITY


def _blob_public(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == BLOB_CONTAINER:
        access = lower(p.get("publicAccess"), "publicAccess")
        if access in ("blob", "container"):
            yield f"the container allows anonymous read access (publicAccess={p.get('publicAccess')})."
        return
    value = p.get("allowBlobPublicAccess")
    if value is None:
        known, value = default_value(ALLOW_BLOB_PUBLIC_ACCESS, ctx.type, ctx.provider_version)
        if not known:
            yield (
                "allowBlobPublicAccess is not set and its default depends on the API version, which is not known "
                "(the provider's version is not): set it to false."
            )
        elif value:
            yield (
                f"anonymous blob access is allowed: allowBlobPublicAccess is not set, and its default is true for "
                f"API version {api_version(ctx.type, ctx.provider_version)} (azure-native {ctx.provider_version})."
            )
        return
    if is_true(value, "allowBlobPublicAccess"):
        yield "anonymous blob access is not disabled (allowBlobPublicAccess is not false)."


AZURE_STORAGE_BLOB_PUBLIC = rule(
    meta(
        "azure-storage-blob-public-access-disabled",
        HIGH,
        "Storage accounts disable anonymous blob access and no container is public.",
        "Set `allow_blob_public_access=False` on the account and leave containers' `public_access` at None.",
        [cis_azure("3.7"), mcsb("DP-2"), PERSONAL],
    ),
    {STORAGE_ACCOUNT: with_props(_blob_public), BLOB_CONTAINER: with_props(_blob_public)},
)


def _disabled(value: Any, what: str) -> bool:
    return lower(value, what) == "disabled"


def _storage_network(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if _disabled(p.get("publicNetworkAccess"), "publicNetworkAccess"):
        return
    if lower(get(p, "networkRuleSet", "defaultAction"), "networkRuleSet.defaultAction") == "deny":
        return
    yield "the storage account is reachable from any network (no publicNetworkAccess=Disabled, default action Allow)."


AZURE_STORAGE_PUBLIC_NETWORK = rule(
    meta(
        "azure-storage-public-network-access",
        HIGH,
        "Storage accounts are not open to all networks: public network access is disabled or the firewall "
        "denies by default.",
        'Set `public_network_access="Disabled"` with private endpoints, or `network_rule_set.default_action="Deny"` '
        "with the allowed networks.",
        [cis_azure("3.8"), mcsb("NS-2"), dnssi("Network security")],
    ),
    {STORAGE_ACCOUNT: with_props(_storage_network)},
)


def _sql_network(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == SQL_FIREWALL_RULE:
        start = need(p.get("startIpAddress"), "startIpAddress")
        end = need(p.get("endIpAddress"), "endIpAddress")
        if str(start) == "0.0.0.0" and str(end) == "255.255.255.255":
            yield "the firewall rule admits every IPv4 address (0.0.0.0-255.255.255.255)."
        return
    if not _disabled(p.get("publicNetworkAccess"), "publicNetworkAccess"):
        yield "public network access to the SQL server is not disabled."


AZURE_SQL_PUBLIC_NETWORK = rule(
    meta(
        "azure-sql-public-network-access",
        HIGH,
        "Azure SQL servers disable public network access and no firewall rule admits the whole Internet.",
        'Set `public_network_access="Disabled"` and connect through a private endpoint; remove '
        "0.0.0.0-255.255.255.255 firewall rules.",
        [cis_azure("4.1.2"), mcsb("NS-2"), dnssi("Network security"), PERSONAL],
    ),
    {SQL_SERVER: with_props(_sql_network), SQL_FIREWALL_RULE: with_props(_sql_network)},
)


def _cosmos_network(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if _disabled(p.get("publicNetworkAccess"), "publicNetworkAccess"):
        return
    if is_true(p.get("isVirtualNetworkFilterEnabled") or False, "isVirtualNetworkFilterEnabled"):
        return
    rules = items(p.get("ipRules"), "ipRules")
    open_rules = [
        r for r in rules if internet_prefix(get(r, "ipAddressOrRange") or "", "ipRules[].ipAddressOrRange")
    ]
    if rules and not open_rules:
        return
    yield "the Cosmos DB account accepts connections from all networks."


AZURE_COSMOS_PUBLIC_NETWORK = rule(
    meta(
        "azure-cosmosdb-public-network-access",
        HIGH,
        "Cosmos DB accounts are not reachable from all networks (public access disabled, or limited to "
        "virtual networks or IP ranges).",
        'Set `public_network_access="Disabled"` with private endpoints, or `is_virtual_network_filter_enabled=True` '
        "with virtual network rules.",
        [cis_azure("4.5.1"), mcsb("NS-2"), dnssi("Network security"), PERSONAL],
    ),
    {t: with_props(_cosmos_network) for t in COSMOS},
)


def _kv_network(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    props = p.get("properties")
    need(props, "properties")
    if _disabled(get(props, "publicNetworkAccess"), "properties.publicNetworkAccess"):
        return
    if lower(get(props, "networkAcls", "defaultAction"), "properties.networkAcls.defaultAction") == "deny":
        return
    yield "the Key Vault is reachable from all networks."


AZURE_KEYVAULT_PUBLIC_NETWORK = rule(
    meta(
        "azure-keyvault-public-network-access",
        MEDIUM,
        "Key Vaults disable public network access or deny by default in their firewall.",
        'Set `properties.public_network_access="Disabled"` (private endpoint) or '
        '`properties.network_acls.default_action="Deny"` with `bypass="AzureServices"`.',
        [cis_azure("8.7"), mcsb("NS-2"), dnssi("Network security")],
    ),
    {KEY_VAULT: with_props(_kv_network)},
)


def _aks_endpoint(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    profile = p.get("apiServerAccessProfile")
    need(profile, "apiServerAccessProfile")
    if is_true(get(profile, "enablePrivateCluster") or False, "apiServerAccessProfile.enablePrivateCluster"):
        return
    ranges = items(get(profile, "authorizedIPRanges"), "apiServerAccessProfile.authorizedIPRanges")
    if ranges and not any(internet_prefix(r, "authorizedIPRanges[]") for r in ranges):
        return
    yield "the AKS API server is public to the Internet (not private, no authorized IP ranges)."


AZURE_AKS_PRIVATE = rule(
    meta(
        "azure-aks-api-not-public",
        HIGH,
        "AKS API servers are private, or public only to authorized IP ranges.",
        "Set `api_server_access_profile.enable_private_cluster=True` (or `authorized_ip_ranges` without "
        "0.0.0.0/0).",
        [mcsb("NS-2"), dnssi("Network security")],
    ),
    {AKS: with_props(_aks_endpoint)},
)


POLICIES: list[Policy] = [
    AZURE_STORAGE_BLOB_PUBLIC,
    AZURE_STORAGE_PUBLIC_NETWORK,
    AZURE_SQL_PUBLIC_NETWORK,
    AZURE_COSMOS_PUBLIC_NETWORK,
    AZURE_KEYVAULT_PUBLIC_NETWORK,
    AZURE_AKS_PRIVATE,
]
"""This domain's policies, in catalogue order."""
