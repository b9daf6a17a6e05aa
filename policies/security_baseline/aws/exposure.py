"""Public exposure rules for AWS: data and endpoints reachable by anyone.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity, StackValidationArgs

from policies.framework import (
    PERSONAL_DATA_SECURITY,
    Ctx,
    Res,
    Undecided,
    cis_aws,
    dnssi,
    each,
    fsbp,
    get,
    is_true,
    items,
    lower,
    mcsb,
    meta,
    need,
    present,
    rule,
    srule,
    with_props,
)
from policies.framework.documents import bounded, effect, statements, wildcard_principal
from policies.framework.network import open_cidr
from policies.security_baseline.aws.s3 import attached_to_buckets, buckets_and
from policies.security_baseline.aws.tokens import (
    ACCOUNT_PAB,
    AMI_LAUNCH_PERMISSION,
    BUCKET_ACLS,
    BUCKET_PAB,
    BUCKET_POLICY,
    BUCKETS,
    EKS_CLUSTER,
    IAM_ROLE,
    IMAGE_BLOCK_PUBLIC_ACCESS,
    KMS_KEY,
    LAMBDA_PERMISSION,
    RDS_CLUSTER_INSTANCE,
    RDS_CLUSTER_SNAPSHOT,
    RDS_INSTANCE,
    RDS_SNAPSHOT,
    SNAPSHOT_BLOCK_PUBLIC_ACCESS,
    SNS_TOPIC,
    SQS_QUEUE,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
PERSONAL = PERSONAL_DATA_SECURITY


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
        [fsbp("S3.2"), fsbp("S3.3"), fsbp("S3.12"), mcsb("NS-2"), PERSONAL],
    ),
    {**{t: with_props(_s3_acl) for t in BUCKET_ACLS}, **{t: with_props(_s3_acl) for t in BUCKETS}},
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
        [
            fsbp("S3.2"),
            fsbp("Lambda.1"),
            fsbp("SNS.4"),
            fsbp("SQS.3"),
            fsbp("KMS.5"),
            mcsb("PA-7"),
            dnssi("Access control"),
            PERSONAL,
        ],
    ),
    {
        **{t: with_props(_resource_policy_public) for t in _RESOURCE_POLICY_INPUT},
        LAMBDA_PERMISSION: with_props(_lambda_permission_public),
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
        [cis_aws("2.1.4"), fsbp("S3.8"), fsbp("S3.1"), mcsb("NS-2")],
    ),
    {BUCKET_PAB: with_props(_pab_flags), ACCOUNT_PAB: with_props(_pab_flags)},
)


def _pab_present(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = buckets_and(args, [BUCKET_PAB, ACCOUNT_PAB])
    for acct in found[ACCOUNT_PAB]:
        try:
            if all(is_true(acct.props.get(f), f) for f in _PAB_FLAGS):
                return  # the account-level block covers every bucket
        except Undecided:
            continue
    attached = attached_to_buckets(found, [BUCKET_PAB])

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
        [cis_aws("2.1.4"), fsbp("S3.8"), fsbp("S3.1"), mcsb("NS-2")],
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
    {RDS_INSTANCE: with_props(_rds_public), RDS_CLUSTER_INSTANCE: with_props(_rds_public)},
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
        [mcsb("NS-2"), PERSONAL],
    ),
    {AMI_LAUNCH_PERMISSION: with_props(_ami_permission), IMAGE_BLOCK_PUBLIC_ACCESS: with_props(_image_block)},
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
        [fsbp("EC2.1"), fsbp("RDS.1"), mcsb("NS-2"), PERSONAL],
    ),
    {
        SNAPSHOT_BLOCK_PUBLIC_ACCESS: with_props(_snapshot_block),
        RDS_SNAPSHOT: with_props(_rds_snapshot_shared),
        RDS_CLUSTER_SNAPSHOT: with_props(_rds_snapshot_shared),
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
    {EKS_CLUSTER: with_props(_eks_endpoint)},
)


POLICIES: list[Policy] = [
    AWS_S3_ACL_NOT_PUBLIC,
    AWS_RESOURCE_POLICY_NOT_PUBLIC,
    AWS_S3_PAB_FLAGS,
    AWS_S3_PAB_PRESENT,
    AWS_RDS_NOT_PUBLIC,
    AWS_AMI_NOT_PUBLIC,
    AWS_SNAPSHOT_NOT_PUBLIC,
    AWS_EKS_ENDPOINT_NOT_PUBLIC,
]
"""This domain's policies, in catalogue order."""
