"""Logging rules for GCP: audit logs for every service, retention of log buckets.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import Ctx, cis_gcp, dnssi, get, items, lower, mcsb, meta, number, rule, with_props
from policies.security_baseline.gcp.tokens import AUDIT_CONFIGS, LOG_BUCKET

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

AUDIT_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")


def _audit(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if lower(p.get("service"), "service") != "allservices":
        return
    configs = items(p.get("auditLogConfigs"), "auditLogConfigs")
    types = {str(get(c, "logType")).upper() for c in configs}
    missing = [t for t in AUDIT_TYPES if t not in types]
    if missing:
        yield f"the allServices audit configuration does not log {', '.join(missing)}."
    for i, c in enumerate(configs):
        if items(get(c, "exemptedMembers"), f"auditLogConfigs[{i}].exemptedMembers"):
            yield f"auditLogConfigs[{i}] exempts members from audit logging."


GCP_AUDIT_LOGGING = rule(
    meta(
        "gcp-audit-logging-all-services",
        MEDIUM,
        "The allServices audit configuration logs Admin Read, Data Read and Data Write, and exempts no one.",
        'Set `audit_log_configs=[{"log_type": "ADMIN_READ"}, {"log_type": "DATA_READ"}, {"log_type": "DATA_WRITE"}]` '
        "with no exempted members.",
        [cis_gcp("2.1"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    {t: with_props(_audit) for t in AUDIT_CONFIGS},
)

RETENTION_SCHEMA: dict[str, Any] = {
    "minRetentionDays": {
        "type": "integer",
        "minimum": 1,
        "default": 90,
        "description": "Shortest retention a log bucket may have (days).",
    }
}


def _retention(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if str(p.get("bucketId")) in ("_Default", "_Required"):
        return  # _Required is fixed at 400 days; _Default is Google's own bucket
    days = number(p.get("retentionDays"), "retentionDays")
    minimum = int(ctx.config.get("minRetentionDays") or 90)
    kept = 30 if days is None else int(days)
    if kept < minimum:
        yield f"logs are kept {kept} days (at least {minimum} required)."


GCP_LOG_BUCKET_RETENTION = rule(
    meta(
        "gcp-log-bucket-retention",
        MEDIUM,
        "Log buckets keep logs at least the configured number of days (90 by default; Google's default is 30).",
        "Set `retention_days` (1-3650) to at least `minRetentionDays`, and `locked=True` where logs are evidence.",
        [mcsb("LT-6"), cis_gcp("2.3"), dnssi("Logging and monitoring")],
        config=RETENTION_SCHEMA,
    ),
    {LOG_BUCKET: with_props(_retention)},
)


POLICIES: list[Policy] = [GCP_AUDIT_LOGGING, GCP_LOG_BUCKET_RETENTION]
"""This domain's policies, in catalogue order."""
