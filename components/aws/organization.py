"""The AWS organization: trusted access, delegated administrators, OU tree, member accounts, SCPs.

Greenfield creates the organization; brownfield adopts an existing one by its
root id (the anchors' most common ask) and only adds what Kasbah manages: OUs,
accounts, SCPs and delegated administrators. Runs in the management account.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws import scp
from components.aws.aws_data import (
    ACCOUNT_OU,
    DEFAULT_APPROVED_REGIONS,
    DELEGATED_ADMINISTRATORS,
    REGIONAL_ADMIN_ROLE,
    TRUSTED_SERVICE_PRINCIPALS,
    AccountRole,
)
from components.aws.validate import (
    subkey,
    validate_account_id,
    validate_email,
    validate_role_name,
    validate_root_id,
)
from components.common import CommonArgs, child_name, layer_tags
from components.errors import ConfigError


@dataclass(frozen=True)
class OuNames:
    """Display names of the OU tree (keys are fixed, names configurable)."""

    security: str = "Security"
    """Security OU (log archive, security tooling). Default: ``Security``."""
    infrastructure: str = "Infrastructure"
    """Infrastructure OU (network, shared services). Default: ``Infrastructure``."""
    workloads: str = "Workloads"
    """Workloads OU, parent of Prod and NonProd. Default: ``Workloads``."""
    prod: str = "Prod"
    """Production workloads, under Workloads. Default: ``Prod``."""
    nonprod: str = "NonProd"
    """Non-production workloads, under Workloads. Default: ``NonProd``."""
    sandbox: str = "Sandbox"
    """Experiments. Default: ``Sandbox``."""
    suspended: str = "Suspended"
    """Accounts being closed, quarantined by SCP. Default: ``Suspended``."""


OU_PARENTS: dict[str, str | None] = {
    "security": None,
    "infrastructure": None,
    "workloads": None,
    "prod": "workloads",
    "nonprod": "workloads",
    "sandbox": None,
    "suspended": None,
}
"""OU key -> parent OU key (``None``: the organization root)."""


@dataclass(frozen=True)
class MemberAccountArgs:
    """A member account to create."""

    name: str
    """Account name. Required."""
    email: str
    """Root email of the account (unique across AWS). Required."""


@dataclass(frozen=True)
class OrganizationArgs:
    """Inputs of :class:`Organization`."""

    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, tags, protection. Default: ``CommonArgs()``."""
    approved_regions: Sequence[str] = DEFAULT_APPROVED_REGIONS
    """Regions left open by the region-deny SCP. Default: ``eu-west-3``, ``eu-south-2``."""
    deployment_role_name: str = "OrganizationAccountAccessRole"
    """Role Kasbah deploys with in member accounts, exempted from every SCP. Default:
    ``OrganizationAccountAccessRole``."""
    root_id: str | None = None
    """Brownfield: the existing organization's root id (``r-xxxx``); ``None`` creates the organization.
    Default: ``None``."""
    ou_names: OuNames = field(default_factory=OuNames)
    """Names of the OUs. Default: ``OuNames()``."""
    accounts: Mapping[AccountRole, MemberAccountArgs] = field(default_factory=dict)
    """Member accounts to create, by role. Default: none."""
    existing_account_ids: Mapping[AccountRole, str] = field(default_factory=dict)
    """Brownfield: ids of member accounts that already exist, by role. Default: none."""
    delegated_admins: bool = True
    """Register the security-tooling and shared-services accounts as delegated administrators.
    Default: ``True``."""


def validate_organization_args(args: OrganizationArgs, key: str = "OrganizationArgs") -> None:
    """Pure validation of :class:`OrganizationArgs` (raises ConfigError)."""
    validate_role_name(f"{subkey(key, 'deploymentRoleName')}", args.deployment_role_name)
    if args.root_id is not None:
        validate_root_id(f"{subkey(key, 'rootId')}", args.root_id)
    for role, acct in args.accounts.items():
        validate_email(f"{subkey(key, 'accounts')}.{role.value}.email", acct.email)
        if not acct.name or len(acct.name) > 50:
            raise ConfigError(
                f"{subkey(key, 'accounts')}.{role.value}.name", "name must be 1-50 characters", "shorten it"
            )
        if role in args.existing_account_ids:
            raise ConfigError(
                f"{subkey(key, 'accounts')}.{role.value} and {subkey(key, 'existingAccountIds')}.{role.value}",
                "an account cannot be both created and adopted",
                "keep one of the two",
            )
    for role, acct_id in args.existing_account_ids.items():
        validate_account_id(f"{subkey(key, 'existingAccountIds')}.{role.value}", acct_id)
    emails = [a.email.lower() for a in args.accounts.values()]
    if len(set(emails)) != len(emails):
        raise ConfigError(
            f"{subkey(key, 'accounts')}", "two accounts share an email", "give each account its own email"
        )
    names = [getattr(args.ou_names, k) for k in OU_PARENTS]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise ConfigError(
            f"{subkey(key, 'ouNames')}", "OU names must be non-empty and distinct", "rename the duplicates"
        )


