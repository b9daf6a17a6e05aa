"""Durability rules for Azure: backups, deletion protection and versioning.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import PERSONAL_DATA_SECURITY, Ctx, dnssi, get, mcsb, meta, number, rule, with_props
from policies.security_baseline.azure.tokens import MYSQL, POSTGRES, SQL_SHORT_TERM_RETENTION

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
PERSONAL = PERSONAL_DATA_SECURITY


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
        SQL_SHORT_TERM_RETENTION: with_props(_backup_retention),
        POSTGRES: with_props(_backup_retention),
        MYSQL: with_props(_backup_retention),
    },
)


POLICIES: list[Policy] = [
    AZURE_BACKUP_RETENTION,
]
"""This domain's policies, in catalogue order."""
