"""Encryption rules for Azure: data at rest (customer-managed keys for personal data included) and in transit.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import (
    PERSONAL_DATA_SECURITY,
    Ctx,
    cis_azure,
    dnssi,
    get,
    holds_personal_data,
    is_true,
    lower,
    mcsb,
    meta,
    need,
    present,
    rule,
    with_props,
)
from policies.security_baseline.azure.tokens import (
    COSMOS,
    DISK,
    MYSQL,
    POSTGRES,
    SQL_SERVER,
    SQL_TDE,
    STORAGE_ACCOUNT,
    VM,
    VMSS,
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


POLICIES: list[Policy] = [
    AZURE_PERSONAL_DATA_CMK,
    AZURE_SQL_TDE,
    AZURE_VM_ENCRYPTION_AT_HOST,
    AZURE_STORAGE_HTTPS_ONLY,
    AZURE_STORAGE_TLS12,
    AZURE_SQL_TLS12,
]
"""This domain's policies, in catalogue order."""
