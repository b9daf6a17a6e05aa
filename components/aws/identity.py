"""IAM Identity Center: permission sets assigned to groups, per account.

Four permission sets (administrator, read-only, security audit, network admin)
with AWS managed policies; a group per permission set in the Identity Center
identity store (or existing group ids); assignments per account. Runs in the
management account (or the Identity Center delegated administrator).

Break-glass (documented, not automated): when Identity Center or its identity
source is down, two IAM users in the management account, with hardware MFA and
passwords kept in a sealed safe, may assume ``OrganizationAccountAccessRole``;
every use raises a CloudTrail alert and is reviewed. The root users of member
accounts are locked by SCP (``DenyRootUser``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import pulumi
import pulumi_aws as aws

from components.common import CommonArgs, child_name, layer_tags
from components.errors import ConfigError


class PermissionSetKind(StrEnum):
    ADMINISTRATOR = "administrator"
    READ_ONLY = "readOnly"
    SECURITY_AUDIT = "securityAudit"
    NETWORK_ADMIN = "networkAdmin"


PERMISSION_SETS: dict[PermissionSetKind, tuple[str, str, str]] = {
    PermissionSetKind.ADMINISTRATOR: ("Administrator", "arn:aws:iam::aws:policy/AdministratorAccess", "PT1H"),
    PermissionSetKind.READ_ONLY: ("ReadOnly", "arn:aws:iam::aws:policy/ReadOnlyAccess", "PT4H"),
    PermissionSetKind.SECURITY_AUDIT: ("SecurityAudit", "arn:aws:iam::aws:policy/SecurityAudit", "PT4H"),
    PermissionSetKind.NETWORK_ADMIN: (
        "NetworkAdmin",
        "arn:aws:iam::aws:policy/job-function/NetworkAdministrator",
        "PT2H",
    ),
}
"""Permission set -> (name suffix, AWS managed policy, session duration)."""


@dataclass(frozen=True, kw_only=True)
class IdentitySpec:
    """IAM Identity Center (enabled by hand once: AWS has no API to create the organization instance):
    the pure inputs a blueprint's settings embed."""

    instance_arn: str = ""
    """ARN of the IAM Identity Center instance (``arn:aws:sso:::instance/ssoins-...``); a blueprint
    skips the permission sets when it is empty. Default: empty."""
    identity_store_id: str = ""
    """Identity store id (``d-...``), set with ``instanceArn``. Default: empty."""


@dataclass(frozen=True, kw_only=True)
class IdentityArgs(IdentitySpec):
    """Inputs of :class:`Identity`: its :class:`IdentitySpec` and the accounts to assign."""

    account_ids: Mapping[str, pulumi.Input[str]]
    """Accounts to assign, by label (``logArchive``, ``network``...). Required."""
    assignments: Mapping[PermissionSetKind, Sequence[str]] = field(default_factory=dict)
    """Permission set -> account labels it is assigned on; missing sets use :func:`default_assignments`.
    Default: administrator, read-only and security audit on every member account; network admin on
    ``network``; nothing on ``management`` (break-glass only)."""
    group_ids: Mapping[PermissionSetKind, str] = field(default_factory=dict)
    """Existing identity-store group ids per permission set; groups are created for the others. Default:
    none."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, tags, protection. Default: ``CommonArgs()``."""


_INSTANCE_RE = re.compile(r"^arn:aws:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$")
_STORE_RE = re.compile(r"^d-[0-9a-f]{10}$|^[0-9a-f-]{1,36}$")


MANAGEMENT_LABEL = "management"
"""The label of the management account: no permission set is assigned there by default."""


def default_assignments(labels: Sequence[str]) -> dict[PermissionSetKind, list[str]]:
    """Every set on every member account, network admin on ``network``; nothing on the management account.

    The management account is kept to its break-glass path (module docstring): SCPs never bind it, so
    a day-to-day Administrator session there could undo every guardrail
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_best-practices_mgmt-acct.html).
    Assign a set there explicitly (``assignments``) when it is really needed.
    """
    members = [x for x in labels if x != MANAGEMENT_LABEL]
    return {
        PermissionSetKind.ADMINISTRATOR: list(members),
        PermissionSetKind.READ_ONLY: list(members),
        PermissionSetKind.SECURITY_AUDIT: list(members),
        PermissionSetKind.NETWORK_ADMIN: [x for x in members if x == "network"],
    }