def guardrails(args: OrganizationArgs) -> dict[str, list[scp.Statement]]:
    """Statements by target: the baseline on the root, the quarantine on Suspended."""
    exempt = scp.exemption_condition([args.deployment_role_name])
    return {
        "root": scp.baseline_statements(args.approved_regions, [args.deployment_role_name]),
        "suspended": [scp.quarantine(exempt)],
    }


class Organization(pulumi.ComponentResource):
    """The organization, its OU tree, member accounts and SCPs (in the management account)."""

    organization_id: pulumi.Output[str]
    organization_arn: pulumi.Output[str]
    root_id: pulumi.Output[str]
    ou_ids: dict[str, pulumi.Output[str]]
    account_ids: dict[AccountRole, pulumi.Output[str]]
    policy_ids: list[pulumi.Output[str]]

    def __init__(self, name: str, args: OrganizationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_organization_args(args)
        plans = scp.plan_policies(guardrails(args))
        super().__init__("kasbah:aws:Organization", name, None, opts)
        tags = layer_tags({"kasbah:component": "organization"}, args.common.tags)
        child = pulumi.ResourceOptions(parent=self)

        if args.root_id is None:
            org = aws.organizations.Organization(
                child_name(name, "org"),
                aws_service_access_principals=list(TRUSTED_SERVICE_PRINCIPALS),
                enabled_policy_types=["SERVICE_CONTROL_POLICY"],
                feature_set="ALL",
                opts=pulumi.ResourceOptions(parent=self, protect=True),
            )
            self.root_id = org.roots.apply(lambda roots: str(roots[0].id))
            self.organization_id = org.id
            self.organization_arn = org.arn
        else:
            self.root_id = pulumi.Output.from_input(args.root_id)
            existing = aws.organizations.get_organization_output(opts=pulumi.InvokeOutputOptions(parent=self))
            self.organization_id = existing.id
            self.organization_arn = existing.arn

        ous: dict[str, aws.organizations.OrganizationalUnit] = {}
        for key, parent_key in OU_PARENTS.items():
            parent_id = ous[parent_key].id if parent_key else self.root_id
            ous[key] = aws.organizations.OrganizationalUnit(
                child_name(name, "ou", key),
                name=getattr(args.ou_names, key),
                parent_id=parent_id,
                tags=tags,
                opts=child,
            )
        self.ou_ids = {k: ou.id for k, ou in ous.items()}

        self.account_ids = {}
        for role, acct in args.accounts.items():
            account = aws.organizations.Account(
                child_name(name, "account", role.value),
                name=acct.name,
                email=acct.email,
                parent_id=ous[ACCOUNT_OU[role]].id,
                role_name=args.deployment_role_name,
                close_on_deletion=False,
                iam_user_access_to_billing="DENY",
                tags=layer_tags(tags, {"kasbah:account-role": role.value}),
                opts=pulumi.ResourceOptions(
                    parent=self, retain_on_delete=True, ignore_changes=["roleName", "iamUserAccessToBilling"]
                ),
            )
            self.account_ids[role] = account.id
        for role, acct_id in args.existing_account_ids.items():
            self.account_ids[role] = pulumi.Output.from_input(acct_id)

        if args.delegated_admins:
            for principal, role in DELEGATED_ADMINISTRATORS.items():
                if role not in self.account_ids:
                    continue
                aws.organizations.DelegatedAdministrator(
                    child_name(name, "delegated", principal.split(".")[0]),
                    account_id=self.account_ids[role],
                    service_principal=principal,
                    opts=child,
                )
            if REGIONAL_ADMIN_ROLE in self.account_ids:
                admin = self.account_ids[REGIONAL_ADMIN_ROLE]
                for region in args.approved_regions:
                    aws.guardduty.OrganizationAdminAccount(
                        child_name(name, "guardduty-admin", region),
                        admin_account_id=admin,
                        region=region,
                        opts=child,
                    )
                    aws.securityhub.OrganizationAdminAccount(
                        child_name(name, "securityhub-admin", region),
                        admin_account_id=admin,
                        region=region,
                        opts=child,
                    )

        targets = {"root": self.root_id, **self.ou_ids}
        self.policy_ids = []
        for target, planned in plans.items():
            for p in planned:
                policy = aws.organizations.Policy(
                    child_name(name, "scp", target, p.index),
                    name=f"{args.common.prefix}-guardrails-{target}-{p.index}",
                    description="Kasbah guardrails: " + ", ".join(p.sids),
                    type="SERVICE_CONTROL_POLICY",
                    content=p.content,
                    tags=tags,
                    opts=child,
                )
                aws.organizations.PolicyAttachment(
                    child_name(name, "scp-attach", target, p.index),
                    policy_id=policy.id,
                    target_id=targets[target],
                    opts=child,
                )
                self.policy_ids.append(policy.id)

        self.register_outputs(
            {
                "organizationId": self.organization_id,
                "rootId": self.root_id,
                "ouIds": self.ou_ids,
                "accountIds": {r.value: v for r, v in self.account_ids.items()},
                "policyIds": self.policy_ids,
            }
        )
