"""AWS policies of the security-baseline pack (pulumi-aws 7.x type tokens, wire property names)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from policies.common import Undecided, cis_aws, dnssi, fsbp, law_09_08, mcsb
from policies.security_baseline._support import (
    ADMIN_PORTS_SCHEMA,
    Ctx,
    PortRange,
    Res,
    actions,
    admin_ports,
    as_list,
    aws_exposure,
    bounded,
    collect,
    each,
    effect,
    exposure,
    get,
    holds_personal_data,
    is_production,
    is_true,
    items,
    lower,
    meta,
    need,
    number,
    open_cidr,
    present,
    related,
    resources,
    rule,
    srule,
    stack_resources,
    statements,
    unknown,
    wildcard_principal,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

# Type tokens (pulumi-aws 7); the V2 names are pulumi-aws 7's deprecated aliases of the same resources.
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
SSE_CONFIGS = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
VERSIONINGS = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
BUCKET_ACLS = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
EBS_VOLUME = "aws:ebs/volume:Volume"
EBS_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
DYNAMODB_TABLE = "aws:dynamodb/table:Table"
EFS = "aws:efs/fileSystem:FileSystem"
SNS_TOPIC = "aws:sns/topic:Topic"
SQS_QUEUE = "aws:sqs/queue:Queue"
KINESIS_STREAM = "aws:kinesis/stream:Stream"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
NACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
TRAIL = "aws:cloudtrail/trail:Trail"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
RECORDER = "aws:cfg/recorder:Recorder"
RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus"
PASSWORD_POLICY = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"
KMS_KEY = "aws:kms/key:Key"
LOGIN_PROFILE = "aws:iam/userLoginProfile:UserLoginProfile"
ACCESS_KEY = "aws:iam/accessKey:AccessKey"
AMI_LAUNCH_PERMISSION = "aws:ec2/amiLaunchPermission:AmiLaunchPermission"
IMAGE_BLOCK_PUBLIC_ACCESS = "aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess"
SNAPSHOT_BLOCK_PUBLIC_ACCESS = "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess"
RDS_SNAPSHOT = "aws:rds/snapshot:Snapshot"
RDS_CLUSTER_SNAPSHOT = "aws:rds/clusterSnapshot:ClusterSnapshot"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
IAM_ROLE = "aws:iam/role:Role"

PERSONAL = law_09_08("art. 23 (security of processing)")


def _check(fn: Callable[[dict[str, Any], Ctx], Iterable[str]]) -> Callable[[Ctx], Iterable[str]]:
    return lambda ctx: fn(ctx.props, ctx)


# ==================================================================================================
# Encryption at rest


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
        [cis_aws("2.2.1"), fsbp("EC2.3"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {
        EBS_VOLUME: _check(_ebs_volume),
        INSTANCE: _check(_instance_disks),
        LAUNCH_TEMPLATE: _check(_launch_template_disks),
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
        [cis_aws("2.3.1"), fsbp("RDS.3"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {RDS_INSTANCE: _check(_rds_encrypted), RDS_CLUSTER: _check(_rds_encrypted)},
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
        [cis_aws("2.4.1"), fsbp("EFS.1"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    {EFS: _check(_efs_encrypted)},
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
        [fsbp("SNS.1"), mcsb("DP-4")],
    ),
    {SNS_TOPIC: _check(_sns_encrypted)},
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
    {SQS_QUEUE: _check(_sqs_encrypted)},
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
    {KINESIS_STREAM: _check(_kinesis_encrypted)},
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
    elif isinstance(key, str) and not unknown(key) and _AWS_MANAGED_ALIAS.match(key):
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
    {t: _check(_personal_cmk) for t in _CMK_INPUTS},
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


def _buckets_and(args: StackValidationArgs, *others: Iterable[str]) -> dict[str, list[Res]]:
    types = [*BUCKETS]
    for o in others:
        types += list(o)
    found = stack_resources(args, types)
    found["bucket"] = [r for t in BUCKETS for r in found[t]]
    return found


def _attach(found: dict[str, list[Res]], kinds: Iterable[str]) -> dict[str, list[Res] | None]:
    """For each bucket URN, the resources of ``kinds`` attached to it (``None``: one could not be related)."""
    attached: dict[str, list[Res] | None] = {b.urn: [] for b in found["bucket"]}
    unrelated = False
    for kind in kinds:
        for res in found[kind]:
            targets = related(res, "bucket", found["bucket"], name_prop="bucket")
            if targets is None:
                unrelated = True
                continue
            for t in targets:
                lst = attached[t.urn]
                if lst is not None:
                    lst.append(res)
    if unrelated:
        # A configuration whose bucket is unknown and has no dependency may belong to any bucket
        # that lacks one: those cannot be decided.
        for urn, lst in attached.items():
            if not lst:
                attached[urn] = None
    return attached


def _s3_encryption(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = _buckets_and(args, SSE_CONFIGS)
    attached = _attach(found, SSE_CONFIGS)

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
        [mcsb("DP-4"), fsbp("S3.4"), dnssi("Cryptography")],
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
            if isinstance(key, str) and not unknown(key) and _AWS_MANAGED_ALIAS.match(key):
                continue
            return True
    return False


def _s3_personal_cmk(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = _buckets_and(args, SSE_CONFIGS)
    attached = _attach(found, SSE_CONFIGS)

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


# ==================================================================================================
# Encryption in transit


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
        [fsbp("ELB.1"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {t: _check(_listener_plain_http) for t in LISTENERS},
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
    {t: _check(_listener_tls) for t in LISTENERS},
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
    found = _buckets_and(args, [BUCKET_POLICY])
    attached = _attach(found, [BUCKET_POLICY])

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


# ==================================================================================================
# Public exposure

_PUBLIC_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
_PUBLIC_GRANTEES = (
    "acs.amazonaws.com/groups/global/allusers",
    "acs.amazonaws.com/groups/global/authenticatedusers",
)


def _s3_acl(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    acl = lower(p.get("acl"), "acl")
    if acl in _PUBLIC_ACLS:
        yield f"the canned ACL {acl} makes the bucket public."
    grants = get(p, "accessControlPolicy", "grants")
    for i, g in enumerate(items(grants, "accessControlPolicy.grants")):
        uri = lower(get(g, "grantee", "uri"), f"accessControlPolicy.grants[{i}].grantee.uri")
        if any(x in uri for x in _PUBLIC_GRANTEES):
            yield f"an ACL grant goes to {uri}, i.e. to everyone."


AWS_S3_ACL_NOT_PUBLIC = rule(
    meta(
        "aws-s3-acl-not-public",
        CRITICAL,
        "S3 buckets are not made public through ACLs (public-read, public-read-write, authenticated-read, "
        "or grants to AllUsers/AuthenticatedUsers).",
        'Remove the public ACL (use `private`), prefer `BucketOwnershipControls(object_ownership="BucketOwnerEnforced")`, '
        "and share through bucket policies bounded to your organization.",
        [fsbp("S3.2"), cis_aws("2.1.4"), mcsb("NS-2"), PERSONAL],
    ),
    {**{t: _check(_s3_acl) for t in BUCKET_ACLS}, **{t: _check(_s3_acl) for t in BUCKETS}},
)


_RESOURCE_POLICY_INPUT: dict[str, str] = {
    BUCKET_POLICY: "policy",
    BUCKETS[0]: "policy",
    BUCKETS[1]: "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    SQS_QUEUE: "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    SNS_TOPIC: "policy",
    KMS_KEY: "policy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:opensearch/domainPolicy:DomainPolicy": "accessPolicies",
    "aws:glacier/vault:Vault": "accessPolicy",
    "aws:backup/vaultPolicy:VaultPolicy": "policy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
    IAM_ROLE: "assumeRolePolicy",
}


def _public_statements(doc: Any, what: str) -> Iterator[str]:
    for i, s in enumerate(statements(doc, what)):
        w = f"{what} Statement[{i}]"
        if effect(s, w) != "allow":
            continue  # a Deny with a wildcard principal (e.g. TLS-only) restricts, it does not expose
        if wildcard_principal(s, w) and not bounded(s, w):
            sid = s.get("sid")
            yield (
                f'statement {sid or i} allows any principal ("*") without a condition bounding it to an '
                "organization, account, source ARN or VPC endpoint."
            )


def _resource_policy_public(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    prop = _RESOURCE_POLICY_INPUT[ctx.type]
    yield from _public_statements(p.get(prop), prop)


def _lambda_permission_public(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    principal = need(p.get("principal"), "principal")
    if principal != "*":
        return
    if any(present(p.get(k)) for k in ("sourceArn", "sourceAccount", "principalOrgId")):
        return
    yield 'the permission lets any principal invoke the function (principal "*" with no source or org bound).'


AWS_RESOURCE_POLICY_NOT_PUBLIC = rule(
    meta(
        "aws-resource-policy-not-public",
        CRITICAL,
        "Resource policies (S3, SQS, SNS, KMS, ECR, Secrets Manager, OpenSearch, Glacier, Backup, EFS, "
        "role trust policies, Lambda permissions) do not Allow a wildcard principal without a bounding "
        "condition (aws:PrincipalOrgID, aws:SourceArn, aws:SourceAccount, aws:SourceVpce...). A Deny with a "
        "wildcard principal is a guardrail, not exposure.",
        "Name the principals, or add a condition such as "
        '`{"StringEquals": {"aws:PrincipalOrgID": "o-xxxx"}}` or `aws:SourceArn`/`aws:SourceAccount` for '
        "service principals.",
        [fsbp("S3.2"), fsbp("Lambda.1"), mcsb("PA-7"), dnssi("Access control"), PERSONAL],
    ),
    {
        **{t: _check(_resource_policy_public) for t in _RESOURCE_POLICY_INPUT},
        LAMBDA_PERMISSION: _check(_lambda_permission_public),
    },
)

_PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _pab_flags(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    off = [f for f in _PAB_FLAGS if not is_true(p.get(f), f)]
    if off:
        yield f"public-access-block flags not set to true: {', '.join(off)}."


AWS_S3_PAB_FLAGS = rule(
    meta(
        "aws-s3-public-access-block-flags",
        HIGH,
        "S3 public-access blocks (bucket and account level) set all four flags to true.",
        "Set `block_public_acls`, `block_public_policy`, `ignore_public_acls` and `restrict_public_buckets` "
        "to True.",
        [cis_aws("2.1.4"), fsbp("S3.8"), mcsb("NS-2")],
    ),
    {BUCKET_PAB: _check(_pab_flags), ACCOUNT_PAB: _check(_pab_flags)},
)


def _pab_present(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = _buckets_and(args, [BUCKET_PAB, ACCOUNT_PAB])
    for acct in found[ACCOUNT_PAB]:
        try:
            if all(is_true(acct.props.get(f), f) for f in _PAB_FLAGS):
                return  # the account-level block covers every bucket
        except Undecided:
            continue
    attached = _attach(found, [BUCKET_PAB])

    def check(bucket: Res) -> None:
        pabs = attached[bucket.urn]
        if pabs is None:
            raise Undecided(f"the bucket of a public-access block (for {bucket.urn})")
        if not pabs:
            fail("the bucket has no public-access block (and the stack has no account-level block).", bucket)

    each(found["bucket"], check)


AWS_S3_PAB_PRESENT = srule(
    meta(
        "aws-s3-public-access-block-present",
        MEDIUM,
        "Every S3 bucket has a public-access block, unless the stack sets the account-level block.",
        "Add `aws.s3.BucketPublicAccessBlock(bucket=bucket.id, ...)` with all four flags true (or an "
        "`aws.s3.AccountPublicAccessBlock` in the landing zone).",
        [cis_aws("2.1.4"), fsbp("S3.8"), mcsb("NS-2")],
    ),
    _pab_present,
)


def _rds_public(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if is_true(p.get("publiclyAccessible"), "publiclyAccessible"):
        yield "the database instance is publicly accessible."


AWS_RDS_NOT_PUBLIC = rule(
    meta(
        "aws-rds-not-public",
        CRITICAL,
        "RDS instances and Aurora cluster instances are not publicly accessible.",
        "Set `publicly_accessible=False` and reach the database through private subnets.",
        [cis_aws("2.3.3"), fsbp("RDS.2"), mcsb("NS-2"), PERSONAL],
    ),
    {RDS_INSTANCE: _check(_rds_public), RDS_CLUSTER_INSTANCE: _check(_rds_public)},
)


def _ami_permission(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if lower(p.get("group"), "group") == "all":
        yield 'the AMI launch permission shares the image with everyone (group "all").'


def _image_block(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    state = lower(p.get("state"), "state")
    if state != "block-new-sharing":
        yield f"image block public access is {state or 'not set'}, not block-new-sharing."


AWS_AMI_NOT_PUBLIC = rule(
    meta(
        "aws-ami-not-public",
        CRITICAL,
        "AMIs are never shared publicly, and image block public access stays on.",
        'Share AMIs with account ids or an organization ARN, not `group="all"`; keep '
        '`aws.ec2.ImageBlockPublicAccess(state="block-new-sharing")`.',
        [fsbp("EC2.1"), mcsb("DP-2"), PERSONAL],
    ),
    {AMI_LAUNCH_PERMISSION: _check(_ami_permission), IMAGE_BLOCK_PUBLIC_ACCESS: _check(_image_block)},
)


def _snapshot_block(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    state = lower(p.get("state"), "state")
    if state not in ("block-all-sharing", "block-new-sharing"):
        yield f"snapshot block public access is {state or 'not set'}."


def _rds_snapshot_shared(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for a in items(p.get("sharedAccounts"), "sharedAccounts"):
        if lower(a, "sharedAccounts[]") == "all":
            yield 'the snapshot is shared with everyone (sharedAccounts contains "all").'


AWS_SNAPSHOT_NOT_PUBLIC = rule(
    meta(
        "aws-snapshot-not-public",
        CRITICAL,
        "EBS and RDS snapshots are never public, and EBS snapshot block public access stays on.",
        'Share snapshots with named accounts only (never `"all"`); keep '
        '`aws.ebs.SnapshotBlockPublicAccess(state="block-all-sharing")`.',
        [fsbp("EC2.1"), fsbp("RDS.1"), mcsb("DP-2"), PERSONAL],
    ),
    {
        SNAPSHOT_BLOCK_PUBLIC_ACCESS: _check(_snapshot_block),
        RDS_SNAPSHOT: _check(_rds_snapshot_shared),
        RDS_CLUSTER_SNAPSHOT: _check(_rds_snapshot_shared),
    },
)


def _eks_endpoint(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    vpc = p.get("vpcConfig")
    need(vpc, "vpcConfig")
    public = get(vpc, "endpointPublicAccess")
    if public is not None and not is_true(public, "vpcConfig.endpointPublicAccess"):
        return
    cidrs = items(get(vpc, "publicAccessCidrs"), "vpcConfig.publicAccessCidrs")
    if not cidrs:
        yield "the API endpoint is public to the Internet (endpointPublicAccess defaults to true, no CIDR limit)."
        return
    for c in cidrs:
        if open_cidr(c, "vpcConfig.publicAccessCidrs[]"):
            yield f"the public API endpoint accepts {c}."
            return


AWS_EKS_ENDPOINT_NOT_PUBLIC = rule(
    meta(
        "aws-eks-endpoint-not-public",
        HIGH,
        "EKS API endpoints are private, or public only to named CIDR ranges.",
        "Set `vpc_config.endpoint_public_access=False` and `endpoint_private_access=True` (or list "
        "`public_access_cidrs` without 0.0.0.0/0).",
        [fsbp("EKS.1"), mcsb("NS-2"), dnssi("Network security")],
    ),
    {EKS_CLUSTER: _check(_eks_endpoint)},
)


# ==================================================================================================
# Network exposure


def _sg_entries(p: dict[str, Any], ctx: Ctx) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, rule) for each inbound rule a resource declares, normalized to SecurityGroupRule shape."""
    if ctx.type in (SECURITY_GROUP, DEFAULT_SECURITY_GROUP):
        for i, r in enumerate(items(p.get("ingress"), "ingress")):
            need(r, f"ingress[{i}]")
            yield f"ingress[{i}]", r
    elif ctx.type == SG_RULE:
        if lower(p.get("type"), "type") == "ingress":
            yield "rule", p
    elif ctx.type == SG_INGRESS_RULE:
        yield (
            "rule",
            {
                "protocol": p.get("ipProtocol"),
                "fromPort": p.get("fromPort"),
                "toPort": p.get("toPort"),
                "cidrBlocks": [p.get("cidrIpv4")] if p.get("cidrIpv4") is not None else [],
                "ipv6CidrBlocks": [p.get("cidrIpv6")] if p.get("cidrIpv6") is not None else [],
            },
        )