def resolve_assignments(args: IdentityArgs, key: str = "IdentityArgs") -> dict[PermissionSetKind, list[str]]:
    """Validate the inputs and return the full assignment table (pure)."""
    if not _INSTANCE_RE.match(args.instance_arn):
        raise ConfigError(
            f"{key}.instanceArn",
            f"{args.instance_arn!r} is not an Identity Center instance ARN",
            "copy it from `aws sso-admin list-instances`",
        )
    if not _STORE_RE.match(args.identity_store_id):
        raise ConfigError(
            f"{key}.identityStoreId",
            f"{args.identity_store_id!r} is not an identity store id",
            "copy it from `aws sso-admin list-instances`",
        )
    table = default_assignments(list(args.account_ids))
    for kind, labels in args.assignments.items():
        for i, label in enumerate(labels):
            if label not in args.account_ids:
                raise ConfigError(
                    f"{key}.assignments.{PermissionSetKind(kind).value}[{i}]",
                    f"unknown account {label!r}",
                    f"use one of {', '.join(args.account_ids)}",
                )
        table[PermissionSetKind(kind)] = list(labels)
    return table


class Identity(pulumi.ComponentResource):
    """Permission sets, groups and account assignments in IAM Identity Center."""

    permission_set_arns: dict[str, pulumi.Output[str]]
    group_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: IdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        table = resolve_assignments(args)
        super().__init__("kasbah:aws:Identity", name, None, opts)
        prefix = args.common.prefix
        tags = layer_tags({"kasbah:component": "identity"}, args.common.tags)
        child = pulumi.ResourceOptions(parent=self)
        self.permission_set_arns = {}
        self.group_ids = {}
        for kind, labels in table.items():
            suffix, policy_arn, duration = PERMISSION_SETS[kind]
            ps = aws.ssoadmin.PermissionSet(
                child_name(name, "ps", kind.value),
                name=f"{prefix}-{suffix}",
                description=f"Kasbah {suffix}",
                instance_arn=args.instance_arn,
                session_duration=duration,
                tags=tags,
                opts=child,
            )
            self.permission_set_arns[kind.value] = ps.arn
            if kind in args.group_ids:
                group_id: pulumi.Output[str] = pulumi.Output.from_input(args.group_ids[kind])
            else:
                group = aws.identitystore.Group(
                    child_name(name, "group", kind.value),
                    identity_store_id=args.identity_store_id,
                    display_name=f"{prefix}-{suffix}",
                    description=f"Members get the {suffix} permission set",
                    opts=child,
                )
                group_id = group.group_id
            self.group_ids[kind.value] = group_id
            assignments = [
                aws.ssoadmin.AccountAssignment(
                    child_name(name, "assign", kind.value, label),
                    instance_arn=args.instance_arn,
                    permission_set_arn=ps.arn,
                    principal_type="GROUP",
                    principal_id=group_id,
                    target_type="AWS_ACCOUNT",
                    target_id=args.account_ids[label],
                    opts=child,
                )
                for label in labels
            ]
            # The policy attachment depends on the assignments, so that destroy detaches it before the
            # assignments are removed (and creation provisions the set once, with its policy):
            # https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssoadmin_managed_policy_attachment
            aws.ssoadmin.ManagedPolicyAttachment(
                child_name(name, "ps", kind.value, "policy"),
                instance_arn=args.instance_arn,
                permission_set_arn=ps.arn,
                managed_policy_arn=policy_arn,
                opts=pulumi.ResourceOptions(parent=self, depends_on=assignments),
            )
        self.register_outputs({"permissionSetArns": self.permission_set_arns, "groupIds": self.group_ids})
