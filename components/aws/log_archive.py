"""Central logging: the log-archive bucket and key, the organization trail, AWS Config.

- :class:`LogArchive` (log-archive account): a KMS key with rotation whose policy
  lets CloudTrail, Config and VPC flow logs write; the archive bucket (SSE-KMS,
  versioning, public-access block, TLS only, lifecycle, optional Object Lock in
  compliance mode) and its access-log bucket. Bucket and key are protected.
- :class:`OrganizationTrail` (management account): multi-region organization
  trail with log-file validation, KMS and CloudWatch Logs.
- :class:`ConfigRecorder` (every account and approved region): recorder for all
  resources (global ones in the home region only), delivery channel, status.
- :class:`ConfigAggregator` (security-tooling account, the delegated admin).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws.aws_data import DEFAULT_APPROVED_REGIONS, DEFAULT_HOME_REGION
from components.aws.buckets import HardenedBucket, Lifecycle, bucket_arn, hardened_bucket
from components.aws.iam import service_trust_policy
from components.aws.validate import bucket_name
from components.common import CommonArgs, DataClassification, child_name, classification_tags, layer_tags
from components.errors import ConfigError


@dataclass(frozen=True, kw_only=True)
class LogArchiveSpec:
    """The archive's own inputs, pure: what the landing zone's settings embed (declared once, here)."""

    classification: DataClassification = DataClassification.INTERNAL
    """Data classification of audit and platform logs. Default: ``internal``."""
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    """Archive lifecycle (Glacier, Deep Archive, expiry). Default: 90 / 365 / 2555 days."""
    object_lock_days: int = 0
    """Object Lock retention in compliance mode, in days (0: no Object Lock). Default: ``0``."""
    reader_principal_arns: list[str] = field(default_factory=list)
    """IAM role ARNs (a SIEM's ingestion role) that may read and decrypt the logs, besides the reader
    accounts. Default: none."""
    force_destroy: bool = False
    """Let ``pulumi destroy`` empty and delete the buckets (a dev stack that is destroyed and deployed
    again); refused with Object Lock. Default: ``false``."""


@dataclass(frozen=True, kw_only=True)
class LogArchiveArgs(LogArchiveSpec):
    """Inputs of :class:`LogArchive`: its :class:`LogArchiveSpec` and the stack's inputs."""

    account_id: pulumi.Input[str]
    """The log-archive account's id (names the buckets). Required."""
    organization_id: pulumi.Input[str]
    """The organization id (``o-...``): writers are restricted to it. Required."""
    management_account_id: pulumi.Input[str]
    """The management account, where the organization trail lives. Required."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, tags, protection. Default: ``CommonArgs()``."""
    access_log_expiration_days: int = 365
    """Days the access-log bucket keeps its objects. Default: ``365``."""
    region: str = DEFAULT_HOME_REGION
    """Region of the buckets and key (the home region). Default: ``eu-west-3``."""
    trail_name: str = ""
    """Name of the organization trail that writes here (its ARN scopes CloudTrail's statements with
    ``aws:SourceArn``). Default: ``<prefix>-organization-trail`` (:func:`trail_name`)."""
    reader_account_ids: Sequence[pulumi.Input[str]] = ()
    """Accounts whose IAM principals may read and decrypt the logs (the security-tooling account, a
    SIEM's account); each account still grants its own roles by IAM. Default: none."""


def trail_name(prefix: str) -> str:
    """The organization trail's name (the log archive scopes CloudTrail to it)."""
    return f"{prefix}-organization-trail"


def trail_arn(region: str, management_account_id: str, name: str) -> str:
    return f"arn:aws:cloudtrail:{region}:{management_account_id}:trail/{name}"


def validate_log_archive_args(args: LogArchiveArgs, key: str = "LogArchiveArgs") -> None:
    if args.force_destroy and args.object_lock_days:
        raise ConfigError(
            f"{key}.forceDestroy and {key}.objectLockDays",
            "a bucket under Object Lock cannot be emptied by destroy",
            "keep forceDestroy off, or set objectLockDays to 0 (dev only)",
        )
    for i, arn in enumerate(args.reader_principal_arns):
        if not arn.startswith("arn:aws:iam::") or ":role/" not in arn:
            raise ConfigError(f"{key}.readerPrincipalArns[{i}]", f"{arn!r} is not an IAM role ARN", "fix it")
    if args.object_lock_days < 0 or args.object_lock_days > 36500:
        raise ConfigError(
            f"{key}.objectLockDays", f"{args.object_lock_days} is outside 0-36500", "use 0 to disable"
        )
    lc = args.lifecycle
    for fname in ("transition_days", "deep_archive_days", "expiration_days", "noncurrent_expiration_days"):
        if getattr(lc, fname) < 0:
            raise ConfigError(f"{key}.lifecycle.{fname}", "days cannot be negative", "use 0 to disable")
    if lc.transition_days and lc.deep_archive_days and lc.deep_archive_days < lc.transition_days + 90:
        raise ConfigError(
            f"{key}.lifecycle.transitionDays and {key}.lifecycle.deepArchiveDays",
            "Deep Archive must come at least 90 days after Glacier",
            "raise deepArchiveDays",
        )
    if lc.expiration_days and lc.expiration_days <= max(lc.transition_days, lc.deep_archive_days):
        raise ConfigError(
            f"{key}.lifecycle.expirationDays",
            "objects would expire before their last transition",
            "raise expirationDays or set it to 0",
        )
    if args.object_lock_days and lc.expiration_days and lc.expiration_days < args.object_lock_days:
        raise ConfigError(
            f"{key}.objectLockDays and {key}.lifecycle.expirationDays",
            "objects would expire while still locked",
            "make expirationDays at least objectLockDays",
        )


def key_policy(
    account_id: str,
    management_account_id: str,
    organization_id: str,
    trail: str,
    region: str = DEFAULT_HOME_REGION,
    readers: Sequence[str] = (),
) -> str:
    """KMS key policy: the log-archive account administers; CloudTrail, Config and log delivery encrypt;
    readers (security tooling, SIEM) decrypt through S3.

    CloudTrail: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html;
    Config: https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html;
    log delivery (VPC flow logs, Network Firewall):
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html#AWS-logs-SSE-KMS-S3.
    """
    org_cond = {"StringEquals": {"aws:SourceOrgID": organization_id}}
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "CloudTrailEncrypts",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceArn": trail},
                "StringLike": {
                    "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{management_account_id}:trail/*"
                },
            },
        },
        {
            "Sid": "ConfigEncrypts",
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": org_cond,
        },
        {
            "Sid": "FlowLogsEncrypt",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey",
            ],
            "Resource": "*",
            "Condition": org_cond,
        },
    ]
    if readers:
        statements.append(
            {
                "Sid": "ReadersDecrypt",
                "Effect": "Allow",
                "Principal": {"AWS": list(readers)},
                "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            }
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def reader_principals(account_ids: Sequence[str], role_arns: Sequence[str]) -> list[str]:
    return [*(f"arn:aws:iam::{a}:root" for a in account_ids), *role_arns]


FIREWALL_LOG_PREFIX = "network-firewall"
"""Key prefix of AWS Network Firewall's logs in the archive; delivery writes under
``<prefix>/AWSLogs/<account>/network-firewall/...``
(https://docs.aws.amazon.com/network-firewall/latest/developerguide/logging-s3.html)."""


def archive_service_statements(
    name: str,
    management_account_id: str,
    organization_id: str,
    trail: str,
    readers: Sequence[str] = (),
    config: bool = True,
) -> list[dict[str, Any]]:
    """Bucket-policy statements that let CloudTrail, Config and log delivery write, and readers read.

    Each service's statements carry its confused-deputy condition: CloudTrail ``aws:SourceArn`` (the
    organization trail), Config and log delivery ``aws:SourceOrgID``. Every write matches the key
    prefix its writer uses: CloudTrail ``AWSLogs/<management>/`` and ``AWSLogs/<org id>/``, Config and
    VPC flow logs ``AWSLogs/<account>/``, Network Firewall ``network-firewall/AWSLogs/<account>/``.
    https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html#org-trail-bucket-policy,
    https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html,
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html#AWS-logs-infrastructure-S3
    """
    arn = bucket_arn(name)
    org_cond = {"StringEquals": {"aws:SourceOrgID": organization_id}}
    trail_cond = {"StringEquals": {"aws:SourceArn": trail}}
    out: list[dict[str, Any]] = [
        {
            "Sid": "CloudTrailCheckAcl",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": arn,
            "Condition": trail_cond,
        },
        {
            "Sid": "CloudTrailWrites",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": [f"{arn}/AWSLogs/{management_account_id}/*", f"{arn}/AWSLogs/{organization_id}/*"],
            "Condition": trail_cond,
        },
        {
            "Sid": "LogDeliveryCheckAcl",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": arn,
            "Condition": org_cond,
        },
        {
            "Sid": "LogDeliveryWrites",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": [f"{arn}/AWSLogs/*", f"{arn}/{FIREWALL_LOG_PREFIX}/AWSLogs/*"],
            "Condition": org_cond,
        },
    ]
    if config:
        out[2:2] = config_statements(name, organization_id)
    return out + readers_statements(name, readers)


def readers_statements(name: str, readers: Sequence[str]) -> list[dict[str, Any]]:
    """Read access for the security tooling and SIEM principals (none when there are no readers)."""
    if not readers:
        return []
    arn = bucket_arn(name)
    return [
        {
            "Sid": "ReadersRead",
            "Effect": "Allow",
            "Principal": {"AWS": list(readers)},
            "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
            "Resource": [arn, f"{arn}/*"],
        }
    ]


def config_statements(name: str, organization_id: str) -> list[dict[str, Any]]:
    """Config's bucket statements (checks and writes under ``AWSLogs/``), limited to the organization."""
    arn = bucket_arn(name)
    org_cond = {"StringEquals": {"aws:SourceOrgID": organization_id}}
    return [
        {
            "Sid": "ConfigCheckAcl",
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": arn,
            "Condition": org_cond,
        },
        {
            "Sid": "ConfigWrites",
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/AWSLogs/*",
            "Condition": org_cond,
        },
    ]


def access_log_statement(
    access_bucket: str, source_buckets: Sequence[str], source_account: str
) -> dict[str, Any]:
    """S3 server access logging into the access-log bucket, only from the given buckets of its account,
    each under its own prefix (the ``target_prefix`` of its logging configuration, ``<bucket>/``).

    Every bucket that logs here must be listed: S3 delivers as ``logging.s3.amazonaws.com`` and a
    bucket-owner-enforced target accepts only what its policy allows (no ACL fallback).
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general
    """
    sources = list(source_buckets)
    resources = [f"{bucket_arn(access_bucket)}/{b}/*" for b in sources]
    arns = [bucket_arn(b) for b in sources]
    return {
        "Sid": "S3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": resources[0] if len(resources) == 1 else resources,
        "Condition": {
            "ArnLike": {"aws:SourceArn": arns[0] if len(arns) == 1 else arns},
            "StringEquals": {"aws:SourceAccount": source_account},
        },
    }


class LogArchive(pulumi.ComponentResource):
    """The log-archive account's key and buckets.

    ``bucket_name`` and ``bucket_arn`` are outputs of the archive's bucket policy, and
    ``config_bucket_name`` of the Config bucket's: CreateTrail, PutDeliveryChannel and log delivery
    check that they may write when they are created, so whatever takes these names waits for the
    policy that grants the access. With Object Lock, Config gets its own bucket without it: Config
    cannot deliver to a bucket with Object Lock enabled
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-config-deliverychannel.html).
    """

    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    config_bucket_name: pulumi.Output[str]
    access_log_bucket_name: pulumi.Output[str]

    def __init__(self, name: str, args: LogArchiveArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_log_archive_args(args)
        super().__init__("kasbah:aws:LogArchive", name, None, opts)
        prefix = args.common.prefix
        tags = layer_tags({"kasbah:component": "log-archive"}, args.common.tags)
        store_tags = layer_tags(tags, classification_tags(args.classification))
        account = pulumi.Output.from_input(args.account_id)
        names = account.apply(
            lambda a: (
                bucket_name(prefix, "log-archive", a),
                bucket_name(prefix, "access-logs", a),
                bucket_name(prefix, "config-logs", a),
            )
        )
        archive_name = names.apply(lambda n: n[0])
        access_name = names.apply(lambda n: n[1])
        separate_config = args.object_lock_days > 0
        the_trail = pulumi.Output.from_input(args.management_account_id).apply(
            lambda m: trail_arn(args.region, str(m), args.trail_name or trail_name(prefix))
        )
        readers = pulumi.Output.all(*args.reader_account_ids).apply(
            lambda ids: reader_principals([str(i) for i in ids], list(args.reader_principal_arns))
        )
        # Always protected, unless the stack lets destroy remove the archive (a dev stack that is destroyed
        # and deployed again: ``force_destroy``).
        keep = not args.force_destroy

        key = aws.kms.Key(
            child_name(name, "key"),
            description="Kasbah log archive: CloudTrail, Config, VPC flow logs",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(
                account, args.management_account_id, args.organization_id, the_trail, readers
            ).apply(
                lambda a: key_policy(str(a[0]), str(a[1]), str(a[2]), str(a[3]), args.region, list(a[4]))
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=keep),
        )
        aws.kms.Alias(
            child_name(name, "key-alias"),
            name=f"alias/{prefix}-log-archive",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        access: HardenedBucket = hardened_bucket(
            child_name(name, "access-logs"),
            bucket_name=access_name,
            parent=self,
            tags=store_tags,
            kms_key_arn=None,  # S3 server access logs only support SSE-S3 targets
            # Every bucket that logs here: the archive, and the Config bucket when there is one.
            service_statements=pulumi.Output.all(names, account).apply(
                lambda a: [
                    access_log_statement(
                        str(a[0][1]), [str(a[0][0]), *([str(a[0][2])] if separate_config else [])], str(a[1])
                    )
                ]
            ),
            lifecycle=Lifecycle(
                transition_days=0,
                deep_archive_days=0,
                expiration_days=args.access_log_expiration_days,
                noncurrent_expiration_days=30,
            ),
            protect=keep,
            force_destroy=args.force_destroy,
        )
        archive = hardened_bucket(
            child_name(name, "archive"),
            bucket_name=archive_name,
            parent=self,
            tags=store_tags,
            kms_key_arn=key.arn,
            service_statements=pulumi.Output.all(
                archive_name, args.management_account_id, args.organization_id, the_trail, readers
            ).apply(
                lambda a: archive_service_statements(
                    str(a[0]), str(a[1]), str(a[2]), str(a[3]), list(a[4]), config=not separate_config
                )
            ),
            access_log_bucket=access.bucket.id,
            lifecycle=args.lifecycle,
            object_lock_days=args.object_lock_days,
            protect=keep,
            force_destroy=args.force_destroy,
        )
        bucket_ids = [archive.bucket.id, access.bucket.id]
        config_policy = archive.policy
        if separate_config:
            config_name = names.apply(lambda n: n[2])
            config_bucket = hardened_bucket(
                child_name(name, "config"),
                bucket_name=config_name,
                parent=self,
                tags=store_tags,
                kms_key_arn=key.arn,
                service_statements=pulumi.Output.all(config_name, args.organization_id, readers).apply(
                    lambda a: [
                        *config_statements(str(a[0]), str(a[1])),
                        *readers_statements(str(a[0]), list(a[2])),
                    ]
                ),
                access_log_bucket=access.bucket.id,
                lifecycle=args.lifecycle,
                protect=keep,
                force_destroy=args.force_destroy,
            )
            config_policy = config_bucket.policy
            bucket_ids.append(config_bucket.bucket.id)
        self.key_arn = key.arn
        self.key_id = key.key_id
        self.bucket_name = archive.policy.bucket
        self.bucket_arn = archive.policy.bucket.apply(bucket_arn)
        self.config_bucket_name = config_policy.bucket
        self.access_log_bucket_name = access.policy.bucket
        self.register_outputs(
            {
                "keyArn": self.key_arn,
                "bucketName": self.bucket_name,
                "bucketArn": self.bucket_arn,
                "configBucketName": self.config_bucket_name,
                "accessLogBucketName": self.access_log_bucket_name,
                "bucketIds": bucket_ids,
            }
        )


@dataclass(frozen=True)
class OrganizationTrailArgs:
    """Inputs of :class:`OrganizationTrail`."""

    bucket_name: pulumi.Input[str]
    """The archive bucket. Required."""
    kms_key_arn: pulumi.Input[str]
    """The archive key. Required."""
    account_id: pulumi.Input[str]
    """The management account (where the trail and its log group live). Required."""
    region: str = DEFAULT_HOME_REGION
    """Region of the trail's home and log group. Default: ``eu-west-3``."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, tags, protection. Default: ``CommonArgs()``."""
    log_retention_days: int = 365
    """Retention of the trail's CloudWatch Logs group. Default: ``365``."""
    s3_data_events: bool = False
    """Also record S3 object-level (data) events, billed per event. Default: ``False``."""
    classification: DataClassification = DataClassification.INTERNAL
    """Data classification of the CloudWatch Logs group. Default: ``internal``."""


RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
"""Retention values CloudWatch Logs accepts."""


def validate_retention(key: str, days: int) -> int:
    if days not in RETENTION_DAYS:
        raise ConfigError(
            key, f"{days} is not a CloudWatch Logs retention", f"use one of {list(RETENTION_DAYS)}"
        )
    return days


def log_group_key_policy(account_id: str, region: str, group_name: str) -> str:
    """The account administers; CloudWatch Logs of ``region`` uses the key for ``group_name`` only."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "CloudWatchLogsUse",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnEquals": {
                            "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account_id}:log-group:{group_name}"
                        }
                    },
                },
            ],
        }
    )


class OrganizationTrail(pulumi.ComponentResource):
    """The organization trail, in the management account."""

    trail_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: OrganizationTrailArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        validate_retention("OrganizationTrailArgs.logRetentionDays", args.log_retention_days)
        super().__init__("kasbah:aws:OrganizationTrail", name, None, opts)
        prefix = args.common.prefix
        tags = layer_tags({"kasbah:component": "organization-trail"}, args.common.tags)
        child = pulumi.ResourceOptions(parent=self)
        group_name = f"/{prefix}/cloudtrail/organization"
        # Derived, so that the role policy and the trail are readable at preview.
        group_arn = pulumi.Output.concat(
            "arn:aws:logs:", args.region, ":", args.account_id, ":log-group:", group_name
        )
        # The log group is encrypted with a key of the management account that CloudWatch Logs may use
        # for this group only: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
        logs_key = aws.kms.Key(
            child_name(name, "logs-key"),
            description="Kasbah organization trail: CloudWatch Logs group",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.from_input(args.account_id).apply(
                lambda a: log_group_key_policy(str(a), args.region, group_name)
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.common.protect),
        )
        group = aws.cloudwatch.LogGroup(
            child_name(name, "logs"),
            name=group_name,
            kms_key_id=logs_key.arn,
            retention_in_days=args.log_retention_days,
            tags=layer_tags(tags, classification_tags(args.classification)),
            opts=pulumi.ResourceOptions(parent=self, protect=args.common.protect),
        )
        role = aws.iam.Role(
            child_name(name, "logs-role"),
            name=f"{prefix}-cloudtrail-logs",
            assume_role_policy=service_trust_policy("cloudtrail.amazonaws.com"),
            tags=tags,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            child_name(name, "logs-policy"),
            role=role.id,
            policy=group_arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": f"{arn}:*",
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )
        selectors: list[aws.cloudtrail.TrailEventSelectorArgsDict] = [
            {"read_write_type": "All", "include_management_events": True}
        ]
        if args.s3_data_events:
            selectors[0]["data_resources"] = [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]
        trail = aws.cloudtrail.Trail(
            child_name(name, "trail"),
            name=trail_name(prefix),
            s3_bucket_name=args.bucket_name,
            kms_key_id=args.kms_key_arn,
            is_organization_trail=True,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            cloud_watch_logs_group_arn=pulumi.Output.concat(group_arn, ":*"),
            cloud_watch_logs_role_arn=role.arn,
            event_selectors=selectors,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, group]),
        )
        self.trail_arn = trail.arn
        self.log_group_name = group.name
        self.register_outputs({"trailArn": self.trail_arn, "logGroupName": self.log_group_name})


@dataclass(frozen=True)
class ConfigRecorderArgs:
    """Inputs of :class:`ConfigRecorder` (one per account and region)."""

    account_id: pulumi.Input[str]
    """The account recorded. Required."""
    region: str
    """The region recorded. Required."""
    bucket_name: pulumi.Input[str]
    """The Config bucket (delivery channel): take it from :attr:`LogArchive.config_bucket_name`, which
    waits for the bucket policy that lets Config write. Required."""
    kms_key_arn: pulumi.Input[str]
    """The archive key. Required."""
    home_region: str = DEFAULT_HOME_REGION
    """Global resources (IAM) are recorded in this region only. Default: ``eu-west-3``."""
    role_arn: pulumi.Input[str] | None = None
    """The recorder role of the account, created by the account's first recorder (``None``: this one
    creates it; pass its :attr:`ConfigRecorder.role_arn` to the account's other regions). Default:
    ``None``."""
    recorder_name: str = ""
    """Name of the recorder and delivery channel. AWS allows one of each per account and region, and
    ``PutConfigurationRecorder`` with the name of an existing recorder updates it: give the existing
    recorder's name (often ``default``) to adopt it in a brownfield account. Default:
    ``<prefix>-recorder`` / ``<prefix>-delivery``."""
    adopted: bool = False
    """The recorder and channel already existed (:attr:`recorder_name` names them): ``pulumi destroy``
    leaves them in place. Default: ``False``."""
    depends_on: Sequence[pulumi.Resource] = ()
    """What the recorder waits for: the account's enablement of an opt-in region made in the same stack
    (nothing can be created in a region the account has not enabled). Default: none."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, tags, protection. Default: ``CommonArgs()``."""


RECORDER_ROLE_POLICY = "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"
"""The managed policy of a customer-managed Config recorder role:
https://docs.aws.amazon.com/config/latest/developerguide/iamrole-permissions.html"""


class ConfigRecorder(pulumi.ComponentResource):
    """AWS Config recorder, delivery channel and recorder status in one account and region.

    The recorder uses a role of the stack (``<prefix>-config-recorder``, like Control Tower's and LZA's
    recorder roles) rather than the ``AWSServiceRoleForConfig`` service-linked role: creating that role
    fails wherever it already exists (any account that has used Config), and nothing in the stack
    would otherwise order the second region's recorder after it.
    """

    recorder_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: ConfigRecorderArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kasbah:aws:ConfigRecorder", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        prefix = args.common.prefix
        if args.role_arn is None:
            role = aws.iam.Role(
                child_name(name, "role"),
                name=f"{prefix}-config-recorder",
                assume_role_policy=service_trust_policy("config.amazonaws.com"),
                opts=child,
            )
            attach = aws.iam.RolePolicyAttachment(
                child_name(name, "role-policy"), role=role.name, policy_arn=RECORDER_ROLE_POLICY, opts=child
            )
            # Delivery to the archive (another account) is granted to config.amazonaws.com by the bucket
            # and key policies, as Control Tower's recorder role relies on:
            # https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html
            role_arn: pulumi.Output[str] = pulumi.Output.all(role.arn, attach.id).apply(lambda a: str(a[0]))
        else:
            role_arn = pulumi.Output.from_input(args.role_arn)
        self.role_arn = role_arn
        keep = pulumi.ResourceOptions(
            parent=self, retain_on_delete=args.adopted, depends_on=list(args.depends_on)
        )
        recorder = aws.cfg.Recorder(
            child_name(name, "recorder"),
            name=args.recorder_name or f"{prefix}-recorder",
            role_arn=role_arn,
            recording_group={
                "all_supported": True,
                "include_global_resource_types": args.region == args.home_region,
            },
            region=args.region,
            opts=keep,
        )
        channel = aws.cfg.DeliveryChannel(
            child_name(name, "channel"),
            name=args.recorder_name or f"{prefix}-delivery",
            s3_bucket_name=args.bucket_name,
            s3_kms_key_arn=args.kms_key_arn,
            snapshot_delivery_properties={"delivery_frequency": "TwentyFour_Hours"},
            region=args.region,
            opts=pulumi.ResourceOptions.merge(keep, pulumi.ResourceOptions(depends_on=[recorder])),
        )
        # Deleting the status stops the recorder (StopConfigurationRecorder): an adopted recorder keeps
        # recording when the stack is destroyed, like its recorder and channel.
        # https://docs.aws.amazon.com/config/latest/APIReference/API_StopConfigurationRecorder.html
        aws.cfg.RecorderStatus(
            child_name(name, "status"),
            name=recorder.name,
            is_enabled=True,
            region=args.region,
            opts=pulumi.ResourceOptions.merge(keep, pulumi.ResourceOptions(depends_on=[channel])),
        )
        self.recorder_name = recorder.name
        self.register_outputs({"recorderName": self.recorder_name, "roleArn": self.role_arn})


@dataclass(frozen=True)
class ConfigAggregatorArgs:
    """Inputs of :class:`ConfigAggregator` (in the Config delegated-admin account)."""

    regions: Sequence[str] = DEFAULT_APPROVED_REGIONS
    """Regions aggregated. Default: ``eu-west-3``, ``eu-south-2``."""
    admin_dependencies: Sequence[pulumi.Resource] = ()
    """The Config delegated-administrator registration when made in the same stack: an organization
    aggregator in a member account needs it
    (https://docs.aws.amazon.com/config/latest/developerguide/aggregated-register-delegated-administrator.html).
    Default: none (registered by an earlier stage)."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, tags, protection. Default: ``CommonArgs()``."""


class ConfigAggregator(pulumi.ComponentResource):
    """An organization-wide AWS Config aggregator."""

    aggregator_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: ConfigAggregatorArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kasbah:aws:ConfigAggregator", name, None, opts)
        tags = layer_tags({"kasbah:component": "config-aggregator"}, args.common.tags)
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            child_name(name, "role"),
            name=f"{args.common.prefix}-config-aggregator",
            assume_role_policy=service_trust_policy("config.amazonaws.com"),
            tags=tags,
            opts=child,
        )
        attach = aws.iam.RolePolicyAttachment(
            child_name(name, "role-policy"),
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations",
            opts=child,
        )
        aggregator = aws.cfg.ConfigurationAggregator(
            child_name(name, "aggregator"),
            name=f"{args.common.prefix}-organization",
            organization_aggregation_source={
                "all_regions": False,
                "regions": list(args.regions),
                "role_arn": role.arn,
            },
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attach, *args.admin_dependencies]),
        )
        self.aggregator_arn = aggregator.arn
        self.register_outputs({"aggregatorArn": self.aggregator_arn})
