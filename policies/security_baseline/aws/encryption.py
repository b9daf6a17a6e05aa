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
    mirrored,
    need,
    present,
    related,
    rule,
    srule,
    stack_resources,
    with_props,
)
from policies.framework.documents import actions, effect, statements, wildcard_principal
from policies.framework.settings import equals, require, value_at
from policies.security_baseline.aws.account import WORKLOAD_NOTE, has_aws_resources
from policies.security_baseline.aws.defaults import DEFAULTS
from policies.security_baseline.aws.s3 import attached_to_buckets, buckets_and
from policies.security_baseline.aws.tokens import (
    APIGW_DOMAIN,
    BUCKET_POLICY,
    BUCKETS,
    CLOUDFRONT_DISTRIBUTION,
    DOCDB_CLUSTER,
    DYNAMODB_TABLE,
    EBS_DEFAULT,
    EBS_VOLUME,
    EFS,
    EKS_CLUSTER,
    ELASTICACHE_REPLICATION_GROUP,
    INSTANCE,
    KINESIS_STREAM,
    LAMBDA_FUNCTION,
    LAUNCH_TEMPLATE,
    LISTENERS,
    LOG_GROUP,
    MSK_CLUSTER,
    NEPTUNE_CLUSTER,
    RDS_CLUSTER,
    RDS_INSTANCE,
    REDSHIFT_CLUSTER,
    REDSHIFT_PARAMETER_GROUP,
    SEARCH_DOMAINS,
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
    MSK_CLUSTER: ("encryptionInfo", "encryptionAtRestKmsKeyArn"),
    REDSHIFT_CLUSTER: ("kmsKeyId",),
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
        "KMS key (EBS, RDS, DynamoDB, EFS, SNS, SQS, Kinesis, CloudWatch Logs, MSK, Redshift).",
        "Create an `aws.kms.Key` (with rotation) and pass its ARN as the store's KMS key input "
        "(`kms_key_id`, `kms_master_key_id`, `server_side_encryption.kms_key_arn` or "
        "`encryption_info.encryption_at_rest_kms_key_arn`).",
        [mcsb("DP-5"), PERSONAL, dnssi("Cryptography")],
    ),
    {t: with_props(_personal_cmk) for t in _CMK_INPUTS},
)


def _s3_sse_rules(res: Res) -> list[dict[str, Any]]:
    return [r for r in items(res.props.get("rules"), f"{res.urn} rules") if isinstance(r, dict)]


def _s3_inline_sse(bucket: Res) -> list[dict[str, Any]]:
    # Unset, the output mirrors the attached configurations (read on their own) or S3's default SSE-S3.
    cfg = mirrored(bucket.props.get("serverSideEncryptionConfiguration"))
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
    types=[*BUCKETS, *SSE_CONFIGS],
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
    types=[*BUCKETS, *SSE_CONFIGS],
)


def _ebs_default_present(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    if not has_aws_resources(args):
        return
    if stack_resources(args, [EBS_DEFAULT])[EBS_DEFAULT]:
        return  # one that switches it off is reported on itself (aws-ebs-default-encryption-enabled)
    fail("the stack does not declare EBS encryption by default for its account and region.", None)


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
        inline = mirrored(bucket.props.get("policy"))  # unset, it mirrors the attached bucket policies
        if inline is not None:
            docs.append((inline, f"{bucket.urn} policy"))
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
    types=[*BUCKETS, BUCKET_POLICY],
)