def _sources(r: dict[str, Any], label: str) -> list[Any]:
    out: list[Any] = []
    for key in ("cidrBlocks", "ipv6CidrBlocks"):
        out += items(r.get(key), f"{label}.{key}")
    return out


def _relevance(want_all: bool, ports: tuple[int, ...]) -> Callable[[PortRange], bool]:
    if want_all:
        return lambda rng: rng.all
    return lambda rng: not rng.all and bool(rng.hits(ports))


def _message(rng: PortRange, opened: list[str], ports: tuple[int, ...], where: str) -> str:
    if rng.all:
        return f"inbound {where} from {', '.join(opened)} opens all ports to the Internet."
    hit = ", ".join(map(str, rng.hits(ports)))
    return f"inbound {where} from {', '.join(opened)} opens administration port(s) {hit} ({rng}) to the Internet."


def _sg_findings(ctx: Ctx, want_all: bool) -> Iterator[str]:
    ports = admin_ports(ctx.config)
    relevant = _relevance(want_all, ports)

    def one(label: str, r: dict[str, Any]) -> Callable[[], Iterable[str]]:
        def run() -> Iterable[str]:
            found = exposure(
                lambda: aws_exposure(r.get("protocol"), r.get("fromPort"), r.get("toPort"), label),
                relevant,
                _sources(r, label),
                open_cidr,
                f"{label} source",
            )
            return [] if found is None else [_message(*found, ports, label)]

        return run

    yield from collect(one(label, r) for label, r in _sg_entries(ctx.props, ctx))


