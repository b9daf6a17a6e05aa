"""Key management rules for Azure: rotation, deletion protection and access model of keys and vaults.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import (
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
    number,
    rule,
    with_props,
)
from policies.security_baseline.azure.tokens import KEY_VAULT, KEY_VAULT_KEY, KEY_VAULT_SECRET

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _kv_purge(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(get(p, "properties", "enablePurgeProtection"), "properties.enablePurgeProtection"):
        yield "purge protection is off: a deleted vault or key can be purged before its retention ends."


AZURE_KEYVAULT_PURGE = rule(
    meta(
        "azure-keyvault-purge-protection",
        MEDIUM,
        "Key Vaults have purge protection on.",
        "Set `properties.enable_purge_protection=True` (it cannot be turned off again).",
        [cis_azure("8.5"), mcsb("DP-8"), dnssi("Cryptography")],
    ),
    {KEY_VAULT: with_props(_kv_purge)},
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
        [cis_azure("8.5"), mcsb("DP-8"), dnssi("Cryptography")],
    ),
    {KEY_VAULT: with_props(_kv_soft_delete)},
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
    {KEY_VAULT: with_props(_kv_rbac)},
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
    {KEY_VAULT_KEY: with_props(_key_rotation)},
)


def _key_expiry(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    expires = get(p, "properties", "attributes", "expires")
    need(expires, "properties.attributes.expires")
    if expires is not None:
        return
    if ctx.type == KEY_VAULT_KEY:
        rotation_expiry = get(p, "properties", "rotationPolicy", "attributes", "expiryTime")
        need(rotation_expiry, "properties.rotationPolicy.attributes.expiryTime")
        if rotation_expiry is not None:
            return  # each version the rotation policy creates expires
        yield "the key never expires (no attributes.expires, no rotation policy expiry time)."
    else:
        yield "the secret never expires (no attributes.expires)."


AZURE_KEYVAULT_EXPIRY = rule(
    meta(
        "azure-keyvault-expiration-set",
        MEDIUM,
        "Key Vault keys and secrets have an expiration date (for keys, or through their rotation policy's expiry "
        "time).",
        "Set `properties.attributes.expires` (epoch seconds) or, for keys, `rotation_policy.attributes.expiry_time` "
        '(e.g. "P2Y") with a rotate action before it.',
        [
            cis_azure("8.1"),
            cis_azure("8.2"),
            cis_azure("8.3"),
            cis_azure("8.4"),
            mcsb("DP-6"),
            dnssi("Cryptography"),
        ],
    ),
    {KEY_VAULT_KEY: with_props(_key_expiry), KEY_VAULT_SECRET: with_props(_key_expiry)},
)


POLICIES: list[Policy] = [
    AZURE_KEYVAULT_PURGE,
    AZURE_KEYVAULT_SOFT_DELETE,
    AZURE_KEYVAULT_RBAC,
    AZURE_KEYVAULT_KEY_ROTATION,
    AZURE_KEYVAULT_EXPIRY,
]
"""This domain's policies, in catalogue order."""
