"""Public exposure rules for AWS: data and endpoints reachable by anyone.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity, StackValidationArgs

from policies.framework import (
    PERSONAL_DATA_SECURITY,
    UNKNOWN_SENTINELS,
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
from policies.framework.settings import equals, given, require, value_at
from policies.security_baseline.aws.defaults import DEFAULTS
from policies.security_baseline.aws.s3 import attached_to_buckets, buckets_and
from policies.security_baseline.aws.tokens import (
    ACCOUNT_PAB,
    AMI_LAUNCH_PERMISSION,
    APIGW2_ROUTE,
    APIGW_METHOD,
    BUCKET_ACLS,
    BUCKET_OWNERSHIP_CONTROLS,
    BUCKET_PAB,
    BUCKET_POLICY,
    BUCKETS,
    CLOUDFRONT_DISTRIBUTION,
    ECR_PUBLIC_REPOSITORY,
    ECS_TASK_DEFINITION,
    EKS_CLUSTER,
    EMR_BLOCK_PUBLIC_ACCESS,
    IAM_ROLE,
    IMAGE_BLOCK_PUBLIC_ACCESS,
    INSTANCE,
    KMS_KEY,
    LAMBDA_FUNCTION_URL,
    LAMBDA_PERMISSION,
    LAUNCH_TEMPLATE,
    MSK_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_CLUSTER_SNAPSHOT,
    RDS_INSTANCE,
    RDS_SNAPSHOT,
    REDSHIFT_CLUSTER,
    SEARCH_DOMAINS,
    SNAPSHOT_BLOCK_PUBLIC_ACCESS,
    SNS_TOPIC,
    SQS_QUEUE,
    SSM_DOCUMENT,
    SSM_SERVICE_SETTING,
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
    "aws:secretsmanager/secret:Secret": "policy",
    "aws:opensearch/domainPolicy:DomainPolicy": "accessPolicies",
    "aws:opensearch/domain:Domain": "accessPolicies",
    "aws:elasticsearch/domainPolicy:DomainPolicy": "accessPolicies",
    "aws:elasticsearch/domain:Domain": "accessPolicies",
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
    types=[*BUCKETS, BUCKET_PAB, ACCOUNT_PAB],
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


AWS_REDSHIFT_NOT_PUBLIC = rule(
    meta(
        "aws-redshift-not-public",
        CRITICAL,
        "Redshift clusters are not publicly accessible.",
        "Remove `publicly_accessible=True` (it defaults to false) and reach the cluster from private subnets.",
        [fsbp("Redshift.1"), mcsb("NS-2"), PERSONAL],
    ),
    {
        REDSHIFT_CLUSTER: require(
            "publiclyAccessible",
            equals(False),
            "the cluster is publicly accessible.",
            default=DEFAULTS.of(REDSHIFT_CLUSTER, "publiclyAccessible"),
        )
    },
)


def _msk_public(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    kind = lower(value_at(p, "brokerNodeGroupInfo.connectivityInfo.publicAccess.type"), "publicAccess.type")
    if kind == "service_provided_eips":
        yield "the brokers have public IP addresses (publicAccess.type SERVICE_PROVIDED_EIPS)."


AWS_MSK_NOT_PUBLIC = rule(
    meta(
        "aws-msk-not-public",
        CRITICAL,
        "MSK clusters keep public access disabled.",
        'Remove `broker_node_group_info.connectivity_info.public_access` (or set its `type="DISABLED"`).',
        [fsbp("MSK.4"), mcsb("NS-2"), PERSONAL],
    ),
    {MSK_CLUSTER: with_props(_msk_public)},
)


def _search_access(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if given(p, "vpcOptions.subnetIds"):
        return
    if is_true(value_at(p, "advancedSecurityOptions.enabled", False), "advancedSecurityOptions.enabled"):
        return
    yield "the domain has a public endpoint and no fine-grained access control (no vpcOptions, no advancedSecurityOptions)."


AWS_SEARCH_ACCESS = rule(
    meta(
        "aws-opensearch-vpc-or-fine-grained-access",
        HIGH,
        "OpenSearch (and legacy Elasticsearch) domains are placed in a VPC, or else enforce fine-grained access "
        "control on their public endpoint.",
        'Set `vpc_options={"subnet_ids": [...], "security_group_ids": [...]}`, or `advanced_security_options='
        '{"enabled": True, "internal_user_database_enabled": False, "master_user_options": {...}}`.',
        [fsbp("Opensearch.2"), fsbp("Opensearch.7"), fsbp("ES.2"), mcsb("NS-2"), PERSONAL],
    ),
    {t: with_props(_search_access) for t in SEARCH_DOMAINS},
)


AWS_LAMBDA_URL_AUTH = rule(
    meta(
        "aws-lambda-url-requires-auth",
        HIGH,
        "Lambda function URLs require IAM authentication.",
        'Set `authorization_type="AWS_IAM"` (put CloudFront with origin access control in front of a public '
        "function), or exempt a deliberate public webhook with its reason.",
        [fsbp("Lambda.1"), mcsb("IM-1"), dnssi("Access control")],
    ),
    {
        LAMBDA_FUNCTION_URL: require(
            "authorizationType",
            equals("AWS_IAM"),
            "the function URL accepts unauthenticated calls (authorizationType {value}).",
        )
    },
)


AWS_ECR_NO_PUBLIC_REPOSITORY = rule(
    meta(
        "aws-ecr-no-public-repository",
        MEDIUM,
        "Container images are kept in private ECR repositories, not in ECR Public.",
        "Use an `aws.ecr.Repository` (private) and share it through a repository policy bounded to your "
        "organization; publish to ECR Public only images meant for everyone, with an exemption.",
        [mcsb("NS-2"), dnssi("Access control")],
    ),
    {
        ECR_PUBLIC_REPOSITORY: lambda ctx: [
            "the repository is public (ECR Public): anyone can pull its images."
        ]
    },
)


def _ssm_document(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    permissions = p.get("permissions")
    need(permissions, "permissions")
    if not isinstance(permissions, dict):
        return
    # A map of strings whose keys the provider passes through as written: `account_ids` (its documented key).
    accounts = permissions.get("account_ids", permissions.get("accountIds"))
    need(accounts, "permissions.account_ids")
    values = [
        str(a).strip().lower() for a in (accounts if isinstance(accounts, list) else str(accounts).split(","))
    ]
    if "all" in values:
        yield 'the document is shared with every AWS account (permissions.account_ids "All").'


AWS_SSM_DOCUMENT_NOT_PUBLIC = rule(
    meta(
        "aws-ssm-document-not-public",
        CRITICAL,
        "SSM documents are never shared with all AWS accounts.",
        'Share documents with named account ids (`permissions={"type": "Share", "account_ids": "111122223333"}`), '
        'never `"All"`.',
        [fsbp("SSM.4"), mcsb("NS-2"), dnssi("Access control")],
    ),
    {SSM_DOCUMENT: with_props(_ssm_document)},
)


def _ssm_sharing(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    setting = str(need(p.get("settingId"), "settingId") or "")
    if not setting.endswith("/ssm/documents/console/public-sharing-permission"):
        return
    if lower(p.get("settingValue"), "settingValue") != "disable":
        yield "public sharing of SSM documents is switched on for the account (settingValue is not Disable)."


AWS_SSM_PUBLIC_SHARING_BLOCKED = rule(
    meta(
        "aws-ssm-document-public-sharing-blocked",
        MEDIUM,
        "An SSM service setting for document public sharing keeps it blocked.",
        'Set `setting_value="Disable"` on the `aws.ssm.ServiceSetting` for '
        "`/ssm/documents/console/public-sharing-permission`.",
        [fsbp("SSM.7"), mcsb("NS-2"), dnssi("Access control")],
    ),
    {SSM_SERVICE_SETTING: with_props(_ssm_sharing)},
)


def _public_ip(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == INSTANCE:
        if is_true(p.get("associatePublicIpAddress") or False, "associatePublicIpAddress"):
            yield "the instance gets a public IPv4 address (associatePublicIpAddress)."
        return
    for i, nic in enumerate(items(p.get("networkInterfaces"), "networkInterfaces")):
        value = get(nic, "associatePublicIpAddress")
        if value is not None and is_true(value, f"networkInterfaces[{i}].associatePublicIpAddress"):
            yield f"network interface {i} of the launch template gets a public IPv4 address."


AWS_EC2_NO_PUBLIC_IP = rule(
    meta(
        "aws-ec2-no-public-ip",
        HIGH,
        "EC2 instances and launch templates do not assign public IPv4 addresses (load balancers, NAT and, in a "
        "Wavelength zone, carrier IPs face the network instead).",
        "Remove `associate_public_ip_address=True`; publish through a load balancer or, in a Wavelength zone, "
        "`associate_carrier_ip_address`.",
        [fsbp("EC2.9"), fsbp("EC2.25"), mcsb("NS-2"), dnssi("Network security")],
    ),
    {INSTANCE: with_props(_public_ip), LAUNCH_TEMPLATE: with_props(_public_ip)},
)


_EMR_FLAG = "blockPublicSecurityGroupRules"


def _emr_block(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(p.get(_EMR_FLAG), _EMR_FLAG):
        yield "EMR block public access is written but switched off (blockPublicSecurityGroupRules=False)."


AWS_EMR_BLOCK_PUBLIC_ACCESS = rule(
    meta(
        "aws-emr-block-public-access",
        HIGH,
        "The account's EMR block public access configuration keeps public security-group rules blocked.",
        "Set `block_public_security_group_rules=True` (port 22 alone may be listed in "
        "`permitted_public_security_group_rule_ranges` if you must).",
        [fsbp("EMR.2"), mcsb("NS-2"), dnssi("Network security")],
    ),
    {EMR_BLOCK_PUBLIC_ACCESS: with_props(_emr_block)},
)


def _cloudfront_oac(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for i, origin in enumerate(items(p.get("origins"), "origins")):
        label = f"origins[{i}]"
        if present(get(origin, "originAccessControlId")):
            continue
        s3 = get(origin, "s3OriginConfig")
        custom = get(origin, "customOriginConfig")
        need(s3, f"{label}.s3OriginConfig")
        need(custom, f"{label}.customOriginConfig")
        if s3 is None:
            if custom is not None:
                continue  # a custom origin (S3 website endpoints included) has no origin access control
            domain = str(need(get(origin, "domainName"), f"{label}.domainName") or "")
            if ".s3." not in domain and not domain.endswith(".s3.amazonaws.com"):
                continue
        how = (
            "a legacy origin access identity"
            if present(get(s3, "originAccessIdentity"))
            else "no access control"
        )
        yield f"S3 origin {get(origin, 'originId')} uses {how} instead of origin access control."


AWS_CLOUDFRONT_OAC = rule(
    meta(
        "aws-cloudfront-origin-access-control",
        HIGH,
        "CloudFront distributions reach S3 origins through origin access control (not a legacy origin access "
        "identity, not a public bucket).",
        "Create an `aws.cloudfront.OriginAccessControl` (signing_behavior always, sigv4) and set the origin's "
        "`origin_access_control_id`; grant `cloudfront.amazonaws.com` in the bucket policy with `aws:SourceArn`.",
        [fsbp("CloudFront.13"), mcsb("NS-2"), dnssi("Access control")],
    ),
    {CLOUDFRONT_DISTRIBUTION: with_props(_cloudfront_oac)},
)


def _method_auth(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == APIGW2_ROUTE:
        kind = lower(
            value_at(p, "authorizationType", DEFAULTS.of(APIGW2_ROUTE, "authorizationType")),
            "authorizationType",
        )
        if kind == "none":
            yield f"route {p.get('routeKey')} has no authorization (authorizationType NONE)."
        return
    if lower(p.get("httpMethod"), "httpMethod") == "options":
        return  # CORS preflight requests carry no credentials
    kind = lower(p.get("authorization"), "authorization")
    if kind == "none" and not is_true(p.get("apiKeyRequired") or False, "apiKeyRequired"):
        yield f"method {p.get('httpMethod')} has no authorization (authorization NONE, no API key)."


AWS_APIGW_AUTHORIZATION = rule(
    meta(
        "aws-apigateway-authorization",
        HIGH,
        "API Gateway methods and routes require authorization (IAM, Cognito, JWT or a Lambda authorizer); only "
        "CORS preflight (OPTIONS) methods may be open.",
        'Set `authorization="AWS_IAM"` (or `COGNITO_USER_POOLS`/`CUSTOM` with `authorizer_id`) on each '
        "`aws.apigateway.Method`, `authorization_type` on each `aws.apigatewayv2.Route`.",
        [fsbp("APIGateway.8"), mcsb("IM-1"), dnssi("Access control")],
    ),
    {APIGW_METHOD: with_props(_method_auth), APIGW2_ROUTE: with_props(_method_auth)},
)


def _ownership(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    value = get(p, "rule", "objectOwnership")
    need(value, "rule.objectOwnership")
    if str(value) != "BucketOwnerEnforced":
        yield f"object ownership is {value}: ACLs stay enabled on the bucket."


AWS_S3_ACLS_DISABLED = rule(
    meta(
        "aws-s3-acls-disabled",
        MEDIUM,
        "S3 bucket ownership controls disable ACLs (BucketOwnerEnforced, the default of new buckets).",
        'Set `rule={"object_ownership": "BucketOwnerEnforced"}` and grant access with bucket and IAM policies.',
        [fsbp("S3.12"), mcsb("PA-7"), dnssi("Access control")],
    ),
    {BUCKET_OWNERSHIP_CONTROLS: with_props(_ownership)},
)


def _containers(p: dict[str, Any]) -> list[dict[str, Any]]:
    """The task definition's container definitions (a JSON string or a list)."""
    raw = p.get("containerDefinitions")
    need(raw, "containerDefinitions")
    if isinstance(raw, str):
        if any(s in raw for s in UNKNOWN_SENTINELS):
            raise Undecided("containerDefinitions")
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return []
    return [c for c in (raw or []) if isinstance(c, dict)]


