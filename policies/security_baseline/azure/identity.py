"""Identity rules for Azure: administrative privileges, long-lived credentials, password policy.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity, StackValidationArgs

from policies.framework import (
    Ctx,
    Res,
    Undecided,
    cis_azure,
    dnssi,
    each,
    get,
    is_true,
    items,
    lower,
    mcsb,
    meta,
    need,
    related,
    rule,
    srule,
    stack_resources,
    with_props,
)
from policies.framework.settings import equals, require, value_at
from policies.security_baseline.azure.defaults import DEFAULTS
from policies.security_baseline.azure.tokens import (
    AKS,
    CONTAINER_REGISTRY,
    COSMOS,
    EVENTHUB_NAMESPACE,
    REDIS,
    ROLE_DEFINITION,
    SERVICEBUS_NAMESPACE,
    SQL_ENTRA_ONLY,
    SQL_SERVER,
    STORAGE_ACCOUNT,
    VM,
    WEB_APPS,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


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
    {ROLE_DEFINITION: with_props(_role_wildcard)},
)


def _managed_identity(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    kind = lower(value_at(p, "identity.type"), "identity.type")
    if kind in ("", "none"):
        yield "the app has no managed identity: it would need stored credentials to reach other services."


AZURE_APPSERVICE_IDENTITY = rule(
    meta(
        "azure-appservice-managed-identity",
        MEDIUM,
        "App Service and Function apps have a managed identity (system- or user-assigned).",
        'Set `identity={"type": "SystemAssigned"}` (or UserAssigned) and grant it roles instead of storing keys.',
        [cis_azure("9.5"), mcsb("IM-3"), dnssi("Access control")],
    ),
    {t: with_props(_managed_identity) for t in WEB_APPS},
)


def _client_certs(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(p.get("clientCertEnabled") or False, "clientCertEnabled"):
        return
    mode = value_at(p, "clientCertMode")
    if lower(mode, "clientCertMode") != "required":
        yield f"client certificates are enabled but not required (clientCertMode {mode or 'not set'})."


AZURE_APPSERVICE_CLIENT_CERTS = rule(
    meta(
        "azure-appservice-client-certificates-required",
        MEDIUM,
        "App Service and Function apps that enable client certificates require them (mode Required, set "
        "explicitly).",
        'Set `client_cert_mode="Required"` with `client_cert_enabled=True` (list exclusion paths in '
        "`client_cert_exclusion_paths`).",
        [cis_azure("9.4"), mcsb("PV-2"), dnssi("Access control")],
    ),
    {t: with_props(_client_certs) for t in WEB_APPS},
)


def _redis_entra(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if lower(value_at(p, "redisConfiguration.aadEnabled"), "redisConfiguration.aadEnabled") != "true":
        yield "Microsoft Entra authentication is off (redisConfiguration.aadEnabled is not true)."
    if not is_true(p.get("disableAccessKeyAuthentication") or False, "disableAccessKeyAuthentication"):
        yield "access keys still authenticate clients (disableAccessKeyAuthentication is false)."


AZURE_REDIS_ENTRA = rule(
    meta(
        "azure-redis-entra-authentication",
        MEDIUM,
        "Azure Cache for Redis authenticates clients with Microsoft Entra ID and disables access keys.",
        'Set `redis_configuration={"aad_enabled": "true"}` and `disable_access_key_authentication=True`, then '
        "create access policy assignments for the apps' identities.",
        [mcsb("IM-1"), dnssi("Access control")],
    ),
    {REDIS: with_props(_redis_entra)},
)


def _aks_rbac(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(value_at(p, "aadProfile.managed", False), "aadProfile.managed"):
        yield "the cluster is not integrated with Microsoft Entra ID (aadProfile.managed)."
    elif not is_true(value_at(p, "aadProfile.enableAzureRBAC", False), "aadProfile.enableAzureRBAC"):
        yield "Kubernetes authorization does not use Azure RBAC (aadProfile.enableAzureRBAC)."


AZURE_AKS_ENTRA_RBAC = rule(
    meta(
        "azure-aks-entra-rbac",
        HIGH,
        "AKS clusters authenticate with Microsoft Entra ID and authorize with Azure RBAC.",
        'Set `aad_profile={"managed": True, "enable_azure_rbac": True, "admin_group_object_ids": [...]}`.',
        [mcsb("PA-7"), mcsb("IM-1"), dnssi("Access control")],
    ),
    {AKS: with_props(_aks_rbac)},
)


AZURE_AKS_LOCAL_ACCOUNTS = rule(
    meta(
        "azure-aks-local-accounts-disabled",
        HIGH,
        "AKS clusters disable local accounts (the static cluster-admin credential).",
        "Set `disable_local_accounts=True` (with Entra integration).",
        [mcsb("IM-1"), dnssi("Access control")],
    ),
    {
        AKS: require(
            "disableLocalAccounts",
            equals(True),
            "local accounts are enabled: anyone with the cluster-admin kubeconfig bypasses Entra ID.",
        )
    },
)


AZURE_ACR_ADMIN_USER = rule(
    meta(
        "azure-acr-admin-user-disabled",
        HIGH,
        "Container registries disable the admin user (a shared password with push and pull rights).",
        "Remove `admin_user_enabled=True`; pull with managed identities (AcrPull) and push with CI identities.",
        [mcsb("IM-1"), dnssi("Access control")],
    ),
    {CONTAINER_REGISTRY: require("adminUserEnabled", equals(False), "the registry's admin user is enabled.")},
)


def _local_auth(service: str) -> Any:
    return require(
        "disableLocalAuth",
        equals(True),
        f"the {service} accepts shared access keys (disableLocalAuth is {{value}}).",
    )


AZURE_EVENTHUB_LOCAL_AUTH = rule(
    meta(
        "azure-eventhub-local-auth-disabled",
        MEDIUM,
        "Event Hubs namespaces disable local (SAS key) authentication: clients use Microsoft Entra ID.",
        "Set `disable_local_auth=True` and grant Azure Event Hubs Data Sender/Receiver roles.",
        [mcsb("IM-1"), dnssi("Access control")],
    ),
    {EVENTHUB_NAMESPACE: _local_auth("Event Hubs namespace")},
)


AZURE_SERVICEBUS_LOCAL_AUTH = rule(
    meta(
        "azure-servicebus-local-auth-disabled",
        MEDIUM,
        "Service Bus namespaces disable local (SAS key) authentication: clients use Microsoft Entra ID.",
        "Set `disable_local_auth=True` and grant Azure Service Bus Data Sender/Receiver roles.",
        [mcsb("IM-1"), dnssi("Access control")],
    ),
    {SERVICEBUS_NAMESPACE: _local_auth("Service Bus namespace")},
)


AZURE_COSMOS_LOCAL_AUTH = rule(
    meta(
        "azure-cosmosdb-local-auth-disabled",
        HIGH,
        "Cosmos DB accounts disable key-based (local) authentication: clients use Microsoft Entra ID and RBAC.",
        "Set `disable_local_auth=True` and create SQL role assignments for the apps' identities.",
        [cis_azure("4.5.3"), mcsb("IM-1"), dnssi("Access control")],
    ),
    {t: _local_auth("Cosmos DB account") for t in COSMOS},
)


AZURE_COSMOS_METADATA_WRITES = rule(
    meta(
        "azure-cosmosdb-key-metadata-writes-disabled",
        MEDIUM,
        "Cosmos DB accounts stop keys from changing databases and containers (metadata writes go through the "
        "control plane and Azure RBAC).",
        "Set `disable_key_based_metadata_write_access=True`.",
        [mcsb("PA-7"), dnssi("Access control")],
    ),
    {
        t: require(
            "disableKeyBasedMetadataWriteAccess",
            equals(True),
            "account keys can create and delete databases and containers.",
        )
        for t in COSMOS
    },
)


def _sql_entra_only(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [SQL_SERVER, SQL_ENTRA_ONLY])
    servers = found[SQL_SERVER]
    settled: set[str] = set()
    undecided: list[Res] = []
    for setting in found[SQL_ENTRA_ONLY]:
        targets = related(setting, "serverName", servers, name_prop="serverName")
        if targets is None:
            undecided.append(setting)
            continue
        if not is_true(
            setting.props.get("azureADOnlyAuthentication"), f"{setting.urn} azureADOnlyAuthentication"
        ):
            fail(
                "the setting switches Microsoft Entra-only authentication off: SQL logins are accepted.",
                setting,
            )
        settled.update(t.urn for t in targets)

    def check(server: Res) -> None:
        if server.urn in settled:
            return
        flag = get(server.props, "administrators", "azureADOnlyAuthentication")
        if flag is not None and is_true(flag, f"{server.urn} administrators.azureADOnlyAuthentication"):
            return
        if undecided:
            raise Undecided(f"the server of {undecided[0].urn} (for {server.urn})")
        fail("the SQL server accepts SQL logins (Microsoft Entra-only authentication is not on).", server)

    each(servers, check)


AZURE_SQL_ENTRA_ONLY = srule(
    meta(
        "azure-sql-entra-only-authentication",
        HIGH,
        "Azure SQL servers accept Microsoft Entra identities only: `administrators.azure_ad_only_authentication`, "
        "or a `sql.ServerAzureADOnlyAuthentication` related through its server dependency (one that switches it "
        "off is reported on itself).",
        'Set `administrators={"administrator_type": "ActiveDirectory", "azure_ad_only_authentication": True, '
        '"login": ..., "sid": ...}` on the server.',
        [cis_azure("4.1.4"), mcsb("IM-1"), dnssi("Access control")],
    ),
    _sql_entra_only,
    types=[SQL_SERVER, SQL_ENTRA_ONLY],
)


AZURE_STORAGE_SHARED_KEY = rule(
    meta(
        "azure-storage-shared-key-access-disabled",
        MEDIUM,
        "Storage accounts refuse Shared Key (account key) authorization: requests are authorized with Microsoft "
        "Entra ID (the API's default is to allow it).",
        "Set `allow_shared_key_access=False` (check first that no client or tool still uses the account keys).",
        [mcsb("IM-1"), dnssi("Access control")],
    ),
    {
        STORAGE_ACCOUNT: require(
            "allowSharedKeyAccess",
            equals(False),
            "the account keys authorize requests (allowSharedKeyAccess is {value}).",
            default=DEFAULTS.of(STORAGE_ACCOUNT, "allowSharedKeyAccess"),
        )
    },
)


def _ssh_keys_only(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    linux = value_at(p, "osProfile.linuxConfiguration")
    if linux is None:
        return  # Windows, or an image with its own OS profile
    if not is_true(value_at(linux, "disablePasswordAuthentication", False), "disablePasswordAuthentication"):
        yield "the Linux VM accepts password authentication over SSH."


AZURE_VM_SSH_KEYS = rule(
    meta(
        "azure-vm-ssh-keys-only",
        MEDIUM,
        "Linux virtual machines authenticate with SSH keys only (password authentication disabled).",
        'Set `os_profile.linux_configuration={"disable_password_authentication": True, "ssh": {"public_keys": [...]}}` '
        "(or use Entra ID login for Linux).",
        [mcsb("IM-6"), dnssi("Access control")],
    ),
    {VM: with_props(_ssh_keys_only)},
)


POLICIES: list[Policy] = [
    AZURE_CUSTOM_ROLE_NO_WILDCARD,
    AZURE_APPSERVICE_IDENTITY,
    AZURE_APPSERVICE_CLIENT_CERTS,
    AZURE_REDIS_ENTRA,
    AZURE_AKS_ENTRA_RBAC,
    AZURE_AKS_LOCAL_ACCOUNTS,
    AZURE_ACR_ADMIN_USER,
    AZURE_EVENTHUB_LOCAL_AUTH,
    AZURE_SERVICEBUS_LOCAL_AUTH,
    AZURE_COSMOS_LOCAL_AUTH,
    AZURE_COSMOS_METADATA_WRITES,
    AZURE_SQL_ENTRA_ONLY,
    AZURE_STORAGE_SHARED_KEY,
    AZURE_VM_SSH_KEYS,
]
"""This domain's policies, in catalogue order."""
