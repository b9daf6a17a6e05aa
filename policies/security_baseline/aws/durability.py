"""Durability rules for AWS: backups, deletion protection and versioning.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulumi_policy import Policy, Severity, StackValidationArgs

from policies.framework import (
    PERSONAL_DATA_SECURITY,
    Attachments,
    Ctx,
    Res,
    Undecided,
    dnssi,
    each,
    fsbp,
    get,
    holds_personal_data,
    is_production,
    is_true,
    lower,
    mcsb,
    meta,
    mirrored,
    number,
    rule,
    srule,
    stack_resources,
    with_props,
)
from policies.framework.settings import equals, require
from policies.security_baseline.aws.defaults import DEFAULTS
from policies.security_baseline.aws.s3 import attached_to_buckets, buckets_and
from policies.security_baseline.aws.tokens import (
    BACKUP_VAULT,
    BACKUP_VAULT_LOCK,
    BUCKETS,
    DYNAMODB_TABLE,
    ECR_REPOSITORY,
    LOAD_BALANCERS,
    RDS_CLUSTER,
    RDS_INSTANCE,
    VERSIONINGS,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
PERSONAL = PERSONAL_DATA_SECURITY


def _rds_backups(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == RDS_INSTANCE and p.get("replicateSourceDb") is not None:
        return  # replicas take no automated backups of their own
    days = number(p.get("backupRetentionPeriod"), "backupRetentionPeriod")
    if days is None:
        default = 0 if ctx.type == RDS_INSTANCE else 1
        yield f"backup retention is not set (defaults to {default} day(s)); at least 7 days are required."
    elif days < 7:
        yield f"backup retention is {int(days)} day(s); at least 7 days are required."


AWS_RDS_BACKUP_RETENTION = rule(
    meta(
        "aws-rds-backup-retention",
        MEDIUM,
        "RDS instances and clusters keep automated backups for at least 7 days.",
        "Set `backup_retention_period=7` (or more).",
        [fsbp("RDS.11"), mcsb("BR-1"), dnssi("Backup"), PERSONAL],
    ),
    {RDS_INSTANCE: with_props(_rds_backups), RDS_CLUSTER: with_props(_rds_backups)},
)


PRODUCTION_SCHEMA: Mapping[str, Any] = {
    "production": {
        "type": "boolean",
        "default": False,
        "description": "Treat every resource of the stack as production (besides an environment=prod tag).",
    }
}


def _rds_deletion(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_production(p, ctx.config, ctx.stack_tags):
        return
    if not is_true(p.get("deletionProtection"), "deletionProtection"):
        yield "a production database without deletion protection."


AWS_RDS_DELETION_PROTECTION = rule(
    meta(
        "aws-rds-deletion-protection-prod",
        MEDIUM,
        "Production RDS instances and clusters (tag environment=prod, or the policy's production config) "
        "have deletion protection.",
        "Set `deletion_protection=True` (and `protect=True` in the resource options).",
        [fsbp("RDS.8"), fsbp("RDS.7"), mcsb("BR-2"), dnssi("Backup")],
        config=PRODUCTION_SCHEMA,
    ),
    {RDS_INSTANCE: with_props(_rds_deletion), RDS_CLUSTER: with_props(_rds_deletion)},
)


def _versioning_on(res: Res) -> bool:
    status = lower(
        get(res.props, "versioningConfiguration", "status"), f"{res.urn} versioningConfiguration.status"
    )
    return status == "enabled"


def _s3_versioning(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = buckets_and(args, VERSIONINGS)
    attached = attached_to_buckets(found, VERSIONINGS)

    def check(bucket: Res) -> None:
        if not holds_personal_data(bucket.props):
            return
        inline = mirrored(bucket.props.get("versioning"))  # unset, it mirrors the attached versioning
        if isinstance(inline, dict) and is_true(inline.get("enabled"), f"{bucket.urn} versioning.enabled"):
            return
        vs = attached[bucket.urn]
        if vs is None:
            raise Undecided(f"the bucket of a versioning configuration (for {bucket.urn})")
        if not any(_versioning_on(v) for v in vs):
            fail("the bucket holds personal data but versioning is not enabled.", bucket)

    each(found["bucket"], check)


AWS_S3_VERSIONING_PERSONAL = srule(
    meta(
        "aws-s3-versioning-personal-data",
        MEDIUM,
        "S3 buckets tagged data-classification=personal or sensitive have versioning enabled (a "
        "BucketVersioning related to the bucket by dependency).",
        '`aws.s3.BucketVersioning(bucket=bucket.id, versioning_configuration={"status": "Enabled"})`.',
        [mcsb("BR-1"), PERSONAL, dnssi("Backup")],
    ),
    _s3_versioning,
    types=[*BUCKETS, *VERSIONINGS],
)


def _vault_locks(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [BACKUP_VAULT, BACKUP_VAULT_LOCK])
    vaults = found[BACKUP_VAULT]
    locked = Attachments()
    for lock in found[BACKUP_VAULT_LOCK]:
        locked.attach(lock, "backupVaultName", vaults, name_prop="name")
    for vault in vaults:
        if locked.covers(vault, "the vault of"):
            continue
        fail(
            "the backup vault has no vault lock: recovery points can be deleted before their retention ends.",
            vault,
        )


AWS_BACKUP_VAULT_LOCK = srule(
    meta(
        "aws-backup-vault-lock",
        MEDIUM,
        "Every AWS Backup vault has a vault lock (an `aws.backup.VaultLockConfiguration` related through its "
        "vault name dependency) so recovery points cannot be deleted early, ransomware included.",
        "`aws.backup.VaultLockConfiguration(backup_vault_name=vault.name, min_retention_days=7, "
        "max_retention_days=365)` (add `changeable_for_days` for compliance mode once tested).",
        [mcsb("BR-2"), dnssi("Backup")],
    ),
    _vault_locks,
    types=[BACKUP_VAULT, BACKUP_VAULT_LOCK],
)


AWS_LB_DELETION_PROTECTION = rule(
    meta(
        "aws-lb-deletion-protection-prod",
        MEDIUM,
        "Production load balancers (tag environment=prod, or the policy's production config) have deletion "
        "protection.",
        "Set `enable_deletion_protection=True`.",
        [fsbp("ELB.6"), mcsb("BR-2")],
        config=PRODUCTION_SCHEMA,
    ),
    {
        t: require(
            "enableDeletionProtection",
            equals(True),
            "a production load balancer without deletion protection.",
            default=DEFAULTS.of(t, "enableDeletionProtection"),
            applies=lambda props, ctx: is_production(props, ctx.config, ctx.stack_tags),
        )
        for t in LOAD_BALANCERS
    },
)


AWS_DYNAMODB_PITR = rule(
    meta(
        "aws-dynamodb-point-in-time-recovery",
        MEDIUM,
        "DynamoDB tables keep continuous backups (point-in-time recovery).",
        'Set `point_in_time_recovery={"enabled": True}`.',
        [fsbp("DynamoDB.2"), mcsb("BR-1"), dnssi("Backup"), PERSONAL],
    ),
    {
        DYNAMODB_TABLE: require(
            "pointInTimeRecovery.enabled",
            equals(True),
            "the table has no point-in-time recovery.",
            default=DEFAULTS.of(DYNAMODB_TABLE, "pointInTimeRecovery.enabled"),
        )
    },
)


AWS_DYNAMODB_DELETION_PROTECTION = rule(
    meta(
        "aws-dynamodb-deletion-protection-prod",
        MEDIUM,
        "Production DynamoDB tables (tag environment=prod, or the policy's production config) have deletion "
        "protection.",
        "Set `deletion_protection_enabled=True`.",
        [fsbp("DynamoDB.6"), mcsb("BR-2")],
        config=PRODUCTION_SCHEMA,
    ),
    {
        DYNAMODB_TABLE: require(
            "deletionProtectionEnabled",
            equals(True),
            "a production table without deletion protection.",
            default=DEFAULTS.of(DYNAMODB_TABLE, "deletionProtectionEnabled"),
            applies=lambda props, ctx: is_production(props, ctx.config, ctx.stack_tags),
        )
    },
)


AWS_ECR_IMMUTABLE_TAGS = rule(
    meta(
        "aws-ecr-immutable-tags",
        MEDIUM,
        "ECR repositories make image tags immutable, so a deployed tag always names the same image.",
        'Set `image_tag_mutability="IMMUTABLE"` (or `IMMUTABLE_WITH_EXCLUSION` for a `latest`-style tag).',
        [fsbp("ECR.2"), mcsb("DS-6")],
    ),
    {
        ECR_REPOSITORY: require(
            "imageTagMutability",
            equals("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"),
            "image tags can be overwritten (imageTagMutability {value}).",
            default=DEFAULTS.of(ECR_REPOSITORY, "imageTagMutability"),
        )
    },
)


POLICIES: list[Policy] = [
    AWS_RDS_BACKUP_RETENTION,
    AWS_RDS_DELETION_PROTECTION,
    AWS_S3_VERSIONING_PERSONAL,
    AWS_BACKUP_VAULT_LOCK,
    AWS_LB_DELETION_PROTECTION,
    AWS_DYNAMODB_PITR,
    AWS_DYNAMODB_DELETION_PROTECTION,
    AWS_ECR_IMMUTABLE_TAGS,
]
"""This domain's policies, in catalogue order."""
