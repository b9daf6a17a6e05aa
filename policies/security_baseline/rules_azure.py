"""Azure policies of the security-baseline pack (pulumi-azure-native 3.x type tokens, wire names)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from policies.common import Undecided, cis_azure, dnssi, law_09_08, mcsb
from policies.security_baseline._support import (
    ADMIN_PORTS_SCHEMA,
    Ctx,
    PortRange,
    Res,
    admin_ports,
    collect,
    exposure,
    get,
    holds_personal_data,
    internet_prefix,
    is_true,
    items,
    lower,
    meta,
    need,
    nsg_ranges,
    number,
    present,
    related,
    rule,
    srule,
    stack_resources,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_CONTAINER = "azure-native:storage:BlobContainer"
SQL_SERVER = "azure-native:sql:Server"
SQL_DATABASE = "azure-native:sql:Database"
SQL_FIREWALL_RULE = "azure-native:sql:FirewallRule"
SQL_TDE = "azure-native:sql:TransparentDataEncryption"
SQL_AUDITING = (
    "azure-native:sql:ServerBlobAuditingPolicy",
    "azure-native:sql:ExtendedServerBlobAuditingPolicy",
)
SQL_SHORT_TERM_RETENTION = "azure-native:sql:BackupShortTermRetentionPolicy"
COSMOS = ("azure-native:cosmosdb:DatabaseAccount", "azure-native:documentdb:DatabaseAccount")
KEY_VAULT = "azure-native:keyvault:Vault"
KEY_VAULT_KEY = "azure-native:keyvault:Key"
AKS = "azure-native:containerservice:ManagedCluster"
NSG = "azure-native:network:NetworkSecurityGroup"
NSG_RULE = "azure-native:network:SecurityRule"
DIAGNOSTIC_SETTINGS = ("azure-native:monitor:DiagnosticSetting", "azure-native:insights:DiagnosticSetting")
SUBSCRIPTION_DIAGNOSTIC_SETTINGS = (
    "azure-native:monitor:SubscriptionDiagnosticSetting",
    "azure-native:insights:SubscriptionDiagnosticSetting",
)
DISK = "azure-native:compute:Disk"
VM = "azure-native:compute:VirtualMachine"
VMSS = "azure-native:compute:VirtualMachineScaleSet"
POSTGRES = "azure-native:dbforpostgresql:Server"
MYSQL = "azure-native:dbformysql:Server"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
FIREWALL = "azure-native:network:AzureFirewall"
APP_GATEWAY = "azure-native:network:ApplicationGateway"

PERSONAL = law_09_08("art. 23 (security of processing)")


def _check(fn: Callable[[dict[str, Any], Ctx], Iterable[str]]) -> Callable[[Ctx], Iterable[str]]:
    return lambda ctx: fn(ctx.props, ctx)


# ==================================================================================================
# Encryption at rest


# Customer-managed keys for personal data, where the service offers them without a dedicated cluster
# (Log Analytics needs a dedicated cluster for CMK, so it is not listed).
def _cmk_storage(p: dict[str, Any]) -> bool:
    return lower(get(p, "encryption", "keySource"), "encryption.keySource") == "microsoft.keyvault"


def _cmk_disk(p: dict[str, Any]) -> bool:
    kind = lower(get(p, "encryption", "type"), "encryption.type")
    return "customerkey" in kind and present(get(p, "encryption", "diskEncryptionSetId"))


def _cmk_cosmos(p: dict[str, Any]) -> bool:
    return present(p.get("keyVaultKeyUri"))


def _cmk_flexible(p: dict[str, Any]) -> bool:
    kind = lower(get(p, "dataEncryption", "type"), "dataEncryption.type")
    return kind == "azurekeyvault" and present(
        get(p, "dataEncryption", "primaryKeyURI") or get(p, "dataEncryption", "primaryKeyUri")
    )


def _cmk_sql(p: dict[str, Any]) -> bool:
    return present(p.get("keyId"))


_CMK: dict[str, tuple[Callable[[dict[str, Any]], bool], str]] = {
    STORAGE_ACCOUNT: (_cmk_storage, 'encryption.key_source="Microsoft.Keyvault" with key_vault_properties'),
    DISK: (_cmk_disk, 'encryption.type="EncryptionAtRestWithCustomerKey" with a disk encryption set'),
    **{t: (_cmk_cosmos, "key_vault_key_uri") for t in COSMOS},
    POSTGRES: (_cmk_flexible, 'data_encryption.type="AzureKeyVault" with primary_key_uri'),
    MYSQL: (_cmk_flexible, 'data_encryption.type="AzureKeyVault" with primary_key_uri'),
    SQL_SERVER: (_cmk_sql, "key_id (the TDE protector key)"),
}


def _personal_cmk(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not holds_personal_data(p):
        return
    test, how = _CMK[ctx.type]
    if not test(p):
        yield f"personal data is encrypted with a platform-managed key; set {how}."


AZURE_PERSONAL_DATA_CMK = rule(
    meta(
        "azure-personal-data-cmk",
        HIGH,
        "Data stores tagged data-classification=personal or sensitive use customer-managed keys where the "
        "service offers them without a dedicated cluster (storage accounts, managed disks, Cosmos DB, "
        "PostgreSQL/MySQL flexible servers, SQL servers' TDE protector).",
        "Create a Key Vault key (purge protection on) and point the store at it: storage "
        '`encryption.key_source="Microsoft.Keyvault"`, disks through a disk encryption set, Cosmos DB '
        "`key_vault_key_uri`, flexible servers `data_encryption`, SQL server `key_id`.",
        [mcsb("DP-5"), cis_azure("3.12"), PERSONAL, dnssi("Cryptography")],
    ),
    {t: _check(_personal_cmk) for t in _CMK},
)


def _tde(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if lower(p.get("state"), "state") != "enabled":
        yield "transparent data encryption is turned off."


AZURE_SQL_TDE = rule(
    meta(
        "azure-sql-tde-enabled",
        HIGH,
        "Azure SQL transparent data encryption is never turned off.",
        'Set `state="Enabled"` on the `sql.TransparentDataEncryption` (or remove it: TDE is on by default).',
        [cis_azure("4.1.5"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {SQL_TDE: _check(_tde)},
)


def _encryption_at_host(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    profile = get(p, "virtualMachineProfile") if ctx.type == VMSS else p
    need(profile, "virtualMachineProfile")
    if not is_true(get(profile, "securityProfile", "encryptionAtHost"), "securityProfile.encryptionAtHost"):
        yield "encryption at host is off: temporary disks and disk caches are not encrypted."


AZURE_VM_ENCRYPTION_AT_HOST = rule(
    meta(
        "azure-vm-encryption-at-host",
        MEDIUM,
        "Virtual machines and scale sets encrypt temporary disks and caches at the host.",
        "Set `security_profile.encryption_at_host=True` (register the EncryptionAtHost feature once per "
        "subscription).",
        [cis_azure("7.3"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {VM: _check(_encryption_at_host), VMSS: _check(_encryption_at_host)},
)


# ==================================================================================================
# Encryption in transit


def _storage_https(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    value = p.get("enableHttpsTrafficOnly")
    if value is not None and not is_true(value, "enableHttpsTrafficOnly"):
        yield "the storage account accepts plain HTTP (enableHttpsTrafficOnly is false)."


AZURE_STORAGE_HTTPS_ONLY = rule(
    meta(
        "azure-storage-https-only",
        HIGH,
        "Storage accounts accept HTTPS only (secure transfer required; the API default, never turned off).",
        "Remove `enable_https_traffic_only=False` (or set it to True).",
        [cis_azure("3.1"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {STORAGE_ACCOUNT: _check(_storage_https)},
)


def _storage_tls(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    value = p.get("minimumTlsVersion")
    need(value, "minimumTlsVersion")
    if value not in ("TLS1_2", "TLS1_3"):
        yield f"minimum TLS version is {value or 'not set (TLS 1.0 by default)'}; TLS 1.2 is required."


AZURE_STORAGE_TLS12 = rule(
    meta(
        "azure-storage-min-tls12",
        MEDIUM,
        "Storage accounts require TLS 1.2 or later.",
        'Set `minimum_tls_version="TLS1_2"`.',
        [cis_azure("3.15"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {STORAGE_ACCOUNT: _check(_storage_tls)},
)


def _sql_tls(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    value = p.get("minimalTlsVersion")
    need(value, "minimalTlsVersion")
    if str(value) not in ("1.2", "1.3"):
        yield f"minimal TLS version is {value or 'not set'}; TLS 1.2 is required."


AZURE_SQL_TLS12 = rule(
    meta(
        "azure-sql-min-tls12",
        MEDIUM,
        "Azure SQL servers require TLS 1.2 or later.",
        'Set `minimal_tls_version="1.2"`.',
        [mcsb("DP-3"), dnssi("Communications security")],
    ),
    {SQL_SERVER: _check(_sql_tls)},
)


# ==================================================================================================
# Public exposure


def _blob_public(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == BLOB_CONTAINER:
        access = lower(p.get("publicAccess"), "publicAccess")
        if access in ("blob", "container"):
            yield f"the container allows anonymous read access (publicAccess={p.get('publicAccess')})."
        return
    value = p.get("allowBlobPublicAccess")
    if value is None or is_true(value, "allowBlobPublicAccess"):
        yield "anonymous blob access is not disabled (allowBlobPublicAccess is not false)."


AZURE_STORAGE_BLOB_PUBLIC = rule(
    meta(
        "azure-storage-blob-public-access-disabled",
        HIGH,
        "Storage accounts disable anonymous blob access and no container is public.",
        "Set `allow_blob_public_access=False` on the account and leave containers' `public_access` at None.",
        [cis_azure("3.7"), mcsb("DP-2"), PERSONAL],
    ),
    {STORAGE_ACCOUNT: _check(_blob_public), BLOB_CONTAINER: _check(_blob_public)},
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
    {STORAGE_ACCOUNT: _check(_storage_network)},
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
    {SQL_SERVER: _check(_sql_network), SQL_FIREWALL_RULE: _check(_sql_network)},
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
    {t: _check(_cosmos_network) for t in COSMOS},
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
    {KEY_VAULT: _check(_kv_network)},
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
    {AKS: _check(_aks_endpoint)},
)


# ==================================================================================================
# Network exposure


def _nsg_rules(p: dict[str, Any], ctx: Ctx) -> Iterator[tuple[str, dict[str, Any]]]:
    if ctx.type == NSG:
        for i, r in enumerate(items(p.get("securityRules"), "securityRules")):
            need(r, f"securityRules[{i}]")
            yield f"rule {get(r, 'name') or i}", r
    else:
        yield "rule", p


def _nsg_findings(ctx: Ctx, want_all: bool) -> Iterator[str]:
    ports = admin_ports(ctx.config)

    def relevant(rng: PortRange) -> bool:
        return rng.all if want_all else (not rng.all and bool(rng.hits(ports)))

    def one(label: str, r: dict[str, Any]) -> Callable[[], Iterable[str]]:
        def run() -> Iterable[str]:
            if lower(r.get("direction"), f"{label} direction") != "inbound":
                return []
            if lower(r.get("access"), f"{label} access") != "allow":
                return []

            def exposed_range() -> PortRange | None:
                protocol = lower(r.get("protocol"), f"{label} protocol")
                if protocol not in ("*", "tcp", "udp"):
                    return None  # ICMP, ESP, AH have no ports
                hits = [
                    rng
                    for rng in nsg_ranges(
                        r.get("destinationPortRange"), r.get("destinationPortRanges"), label
                    )
                    if relevant(rng)
                ]
                return hits[0] if hits else None

            sources = (
                [r["sourceAddressPrefix"]] if r.get("sourceAddressPrefix") is not None else []
            ) + items(r.get("sourceAddressPrefixes"), f"{label} sourceAddressPrefixes")
            # Sources such as GatewayManager, AzureLoadBalancer or VirtualNetwork (the Bastion subnet's
            # required rules) are not the Internet.
            found = exposure(exposed_range, lambda rng: True, sources, internet_prefix, f"{label} source")
            if found is None:
                return []
            rng, opened = found
            where = f"inbound {label} from {', '.join(opened)}"
            if rng.all:
                return [f"{where} opens all ports."]
            hit = ", ".join(map(str, rng.hits(ports)))
            return [f"{where} opens administration port(s) {hit} ({rng})."]

        return run

    yield from collect(one(label, r) for label, r in _nsg_rules(ctx.props, ctx))


AZURE_NSG_ADMIN_PORTS = rule(
    meta(
        "azure-nsg-admin-ports-open",
        CRITICAL,
        "No NSG rule (inline or a SecurityRule resource) allows inbound traffic from the Internet (*, "
        "Internet, Any, 0.0.0.0/0, ::/0) to a remote administration port (22, 3389, 5985, 5986 by default). "
        "The inbound rules Azure requires on a Bastion subnet (443 from Internet, GatewayManager and "
        "AzureLoadBalancer; 8080/5701 from VirtualNetwork) are not exposure.",
        "Reach machines through Azure Bastion or a VPN; limit the rule's source to known address ranges.",
        [cis_azure("6.1"), cis_azure("6.2"), mcsb("NS-1"), dnssi("Network security")],
        config=ADMIN_PORTS_SCHEMA,
    ),
    {NSG: lambda ctx: _nsg_findings(ctx, False), NSG_RULE: lambda ctx: _nsg_findings(ctx, False)},
)

AZURE_NSG_ALL_PORTS = rule(
    meta(
        "azure-nsg-all-ports-open",
        CRITICAL,
        "No NSG rule allows inbound traffic from the Internet on all ports (* or 0-65535).",
        "Allow only the ports the service needs (e.g. 443) from the narrowest source.",
        [cis_azure("6.3"), mcsb("NS-1"), dnssi("Network security")],
    ),
    {NSG: lambda ctx: _nsg_findings(ctx, True), NSG_RULE: lambda ctx: _nsg_findings(ctx, True)},
)


# ==================================================================================================
# Logging


def _sql_auditing(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [SQL_SERVER, *SQL_AUDITING])
    servers = found[SQL_SERVER]
    audited: set[str] = set()
    undecided: list[Res] = []
    for kind in SQL_AUDITING:
        for pol in found[kind]:
            targets = related(pol, "serverName", servers, name_prop="serverName")
            if targets is None:
                undecided.append(pol)
                continue
            state = lower(pol.props.get("state"), f"{pol.urn} state")
            if state != "enabled":
                continue
            if not (
                is_true(
                    pol.props.get("isAzureMonitorTargetEnabled") or False,
                    f"{pol.urn} isAzureMonitorTargetEnabled",
                )
                or present(pol.props.get("storageEndpoint"))
            ):
                continue
            audited.update(t.urn for t in targets)
    for server in servers:
        if server.urn in audited:
            continue
        if undecided:
            raise Undecided(f"the server of auditing policy {undecided[0].urn} (for {server.urn})")
        fail("the SQL server has no enabled auditing policy (to Log Analytics or storage).", server)


AZURE_SQL_AUDITING = srule(
    meta(
        "azure-sql-auditing-enabled",
        MEDIUM,
        "Every Azure SQL server has server-level auditing enabled, sent to Azure Monitor or storage.",
        'Add `sql.ServerBlobAuditingPolicy(server_name=server.name, state="Enabled", '
        "is_azure_monitor_target_enabled=True)` and a diagnostic setting on the master database to Log "
        "Analytics.",
        [cis_azure("4.1.1"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    _sql_auditing,
)


def _activity_log(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    if not any(r.resource_type.startswith("azure-native:") for r in args.resources):
        return
    found = stack_resources(args, SUBSCRIPTION_DIAGNOSTIC_SETTINGS)
    for kind in SUBSCRIPTION_DIAGNOSTIC_SETTINGS:
        for s in found[kind]:
            if present(s.props.get("workspaceId")):
                return
    fail("the stack sends no subscription activity log to a Log Analytics workspace.", None)


AZURE_ACTIVITY_LOG = srule(
    meta(
        "azure-subscription-activity-log-exported",
        MEDIUM,
        "The landing-zone stack exports the subscription activity log to Log Analytics (a subscription "
        "diagnostic setting with a workspace).",
        "Declare `monitor.SubscriptionDiagnosticSetting(workspace_id=workspace.id, logs=[...])`. A workload "
        "stack whose subscription is covered by the landing zone disables it in `stacks/<stack>.policy.json`.",
        [cis_azure("5.1.1"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    _activity_log,
)

DIAGNOSABLE = (
    KEY_VAULT,
    NSG,
    *COSMOS,
    AKS,
    FIREWALL,
    APP_GATEWAY,
    SQL_DATABASE,
    POSTGRES,
    MYSQL,
    STORAGE_ACCOUNT,
)


def _diagnostics(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [*DIAGNOSABLE, *DIAGNOSTIC_SETTINGS])
    targets = [r for t in DIAGNOSABLE for r in found[t]]
    covered: set[str] = set()
    undecided: list[Res] = []
    for kind in DIAGNOSTIC_SETTINGS:
        for s in found[kind]:
            rel = related(s, "resourceUri", targets)
            if rel is None:
                undecided.append(s)
                continue
            if present(s.props.get("workspaceId")):
                covered.update(t.urn for t in rel)
    for t in targets:
        if t.urn in covered:
            continue
        if undecided:
            raise Undecided(f"the resource of diagnostic setting {undecided[0].urn} (for {t.urn})")
        fail("the resource sends no diagnostics to a Log Analytics workspace.", t)


AZURE_DIAGNOSTICS = srule(
    meta(
        "azure-resource-diagnostics-to-log-analytics",
        MEDIUM,
        "Key Vaults, NSGs, Cosmos DB, AKS, firewalls, application gateways, SQL databases, flexible servers "
        "and storage accounts each have a diagnostic setting (related through its resource_uri dependency) "
        "that sends to a Log Analytics workspace.",
        "Add `monitor.DiagnosticSetting(resource_uri=resource.id, workspace_id=workspace.id, "
        'logs=[{"category_group": "allLogs", "enabled": True}])` (storage: on `<account id>/blobServices/default`).',
        [cis_azure("5.1.4"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    _diagnostics,
)


# ==================================================================================================
# Key management


def _kv_purge(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(get(p, "properties", "enablePurgeProtection"), "properties.enablePurgeProtection"):
        yield "purge protection is off: a deleted vault or key can be purged before its retention ends."


AZURE_KEYVAULT_PURGE = rule(
    meta(
        "azure-keyvault-purge-protection",
        MEDIUM,
        "Key Vaults have purge protection on.",
        "Set `properties.enable_purge_protection=True` (it cannot be turned off again).",
        [cis_azure("8.5"), mcsb("DP-6"), dnssi("Cryptography")],
    ),
    {KEY_VAULT: _check(_kv_purge)},
)


def _kv_soft_delete(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    value = get(p, "properties", "enableSoftDelete")
    if value is not None and not is_true(value, "properties.enableSoftDelete"):
        yield "soft delete is turned off."
    days = number(get(p, "properties", "softDeleteRetentionInDays"), "properties.softDeleteRetentionInDays")
    if days is not None and days < 7:
        yield f"soft-delete retention is {int(days)} days (minimum 7)."


AZURE_KEYVAULT_SOFT_DELETE = rule(
    meta(
        "azure-keyvault-soft-delete",
        MEDIUM,
        "Key Vaults keep soft delete on (the default), with at least 7 days of retention.",
        "Remove `enable_soft_delete=False`; keep `soft_delete_retention_in_days` at 7-90 (90 by default).",
        [cis_azure("8.5"), mcsb("DP-6"), dnssi("Cryptography")],
    ),
    {KEY_VAULT: _check(_kv_soft_delete)},
)


def _kv_rbac(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(get(p, "properties", "enableRbacAuthorization"), "properties.enableRbacAuthorization"):
        yield "the vault uses access policies instead of Azure RBAC."


AZURE_KEYVAULT_RBAC = rule(
    meta(
        "azure-keyvault-rbac-authorization",
        MEDIUM,
        "Key Vaults authorize data-plane access with Azure RBAC, not access policies.",
        "Set `properties.enable_rbac_authorization=True` and grant roles such as Key Vault Crypto User.",
        [cis_azure("8.6"), mcsb("PA-7"), dnssi("Access control")],
    ),
    {KEY_VAULT: _check(_kv_rbac)},
)


def _key_rotation(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    actions = items(
        get(p, "properties", "rotationPolicy", "lifetimeActions"), "properties.rotationPolicy.lifetimeActions"
    )
    for i, a in enumerate(actions):
        if lower(get(a, "action", "type"), f"lifetimeActions[{i}].action.type") == "rotate":
            return
    yield "the key has no rotation policy with a rotate action."


AZURE_KEYVAULT_KEY_ROTATION = rule(
    meta(
        "azure-keyvault-key-rotation",
        MEDIUM,
        "Key Vault keys have a rotation policy that rotates them automatically.",
        'Set `properties.rotation_policy.lifetime_actions=[{"action": {"type": "rotate"}, "trigger": '
        '{"time_after_create": "P1Y"}}]` with an expiry.',
        [cis_azure("8.8"), mcsb("DP-6"), dnssi("Cryptography")],
    ),
    {KEY_VAULT_KEY: _check(_key_rotation)},
)


# ==================================================================================================
# Identity


def _role_wildcard(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for i, perm in enumerate(items(p.get("permissions"), "permissions")):
        acts = items(get(perm, "actions"), f"permissions[{i}].actions")
        if any(need(a, f"permissions[{i}].actions[]") == "*" for a in acts):
            yield 'the custom role allows every action ("*"): it is a custom owner role.'
            return


AZURE_CUSTOM_ROLE_NO_WILDCARD = rule(
    meta(
        "azure-custom-role-no-wildcard",
        CRITICAL,
        'Custom role definitions never allow every action ("*").',
        "List the actions the role needs, or assign a built-in role (Owner only through PIM).",
        [cis_azure("1.23"), mcsb("PA-7"), dnssi("Access control")],
    ),
    {ROLE_DEFINITION: _check(_role_wildcard)},
)


# ==================================================================================================
# Durability


def _backup_retention(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == SQL_SHORT_TERM_RETENTION:
        days = number(p.get("retentionDays"), "retentionDays")
        if days is not None and days < 7:
            yield f"point-in-time backups are kept {int(days)} day(s); at least 7 are required."
        return
    days = number(get(p, "backup", "backupRetentionDays"), "backup.backupRetentionDays")
    if days is not None and days < 7:
        yield f"backups are kept {int(days)} day(s); at least 7 are required."


AZURE_BACKUP_RETENTION = rule(
    meta(
        "azure-database-backup-retention",
        MEDIUM,
        "Azure SQL databases and PostgreSQL/MySQL flexible servers keep backups for at least 7 days "
        "(the defaults; never lowered).",
        "Set `retention_days` (SQL short-term retention) or `backup.backup_retention_days` to 7 or more.",
        [mcsb("BR-1"), dnssi("Backup"), PERSONAL],
    ),
    {
        SQL_SHORT_TERM_RETENTION: _check(_backup_retention),
        POSTGRES: _check(_backup_retention),
        MYSQL: _check(_backup_retention),
    },
)


POLICIES = [
    # encryption at rest
    AZURE_PERSONAL_DATA_CMK,
    AZURE_SQL_TDE,
    AZURE_VM_ENCRYPTION_AT_HOST,
    # encryption in transit
    AZURE_STORAGE_HTTPS_ONLY,
    AZURE_STORAGE_TLS12,
    AZURE_SQL_TLS12,
    # public exposure
    AZURE_STORAGE_BLOB_PUBLIC,
    AZURE_STORAGE_PUBLIC_NETWORK,
    AZURE_SQL_PUBLIC_NETWORK,
    AZURE_COSMOS_PUBLIC_NETWORK,
    AZURE_KEYVAULT_PUBLIC_NETWORK,
    AZURE_AKS_PRIVATE,
    # network exposure
    AZURE_NSG_ADMIN_PORTS,
    AZURE_NSG_ALL_PORTS,
    # logging
    AZURE_SQL_AUDITING,
    AZURE_ACTIVITY_LOG,
    AZURE_DIAGNOSTICS,
    # key management
    AZURE_KEYVAULT_PURGE,
    AZURE_KEYVAULT_SOFT_DELETE,
    AZURE_KEYVAULT_RBAC,
    AZURE_KEYVAULT_KEY_ROTATION,
    # identity
    AZURE_CUSTOM_ROLE_NO_WILDCARD,
    # durability
    AZURE_BACKUP_RETENTION,
]