AWS_ACCOUNT_EBS_DEFAULT = srule(
    meta(
        "aws-account-ebs-default-encryption-present",
        MEDIUM,
        "The landing-zone stack declares EBS encryption by default (an `EncryptionByDefault` resource).",
        "Declare `aws.ebs.EncryptionByDefault(enabled=True)` (and `aws.ebs.DefaultKmsKey` for a "
        "customer-managed key) in each region." + WORKLOAD_NOTE,
        [cis_aws("2.2.1"), fsbp("EC2.7"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    _ebs_default_present,
    types=None,  # does the stack manage AWS at all?
)


def _ebs_default_off(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(value_at(p, "enabled", DEFAULTS.of(EBS_DEFAULT, "enabled")), "enabled"):
        yield "EBS encryption by default is written but switched off (enabled=False)."


AWS_EBS_DEFAULT_ENABLED = rule(
    meta(
        "aws-ebs-default-encryption-enabled",
        HIGH,
        "An `EncryptionByDefault` resource never switches EBS encryption by default off.",
        "Set `enabled=True` (the default) on the `aws.ebs.EncryptionByDefault`.",
        [cis_aws("2.2.1"), fsbp("EC2.7"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {EBS_DEFAULT: with_props(_ebs_default_off)},
)


def _cache_at_rest(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    engine = lower(value_at(p, "engine", DEFAULTS.of(ctx.type, "engine")), "engine")
    default = (
        DEFAULTS.of(ctx.type, f"atRestEncryptionEnabled[engine={engine}]")
        if engine in ("redis", "valkey")
        else None
    )
    if not is_true(value_at(p, "atRestEncryptionEnabled", default), "atRestEncryptionEnabled"):
        yield f"the {engine} replication group does not encrypt its data at rest."


AWS_ELASTICACHE_AT_REST = rule(
    meta(
        "aws-elasticache-encrypted-at-rest",
        HIGH,
        "ElastiCache replication groups encrypt data at rest (the redis engine's default is off).",
        "Set `at_rest_encryption_enabled=True` (with `kms_key_id` for a customer-managed key); it cannot be "
        "changed after creation.",
        [fsbp("ElastiCache.4"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {ELASTICACHE_REPLICATION_GROUP: with_props(_cache_at_rest)},
)


AWS_ELASTICACHE_IN_TRANSIT = rule(
    meta(
        "aws-elasticache-encrypted-in-transit",
        HIGH,
        "ElastiCache replication groups encrypt traffic in transit (TLS between clients and nodes).",
        'Set `transit_encryption_enabled=True` (and `transit_encryption_mode="required"` once clients use TLS).',
        [fsbp("ElastiCache.5"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {
        ELASTICACHE_REPLICATION_GROUP: require(
            "transitEncryptionEnabled",
            equals(True),
            "the replication group does not encrypt traffic in transit (transitEncryptionEnabled is {value}).",
        ),
    },
)


def _search_at_rest(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(get(p, "encryptAtRest", "enabled"), "encryptAtRest.enabled"):
        yield "the search domain does not encrypt its data at rest (encryptAtRest.enabled is not true)."


AWS_SEARCH_AT_REST = rule(
    meta(
        "aws-opensearch-encrypted-at-rest",
        HIGH,
        "OpenSearch (and legacy Elasticsearch) domains encrypt data at rest.",
        'Set `encrypt_at_rest={"enabled": True}` (with `kms_key_id` for a customer-managed key).',
        [fsbp("Opensearch.1"), fsbp("ES.1"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {t: with_props(_search_at_rest) for t in SEARCH_DOMAINS},
)


def _search_node_to_node(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(get(p, "nodeToNodeEncryption", "enabled"), "nodeToNodeEncryption.enabled"):
        yield "traffic between the domain's nodes is not encrypted (nodeToNodeEncryption.enabled is not true)."


AWS_SEARCH_NODE_TO_NODE = rule(
    meta(
        "aws-opensearch-node-to-node-encryption",
        HIGH,
        "OpenSearch (and legacy Elasticsearch) domains encrypt the traffic between their nodes.",
        'Set `node_to_node_encryption={"enabled": True}`.',
        [fsbp("Opensearch.3"), fsbp("ES.3"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {t: with_props(_search_node_to_node) for t in SEARCH_DOMAINS},
)


_SEARCH_TLS12_POLICIES = frozenset({"policy-min-tls-1-2-2019-07", "policy-min-tls-1-2-pfs-2023-10"})


def _search_https(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    path = "domainEndpointOptions.enforceHttps"
    if not is_true(value_at(p, path, DEFAULTS.of(ctx.type, path)), path):
        yield "the domain endpoint accepts plain HTTP (domainEndpointOptions.enforceHttps is false)."
    policy = lower(
        value_at(p, "domainEndpointOptions.tlsSecurityPolicy"), "domainEndpointOptions.tlsSecurityPolicy"
    )
    if policy not in _SEARCH_TLS12_POLICIES:
        yield (
            f"the domain's TLS security policy is {policy or 'not set'}; a TLS 1.2 minimum "
            "(Policy-Min-TLS-1-2-PFS-2023-10 or Policy-Min-TLS-1-2-2019-07) is required."
        )


AWS_SEARCH_HTTPS = rule(
    meta(
        "aws-opensearch-https-tls12",
        HIGH,
        "OpenSearch (and legacy Elasticsearch) domain endpoints require HTTPS with a TLS 1.2 minimum policy.",
        'Set `domain_endpoint_options={"enforce_https": True, "tls_security_policy": '
        '"Policy-Min-TLS-1-2-PFS-2023-10"}`.',
        [fsbp("Opensearch.8"), fsbp("ES.8"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {t: with_props(_search_https) for t in SEARCH_DOMAINS},
)


AWS_REDSHIFT_ENCRYPTED = rule(
    meta(
        "aws-redshift-encrypted",
        HIGH,
        "Redshift clusters encrypt data at rest (the provider's default; never turned off).",
        "Remove `encrypted=False` (it defaults to true); pass `kms_key_id` for a customer-managed key.",
        [fsbp("Redshift.10"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {
        REDSHIFT_CLUSTER: require(
            "encrypted",
            equals(True),
            "the cluster's data is not encrypted at rest (encrypted is {value}).",
            default=DEFAULTS.of(REDSHIFT_CLUSTER, "encrypted"),
        )
    },
)


def _requires_ssl(group: Res) -> bool:
    for i, param in enumerate(items(group.props.get("parameters"), f"{group.urn} parameters")):
        name = lower(get(param, "name"), f"{group.urn} parameters[{i}].name")
        if name == "require_ssl":
            return lower(get(param, "value"), f"{group.urn} parameters[{i}].value") == "true"
    return False


def _redshift_ssl(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [REDSHIFT_CLUSTER, REDSHIFT_PARAMETER_GROUP])
    groups = found[REDSHIFT_PARAMETER_GROUP]

    def check(cluster: Res) -> None:
        name = cluster.props.get("clusterParameterGroupName")
        targets = (
            None if name is None else related(cluster, "clusterParameterGroupName", groups, name_prop="name")
        )
        if name is None or (is_unknown(name) and targets is None):
            # Unset, the output is computed (unknown in the CLI's AnalyzeStack): the default group.
            fail("the cluster uses the default parameter group, where require_ssl is false.", cluster)
            return
        if targets is None:
            raise Undecided(f"the parameter group of {cluster.urn}")
        if not targets:
            return  # a parameter group managed outside the stack: nothing to read
        if not any(_requires_ssl(g) for g in targets):
            fail("the cluster's parameter group does not set require_ssl to true.", cluster)

    each(found[REDSHIFT_CLUSTER], check)


AWS_REDSHIFT_REQUIRE_SSL = srule(
    meta(
        "aws-redshift-require-ssl",
        MEDIUM,
        "Redshift clusters use a parameter group (of the stack, related by dependency) that sets require_ssl.",
        'Create an `aws.redshift.ParameterGroup` with `parameters=[{"name": "require_ssl", "value": "true"}]` and '
        "pass its `name` as the cluster's `cluster_parameter_group_name`.",
        [fsbp("Redshift.2"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    _redshift_ssl,
    types=[REDSHIFT_CLUSTER, REDSHIFT_PARAMETER_GROUP],
)


def _msk_in_transit(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    broker = "encryptionInfo.encryptionInTransit.clientBroker"
    cluster = "encryptionInfo.encryptionInTransit.inCluster"
    value = lower(value_at(p, broker, DEFAULTS.of(MSK_CLUSTER, broker)), broker)
    if value != "tls":
        yield f"clients may reach the brokers without TLS (clientBroker is {value.upper()})."
    if not is_true(value_at(p, cluster, DEFAULTS.of(MSK_CLUSTER, cluster)), cluster):
        yield "traffic between brokers is not encrypted (inCluster is false)."


AWS_MSK_IN_TRANSIT = rule(
    meta(
        "aws-msk-encrypted-in-transit",
        HIGH,
        "MSK clusters encrypt traffic in transit: TLS only between clients and brokers, and between brokers.",
        'Keep `encryption_info.encryption_in_transit` at `client_broker="TLS"` and `in_cluster=True` (the defaults).',
        [fsbp("MSK.1"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {MSK_CLUSTER: with_props(_msk_in_transit)},
)


def _lambda_env_cmk(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not holds_personal_data(p):
        return
    variables = get(p, "environment", "variables")
    need(variables, "environment.variables")
    if not variables:
        return
    key = p.get("kmsKeyArn")
    if not present(key):
        yield "the function holds personal data in environment variables encrypted with the AWS-managed key."
    elif isinstance(key, str) and not is_unknown(key) and _AWS_MANAGED_ALIAS.match(key):
        yield f"the function's environment variables use the AWS-managed key {key}, not a customer-managed key."


AWS_LAMBDA_ENV_CMK = rule(
    meta(
        "aws-lambda-environment-cmk-personal-data",
        HIGH,
        "Lambda functions tagged data-classification=personal or sensitive that set environment variables encrypt "
        "them with a customer-managed KMS key.",
        "Set `kms_key_arn` to your `aws.kms.Key` ARN (or keep personal data out of environment variables: read it "
        "from Secrets Manager at run time).",
        [mcsb("DP-5"), PERSONAL, dnssi("Cryptography")],
    ),
    {LAMBDA_FUNCTION: with_props(_lambda_env_cmk)},
)


AWS_APIGW_DOMAIN_TLS12 = rule(
    meta(
        "aws-apigateway-domain-tls12",
        MEDIUM,
        "API Gateway custom domain names use the TLS 1.2 security policy.",
        'Set `security_policy="TLS_1_2"` on the `aws.apigateway.DomainName` (the provider only detects drift when '
        "it is set).",
        [mcsb("DP-3"), dnssi("Communications security")],
    ),
    {
        APIGW_DOMAIN: require(
            "securityPolicy",
            lambda v: v is not None and str(v).upper().startswith(("TLS_1_2", "SECURITYPOLICY_TLS13")),
            "the custom domain's security policy is {value}; TLS_1_2 is required.",
        )
    },
)


def _cloudfront_behaviors(p: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    default = p.get("defaultCacheBehavior")
    need(default, "defaultCacheBehavior")
    if default is not None:
        yield "defaultCacheBehavior", default
    for i, b in enumerate(items(p.get("orderedCacheBehaviors"), "orderedCacheBehaviors")):
        yield f"orderedCacheBehaviors[{i}]", b


def _cloudfront_viewer_https(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for label, behavior in _cloudfront_behaviors(p):
        policy = lower(get(behavior, "viewerProtocolPolicy"), f"{label}.viewerProtocolPolicy")
        if policy == "allow-all":
            yield f"{label} serves viewers over plain HTTP (viewerProtocolPolicy allow-all)."


AWS_CLOUDFRONT_VIEWER_HTTPS = rule(
    meta(
        "aws-cloudfront-viewer-https",
        HIGH,
        "CloudFront distributions serve viewers over HTTPS only: no cache behavior allows plain HTTP.",
        'Set `viewer_protocol_policy="redirect-to-https"` (or `"https-only"`) on every cache behavior.',
        [fsbp("CloudFront.3"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {CLOUDFRONT_DISTRIBUTION: with_props(_cloudfront_viewer_https)},
)


def _cloudfront_viewer_tls(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    cert = p.get("viewerCertificate")
    need(cert, "viewerCertificate")
    if is_true(
        get(cert, "cloudfrontDefaultCertificate") or False, "viewerCertificate.cloudfrontDefaultCertificate"
    ):
        yield "the distribution uses the *.cloudfront.net certificate, whose minimum protocol is TLSv1."
        return
    version = str(need(get(cert, "minimumProtocolVersion"), "viewerCertificate.minimumProtocolVersion") or "")
    if not version.startswith("TLSv1.2") and not version.startswith("TLSv1.3"):
        yield f"the viewer security policy is {version or 'not set (TLSv1)'}; TLSv1.2_2021 is required."


AWS_CLOUDFRONT_VIEWER_TLS12 = rule(
    meta(
        "aws-cloudfront-viewer-tls12",
        MEDIUM,
        "CloudFront distributions serve a custom certificate with a TLS 1.2 minimum viewer security policy.",
        'Set `viewer_certificate={"acm_certificate_arn": ..., "ssl_support_method": "sni-only", '
        '"minimum_protocol_version": "TLSv1.2_2021"}`.',
        [fsbp("CloudFront.15"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {CLOUDFRONT_DISTRIBUTION: with_props(_cloudfront_viewer_tls)},
)


_WEAK_ORIGIN_PROTOCOLS = frozenset({"sslv3", "tlsv1", "tlsv1.1"})


def _cloudfront_origin_https(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for i, origin in enumerate(items(p.get("origins"), "origins")):
        custom = get(origin, "customOriginConfig")
        need(custom, f"origins[{i}].customOriginConfig")
        if custom is None:
            continue  # S3 or VPC origins: no origin protocol policy
        policy = lower(get(custom, "originProtocolPolicy"), f"origins[{i}].originProtocolPolicy")
        if policy != "https-only":
            yield f"origin {get(origin, 'originId')} may be reached over HTTP (originProtocolPolicy {policy})."
        weak = [
            str(x)
            for x in items(get(custom, "originSslProtocols"), f"origins[{i}].originSslProtocols")
            if lower(x, f"origins[{i}].originSslProtocols[]") in _WEAK_ORIGIN_PROTOCOLS
        ]
        if weak:
            yield f"origin {get(origin, 'originId')} accepts deprecated protocols: {', '.join(weak)}."


AWS_CLOUDFRONT_ORIGIN_HTTPS = rule(
    meta(
        "aws-cloudfront-origin-https",
        MEDIUM,
        "CloudFront reaches custom origins over HTTPS only, with TLS 1.2 (no SSLv3, TLSv1 or TLSv1.1).",
        'Set `custom_origin_config={"origin_protocol_policy": "https-only", "origin_ssl_protocols": ["TLSv1.2"], ...}`.',
        [fsbp("CloudFront.9"), fsbp("CloudFront.10"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {CLOUDFRONT_DISTRIBUTION: with_props(_cloudfront_origin_https)},
)


def _eks_secrets(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    config = p.get("encryptionConfig")
    need(config, "encryptionConfig")
    resources_ = [
        lower(r, "encryptionConfig.resources[]")
        for r in items(get(config, "resources"), "encryptionConfig.resources")
    ]
    if "secrets" not in resources_ or not present(get(config, "provider", "keyArn")):
        yield "Kubernetes secrets are not envelope-encrypted with a KMS key (encryptionConfig)."


AWS_EKS_SECRETS = rule(
    meta(
        "aws-eks-secrets-encryption",
        HIGH,
        "EKS clusters envelope-encrypt Kubernetes secrets with a KMS key.",
        'Set `encryption_config={"resources": ["secrets"], "provider": {"key_arn": key.arn}}`.',
        [fsbp("EKS.3"), mcsb("DP-5"), dnssi("Cryptography")],
    ),
    {EKS_CLUSTER: with_props(_eks_secrets)},
)


AWS_DOCDB_ENCRYPTED = rule(
    meta(
        "aws-documentdb-encrypted",
        HIGH,
        "DocumentDB clusters encrypt their storage (off by default).",
        "Set `storage_encrypted=True` (with `kms_key_id` for a customer-managed key).",
        [fsbp("DocumentDB.1"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {
        DOCDB_CLUSTER: require(
            "storageEncrypted",
            equals(True),
            "the DocumentDB cluster's storage is not encrypted (storageEncrypted is {value}).",
            default=DEFAULTS.of(DOCDB_CLUSTER, "storageEncrypted"),
        )
    },
)


AWS_NEPTUNE_ENCRYPTED = rule(
    meta(
        "aws-neptune-encrypted",
        HIGH,
        "Neptune clusters encrypt their storage (off by default).",
        "Set `storage_encrypted=True` (with `kms_key_arn` for a customer-managed key).",
        [fsbp("Neptune.1"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {
        NEPTUNE_CLUSTER: require(
            "storageEncrypted",
            equals(True),
            "the Neptune cluster's storage is not encrypted (storageEncrypted is {value}).",
            default=DEFAULTS.of(NEPTUNE_CLUSTER, "storageEncrypted"),
        )
    },
)


POLICIES: list[Policy] = [
    AWS_EBS_ENCRYPTED,
    AWS_ACCOUNT_EBS_DEFAULT,
    AWS_EBS_DEFAULT_ENABLED,
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
    AWS_ELASTICACHE_AT_REST,
    AWS_ELASTICACHE_IN_TRANSIT,
    AWS_SEARCH_AT_REST,
    AWS_SEARCH_NODE_TO_NODE,
    AWS_SEARCH_HTTPS,
    AWS_REDSHIFT_ENCRYPTED,
    AWS_REDSHIFT_REQUIRE_SSL,
    AWS_MSK_IN_TRANSIT,
    AWS_LAMBDA_ENV_CMK,
    AWS_APIGW_DOMAIN_TLS12,
    AWS_CLOUDFRONT_VIEWER_HTTPS,
    AWS_CLOUDFRONT_VIEWER_TLS12,
    AWS_CLOUDFRONT_ORIGIN_HTTPS,
    AWS_EKS_SECRETS,
    AWS_DOCDB_ENCRYPTED,
    AWS_NEPTUNE_ENCRYPTED,
]
"""This domain's policies, in catalogue order."""
