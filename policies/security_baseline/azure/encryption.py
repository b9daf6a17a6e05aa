"""Encryption rules for Azure: data at rest (customer-managed keys for personal data included) and in transit.

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
    each,
    get,
    holds_personal_data,
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
from policies.framework.settings import equals, require, value_at
from policies.framework.values import classification
from policies.security_baseline.azure.tokens import (
    AFD_CUSTOM_DOMAIN,
    AKS,
    AKS_AGENT_POOL,
    APP_GATEWAY,
    COSMOS,
    DISK,
    EVENTHUB_NAMESPACE,
    MYSQL,
    MYSQL_CONFIGURATION,
    POSTGRES,
    POSTGRES_CONFIGURATION,
    REDIS,
    SERVICEBUS_NAMESPACE,
    SQL_ENCRYPTION_PROTECTOR,
    SQL_SERVER,
    SQL_SERVER_KEY,
    SQL_TDE,
    STORAGE_ACCOUNT,
    VM,
    VMSS,
    WEB_APPS,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
PERSONAL = PERSONAL_DATA_SECURITY


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


_CMK: dict[str, tuple[Callable[[dict[str, Any]], bool], str]] = {
    STORAGE_ACCOUNT: (_cmk_storage, 'encryption.key_source="Microsoft.Keyvault" with key_vault_properties'),
    DISK: (_cmk_disk, 'encryption.type="EncryptionAtRestWithCustomerKey" with a disk encryption set'),
    **{t: (_cmk_cosmos, "key_vault_key_uri") for t in COSMOS},
    POSTGRES: (_cmk_flexible, 'data_encryption.type="AzureKeyVault" with primary_key_uri'),
    MYSQL: (_cmk_flexible, 'data_encryption.type="AzureKeyVault" with primary_key_uri'),
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
        "PostgreSQL/MySQL flexible servers; SQL servers: azure-sql-tde-customer-managed-key).",
        "Create a Key Vault key (purge protection on) and point the store at it: storage "
        '`encryption.key_source="Microsoft.Keyvault"`, disks through a disk encryption set, Cosmos DB '
        "`key_vault_key_uri`, flexible servers `data_encryption`.",
        [mcsb("DP-5"), cis_azure("3.12"), PERSONAL, dnssi("Cryptography")],
    ),
    {t: with_props(_personal_cmk) for t in _CMK},
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
    {SQL_TDE: with_props(_tde)},
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
        [mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {VM: with_props(_encryption_at_host), VMSS: with_props(_encryption_at_host)},
)


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
    {STORAGE_ACCOUNT: with_props(_storage_https)},
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
    {STORAGE_ACCOUNT: with_props(_storage_tls)},
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
    {SQL_SERVER: with_props(_sql_tls)},
)


def _azure_key_vault_key(res: Res) -> bool:
    """A ServerKey of type AzureKeyVault with its key URI.

    azure-native's ``sql.ServerKey`` has no ``serverKeyType`` or ``uri`` output, so the Pulumi CLI's
    ``AnalyzeStack`` never sends them (it sends outputs): a key without ``serverKeyType`` is judged by
    the protector naming it, whose own ``serverKeyType`` is an output (Azure refuses an AzureKeyVault
    protector naming a service-managed key)."""
    if "serverKeyType" not in res.props:
        return True
    kind = lower(res.props.get("serverKeyType"), f"{res.urn} serverKeyType")
    return kind == "azurekeyvault" and present(res.props.get("uri"))


def _sql_tde_cmk(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [SQL_SERVER, SQL_SERVER_KEY, SQL_ENCRYPTION_PROTECTOR])
    servers, keys = found[SQL_SERVER], found[SQL_SERVER_KEY]
    protected: set[str] = set()
    undecided: list[Res] = []
    for protector in found[SQL_ENCRYPTION_PROTECTOR]:
        targets = related(protector, "serverName", servers, name_prop="serverName")
        if targets is None:
            undecided.append(protector)
            continue
        if lower(protector.props.get("serverKeyType"), f"{protector.urn} serverKeyType") != "azurekeyvault":
            continue
        used = related(protector, "serverKeyName", keys)
        if used is None:
            undecided.append(protector)
            continue
        # A ServerKey of the stack must be a Key Vault key; a key named but not in the stack is taken as given.
        if used and not any(_azure_key_vault_key(k) for k in used):
            continue
        protected.update(t.urn for t in targets)

    def check(server: Res) -> None:
        if not holds_personal_data(server.props) or server.urn in protected:
            return
        if present(server.props.get("keyId")):
            return
        if undecided:
            raise Undecided(f"the server of encryption protector {undecided[0].urn} (for {server.urn})")
        fail(
            "the SQL server holds personal data but its TDE protector is service-managed (no key_id, no "
            "EncryptionProtector of type AzureKeyVault).",
            server,
        )

    each(servers, check)


AZURE_SQL_TDE_CMK = srule(
    meta(
        "azure-sql-tde-customer-managed-key",
        HIGH,
        "Azure SQL servers tagged data-classification=personal or sensitive protect TDE with a customer-managed "
        "Key Vault key, set either as the server's `key_id` or as a `sql.ServerKey` and an `EncryptionProtector` "
        "of type AzureKeyVault (related through their dependencies).",
        "Set the server's `key_id` to the Key Vault key URI (with a user-assigned identity that can wrap/unwrap), or "
        '`sql.ServerKey(server_key_type="AzureKeyVault", uri=...)` and `sql.EncryptionProtector(server_key_type='
        '"AzureKeyVault", server_key_name=server_key.name, ...)`.',
        [mcsb("DP-5"), cis_azure("4.1.3"), PERSONAL, dnssi("Cryptography")],
    ),
    _sql_tde_cmk,
    types=[SQL_SERVER, SQL_SERVER_KEY, SQL_ENCRYPTION_PROTECTOR],
)


AZURE_APPSERVICE_HTTPS_ONLY = rule(
    meta(
        "azure-appservice-https-only",
        HIGH,
        "App Service and Function apps accept HTTPS only (HTTP is redirected).",
        "Set `https_only=True` on the `web.WebApp` (and each slot).",
        [cis_azure("9.2"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {
        t: require("httpsOnly", equals(True), "the app serves plain HTTP (httpsOnly is {value}).")
        for t in WEB_APPS
    },
)


def _tls12(value: Any) -> bool:
    return value is not None and str(value).strip() in ("1.2", "1.3")


AZURE_APPSERVICE_TLS12 = rule(
    meta(
        "azure-appservice-min-tls12",
        MEDIUM,
        "App Service and Function apps require TLS 1.2 or later, set explicitly.",
        'Set `site_config.min_tls_version="1.2"` (and `scm_min_tls_version`).',
        [cis_azure("9.3"), mcsb("DP-3"), mcsb("NS-8"), dnssi("Communications security")],
    ),
    {
        t: require(
            "siteConfig.minTlsVersion",
            _tls12,
            "the app's minimum TLS version is {value}; 1.2 or later is required.",
        )
        for t in WEB_APPS
    },
)


AZURE_APPSERVICE_FTPS = rule(
    meta(
        "azure-appservice-ftps-only",
        MEDIUM,
        "App Service and Function apps disable FTP, or allow FTPS only.",
        'Set `site_config.ftps_state="Disabled"` (or `"FtpsOnly"` if FTP deployment is still needed).',
        [cis_azure("9.10"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {
        t: require(
            "siteConfig.ftpsState",
            equals("Disabled", "FtpsOnly"),
            "the app accepts plain FTP (ftpsState is {value}).",
        )
        for t in WEB_APPS
    },
)


AZURE_REDIS_NON_SSL_PORT = rule(
    meta(
        "azure-redis-non-ssl-port-disabled",
        HIGH,
        "Azure Cache for Redis keeps its non-TLS port (6379) closed.",
        "Remove `enable_non_ssl_port=True` (it defaults to false).",
        [mcsb("DP-3"), dnssi("Communications security")],
    ),
    {REDIS: require("enableNonSslPort", equals(False), "the cache listens without TLS on port 6379.")},
)


def _tls_version(accepted: tuple[str, ...]) -> Callable[[Any], bool]:
    return lambda value: value is not None and str(value).strip().upper() in accepted


_TLS12 = ("1.2", "1.3", "TLS1_2", "TLS1_3", "TLS12", "TLS13")

AZURE_REDIS_TLS12 = rule(
    meta(
        "azure-redis-min-tls12",
        MEDIUM,
        "Azure Cache for Redis requires TLS 1.2 or later, set explicitly.",
        'Set `minimum_tls_version="1.2"`.',
        [mcsb("DP-3"), dnssi("Communications security")],
    ),
    {
        REDIS: require(
            "minimumTlsVersion", _tls_version(_TLS12), "the cache's minimum TLS version is {value}."
        )
    },
)


def _namespace_tls(service: str) -> Any:
    return require(
        "minimumTlsVersion",
        _tls_version(_TLS12),
        f"the {service} namespace's minimum TLS version is {{value}}; 1.2 is required.",
    )


AZURE_EVENTHUB_TLS12 = rule(
    meta(
        "azure-eventhub-min-tls12",
        MEDIUM,
        "Event Hubs namespaces require TLS 1.2 or later, set explicitly.",
        'Set `minimum_tls_version="1.2"` on the `eventhub.Namespace`.',
        [mcsb("DP-3"), dnssi("Communications security")],
    ),
    {EVENTHUB_NAMESPACE: _namespace_tls("Event Hubs")},
)


AZURE_SERVICEBUS_TLS12 = rule(
    meta(
        "azure-servicebus-min-tls12",
        MEDIUM,
        "Service Bus namespaces require TLS 1.2 or later, set explicitly.",
        'Set `minimum_tls_version="1.2"` on the `servicebus.Namespace`.',
        [mcsb("DP-3"), dnssi("Communications security")],
    ),
    {SERVICEBUS_NAMESPACE: _namespace_tls("Service Bus")},
)


_WEAK_TLS = ("tlsv1", "tlsv1.0", "tlsv1.1", "tls1.0", "tls1.1")


def _server_parameter(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    name = lower(p.get("configurationName"), "configurationName")
    value = lower(p.get("value"), "value")
    if name == "require_secure_transport" and value in ("off", "false", "0"):
        yield "the server parameter require_secure_transport switches TLS enforcement off."
    elif name in ("ssl_min_protocol_version", "tls_version"):
        versions = [v.strip() for v in value.split(",") if v.strip()]
        weak = [v for v in versions if v in _WEAK_TLS]
        if weak:
            yield f"the server parameter {name} allows {', '.join(weak)}; TLS 1.2 or later only."


AZURE_POSTGRES_TLS = rule(
    meta(
        "azure-postgresql-tls-enforced",
        HIGH,
        "PostgreSQL flexible servers keep TLS enforced (server parameters require_secure_transport ON, "
        "ssl_min_protocol_version TLSv1.2 or later; the service defaults).",
        "Remove the `dbforpostgresql.Configuration` that sets require_secure_transport off or a TLS 1.0/1.1 minimum.",
        [cis_azure("4.3.1"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {POSTGRES_CONFIGURATION: with_props(_server_parameter)},
)


AZURE_MYSQL_TLS = rule(
    meta(
        "azure-mysql-tls-enforced",
        HIGH,
        "MySQL flexible servers keep TLS enforced (server parameters require_secure_transport ON, tls_version "
        "TLSv1.2 or later; the service defaults).",
        "Remove the `dbformysql.Configuration` that sets require_secure_transport off or allows TLSv1/TLSv1.1.",
        [cis_azure("4.4.1"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {MYSQL_CONFIGURATION: with_props(_server_parameter)},
)


def _infrastructure_encryption(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if classification(p) != "sensitive":
        return
    if not is_true(
        value_at(p, "encryption.requireInfrastructureEncryption", False), "requireInfrastructureEncryption"
    ):
        yield "the account holds sensitive data without infrastructure (double) encryption."


AZURE_STORAGE_INFRA_ENCRYPTION = rule(
    meta(
        "azure-storage-infrastructure-encryption-sensitive",
        HIGH,
        "Storage accounts tagged data-classification=sensitive encrypt twice: service and infrastructure "
        "encryption (set at creation only).",
        'Create the account with `encryption={"require_infrastructure_encryption": True, ...}`.',
        [cis_azure("3.2"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {STORAGE_ACCOUNT: with_props(_infrastructure_encryption)},
)


def _aks_host_encryption(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == AKS_AGENT_POOL:
        if not is_true(p.get("enableEncryptionAtHost") or False, "enableEncryptionAtHost"):
            yield "the node pool does not encrypt its OS disks, temporary disks and caches at the host."
        return
    for i, pool in enumerate(items(p.get("agentPoolProfiles"), "agentPoolProfiles")):
        if not is_true(
            get(pool, "enableEncryptionAtHost") or False, f"agentPoolProfiles[{i}].enableEncryptionAtHost"
        ):
            yield f"node pool {get(pool, 'name')} does not encrypt its disks and caches at the host."


AZURE_AKS_HOST_ENCRYPTION = rule(
    meta(
        "azure-aks-node-encryption-at-host",
        MEDIUM,
        "AKS node pools (in the cluster and as AgentPool resources) encrypt OS and temporary disks and caches at "
        "the host.",
        "Set `enable_encryption_at_host=True` on each agent pool (the subscription's EncryptionAtHost feature must "
        "be registered); add `disk_encryption_set_id` for customer-managed keys.",
        [mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {AKS: with_props(_aks_host_encryption), AKS_AGENT_POOL: with_props(_aks_host_encryption)},
)


def _afd_tls(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    value = value_at(p, "tlsSettings.minimumTlsVersion")
    if value is None or str(value).upper() not in ("TLS12", "TLS13"):
        yield f"the custom domain's minimum TLS version is {value or 'not set'}; TLS12 is required."


AZURE_FRONTDOOR_TLS12 = rule(
    meta(
        "azure-frontdoor-min-tls12",
        MEDIUM,
        "Azure Front Door custom domains require TLS 1.2 or later, set explicitly.",
        'Set `tls_settings={"certificate_type": "ManagedCertificate", "minimum_tls_version": "TLS12"}`.',
        [mcsb("DP-3"), dnssi("Communications security")],
    ),
    {AFD_CUSTOM_DOMAIN: with_props(_afd_tls)},
)


_APPGW_TLS12_POLICIES = frozenset(
    {"appgwsslpolicy20170401s", "appgwsslpolicy20220101", "appgwsslpolicy20220101s"}
)


def _appgw_tls(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    policy = p.get("sslPolicy")
    need(policy, "sslPolicy")
    if policy is None:
        yield "the gateway sets no TLS policy; set a predefined TLS 1.2 policy explicitly."
        return
    kind = lower(get(policy, "policyType"), "sslPolicy.policyType")
    if kind == "predefined":
        name = lower(get(policy, "policyName"), "sslPolicy.policyName")
        if name not in _APPGW_TLS12_POLICIES:
            yield f"the predefined TLS policy {get(policy, 'policyName')} accepts TLS versions below 1.2."
        return
    version = lower(get(policy, "minProtocolVersion"), "sslPolicy.minProtocolVersion")
    if version not in ("tlsv1_2", "tlsv1_3"):
        yield f"the gateway's minimum TLS version is {get(policy, 'minProtocolVersion') or 'not set'}."


AZURE_APPGW_TLS_POLICY = rule(
    meta(
        "azure-appgw-tls-policy",
        MEDIUM,
        "Application gateways use a TLS policy with a TLS 1.2 minimum (predefined AppGwSslPolicy20220101 or "
        "20170401S, or a custom policy at TLSv1_2).",
        'Set `ssl_policy={"policy_type": "Predefined", "policy_name": "AppGwSslPolicy20220101"}`.',
        [mcsb("DP-3"), dnssi("Communications security")],
    ),
    {APP_GATEWAY: with_props(_appgw_tls)},
)


POLICIES: list[Policy] = [
    AZURE_PERSONAL_DATA_CMK,
    AZURE_SQL_TDE,
    AZURE_VM_ENCRYPTION_AT_HOST,
    AZURE_STORAGE_HTTPS_ONLY,
    AZURE_STORAGE_TLS12,
    AZURE_SQL_TLS12,
    AZURE_SQL_TDE_CMK,
    AZURE_APPSERVICE_HTTPS_ONLY,
    AZURE_APPSERVICE_TLS12,
    AZURE_APPSERVICE_FTPS,
    AZURE_REDIS_NON_SSL_PORT,
    AZURE_REDIS_TLS12,
    AZURE_EVENTHUB_TLS12,
    AZURE_SERVICEBUS_TLS12,
    AZURE_POSTGRES_TLS,
    AZURE_MYSQL_TLS,
    AZURE_STORAGE_INFRA_ENCRYPTION,
    AZURE_AKS_HOST_ENCRYPTION,
    AZURE_FRONTDOOR_TLS12,
    AZURE_APPGW_TLS_POLICY,
]
"""This domain's policies, in catalogue order."""
