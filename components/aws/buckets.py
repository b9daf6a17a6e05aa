"""A hardened S3 bucket, shared by the log archive and its access-log bucket.

Versioning, all four public-access-block flags, bucket-owner-enforced
ownership, default encryption (SSE-KMS with a bucket key, or SSE-S3 where AWS
requires it, e.g. a server-access-log target), a TLS-only bucket policy merged
with the caller's service statements, optional access logging, lifecycle and
Object Lock in compliance mode.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.common import child_name


@dataclass(frozen=True)
class Lifecycle:
    """Lifecycle of archived objects."""

    transition_days: int = 90
    """Days before objects move to Glacier Flexible Retrieval (0 disables). Default: ``90``."""
    deep_archive_days: int = 365
    """Days before objects move to Glacier Deep Archive (0 disables). Default: ``365``."""
    expiration_days: int = 2555
    """Days before objects expire (about 7 years; 0 keeps them forever). Default: ``2555``."""
    noncurrent_expiration_days: int = 365
    """Days before noncurrent versions expire. Default: ``365``."""


def bucket_arn(name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:s3:::{name}"


def tls_only_statement(bucket_arn: str) -> dict[str, Any]:
    """Deny every request that does not use TLS (``aws:SecureTransport`` false)."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def bucket_policy_document(bucket_arn: str, statements: Sequence[Mapping[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [tls_only_statement(bucket_arn), *statements]})


@dataclass
class HardenedBucket:
    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy


def hardened_bucket(
    name: str,
    *,
    bucket_name: pulumi.Input[str],
    parent: pulumi.Resource,
    tags: Mapping[str, str],
    kms_key_arn: pulumi.Input[str] | None,
    service_statements: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None,
    access_log_bucket: pulumi.Input[str] | None = None,
    lifecycle: Lifecycle | None = None,
    object_lock_days: int = 0,
    protect: bool = False,
    region: str | None = None,
    force_destroy: bool = False,
) -> HardenedBucket:
    """Create a bucket and its hardening children under ``parent`` (the parent's provider is inherited)."""
    child = pulumi.ResourceOptions(parent=parent)
    bucket = aws.s3.Bucket(
        name,
        bucket=bucket_name,
        object_lock_enabled=object_lock_days > 0 or None,
        force_destroy=force_destroy,
        region=region,
        tags=dict(tags),
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )
    aws.s3.BucketOwnershipControls(
        child_name(name, "ownership"),
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"},
        region=region,
        opts=child,
    )
    pab = aws.s3.BucketPublicAccessBlock(
        child_name(name, "public-access-block"),
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        region=region,
        opts=child,
    )
    aws.s3.BucketVersioning(
        child_name(name, "versioning"),
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        region=region,
        opts=child,
    )
    if kms_key_arn is not None:
        sse: aws.s3.BucketServerSideEncryptionConfigurationRuleArgsDict = {
            "apply_server_side_encryption_by_default": {
                "sse_algorithm": "aws:kms",
                "kms_master_key_id": kms_key_arn,
            },
            "bucket_key_enabled": True,
        }
    else:
        sse = {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}
    aws.s3.BucketServerSideEncryptionConfiguration(
        child_name(name, "encryption"), bucket=bucket.id, rules=[sse], region=region, opts=child
    )
    if access_log_bucket is not None:
        aws.s3.BucketLogging(
            child_name(name, "logging"),
            bucket=bucket.id,
            target_bucket=access_log_bucket,
            target_prefix=pulumi.Output.concat(bucket.id, "/"),
            region=region,
            opts=child,
        )
    if lifecycle is not None:
        transitions: list[aws.s3.BucketLifecycleConfigurationRuleTransitionArgsDict] = []
        if lifecycle.transition_days:
            transitions.append({"days": lifecycle.transition_days, "storage_class": "GLACIER"})
        if lifecycle.deep_archive_days:
            transitions.append({"days": lifecycle.deep_archive_days, "storage_class": "DEEP_ARCHIVE"})
        rule: aws.s3.BucketLifecycleConfigurationRuleArgsDict = {
            "id": "archive",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "transitions": transitions,
            "noncurrent_version_expiration": {"noncurrent_days": lifecycle.noncurrent_expiration_days},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
        }
        if lifecycle.expiration_days:
            rule["expiration"] = {"days": lifecycle.expiration_days}
        aws.s3.BucketLifecycleConfiguration(
            child_name(name, "lifecycle"), bucket=bucket.id, rules=[rule], region=region, opts=child
        )
    if object_lock_days > 0:
        aws.s3.BucketObjectLockConfiguration(
            child_name(name, "object-lock"),
            bucket=bucket.id,
            object_lock_enabled="Enabled",
            rule={"default_retention": {"mode": "COMPLIANCE", "days": object_lock_days}},
            region=region,
            opts=child,
        )
    # The ARN is derived from the (deterministic) name so that the policy is readable at preview.
    arn = pulumi.Output.from_input(bucket_name).apply(bucket_arn)
    document = pulumi.Output.all(arn, service_statements or []).apply(
        lambda args: bucket_policy_document(str(args[0]), list(args[1]))
    )
    # ``bucket.bucket`` (the name, known at preview) rather than ``bucket.id``: consumers take the name from
    # the policy's output, which then carries the dependency on the policy that grants them access.
    policy = aws.s3.BucketPolicy(
        child_name(name, "policy"),
        bucket=bucket.bucket,
        policy=document,
        region=region,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[pab]),
    )
    return HardenedBucket(bucket, policy)
