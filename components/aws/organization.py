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
    CONTROL_TOWER_EXECUTION_ROLE,
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
    exempt_role_names: Sequence[str] = (CONTROL_TOWER_EXECUTION_ROLE,)
    """Roles exempted from the guardrails besides the deployment role (and, like it, protected from
    changes by anyone else). Default: ``AWSControlTowerExecution`` (Control Tower's execution role,
    so that an organization enrolled in Control Tower keeps working)."""


def validate_organization_args(args: OrganizationArgs, key: str = "OrganizationArgs") -> None:
    """Pure validation of :class:`OrganizationArgs` (raises ConfigError)."""
    validate_role_name(f"{subkey(key, 'deploymentRoleName')}", args.deployment_role_name)
    for i, role in enumerate(args.exempt_role_names):
        validate_role_name(f"{subkey(key, 'exemptRoleNames')}[{i}]", role)
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


def exempt_roles(args: OrganizationArgs) -> list[str]:
    """The deployment role, then the other exempted roles, each once."""
    return list(dict.fromkeys([args.deployment_role_name, *args.exempt_role_names]))


def guardrails(args: OrganizationArgs) -> dict[str, list[scp.Statement]]:
    """Statements by target: the baseline on the root, the quarantine on Suspended."""
    roles = exempt_roles(args)
    exempt = scp.exemption_condition(roles)
    return {
        "root": scp.baseline_statements(args.approved_regions, roles),
        "suspended": [scp.quarantine(exempt)],
    }


REQUIRED_POLICY_TYPES: tuple[str, ...] = ("SERVICE_CONTROL_POLICY",)
"""Policy types the guardrails need enabled on the root."""


def check_existing_organization(
    key: str, principals: Sequence[str], enabled_principals: Sequence[str], enabled_types: Sequence[str]
) -> None:
    """Brownfield (pure): the adopted organization has the trusted access and policy types Kasbah needs.

    Pulumi has no resource that enables trusted access or a policy type on an organization it did not
    create, so the preview stops with the exact commands instead of failing half-way through ``up``
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services.html,
    https://docs.aws.amazon.com/organizations/latest/userguide/enable-policy-type.html).
    """
    missing = [p for p in principals if p not in set(enabled_principals)]
    if missing:
        commands = "; ".join(
            f"aws organizations enable-aws-service-access --service-principal {p}" for p in missing
        )
        raise ConfigError(key, f"trusted access is not enabled for {', '.join(missing)}", f"run {commands}")
    for policy_type in REQUIRED_POLICY_TYPES:
        if policy_type not in set(enabled_types):
            raise ConfigError(
                key,
                f"the {policy_type} policy type is not enabled on the root",
                f"run aws organizations enable-policy-type --root-id <root> --policy-type {policy_type}",
            )


def _checked_root(root_id: str, principals: Sequence[str], policy_types: Sequence[str]) -> str:
    check_existing_organization(
        "kasbah:organizationRootId", TRUSTED_SERVICE_PRINCIPALS, principals, policy_types
    )
    return root_id


class Organization(pulumi.ComponentResource):
    """The organization, its OU tree, member accounts and SCPs (in the management account)."""

    organization_id: pulumi.Output[str]
    organization_arn: pulumi.Output[str]
    root_id: pulumi.Output[str]
    ou_ids: dict[str, pulumi.Output[str]]
    account_ids: dict[AccountRole, pulumi.Output[str]]
    policy_ids: list[pulumi.Output[str]]
    admin_registrations: list[pulumi.Resource]
    """The delegated-administrator registrations: organization-wide configurations wait for them."""

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
            org_ready: list[pulumi.Resource] = [org]
        else:
            existing = aws.organizations.get_organization_output(opts=pulumi.InvokeOutputOptions(parent=self))
            root = args.root_id
            checked = pulumi.Output.all(
                existing.aws_service_access_principals, existing.enabled_policy_types
            ).apply(lambda v: _checked_root(root, v[0] or [], v[1] or []))
            # Everything hangs off the root id, so nothing is created before the check has passed.
            self.root_id = checked
            self.organization_id = existing.id
            self.organization_arn = existing.arn
            org_ready = []
        # Trusted access for RAM is not enough to share with the organization: RAM's own switch must be
        # turned on too (https://docs.aws.amazon.com/ram/latest/userguide/getting-started-sharing.html
        # #getting-started-sharing-orgs).
        aws.ram.SharingWithOrganization(
            child_name(name, "ram-sharing"), opts=pulumi.ResourceOptions(parent=self, depends_on=org_ready)
        )

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

        self.admin_registrations = []
        if args.delegated_admins:
            for principal, role in DELEGATED_ADMINISTRATORS.items():
                if role not in self.account_ids:
                    continue
                self.admin_registrations.append(
                    aws.organizations.DelegatedAdministrator(
                        child_name(name, "delegated", principal.split(".")[0]),
                        account_id=self.account_ids[role],
                        service_principal=principal,
                        opts=child,
                    )
                )
            if REGIONAL_ADMIN_ROLE in self.account_ids:
                admin = self.account_ids[REGIONAL_ADMIN_ROLE]
                for region in args.approved_regions:
                    self.admin_registrations.append(
                        aws.guardduty.OrganizationAdminAccount(
                            child_name(name, "guardduty-admin", region),
                            admin_account_id=admin,
                            region=region,
                            opts=child,
                        )
                    )
                    self.admin_registrations.append(
                        aws.securityhub.OrganizationAdminAccount(
                            child_name(name, "securityhub-admin", region),
                            admin_account_id=admin,
                            region=region,
                            opts=child,
                        )
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
