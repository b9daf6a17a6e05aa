"""Public exposure rules for Azure: data and endpoints reachable by anyone.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity, StackValidationArgs

from policies.framework import (
    PERSONAL_DATA_SECURITY,
    Ctx,
    Res,
    Undecided,
    cis_azure,
    dnssi,
    get,
    is_true,
    items,
    lower,
    mcsb,
    meta,
    need,
    present,
    related,
    rule,
    srule,
    stack_resources,
    with_props,
)
from policies.framework.network import internet_prefix, open_cidr
from policies.framework.settings import equals, require, value_at
from policies.security_baseline.azure.defaults import (
    ALLOW_BLOB_PUBLIC_ACCESS,
    DEFAULTS,
    api_version,
    default_value,
)
from policies.security_baseline.azure.tokens import (
    AKS,
    BLOB_CONTAINER,
    CONTAINER_REGISTRY,
    COSMOS,
    DISK,
    EVENTHUB_NAMESPACE,
    EVENTHUB_NETWORK_RULE_SET,
    KEY_VAULT,
    MYSQL,
    POSTGRES,
    REDIS,
    SERVICEBUS_NAMESPACE,
    SERVICEBUS_NETWORK_RULE_SET,
    SQL_FIREWALL_RULE,
    SQL_SERVER,
    STORAGE_ACCOUNT,
    WEB_APPS,
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
        [cis_azure("3.7"), mcsb("NS-2"), PERSONAL],
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
        [mcsb("NS-2"), mcsb("DP-8"), dnssi("Network security")],
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


def _app_network(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if _disabled(p.get("publicNetworkAccess"), "publicNetworkAccess"):
        return
    action = lower(
        value_at(p, "siteConfig.ipSecurityRestrictionsDefaultAction"), "ipSecurityRestrictionsDefaultAction"
    )
    if action == "deny":
        return
    yield "the app is reachable from any network (public network access on, no access restrictions denying by default)."


AZURE_APPSERVICE_PUBLIC_NETWORK = rule(
    meta(
        "azure-appservice-public-network-access",
        MEDIUM,
        "App Service and Function apps disable public network access (private endpoint), or deny by default in "
        "their access restrictions (behind Front Door or an application gateway).",
        'Set `public_network_access="Disabled"`, or `site_config.ip_security_restrictions_default_action="Deny"` '
        "with allow rules for your front end (service tag AzureFrontDoor.Backend and its X-Azure-FDID header).",
        [mcsb("NS-2"), dnssi("Network security")],
    ),
    {t: with_props(_app_network) for t in WEB_APPS},
)


def _app_cors(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    origins = items(value_at(p, "siteConfig.cors.allowedOrigins"), "siteConfig.cors.allowedOrigins")
    if any(need(o, "siteConfig.cors.allowedOrigins[]") == "*" for o in origins):
        yield 'CORS allows every origin ("*").'


AZURE_APPSERVICE_CORS = rule(
    meta(
        "azure-appservice-cors-not-wildcard",
        MEDIUM,
        "App Service and Function apps do not allow cross-origin requests from every origin.",
        "List the origins that may call the app in `site_config.cors.allowed_origins`.",
        [mcsb("PV-2"), dnssi("Network security")],
    ),
    {t: with_props(_app_cors) for t in WEB_APPS},
)


AZURE_APPSERVICE_REMOTE_DEBUGGING = rule(
    meta(
        "azure-appservice-remote-debugging-off",
        HIGH,
        "App Service and Function apps keep remote debugging off.",
        "Remove `site_config.remote_debugging_enabled=True`.",
        [mcsb("PV-2"), dnssi("Access control")],
    ),
    {
        t: require(
            "siteConfig.remoteDebuggingEnabled",
            equals(False),
            "remote debugging is on: its ports are open to the Internet.",
            default=DEFAULTS.of(t, "siteConfig.remoteDebuggingEnabled"),
        )
        for t in WEB_APPS
    },
)


def _public_network(service: str) -> Callable[[Ctx], Iterator[str]]:
    def check(ctx: Ctx) -> Iterator[str]:
        value = value_at(ctx.props, "publicNetworkAccess")
        if lower(value, "publicNetworkAccess") != "disabled":
            yield f"the {service} accepts connections from public networks (publicNetworkAccess is {value or 'not set'})."

    return check


AZURE_REDIS_PUBLIC_NETWORK = rule(
    meta(
        "azure-redis-public-network-access",
        HIGH,
        "Azure Cache for Redis disables public network access (private endpoints only).",
        'Set `public_network_access="Disabled"` and reach the cache through a private endpoint.',
        [mcsb("NS-2"), dnssi("Network security"), PERSONAL],
    ),
    {REDIS: _public_network("cache")},
)


def _registry_network(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if _disabled(p.get("publicNetworkAccess"), "publicNetworkAccess"):
        return
    if lower(value_at(p, "networkRuleSet.defaultAction"), "networkRuleSet.defaultAction") == "deny":
        return
    yield "the registry accepts connections from any network (public network access, no firewall default deny)."


AZURE_ACR_PUBLIC_NETWORK = rule(
    meta(
        "azure-acr-public-network-access",
        HIGH,
        "Container registries disable public network access, or deny by default in their firewall (Premium).",
        'Set `public_network_access="Disabled"` with a private endpoint, or `network_rule_set={"default_action": '
        '"Deny", "ip_rules": [...]}`.',
        [mcsb("NS-2"), dnssi("Network security")],
    ),
    {CONTAINER_REGISTRY: with_props(_registry_network)},
)


AZURE_ACR_ANONYMOUS_PULL = rule(
    meta(
        "azure-acr-anonymous-pull-disabled",
        HIGH,
        "Container registries do not allow anonymous (unauthenticated) pulls.",
        "Remove `anonymous_pull_enabled=True` (it defaults to false).",
        [mcsb("PA-7"), mcsb("NS-2"), dnssi("Access control")],
    ),
    {
        CONTAINER_REGISTRY: require(
            "anonymousPullEnabled", equals(False), "anyone can pull images from the registry."
        )
    },
)


def _namespace_network(
    service: str, namespaces: str, rule_sets: str
) -> Callable[[StackValidationArgs, Callable[[str, Any], None]], None]:
    def check(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
        found = stack_resources(args, [namespaces, rule_sets])
        denied: set[str] = set()
        undecided: list[Res] = []
        for rs in found[rule_sets]:
            action = lower(rs.props.get("defaultAction"), f"{rs.urn} defaultAction")
            access = lower(rs.props.get("publicNetworkAccess"), f"{rs.urn} publicNetworkAccess")
            if action != "deny" and access != "disabled":
                fail(
                    f"the {service} network rule set allows every network (defaultAction {action or 'Allow'}).",
                    rs,
                )
            targets = related(rs, "namespaceName", found[namespaces], name_prop="namespaceName")
            if targets is None:
                undecided.append(rs)
                continue
            denied.update(t.urn for t in targets)  # a rule set that allows all is reported on itself
        for ns in found[namespaces]:
            if ns.urn in denied or _disabled(
                ns.props.get("publicNetworkAccess"), f"{ns.urn} publicNetworkAccess"
            ):
                continue
            if undecided:
                raise Undecided(f"the namespace of {undecided[0].urn} (for {ns.urn})")
            fail(
                f"the {service} namespace accepts every network (public network access, no network rule set).",
                ns,
            )

    return check


AZURE_EVENTHUB_PUBLIC_NETWORK = srule(
    meta(
        "azure-eventhub-public-network-access",
        MEDIUM,
        "Event Hubs namespaces disable public network access, or have a network rule set (related through its "
        "namespace dependency) that denies by default.",
        'Set `public_network_access="Disabled"` with private endpoints, or add `eventhub.NamespaceNetworkRuleSet('
        'namespace_name=ns.name, default_action="Deny", ip_rules=[...])`.',
        [mcsb("NS-2"), dnssi("Network security")],
    ),
    _namespace_network("Event Hubs", EVENTHUB_NAMESPACE, EVENTHUB_NETWORK_RULE_SET),
    types=[EVENTHUB_NAMESPACE, EVENTHUB_NETWORK_RULE_SET],
)


AZURE_SERVICEBUS_PUBLIC_NETWORK = srule(
    meta(
        "azure-servicebus-public-network-access",
        MEDIUM,
        "Service Bus namespaces disable public network access, or have a network rule set (related through its "
        "namespace dependency) that denies by default.",
        'Set `public_network_access="Disabled"` with private endpoints (Premium), or add '
        '`servicebus.NamespaceNetworkRuleSet(namespace_name=ns.name, default_action="Deny", ip_rules=[...])`.',
        [mcsb("NS-2"), dnssi("Network security")],
    ),
    _namespace_network("Service Bus", SERVICEBUS_NAMESPACE, SERVICEBUS_NETWORK_RULE_SET),
    types=[SERVICEBUS_NAMESPACE, SERVICEBUS_NETWORK_RULE_SET],
)


def _flexible_network(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    network = p.get("network")
    need(network, "network")
    if present(get(network, "delegatedSubnetResourceId")):
        return  # VNet-integrated: no public endpoint
    access = value_at(p, "network.publicNetworkAccess")
    if lower(access, "network.publicNetworkAccess") != "disabled":
        yield (
            "the flexible server has a public endpoint (no delegated subnet, network.publicNetworkAccess is "
            f"{access or 'not set'})."
        )


AZURE_POSTGRES_PUBLIC = rule(
    meta(
        "azure-postgresql-public-network-access",
        HIGH,
        "PostgreSQL flexible servers are VNet-integrated (delegated subnet) or disable public network access "
        "(private endpoints).",
        'Set `network={"delegated_subnet_resource_id": ..., "private_dns_zone_arm_resource_id": ...}` or '
        '`network={"public_network_access": "Disabled"}` with a private endpoint.',
        [cis_azure("4.3.7"), mcsb("NS-2"), dnssi("Network security"), PERSONAL],
    ),
    {POSTGRES: with_props(_flexible_network)},
)


AZURE_MYSQL_PUBLIC = rule(
    meta(
        "azure-mysql-public-network-access",
        HIGH,
        "MySQL flexible servers are VNet-integrated (delegated subnet) or disable public network access "
        "(private endpoints).",
        'Set `network={"delegated_subnet_resource_id": ...}` or `network={"public_network_access": "Disabled"}` '
        "with a private endpoint.",
        [mcsb("NS-2"), dnssi("Network security"), PERSONAL],
    ),
    {MYSQL: with_props(_flexible_network)},
)


def _disk_network(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if _disabled(p.get("publicNetworkAccess"), "publicNetworkAccess"):
        return
    policy = lower(p.get("networkAccessPolicy"), "networkAccessPolicy")
    if policy in ("denyall", "allowprivate"):
        return
    yield "the disk can be exported over the Internet (network access policy AllowAll, public network access on)."


AZURE_DISK_PUBLIC_NETWORK = rule(
    meta(
        "azure-disk-public-network-access",
        MEDIUM,
        "Managed disks cannot be imported or exported over public networks.",
        'Set `public_network_access="Disabled"` and `network_access_policy="DenyAll"` (or "AllowPrivate" with a '
        "disk access resource).",
        [mcsb("NS-2"), dnssi("Network security"), PERSONAL],
    ),
    {DISK: with_props(_disk_network)},
)


def _ip_rules(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == KEY_VAULT:
        rules, key, field = (
            get(p, "properties", "networkAcls", "ipRules"),
            "properties.networkAcls.ipRules",
            "value",
        )
    elif ctx.type == STORAGE_ACCOUNT:
        rules, key, field = get(p, "networkRuleSet", "ipRules"), "networkRuleSet.ipRules", "iPAddressOrRange"
    else:
        rules, key, field = get(p, "networkRuleSet", "ipRules"), "networkRuleSet.ipRules", "iPAddressOrRange"
    for i, r in enumerate(items(rules, key)):
        value = get(r, field) if isinstance(r, dict) else r
        if value is not None and open_cidr(value, f"{key}[{i}]"):
            yield f"the firewall's IP rule {value} admits the whole Internet."


AZURE_FIREWALL_IP_RULES = rule(
    meta(
        "azure-firewall-ip-rules-not-open",
        HIGH,
        "The IP rules of storage, Key Vault and container registry firewalls never admit the whole Internet "
        "(0.0.0.0/0), which would undo a default-deny.",
        "List the public IP ranges that need access (your egress NAT or firewall addresses), never 0.0.0.0/0.",
        [mcsb("NS-2"), dnssi("Network security")],
    ),
    {
        STORAGE_ACCOUNT: with_props(_ip_rules),
        KEY_VAULT: with_props(_ip_rules),
        CONTAINER_REGISTRY: with_props(_ip_rules),
    },
)


AZURE_STORAGE_CROSS_TENANT = rule(
    meta(
        "azure-storage-cross-tenant-replication-disabled",
        MEDIUM,
        "Storage accounts do not allow object replication to other Microsoft Entra tenants (off by default for new "
        "accounts).",
        "Remove `allow_cross_tenant_replication=True`.",
        [mcsb("NS-2"), dnssi("Network security"), PERSONAL],
    ),
    {
        STORAGE_ACCOUNT: require(
            "allowCrossTenantReplication",
            equals(False),
            "objects can be replicated to storage accounts of other tenants.",
            default=DEFAULTS.of(STORAGE_ACCOUNT, "allowCrossTenantReplication"),
        )
    },
)


POLICIES: list[Policy] = [
    AZURE_STORAGE_BLOB_PUBLIC,
    AZURE_STORAGE_PUBLIC_NETWORK,
    AZURE_SQL_PUBLIC_NETWORK,
    AZURE_COSMOS_PUBLIC_NETWORK,
    AZURE_KEYVAULT_PUBLIC_NETWORK,
    AZURE_AKS_PRIVATE,
    AZURE_APPSERVICE_PUBLIC_NETWORK,
    AZURE_APPSERVICE_CORS,
    AZURE_APPSERVICE_REMOTE_DEBUGGING,
    AZURE_REDIS_PUBLIC_NETWORK,
    AZURE_ACR_PUBLIC_NETWORK,
    AZURE_ACR_ANONYMOUS_PULL,
    AZURE_EVENTHUB_PUBLIC_NETWORK,
    AZURE_SERVICEBUS_PUBLIC_NETWORK,
    AZURE_POSTGRES_PUBLIC,
    AZURE_MYSQL_PUBLIC,
    AZURE_DISK_PUBLIC_NETWORK,
    AZURE_FIREWALL_IP_RULES,
    AZURE_STORAGE_CROSS_TENANT,
]
"""This domain's policies, in catalogue order."""