_SG_TYPES = (SECURITY_GROUP, DEFAULT_SECURITY_GROUP, SG_RULE, SG_INGRESS_RULE)

AWS_SG_ADMIN_PORTS = rule(
    meta(
        "aws-sg-admin-ports-open",
        CRITICAL,
        "No security-group rule (inline, SecurityGroupRule or SecurityGroupIngressRule) opens a remote "
        "administration port (22, 3389, 5985, 5986 by default) to 0.0.0.0/0 or ::/0.",
        "Reach instances through SSM Session Manager or a bastion; restrict the rule to known CIDRs or "
        "a source security group.",
        [cis_aws("5.2"), cis_aws("5.3"), fsbp("EC2.13"), mcsb("NS-1"), dnssi("Network security")],
        config=ADMIN_PORTS_SCHEMA,
    ),
    {t: (lambda ctx: _sg_findings(ctx, want_all=False)) for t in _SG_TYPES},
)

AWS_SG_ALL_PORTS = rule(
    meta(
        "aws-sg-all-ports-open",
        CRITICAL,
        "No security-group rule opens all ports (protocol -1, or 0-65535) to 0.0.0.0/0 or ::/0.",
        "Open only the ports the service needs (e.g. 443), from the narrowest source.",
        [cis_aws("5.2"), cis_aws("5.3"), fsbp("EC2.18"), mcsb("NS-1"), dnssi("Network security")],
    ),
    {t: (lambda ctx: _sg_findings(ctx, want_all=True)) for t in _SG_TYPES},
)