def _privileged(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for c in _containers(p):
        if is_true(c.get("privileged") or False, f"{c.get('name')}.privileged"):
            yield f"container {c.get('name')} runs privileged."


AWS_ECS_NOT_PRIVILEGED = rule(
    meta(
        "aws-ecs-task-not-privileged",
        HIGH,
        "ECS task definitions run no privileged container.",
        'Remove `"privileged": true` from the container definitions; grant the Linux capabilities the container '
        "needs in `linuxParameters.capabilities`.",
        [fsbp("ECS.4"), mcsb("PV-2"), dnssi("Access control")],
    ),
    {ECS_TASK_DEFINITION: with_props(_privileged)},
)


def _readonly_root(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for c in _containers(p):
        if not is_true(c.get("readonlyRootFilesystem") or False, f"{c.get('name')}.readonlyRootFilesystem"):
            yield f"container {c.get('name')} can write to its root file system."


AWS_ECS_READONLY_ROOT = rule(
    meta(
        "aws-ecs-task-readonly-root",
        LOW,
        "ECS containers run with a read-only root file system.",
        'Set `"readonlyRootFilesystem": true` on each container definition (mount volumes for the paths it writes).',
        [fsbp("ECS.5"), mcsb("PV-2")],
    ),
    {ECS_TASK_DEFINITION: with_props(_readonly_root)},
)


def _host_network(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if lower(p.get("networkMode"), "networkMode") != "host":
        return
    for c in _containers(p):
        user = c.get("user")
        need(user, f"{c.get('name')}.user")
        privileged = is_true(c.get("privileged") or False, f"{c.get('name')}.privileged")
        if privileged or user is None or str(user).split(":")[0] in ("root", "0"):
            yield f"container {c.get('name')} shares the host's network as root (networkMode host, no non-root user)."


AWS_ECS_HOST_NETWORK = rule(
    meta(
        "aws-ecs-task-host-network-nonroot",
        HIGH,
        "ECS task definitions in host network mode run their containers as a non-root user, unprivileged.",
        'Use `network_mode="awsvpc"`, or set `"user": "<uid>"` (not root) and no `privileged` on each container.',
        [fsbp("ECS.1"), mcsb("PV-2"), dnssi("Network security")],
    ),
    {ECS_TASK_DEFINITION: with_props(_host_network)},
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
    AWS_REDSHIFT_NOT_PUBLIC,
    AWS_MSK_NOT_PUBLIC,
    AWS_SEARCH_ACCESS,
    AWS_LAMBDA_URL_AUTH,
    AWS_ECR_NO_PUBLIC_REPOSITORY,
    AWS_SSM_DOCUMENT_NOT_PUBLIC,
    AWS_SSM_PUBLIC_SHARING_BLOCKED,
    AWS_EC2_NO_PUBLIC_IP,
    AWS_EMR_BLOCK_PUBLIC_ACCESS,
    AWS_CLOUDFRONT_OAC,
    AWS_APIGW_AUTHORIZATION,
    AWS_S3_ACLS_DISABLED,
    AWS_ECS_NOT_PRIVILEGED,
    AWS_ECS_READONLY_ROOT,
    AWS_ECS_HOST_NETWORK,
]
"""This domain's policies, in catalogue order."""
