"""Encryption rules for AWS: data at rest (customer-managed keys for personal data included) and in transit.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity, StackValidationArgs

from policies.framework import (
    PERSONAL_DATA_SECURITY,
    Ctx,
    Res,
    Undecided,
    as_list,
    cis_aws,
    dnssi,
    each,
    fsbp,
    get,
    holds_personal_data,
    is_true,
    is_unknown,
    items,
    lower,
    mcsb,
    meta,
    need,
    present,
    rule,
    srule,
    stack_resources,
    with_props,
)
from policies.framework.documents import actions, effect, statements, wildcard_principal
from policies.security_baseline.aws.account import WORKLOAD_NOTE, has_aws_resources
from policies.security_baseline.aws.s3 import attached_to_buckets, buckets_and
from policies.security_baseline.aws.tokens import (
    BUCKET_POLICY,
    DYNAMODB_TABLE,
    EBS_DEFAULT,
    EBS_VOLUME,
    EFS,
    INSTANCE,
    KINESIS_STREAM,
    LAUNCH_TEMPLATE,
    LISTENERS,
    LOG_GROUP,
    RDS_CLUSTER,
    RDS_INSTANCE,
    SNS_TOPIC,
    SQS_QUEUE,
    SSE_CONFIGS,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
PERSONAL = PERSONAL_DATA_SECURITY


def _ebs_volume(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(p.get("encrypted"), "encrypted"):
        yield "the EBS volume is not encrypted (encrypted is not true)."


def _instance_disks(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    root = p.get("rootBlockDevice")
    need(root, "rootBlockDevice")
    if not isinstance(root, dict) or not is_true(root.get("encrypted"), "rootBlockDevice.encrypted"):
        yield "the root volume is not encrypted (set rootBlockDevice.encrypted to true)."
    for i, dev in enumerate(items(p.get("ebsBlockDevices"), "ebsBlockDevices")):
        need(dev, f"ebsBlockDevices[{i}]")
        if not is_true(get(dev, "encrypted"), f"ebsBlockDevices[{i}].encrypted"):
            yield f"EBS block device {get(dev, 'deviceName')!s} is not encrypted."


def _launch_template_disks(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for i, m in enumerate(items(p.get("blockDeviceMappings"), "blockDeviceMappings")):
        need(m, f"blockDeviceMappings[{i}]")
        ebs = get(m, "ebs")
        need(ebs, f"blockDeviceMappings[{i}].ebs")
        if ebs is None:
            continue  # instance-store (virtualName) or a suppressed device
        if not is_true(get(ebs, "encrypted"), f"blockDeviceMappings[{i}].ebs.encrypted"):
            yield f"the launch template's volume {get(m, 'deviceName')!s} is not encrypted."


AWS_EBS_ENCRYPTED = rule(
    meta(
        "aws-ebs-encrypted",
        HIGH,
        "EBS volumes, instance root and data volumes, and launch-template volumes are encrypted.",
        "Set `encrypted=True` on the volume (for instances `root_block_device.encrypted` and each "
        '`ebs_block_devices[].encrypted`; for launch templates `block_device_mappings[].ebs.encrypted="true"`).',
        [fsbp("EC2.3"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {
        EBS_VOLUME: with_props(_ebs_volume),
        INSTANCE: with_props(_instance_disks),
        LAUNCH_TEMPLATE: with_props(_launch_template_disks),
    },
)


def _rds_encrypted(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if (
        ctx.type == RDS_INSTANCE
        and p.get("replicateSourceDb") is not None
        and p.get("storageEncrypted") is None
    ):
        return  # a read replica inherits its source's encryption
    if not is_true(p.get("storageEncrypted"), "storageEncrypted"):
        yield "storage is not encrypted (storageEncrypted is not true)."


AWS_RDS_STORAGE_ENCRYPTED = rule(
    meta(
        "aws-rds-storage-encrypted",
        HIGH,
        "RDS instances and clusters encrypt their storage.",
        "Set `storage_encrypted=True` (with `kms_key_id` for a customer-managed key).",
        [cis_aws("2.3.1"), fsbp("RDS.3"), fsbp("RDS.27"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {RDS_INSTANCE: with_props(_rds_encrypted), RDS_CLUSTER: with_props(_rds_encrypted)},
)


def _efs_encrypted(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(p.get("encrypted"), "encrypted"):
        yield "the EFS file system is not encrypted."


AWS_EFS_ENCRYPTED = rule(
    meta(
        "aws-efs-encrypted",
        HIGH,
        "EFS file systems are encrypted at rest.",
        "Set `encrypted=True` (and `kms_key_id` for a customer-managed key).",
        [cis_aws("2.4.1"), fsbp("EFS.1"), fsbp("EFS.8"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {EFS: with_props(_efs_encrypted)},
)


def _sns_encrypted(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not present(p.get("kmsMasterKeyId")):
        yield "the SNS topic is not encrypted (no kmsMasterKeyId)."


AWS_SNS_ENCRYPTED = rule(
    meta(
        "aws-sns-topic-encrypted",
        MEDIUM,
        "SNS topics are encrypted at rest with KMS.",
        "Set `kms_master_key_id` (a customer-managed key, or `alias/aws/sns`).",
        [mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {SNS_TOPIC: with_props(_sns_encrypted)},
)


def _sqs_encrypted(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if present(p.get("kmsMasterKeyId")):
        return
    if not is_true(p.get("sqsManagedSseEnabled"), "sqsManagedSseEnabled"):
        yield "the SQS queue is not encrypted (neither sqsManagedSseEnabled nor kmsMasterKeyId is set)."


AWS_SQS_ENCRYPTED = rule(
    meta(
        "aws-sqs-queue-encrypted",
        MEDIUM,
        "SQS queues are encrypted at rest (SSE-SQS or KMS), set explicitly.",
        "Set `sqs_managed_sse_enabled=True` or `kms_master_key_id`.",
        [fsbp("SQS.1"), mcsb("DP-4")],
    ),
    {SQS_QUEUE: with_props(_sqs_encrypted)},
)


def _kinesis_encrypted(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if lower(p.get("encryptionType"), "encryptionType") != "kms" or not present(p.get("kmsKeyId")):
        yield "the Kinesis stream is not encrypted with KMS (encryptionType KMS and kmsKeyId)."


AWS_KINESIS_ENCRYPTED = rule(
    meta(
        "aws-kinesis-stream-encrypted",
        MEDIUM,
        "Kinesis data streams are encrypted at rest with KMS.",
        'Set `encryption_type="KMS"` and `kms_key_id` (a customer-managed key, or `alias/aws/kinesis`).',
        [fsbp("Kinesis.1"), mcsb("DP-4")],
    ),
    {KINESIS_STREAM: with_props(_kinesis_encrypted)},
)


# Customer-managed keys for personal data: the input that names the key, per data-store type.
_CMK_INPUTS: dict[str, tuple[str, ...]] = {
    EBS_VOLUME: ("kmsKeyId",),
    RDS_INSTANCE: ("kmsKeyId",),
    RDS_CLUSTER: ("kmsKeyId",),
    DYNAMODB_TABLE: ("serverSideEncryption", "kmsKeyArn"),
    EFS: ("kmsKeyId",),
    SNS_TOPIC: ("kmsMasterKeyId",),
    SQS_QUEUE: ("kmsMasterKeyId",),
    KINESIS_STREAM: ("kmsKeyId",),
    LOG_GROUP: ("kmsKeyId",),
}


_AWS_MANAGED_ALIAS = re.compile(r"^(arn:aws[a-z-]*:kms:[^:]*:[^:]*:)?alias/aws/", re.IGNORECASE)


def _personal_cmk(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not holds_personal_data(p):
        return
    path = _CMK_INPUTS[ctx.type]
    if ctx.type == DYNAMODB_TABLE and not is_true(
        get(p, "serverSideEncryption", "enabled"), "serverSideEncryption.enabled"
    ):
        yield "personal data is encrypted with an AWS-owned key: enable serverSideEncryption with kmsKeyArn."
        return
    key = get(p, *path)
    if not present(key):
        yield f"personal data is not encrypted with a customer-managed KMS key ({'.'.join(path)} is not set)."
    elif isinstance(key, str) and not is_unknown(key) and _AWS_MANAGED_ALIAS.match(key):
        yield f"personal data uses the AWS-managed key {key}, not a customer-managed key."


AWS_PERSONAL_DATA_CMK = rule(
    meta(
        "aws-personal-data-cmk",
        HIGH,
        "Data stores tagged data-classification=personal or sensitive are encrypted with a customer-managed "
        "KMS key (EBS, RDS, DynamoDB, EFS, SNS, SQS, Kinesis, CloudWatch Logs).",
        "Create an `aws.kms.Key` (with rotation) and pass its ARN as the store's KMS key input "
        "(`kms_key_id`, `kms_master_key_id` or `server_side_encryption.kms_key_arn`).",
        [mcsb("DP-5"), PERSONAL, dnssi("Cryptography")],
    ),
    {t: with_props(_personal_cmk) for t in _CMK_INPUTS},
)


def _s3_sse_rules(res: Res) -> list[dict[str, Any]]:
    return [r for r in items(res.props.get("rules"), f"{res.urn} rules") if isinstance(r, dict)]


def _s3_inline_sse(bucket: Res) -> list[dict[str, Any]]:
    cfg = bucket.props.get("serverSideEncryptionConfiguration")
    need(cfg, f"{bucket.urn} serverSideEncryptionConfiguration")
    if not isinstance(cfg, dict):
        return []
    rule_ = get(cfg, "rule")
    need(rule_, f"{bucket.urn} serverSideEncryptionConfiguration.rule")
    return [r for r in as_list(rule_) if isinstance(r, dict)]


def _s3_encryption(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = buckets_and(args, SSE_CONFIGS)
    attached = attached_to_buckets(found, SSE_CONFIGS)

    def check(bucket: Res) -> None:
        cfgs = attached[bucket.urn]
        if _s3_inline_sse(bucket):
            return
        if cfgs is None:
            raise Undecided(f"the bucket of a server-side encryption configuration (for {bucket.urn})")
        if not cfgs:
            fail("the bucket has no server-side encryption configuration.", bucket)

    each(found["bucket"], check)


AWS_S3_ENCRYPTION = srule(
    meta(
        "aws-s3-bucket-encryption-configured",
        LOW,
        "Every S3 bucket has an explicit default-encryption configuration (S3 applies SSE-S3 by "
        "default, so this is about stating the key in code, not about plaintext).",
        "Add an `aws.s3.BucketServerSideEncryptionConfiguration(bucket=bucket.id, rules=[...])` "
        '(`sse_algorithm="aws:kms"` with `kms_master_key_id` where a customer-managed key applies).',
        [mcsb("DP-4"), dnssi("Cryptography")],
    ),
    _s3_encryption,
)


def _sse_uses_cmk(rules_: list[dict[str, Any]], what: str) -> bool:
    for r in rules_:
        by_default = get(r, "applyServerSideEncryptionByDefault")
        need(by_default, f"{what} applyServerSideEncryptionByDefault")
        if not isinstance(by_default, dict):
            continue
        algo = lower(by_default.get("sseAlgorithm"), f"{what} sseAlgorithm")
        key = by_default.get("kmsMasterKeyId")
        if algo.startswith("aws:kms") and present(key):
            if isinstance(key, str) and not is_unknown(key) and _AWS_MANAGED_ALIAS.match(key):
                continue
            return True
    return False


def _s3_personal_cmk(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = buckets_and(args, SSE_CONFIGS)
    attached = attached_to_buckets(found, SSE_CONFIGS)

    def check(bucket: Res) -> None:
        if not holds_personal_data(bucket.props):
            return
        if _sse_uses_cmk(_s3_inline_sse(bucket), bucket.urn):
            return
        cfgs = attached[bucket.urn]
        if cfgs is None:
            raise Undecided(f"the bucket of a server-side encryption configuration (for {bucket.urn})")
        if not any(_sse_uses_cmk(_s3_sse_rules(c), c.urn) for c in cfgs):
            fail(
                "the bucket holds personal data but its default encryption does not use a customer-managed "
                "KMS key.",
                bucket,
            )

    each(found["bucket"], check)


AWS_S3_PERSONAL_DATA_CMK = srule(
    meta(
        "aws-s3-personal-data-cmk",
        HIGH,
        "S3 buckets tagged data-classification=personal or sensitive default-encrypt with a customer-managed "
        "KMS key.",
        'Add a `BucketServerSideEncryptionConfiguration` with `sse_algorithm="aws:kms"` and '
        "`kms_master_key_id` set to your `aws.kms.Key` ARN (not `alias/aws/s3`).",
        [mcsb("DP-5"), PERSONAL, dnssi("Cryptography")],
    ),
    _s3_personal_cmk,
)


def _ebs_default_present(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    if not has_aws_resources(args):
        return
    found = stack_resources(args, [EBS_DEFAULT])[EBS_DEFAULT]
    for r in found:
        enabled = r.props.get("enabled")
        if enabled is None or is_true(enabled, f"{r.urn} enabled"):
            return
    fail("the stack does not turn on EBS encryption by default for its account and region.", None)


def _listener_plain_http(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    protocol = lower(p.get("protocol"), "protocol")
    if protocol != "http":
        return
    acts = items(p.get("defaultActions"), "defaultActions")
    for i, a in enumerate(acts):
        need(a, f"defaultActions[{i}]")
        kind = lower(get(a, "type"), f"defaultActions[{i}].type")
        target = lower(get(a, "redirect", "protocol"), f"defaultActions[{i}].redirect.protocol")
        if kind != "redirect" or target != "https":
            yield "the listener serves plain HTTP: its default action is not a redirect to HTTPS."
            return
    if not acts:
        yield "the listener serves plain HTTP without a redirect to HTTPS."


AWS_LB_NO_PLAIN_HTTP = rule(
    meta(
        "aws-lb-listener-no-plain-http",
        HIGH,
        "Load-balancer listeners use HTTPS/TLS; a plain-HTTP listener only redirects to HTTPS.",
        'Serve on an HTTPS listener; keep port 80 only as `default_actions=[{"type": "redirect", '
        '"redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}]`.',
        [fsbp("ELB.1"), fsbp("ELB.18"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {t: with_props(_listener_plain_http) for t in LISTENERS},
)


_TLS12_POLICY = re.compile(
    r"^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2|TLS13-1-3-FIPS|TLS13-1-2-FIPS)", re.I
)


def _listener_tls(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    protocol = lower(p.get("protocol"), "protocol")
    if protocol not in ("https", "tls"):
        return
    policy = p.get("sslPolicy")
    need(policy, "sslPolicy")
    if policy is None:
        yield "no sslPolicy: the default ELBSecurityPolicy-2016-08 accepts TLS 1.0."
    elif not _TLS12_POLICY.match(str(policy)):
        yield f"the SSL policy {policy} accepts TLS versions below 1.2."


AWS_LB_TLS12 = rule(
    meta(
        "aws-lb-listener-tls12",
        MEDIUM,
        "HTTPS and TLS listeners use a security policy whose minimum protocol is TLS 1.2.",
        'Set `ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06"` (or another TLS 1.2+ policy).',
        [fsbp("ELB.17"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {t: with_props(_listener_tls) for t in LISTENERS},
)


def _denies_insecure_transport(stmts: list[dict[str, Any]], what: str) -> bool:
    for s in stmts:
        if effect(s, what) != "deny" or not wildcard_principal(s, what):
            continue
        acts = [a.lower() for a in actions(s, what)]
        if not any(a in ("s3:*", "*") for a in acts):
            continue
        cond = s.get("condition")
        need(cond, f"{what} Condition")
        if not isinstance(cond, dict):
            continue
        for op, clauses in cond.items():
            if str(op).lower() != "bool" or not isinstance(clauses, dict):
                continue
            for k, v in clauses.items():
                if str(k).lower() == "aws:securetransport":
                    values = [need(x, f"{what} aws:SecureTransport") for x in as_list(v)]
                    if any(str(x).lower() == "false" for x in values):
                        return True
    return False


def _s3_deny_insecure(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = buckets_and(args, [BUCKET_POLICY])
    attached = attached_to_buckets(found, [BUCKET_POLICY])

    def check(bucket: Res) -> None:
        docs = []
        if bucket.props.get("policy") is not None:
            docs.append((bucket.props.get("policy"), f"{bucket.urn} policy"))
        pols = attached[bucket.urn]
        if pols is None and not docs:
            raise Undecided(f"the bucket of a bucket policy (for {bucket.urn})")
        docs += [(p.props.get("policy"), f"{p.urn} policy") for p in pols or []]
        if not any(_denies_insecure_transport(statements(doc, what), what) for doc, what in docs):
            fail("no bucket policy denies requests without TLS (aws:SecureTransport = false).", bucket)

    each(found["bucket"], check)


AWS_S3_DENY_INSECURE_TRANSPORT = srule(
    meta(
        "aws-s3-deny-insecure-transport",
        MEDIUM,
        "Every S3 bucket has a bucket policy that denies requests not made over TLS.",
        'Attach an `aws.s3.BucketPolicy` with a statement `{"Effect": "Deny", "Principal": "*", '
        '"Action": "s3:*", "Resource": [bucket ARN, bucket ARN/*], "Condition": {"Bool": '
        '{"aws:SecureTransport": "false"}}}`.',
        [cis_aws("2.1.1"), fsbp("S3.5"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    _s3_deny_insecure,
)


AWS_ACCOUNT_EBS_DEFAULT = srule(
    meta(
        "aws-account-ebs-default-encryption-present",
        MEDIUM,
        "The landing-zone stack turns on EBS encryption by default.",
        "Declare `aws.ebs.EncryptionByDefault(enabled=True)` (and `aws.ebs.DefaultKmsKey` for a "
        "customer-managed key) in each region." + WORKLOAD_NOTE,
        [cis_aws("2.2.1"), fsbp("EC2.7"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    _ebs_default_present,
)


POLICIES: list[Policy] = [
    AWS_EBS_ENCRYPTED,
    AWS_ACCOUNT_EBS_DEFAULT,
    AWS_RDS_STORAGE_ENCRYPTED,
    AWS_EFS_ENCRYPTED,
    AWS_SNS_ENCRYPTED,
    AWS_SQS_ENCRYPTED,
    AWS_KINESIS_ENCRYPTED,
    AWS_S3_ENCRYPTION,
    AWS_S3_PERSONAL_DATA_CMK,
    AWS_PERSONAL_DATA_CMK,
    AWS_LB_NO_PLAIN_HTTP,
    AWS_LB_TLS12,
    AWS_S3_DENY_INSECURE_TRANSPORT,
]
"""This domain's policies, in catalogue order."""
