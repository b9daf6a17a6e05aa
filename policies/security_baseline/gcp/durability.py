"""Durability rules for GCP: Cloud SQL backups and deletion protection, versioned buckets for personal data.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import (
    PERSONAL_DATA_SECURITY,
    Ctx,
    cis_gcp,
    dnssi,
    get,
    is_true,
    mcsb,
    meta,
    rule,
    with_props,
)
from policies.security_baseline.gcp.common import PROTECTED, label_class
from policies.security_baseline.gcp.tokens import BUCKET, SQL

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _sql_backups(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if get(p, "masterInstanceName") is not None:
        return  # read replicas take no backups
    if not is_true(
        get(p, "settings", "backupConfiguration", "enabled"), "settings.backupConfiguration.enabled"
    ):
        yield "automated backups are off (settings.backup_configuration.enabled)."


GCP_SQL_BACKUPS = rule(
    meta(
        "gcp-sql-automated-backups",
        HIGH,
        "Cloud SQL primary instances take automated backups.",
        'Set `settings.backup_configuration={"enabled": True, "point_in_time_recovery_enabled": True}` (MySQL: '
        "`binary_log_enabled`).",
        [cis_gcp("6.7"), mcsb("BR-1"), dnssi("Backup")],
    ),
    {SQL: with_props(_sql_backups)},
)


def _sql_deletion(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    value = p.get("deletionProtection")
    if value is not None and not is_true(value, "deletionProtection"):
        yield "deletion_protection is off: `pulumi destroy` or a replacement deletes the instance and its backups."


GCP_SQL_DELETION_PROTECTION = rule(
    meta(
        "gcp-sql-deletion-protection",
        MEDIUM,
        "Cloud SQL instances keep deletion protection on (the provider's default).",
        "Remove `deletion_protection=False` (and set `settings.deletion_protection_enabled=True` for the API-side "
        "guard).",
        [mcsb("BR-2"), dnssi("Backup")],
    ),
    {SQL: with_props(_sql_deletion)},
)


def _versioning(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    cls = label_class(p)
    if cls in PROTECTED and not is_true(get(p, "versioning", "enabled"), "versioning.enabled"):
        yield f"it holds {cls} data but keeps no object versions (versioning.enabled)."


GCP_STORAGE_VERSIONING_PERSONAL = rule(
    meta(
        "gcp-storage-versioning-personal-data",
        MEDIUM,
        "Buckets labelled personal or sensitive keep object versions (or soft delete), so an overwrite or delete "
        "can be undone.",
        'Set `versioning={"enabled": True}` with a lifecycle rule that ends old versions.',
        [mcsb("BR-1"), PERSONAL_DATA_SECURITY, dnssi("Backup")],
    ),
    {BUCKET: with_props(_versioning)},
)


POLICIES: list[Policy] = [GCP_SQL_BACKUPS, GCP_SQL_DELETION_PROTECTION, GCP_STORAGE_VERSIONING_PERSONAL]
"""This domain's policies, in catalogue order."""