def _nacl_findings(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    ports = admin_ports(ctx.config)
    entries: list[tuple[str, dict[str, Any]]] = []
    if ctx.type == NACL_RULE:
        if is_true(p.get("egress"), "egress"):
            return
        entries.append(("rule", {**p, "action": p.get("ruleAction")}))
    else:
        for i, r in enumerate(items(p.get("ingress"), "ingress")):
            need(r, f"ingress[{i}]")
            entries.append((f"ingress[{i}]", r))

    def one(label: str, r: dict[str, Any]) -> Callable[[], Iterable[str]]:
        def run() -> Iterable[str]:
            if lower(r.get("action"), f"{label} action") != "allow":
                return []
            found = exposure(
                lambda: aws_exposure(r.get("protocol"), r.get("fromPort"), r.get("toPort"), label),
                lambda rng: bool(rng.hits(ports)),
                [c for c in (r.get("cidrBlock"), r.get("ipv6CidrBlock")) if c is not None],
                open_cidr,
                f"{label} cidr",
            )
            if found is None:
                return []
            rng, opened = found
            hit = ", ".join(map(str, rng.hits(ports)))
            return [
                f"the NACL allows {label} from {', '.join(opened)} to administration port(s) {hit} ({rng})."
            ]

        return run

    yield from collect(one(label, r) for label, r in entries)


AWS_NACL_ADMIN_PORTS = rule(
    meta(
        "aws-nacl-admin-ports-open",
        MEDIUM,
        "No network ACL allows inbound traffic from 0.0.0.0/0 or ::/0 to remote administration ports "
        "(directly or through an all-ports rule).",
        "Add a deny entry for 22/3389 from 0.0.0.0/0 before the allow entries, or narrow the allow rules.",
        [cis_aws("5.1"), fsbp("EC2.21"), mcsb("NS-1"), dnssi("Network security")],
        config=ADMIN_PORTS_SCHEMA,
    ),
    {NACL: _check(_nacl_findings), DEFAULT_NACL: _check(_nacl_findings), NACL_RULE: _check(_nacl_findings)},
)


def _default_sg(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    ingress = items(p.get("ingress"), "ingress")
    egress = items(p.get("egress"), "egress")
    if ingress or egress:
        yield "the VPC's default security group has rules; it must restrict all traffic."


AWS_DEFAULT_SG_CLOSED = rule(
    meta(
        "aws-default-sg-restricts-all",
        MEDIUM,
        "A managed default security group has no ingress or egress rules.",
        "Declare `aws.ec2.DefaultSecurityGroup(vpc_id=...)` with no `ingress`/`egress`, and use dedicated "
        "security groups.",
        [cis_aws("5.4"), fsbp("EC2.2"), mcsb("NS-1")],
    ),
    {DEFAULT_SECURITY_GROUP: _check(_default_sg)},
)


# ==================================================================================================
# Logging


def _trail(prop: str, message: str, default: bool = False) -> Callable[[Ctx], Iterable[str]]:
    def fn(ctx: Ctx) -> Iterator[str]:
        value = ctx.props.get(prop)
        if value is None:
            if not default:
                yield message
        elif not is_true(value, prop):
            yield message

    return fn


AWS_CLOUDTRAIL_MULTI_REGION = rule(
    meta(
        "aws-cloudtrail-multi-region",
        HIGH,
        "CloudTrail trails record every region.",
        "Set `is_multi_region_trail=True` (and `include_global_service_events=True`).",
        [cis_aws("3.1"), fsbp("CloudTrail.1"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    {TRAIL: _trail("isMultiRegionTrail", "the trail is not multi-region.")},
)

AWS_CLOUDTRAIL_VALIDATION = rule(
    meta(
        "aws-cloudtrail-log-file-validation",
        MEDIUM,
        "CloudTrail trails validate their log files (digest files).",
        "Set `enable_log_file_validation=True`.",
        [cis_aws("3.2"), fsbp("CloudTrail.4"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    {TRAIL: _trail("enableLogFileValidation", "log-file validation is off.")},
)


def _trail_kms(ctx: Ctx) -> Iterator[str]:
    if not present(ctx.props.get("kmsKeyId")):
        yield "the trail's logs are not encrypted with a KMS key (no kmsKeyId)."


AWS_CLOUDTRAIL_KMS = rule(
    meta(
        "aws-cloudtrail-kms-encrypted",
        MEDIUM,
        "CloudTrail logs are encrypted with a customer-managed KMS key.",
        "Set `kms_key_id` to an `aws.kms.Key` ARN whose policy lets cloudtrail.amazonaws.com use it.",
        [cis_aws("3.5"), fsbp("CloudTrail.2"), mcsb("DP-5"), dnssi("Logging and monitoring")],
    ),
    {TRAIL: _trail_kms},
)

AWS_CLOUDTRAIL_LOGGING = rule(
    meta(
        "aws-cloudtrail-logging-enabled",
        HIGH,
        "CloudTrail trails are logging (enable_logging is not false).",
        "Remove `enable_logging=False` (it defaults to true).",
        [cis_aws("3.1"), fsbp("CloudTrail.1"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    {TRAIL: _trail("enableLogging", "logging is turned off on the trail.", default=True)},
)


def _flow_logs(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [VPC, FLOW_LOG])
    vpcs = found[VPC]
    covered: set[str] = set()
    undecided_logs = []
    for fl in found[FLOW_LOG]:
        targets = related(fl, "vpcId", vpcs)
        if targets is None:
            undecided_logs.append(fl)
            continue
        covered.update(t.urn for t in targets)
    for vpc in vpcs:
        if vpc.urn in covered:
            continue
        if undecided_logs:
            raise Undecided(f"the VPC of flow log {undecided_logs[0].urn} (for {vpc.urn})")
        fail("the VPC has no flow log.", vpc)


AWS_VPC_FLOW_LOGS = srule(
    meta(
        "aws-vpc-flow-logs",
        MEDIUM,
        "Every VPC in the stack has a flow log (related through the flow log's vpc_id dependency).",
        '`aws.ec2.FlowLog(vpc_id=vpc.id, traffic_type="ALL", log_destination=...)` for each VPC.',
        [cis_aws("3.7"), fsbp("EC2.6"), mcsb("LT-4"), dnssi("Logging and monitoring")],
    ),
    _flow_logs,
)


def _recorder_started(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [RECORDER, RECORDER_STATUS])
    recorders = found[RECORDER]
    started: set[str] = set()
    undecided: list[Res] = []
    for st in found[RECORDER_STATUS]:
        targets = related(st, "name", recorders, name_prop="name")
        if targets is None:
            undecided.append(st)
            continue
        if is_true(st.props.get("isEnabled"), f"{st.urn} isEnabled"):
            started.update(t.urn for t in targets)
    for rec in recorders:
        if rec.urn in started:
            continue
        if undecided:
            raise Undecided(f"the recorder of {undecided[0].urn} (for {rec.urn})")
        fail("the Config recorder is never started (no RecorderStatus with is_enabled=True).", rec)


AWS_CONFIG_RECORDER_STARTED = srule(
    meta(
        "aws-config-recorder-started",
        MEDIUM,
        "Every AWS Config recorder has a RecorderStatus that starts it.",
        "Add `aws.cfg.RecorderStatus(name=recorder.name, is_enabled=True)` (after the delivery channel).",
        [cis_aws("3.3"), fsbp("Config.1"), mcsb("AM-2"), dnssi("Logging and monitoring")],
    ),
    _recorder_started,
)


def has_aws_resources(args: StackValidationArgs) -> bool:
    """Whether the stack manages AWS resources (account-level checks apply only then)."""
    return any(r.resource_type.startswith("aws:") for r in args.resources)


def _presence(
    types: tuple[str, ...], what: str
) -> Callable[[StackValidationArgs, Callable[[str, Any], None]], None]:
    wanted = set(types)

    def check(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
        if not has_aws_resources(args) or any(r.resource_type in wanted for r in args.resources):
            return
        fail(f"the stack declares no {what}.", None)

    return check


_WORKLOAD = (
    " A workload stack whose account is covered by the landing zone disables it in "
    "`stacks/<stack>.policy.json`."
)

AWS_ACCOUNT_CLOUDTRAIL = srule(
    meta(
        "aws-account-cloudtrail-present",
        MEDIUM,
        "The landing-zone stack declares a CloudTrail trail.",
        "Declare an organization or multi-region `aws.cloudtrail.Trail`." + _WORKLOAD,
        [cis_aws("3.1"), fsbp("CloudTrail.1"), mcsb("LT-3"), dnssi("Logging and monitoring")],
    ),
    _presence((TRAIL,), "CloudTrail trail"),
)

AWS_ACCOUNT_CONFIG = srule(
    meta(
        "aws-account-config-recorder-present",
        MEDIUM,
        "The landing-zone stack declares an AWS Config recorder.",
        "Declare `aws.cfg.Recorder` with a delivery channel and a RecorderStatus." + _WORKLOAD,
        [cis_aws("3.3"), fsbp("Config.1"), mcsb("AM-2"), dnssi("Logging and monitoring")],
    ),
    _presence((RECORDER,), "AWS Config recorder"),
)

AWS_ACCOUNT_PASSWORD_POLICY = srule(
    meta(
        "aws-account-password-policy-present",
        MEDIUM,
        "The landing-zone stack declares the account password policy.",
        "Declare `aws.iam.AccountPasswordPolicy` (see aws-iam-password-policy-strong)." + _WORKLOAD,
        [cis_aws("1.8"), fsbp("IAM.7"), mcsb("IM-6"), dnssi("Access control")],
    ),
    _presence((PASSWORD_POLICY,), "IAM account password policy"),
)

AWS_ACCOUNT_EBS_DEFAULT = srule(
    meta(
        "aws-account-ebs-default-encryption-present",
        MEDIUM,
        "The landing-zone stack turns on EBS encryption by default.",
        "Declare `aws.ebs.EncryptionByDefault(enabled=True)` (and `aws.ebs.DefaultKmsKey` for a "
        "customer-managed key) in each region." + _WORKLOAD,
        [cis_aws("2.2.1"), fsbp("EC2.7"), mcsb("DP-4"), dnssi("Cryptography")],
    ),
    _ebs_default_present,
)


# ==================================================================================================
# Key management


def _kms_rotation(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    spec = lower(p.get("customerMasterKeySpec") or p.get("keySpec") or "SYMMETRIC_DEFAULT", "keySpec")
    usage = lower(p.get("keyUsage") or "ENCRYPT_DECRYPT", "keyUsage")
    if spec != "symmetric_default" or usage != "encrypt_decrypt":
        return  # only symmetric encryption keys support automatic rotation
    if not is_true(p.get("enableKeyRotation"), "enableKeyRotation"):
        yield "automatic key rotation is off."


AWS_KMS_ROTATION = rule(
    meta(
        "aws-kms-key-rotation",
        MEDIUM,
        "Symmetric customer-managed KMS keys rotate automatically.",
        "Set `enable_key_rotation=True` (optionally `rotation_period_in_days`).",
        [cis_aws("3.6"), fsbp("KMS.4"), mcsb("DP-6"), dnssi("Cryptography")],
    ),
    {KMS_KEY: _check(_kms_rotation)},
)


# ==================================================================================================
# Identity

_POLICY_DOCS: dict[str, str] = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": "inlinePolicy",
}


def _full_admin(doc: Any, what: str) -> Iterator[str]:
    for i, s in enumerate(statements(doc, what)):
        w = f"{what} Statement[{i}]"
        if effect(s, w) != "allow":
            continue  # a Deny of * (an SCP guardrail) is not a grant
        if "*" in actions(s, w) and "*" in resources(s, w):
            yield f'statement {s.get("sid") or i} allows "*" on "*" (full administrator).'


def _iam_admin(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == IAM_ROLE:
        for i, inline in enumerate(items(p.get("inlinePolicies"), "inlinePolicies")):
            yield from _full_admin(get(inline, "policy"), f"inlinePolicies[{i}].policy")
        return
    prop = _POLICY_DOCS[ctx.type]
    yield from _full_admin(p.get(prop), prop)


AWS_IAM_NO_FULL_ADMIN = rule(
    meta(
        "aws-iam-no-full-admin-policy",
        CRITICAL,
        "IAM policies (managed, inline, role inline, IAM Identity Center permission-set inline) never Allow "
        '"*" on "*". A Deny of "*" (a guardrail) is fine; SCPs and RCPs only filter, so they are not checked.',
        "Grant the actions and resources the role needs; keep break-glass administration in IAM Identity "
        "Center permission sets with the AWS-managed AdministratorAccess, assigned to few.",
        [cis_aws("1.16"), fsbp("IAM.1"), mcsb("PA-7"), dnssi("Access control")],
    ),
    {**{t: _check(_iam_admin) for t in _POLICY_DOCS}, IAM_ROLE: _check(_iam_admin)},
)


def _always(message: str) -> Callable[[Ctx], Iterable[str]]:
    return lambda ctx: [message]


AWS_IAM_NO_CONSOLE_PASSWORD = rule(
    meta(
        "aws-iam-user-no-console-password",
        HIGH,
        "IAM users have no console password: people sign in through IAM Identity Center (SSO).",
        "Remove the `aws.iam.UserLoginProfile`; give the person an Identity Center user and a permission set.",
        [cis_aws("1.21"), mcsb("IM-1"), dnssi("Access control")],
    ),
    {LOGIN_PROFILE: _always("the IAM user gets a console password (UserLoginProfile).")},
)

AWS_IAM_NO_ACCESS_KEYS = rule(
    meta(
        "aws-iam-user-no-access-keys",
        HIGH,
        "IAM users have no long-lived access keys: workloads use roles, people use SSO.",
        "Remove the `aws.iam.AccessKey`; use an IAM role (instance profile, IRSA, OIDC federation for CI).",
        [cis_aws("1.21"), fsbp("IAM.3"), mcsb("IM-3"), dnssi("Access control")],
    ),
    {ACCESS_KEY: _always("the IAM user gets a long-lived access key (AccessKey).")},
)


def _password_policy(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    length = number(p.get("minimumPasswordLength"), "minimumPasswordLength")
    if length is None or length < 14:
        yield f"minimum password length is {int(length) if length is not None else 8}, below 14."
    reuse = number(p.get("passwordReusePrevention"), "passwordReusePrevention")
    if reuse is None or reuse < 24:
        yield f"password reuse prevention is {int(reuse) if reuse is not None else 0}, below 24."


AWS_IAM_PASSWORD_POLICY = rule(
    meta(
        "aws-iam-password-policy-strong",
        MEDIUM,
        "The account password policy requires at least 14 characters and prevents reuse of the last 24.",
        "Set `minimum_password_length=14` (or more) and `password_reuse_prevention=24`.",
        [cis_aws("1.8"), cis_aws("1.9"), fsbp("IAM.7"), mcsb("IM-6"), dnssi("Access control")],
    ),
    {PASSWORD_POLICY: _check(_password_policy)},
)


# ==================================================================================================
# Durability


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
    {RDS_INSTANCE: _check(_rds_backups), RDS_CLUSTER: _check(_rds_backups)},
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
        [fsbp("RDS.8"), mcsb("BR-2"), dnssi("Backup")],
        config=PRODUCTION_SCHEMA,
    ),
    {RDS_INSTANCE: _check(_rds_deletion), RDS_CLUSTER: _check(_rds_deletion)},
)


def _versioning_on(res: Res) -> bool:
    status = lower(
        get(res.props, "versioningConfiguration", "status"), f"{res.urn} versioningConfiguration.status"
    )
    return status == "enabled"


def _s3_versioning(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = _buckets_and(args, VERSIONINGS)
    attached = _attach(found, VERSIONINGS)

    def check(bucket: Res) -> None:
        if not holds_personal_data(bucket.props):
            return
        inline = bucket.props.get("versioning")
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
        [fsbp("S3.14"), mcsb("BR-1"), PERSONAL, dnssi("Backup")],
    ),
    _s3_versioning,
)


POLICIES = [
    # encryption at rest
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
    # encryption in transit
    AWS_LB_NO_PLAIN_HTTP,
    AWS_LB_TLS12,
    AWS_S3_DENY_INSECURE_TRANSPORT,
    # public exposure
    AWS_S3_ACL_NOT_PUBLIC,
    AWS_RESOURCE_POLICY_NOT_PUBLIC,
    AWS_S3_PAB_FLAGS,
    AWS_S3_PAB_PRESENT,
    AWS_RDS_NOT_PUBLIC,
    AWS_AMI_NOT_PUBLIC,
    AWS_SNAPSHOT_NOT_PUBLIC,
    AWS_EKS_ENDPOINT_NOT_PUBLIC,
    # network exposure
    AWS_SG_ADMIN_PORTS,
    AWS_SG_ALL_PORTS,
    AWS_NACL_ADMIN_PORTS,
    AWS_DEFAULT_SG_CLOSED,
    # logging
    AWS_CLOUDTRAIL_MULTI_REGION,
    AWS_CLOUDTRAIL_VALIDATION,
    AWS_CLOUDTRAIL_KMS,
    AWS_CLOUDTRAIL_LOGGING,
    AWS_VPC_FLOW_LOGS,
    AWS_CONFIG_RECORDER_STARTED,
    AWS_ACCOUNT_CLOUDTRAIL,
    AWS_ACCOUNT_CONFIG,
    AWS_ACCOUNT_PASSWORD_POLICY,
    # key management
    AWS_KMS_ROTATION,
    # identity
    AWS_IAM_NO_FULL_ADMIN,
    AWS_IAM_NO_CONSOLE_PASSWORD,
    AWS_IAM_NO_ACCESS_KEYS,
    AWS_IAM_PASSWORD_POLICY,
    # durability
    AWS_RDS_BACKUP_RETENTION,
    AWS_RDS_DELETION_PROTECTION,
    AWS_S3_VERSIONING_PERSONAL,
]
