"""Identity rules for AWS: administrative privileges, long-lived credentials, password policy.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import (
    Ctx,
    cis_aws,
    dnssi,
    fsbp,
    get,
    is_true,
    items,
    lower,
    mcsb,
    meta,
    need,
    number,
    present,
    rule,
    with_props,
)
from policies.framework.documents import BOUNDING_CONDITION_KEYS, actions, effect, resources, statements
from policies.framework.settings import value_at
from policies.framework.values import as_list
from policies.security_baseline.aws.tokens import (
    ACCESS_KEY,
    ELASTICACHE_REPLICATION_GROUP,
    IAM_POLICY,
    IAM_ROLE,
    INSTANCE,
    LAUNCH_TEMPLATE,
    LOGIN_PROFILE,
    MSK_CLUSTER,
    PASSWORD_POLICY,
    POLICY_ATTACHMENT,
    USER_POLICY,
    USER_POLICY_ATTACHMENT,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


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
        [fsbp("IAM.1"), mcsb("PA-7"), dnssi("Access control")],
    ),
    {**{t: with_props(_iam_admin) for t in _POLICY_DOCS}, IAM_ROLE: with_props(_iam_admin)},
)


def _always(message: str) -> Callable[[Ctx], Iterable[str]]:
    return lambda ctx: [message]


AWS_IAM_NO_CONSOLE_PASSWORD = rule(
    meta(
        "aws-iam-user-no-console-password",
        HIGH,
        "IAM users have no console password: people sign in through IAM Identity Center (SSO).",
        "Remove the `aws.iam.UserLoginProfile`; give the person an Identity Center user and a permission set.",
        [mcsb("IM-1"), fsbp("IAM.5"), dnssi("Access control")],
    ),
    {LOGIN_PROFILE: _always("the IAM user gets a console password (UserLoginProfile).")},
)


AWS_IAM_NO_ACCESS_KEYS = rule(
    meta(
        "aws-iam-user-no-access-keys",
        HIGH,
        "IAM users have no long-lived access keys: workloads use roles, people use SSO.",
        "Remove the `aws.iam.AccessKey`; use an IAM role (instance profile, IRSA, OIDC federation for CI).",
        [fsbp("IAM.3"), cis_aws("1.14"), mcsb("IM-3"), dnssi("Access control")],
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
    {PASSWORD_POLICY: with_props(_password_policy)},
)


def _user_policies(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == POLICY_ATTACHMENT:
        users = items(p.get("users"), "users")
        if users:
            yield f"the policy attachment attaches a policy directly to user(s) {', '.join(map(str, users))}."
        return
    if ctx.type == USER_POLICY:
        yield "the user has an inline policy of its own."
        return
    yield "a managed policy is attached directly to the user."


AWS_IAM_NO_USER_POLICIES = rule(
    meta(
        "aws-iam-no-user-policies",
        MEDIUM,
        "IAM users get permissions only through groups (or, better, roles): no policy attachment to a user, no "
        "inline user policy, no PolicyAttachment listing users.",
        "Attach the policy to an `aws.iam.Group` and add the user to it (`aws.iam.UserGroupMembership`); for "
        "workloads use roles.",
        [cis_aws("1.15"), fsbp("IAM.2"), mcsb("PA-7"), dnssi("Access control")],
    ),
    {
        USER_POLICY_ATTACHMENT: with_props(_user_policies),
        USER_POLICY: with_props(_user_policies),
        POLICY_ATTACHMENT: with_props(_user_policies),
    },
)


def _conditions(stmt: dict[str, Any], what: str) -> list[str]:
    cond = stmt.get("condition")
    need(cond, f"{what} Condition")
    keys: list[str] = []
    if isinstance(cond, dict):
        for operator, clauses in cond.items():
            if str(operator).lower().startswith("forany") or not isinstance(clauses, dict):
                continue
            for key, value in clauses.items():
                if as_list(value) and not any(v == "*" for v in as_list(value)):
                    keys.append(str(key).lower())
    return keys


def _open_trust(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for i, s in enumerate(statements(p.get("assumeRolePolicy"), "assumeRolePolicy")):
        w = f"assumeRolePolicy Statement[{i}]"
        if effect(s, w) != "allow":
            continue
        principal = s.get("principal")
        need(principal, f"{w} Principal")
        if not isinstance(principal, dict):
            continue  # "*" is reported by aws-resource-policy-not-public
        keys = _conditions(s, w)
        bounded = any(k in BOUNDING_CONDITION_KEYS for k in keys)
        for kind, values in principal.items():
            kind_ = str(kind).lower()
            for value in as_list(values):
                text = str(need(value, f"{w} Principal.{kind}"))
                if kind_ == "aws" and ":iam::*:" in text and not bounded:
                    yield f"statement {s.get('sid') or i} trusts every AWS account ({text})."
                elif (
                    kind_ == "federated"
                    and ":oidc-provider/" in text
                    and not any(k.endswith(":sub") for k in keys)
                ):
                    yield (
                        f"statement {s.get('sid') or i} trusts the OIDC provider {text.rsplit('/', 1)[-1]} "
                        "without a condition on the token's subject (any repository or workload of the issuer "
                        "can assume the role)."
                    )


AWS_IAM_ROLE_TRUST_NOT_OPEN = rule(
    meta(
        "aws-iam-role-trust-not-open",
        CRITICAL,
        "Role trust policies do not trust every AWS account (`arn:aws:iam::*:root` without an organization or "
        "account condition) nor an OIDC provider without a condition on the token's subject (`...:sub`).",
        "Name the trusted account or organization (`aws:PrincipalOrgID`), and for OIDC federation (GitHub "
        'Actions, EKS) add `{"StringEquals": {"<issuer>:aud": "sts.amazonaws.com"}, "StringLike": '
        '{"<issuer>:sub": "repo:<org>/<repo>:*"}}`.',
        [mcsb("PA-7"), mcsb("IM-3"), dnssi("Access control")],
    ),
    {IAM_ROLE: with_props(_open_trust)},
)


def _service_wildcards(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for i, s in enumerate(statements(p.get("policy"), "policy")):
        w = f"policy Statement[{i}]"
        if effect(s, w) != "allow":
            continue
        wild = sorted({a for a in actions(s, w) if a.endswith(":*")})
        if wild:
            yield f"statement {s.get('sid') or i} allows every action of a service: {', '.join(wild)}."


AWS_IAM_NO_SERVICE_WILDCARDS = rule(
    meta(
        "aws-iam-no-service-wildcard-actions",
        LOW,
        'Customer-managed IAM policies do not Allow every action of a service ("s3:*", "kms:*").',
        "List the actions the principal needs (IAM Access Analyzer policy generation helps).",
        [fsbp("IAM.21"), mcsb("PA-7"), dnssi("Access control")],
    ),
    {IAM_POLICY: with_props(_service_wildcards)},
)


def _imdsv2(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    tokens = lower(value_at(p, "metadataOptions.httpTokens"), "metadataOptions.httpTokens")
    endpoint = lower(value_at(p, "metadataOptions.httpEndpoint"), "metadataOptions.httpEndpoint")
    if endpoint == "disabled":
        return
    if tokens != "required":
        shown = tokens or "not set (the AMI decides: optional unless the AMI requires IMDSv2)"
        yield f"the instance metadata service accepts IMDSv1 requests (httpTokens {shown})."


AWS_EC2_IMDSV2 = rule(
    meta(
        "aws-ec2-imdsv2",
        HIGH,
        "EC2 instances and launch templates require IMDSv2 (session tokens) for the instance metadata service.",
        'Set `metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 1}` (2 for containers '
        "on the instance).",
        [fsbp("EC2.8"), fsbp("EC2.170"), cis_aws("5.6"), mcsb("IM-3"), dnssi("Access control")],
    ),
    {INSTANCE: with_props(_imdsv2), LAUNCH_TEMPLATE: with_props(_imdsv2)},
)


def _cache_auth(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if present(p.get("authToken")) or items(p.get("userGroupIds"), "userGroupIds"):
        return
    yield "clients connect without authentication (no auth token, no RBAC user group)."


AWS_ELASTICACHE_AUTH = rule(
    meta(
        "aws-elasticache-auth",
        HIGH,
        "ElastiCache replication groups authenticate clients: Redis AUTH token or RBAC user groups (with "
        "encryption in transit).",
        "Set `user_group_ids=[user_group.id]` (RBAC, engine 6+) or `auth_token` from a secret, with "
        "`transit_encryption_enabled=True`.",
        [fsbp("ElastiCache.6"), mcsb("IM-1"), dnssi("Access control")],
    ),
    {ELASTICACHE_REPLICATION_GROUP: with_props(_cache_auth)},
)


def _msk_unauthenticated(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    auth = p.get("clientAuthentication")
    need(auth, "clientAuthentication")
    if auth is None:
        yield "the cluster has no client authentication: unauthenticated access is on."
        return
    if is_true(value_at(auth, "unauthenticated", False), "clientAuthentication.unauthenticated"):
        yield "the cluster allows unauthenticated clients (clientAuthentication.unauthenticated)."
    sasl = get(auth, "sasl")
    tls = get(auth, "tls")
    need(sasl, "clientAuthentication.sasl")
    need(tls, "clientAuthentication.tls")
    if sasl is None and tls is None:
        yield "the cluster configures neither SASL (IAM, SCRAM) nor TLS client authentication."


AWS_MSK_AUTHENTICATED = rule(
    meta(
        "aws-msk-unauthenticated-access-disabled",
        HIGH,
        "MSK clusters authenticate clients (IAM, SASL/SCRAM or mutual TLS) and disable unauthenticated access.",
        'Set `client_authentication={"sasl": {"iam": True}, "unauthenticated": False}`.',
        [fsbp("MSK.6"), mcsb("IM-1"), dnssi("Access control")],
    ),
    {MSK_CLUSTER: with_props(_msk_unauthenticated)},
)


POLICIES: list[Policy] = [
    AWS_IAM_NO_FULL_ADMIN,
    AWS_IAM_NO_CONSOLE_PASSWORD,
    AWS_IAM_NO_ACCESS_KEYS,
    AWS_IAM_PASSWORD_POLICY,
    AWS_IAM_NO_USER_POLICIES,
    AWS_IAM_ROLE_TRUST_NOT_OPEN,
    AWS_IAM_NO_SERVICE_WILDCARDS,
    AWS_EC2_IMDSV2,
    AWS_ELASTICACHE_AUTH,
    AWS_MSK_AUTHENTICATED,
]
"""This domain's policies, in catalogue order."""
