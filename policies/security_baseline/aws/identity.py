"""Identity rules for AWS: administrative privileges, long-lived credentials, password policy.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import Ctx, cis_aws, dnssi, fsbp, get, items, mcsb, meta, number, rule, with_props
from policies.framework.documents import actions, effect, resources, statements
from policies.security_baseline.aws.tokens import ACCESS_KEY, IAM_ROLE, LOGIN_PROFILE, PASSWORD_POLICY

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


POLICIES: list[Policy] = [
    AWS_IAM_NO_FULL_ADMIN,
    AWS_IAM_NO_CONSOLE_PASSWORD,
    AWS_IAM_NO_ACCESS_KEYS,
    AWS_IAM_PASSWORD_POLICY,
]
"""This domain's policies, in catalogue order."""
