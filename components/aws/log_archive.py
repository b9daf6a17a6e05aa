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


@dataclass(frozen=True)
class LogArchiveArgs:
    """Inputs of :class:`LogArchive`."""

    account_id: pulumi.Input[str]
    """The log-archive account's id (names the buckets). Required."""
    organization_id: pulumi.Input[str]
    """The organization id (``o-...``): writers are restricted to it. Required."""
    management_account_id: pulumi.Input[str]
    """The management account, where the organization trail lives. Required."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, tags, protection. Default: ``CommonArgs()``."""
    classification: DataClassification = DataClassification.INTERNAL
    """Data classification of audit logs. Default: ``internal``."""
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    """Archive lifecycle (cold storage and expiry). Default: ``Lifecycle()``."""
    object_lock_days: int = 0
    """Object Lock retention in compliance mode, in days (0: no Object Lock). Default: ``0``."""
    access_log_expiration_days: int = 365
    """Days the access-log bucket keeps its objects. Default: ``365``."""


def validate_log_archive_args(args: LogArchiveArgs, key: str = "LogArchiveArgs") -> None:
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


def key_policy(account_id: str, management_account_id: str, organization_id: str) -> str:
    """KMS key policy: the log-archive account administers; CloudTrail, Config and flow logs encrypt."""
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
                "StringLike": {
                    "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{management_account_id}:trail/*"
                }
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
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def archive_service_statements(
    name: str, management_account_id: str, organization_id: str
) -> list[dict[str, Any]]:
    """Bucket-policy statements that let CloudTrail, Config and flow logs deliver to the archive."""
    arn = bucket_arn(name)
    org_cond = {"StringEquals": {"aws:SourceOrgID": organization_id}}
    return [
        {
            "Sid": "ServicesCheckAcl",
            "Effect": "Allow",
            "Principal": {
                "Service": ["cloudtrail.amazonaws.com", "config.amazonaws.com", "delivery.logs.amazonaws.com"]
            },
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": arn,
        },
        {
            "Sid": "CloudTrailWrites",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": [f"{arn}/AWSLogs/{management_account_id}/*", f"{arn}/AWSLogs/{organization_id}/*"],
        },
        {
            "Sid": "ConfigAndFlowLogsWrite",
            "Effect": "Allow",
            "Principal": {"Service": ["config.amazonaws.com", "delivery.logs.amazonaws.com"]},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/AWSLogs/*",
            "Condition": org_cond,
        },
    ]


class LogArchive(pulumi.ComponentResource):
    """The log-archive account's key and buckets."""

    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    access_log_bucket_name: pulumi.Output[str]

    def __init__(self, name: str, args: LogArchiveArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_log_archive_args(args)
        super().__init__("kasbah:aws:LogArchive", name, None, opts)
        prefix = args.common.prefix
        tags = layer_tags({"kasbah:component": "log-archive"}, args.common.tags)
        store_tags = layer_tags(tags, classification_tags(args.classification))
        account = pulumi.Output.from_input(args.account_id)
        names = account.apply(
            lambda a: (bucket_name(prefix, "log-archive", a), bucket_name(prefix, "access-logs", a))
        )
        archive_name = names.apply(lambda n: n[0])
        access_name = names.apply(lambda n: n[1])

        key = aws.kms.Key(
            child_name(name, "key"),
            description="Kasbah log archive: CloudTrail, Config, VPC flow logs",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(account, args.management_account_id, args.organization_id).apply(
                lambda a: key_policy(str(a[0]), str(a[1]), str(a[2]))
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=True),
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
            service_statements=access_name.apply(
                lambda n: [
                    {
                        "Sid": "S3ServerAccessLogs",
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": f"{bucket_arn(n)}/*",
                    }
                ]
            ),
            lifecycle=Lifecycle(
                transition_days=0,
                deep_archive_days=0,
                expiration_days=args.access_log_expiration_days,
                noncurrent_expiration_days=30,
            ),
            protect=args.common.protect,
        )
        archive = hardened_bucket(
            child_name(name, "archive"),
            bucket_name=archive_name,
            parent=self,
            tags=store_tags,
            kms_key_arn=key.arn,
            service_statements=pulumi.Output.all(
                archive_name, args.management_account_id, args.organization_id
            ).apply(lambda a: archive_service_statements(str(a[0]), str(a[1]), str(a[2]))),
            access_log_bucket=access.bucket.id,
            lifecycle=args.lifecycle,
            object_lock_days=args.object_lock_days,
            protect=True,
        )
        self.key_arn = key.arn
        self.key_id = key.key_id
        self.bucket_name = archive_name
        self.bucket_arn = archive_name.apply(bucket_arn)
        self.access_log_bucket_name = access_name
        self.register_outputs(
            {
                "keyArn": self.key_arn,
                "bucketName": self.bucket_name,
                "bucketArn": self.bucket_arn,
                "accessLogBucketName": self.access_log_bucket_name,
                "bucketIds": [archive.bucket.id, access.bucket.id],
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
        group = aws.cloudwatch.LogGroup(
            child_name(name, "logs"),
            name=group_name,
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
            name=f"{prefix}-organization-trail",
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
    """The archive bucket (delivery channel). Required."""
    kms_key_arn: pulumi.Input[str]
    """The archive key. Required."""
    home_region: str = DEFAULT_HOME_REGION
    """Global resources (IAM) are recorded in this region only. Default: ``eu-west-3``."""
    create_service_linked_role: bool = False
    """Create Config's service-linked role (once per account). Default: ``False``."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, tags, protection. Default: ``CommonArgs()``."""


class ConfigRecorder(pulumi.ComponentResource):
    """AWS Config recorder, delivery channel and recorder status in one account and region."""

    recorder_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: ConfigRecorderArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kasbah:aws:ConfigRecorder", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        deps: list[pulumi.Resource] = []
        if args.create_service_linked_role:
            deps.append(
                aws.iam.ServiceLinkedRole(
                    child_name(name, "service-role"), aws_service_name="config.amazonaws.com", opts=child
                )
            )
        role_arn = pulumi.Output.concat(
            "arn:aws:iam::",
            args.account_id,
            ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
        )
        recorder = aws.cfg.Recorder(
            child_name(name, "recorder"),
            name=f"{args.common.prefix}-recorder",
            role_arn=role_arn,
            recording_group={
                "all_supported": True,
                "include_global_resource_types": args.region == args.home_region,
            },
            region=args.region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=deps),
        )
        channel = aws.cfg.DeliveryChannel(
            child_name(name, "channel"),
            name=f"{args.common.prefix}-delivery",
            s3_bucket_name=args.bucket_name,
            s3_kms_key_arn=args.kms_key_arn,
            snapshot_delivery_properties={"delivery_frequency": "TwentyFour_Hours"},
            region=args.region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[recorder]),
        )
        aws.cfg.RecorderStatus(
            child_name(name, "status"),
            name=recorder.name,
            is_enabled=True,
            region=args.region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[channel]),
        )
        self.recorder_name = recorder.name
        self.register_outputs({"recorderName": self.recorder_name})


@dataclass(frozen=True)
class ConfigAggregatorArgs:
    """Inputs of :class:`ConfigAggregator` (in the Config delegated-admin account)."""

    regions: Sequence[str] = DEFAULT_APPROVED_REGIONS
    """Regions aggregated. Default: ``eu-west-3``, ``eu-south-2``."""
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
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attach]),
        )
        self.aggregator_arn = aggregator.arn
        self.register_outputs({"aggregatorArn": self.aggregator_arn})
