"""The AWS organization: trusted access, delegated administrators, OU tree, member accounts, SCPs.

Greenfield creates the organization; brownfield adopts an existing one by its
root id (the anchors' most common ask) and only adds what Kasbah manages: OUs,
accounts, SCPs and delegated administrators. Runs in the management account.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws import scp
from components.aws.aws_data import (
    ACCOUNT_OU,
    CONTROL_TOWER_EXECUTION_ROLE,
    DEFAULT_APPROVED_REGIONS,
    DELEGATED_ADMINISTRATORS,
    OPT_IN_REGIONS,
    ORGANIZATION_ID_RE,
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

MANAGEMENT = "management"
"""The label of the management account (beside the member accounts' roles)."""


class AdoptionMode(StrEnum):
    """How a brownfield stack takes over an existing organization and its accounts."""

    IMPORT = "import"
    """Managed: the organization and the adopted accounts are imported (``import`` resource option).
    Trusted access and the SCP policy type become inputs of the imported organization (what is already
    enabled, plus what Kasbah needs), and each adopted account's ``parentId`` is its OU, so the same
    ``pulumi up`` enables the missing integrations and moves the accounts (``MoveAccount``). Needs the
    Pulumi CLI 3.174.0 or later (import, then update, in one deployment)."""
    CHECK = "check"
    """Fallback: nothing is imported. The preview checks the trusted access and the SCP policy type and
    stops with the exact commands; the ``adoptionSteps`` output lists the ``move-account`` commands to
    run by hand."""


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
    adoption: AdoptionMode = AdoptionMode.IMPORT
    """Brownfield: import the organization and the adopted accounts (managed), or only check them
    (:class:`AdoptionMode`). Default: ``import``."""
    organization_id: str | None = None
    """Brownfield, ``import``: the existing organization's id (``o-xxxxxxxxxx``), the import id of
    ``aws.organizations.Organization`` (checked against the organization of the credentials). Default:
    ``None``."""
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
        if args.adoption is AdoptionMode.IMPORT:
            if not args.organization_id:
                raise ConfigError(
                    f"{subkey(key, 'organizationId')} and {subkey(key, 'adoption')}",
                    "importing an existing organization needs its id",
                    "copy it from `aws organizations describe-organization` (o-...), or set adoption to check",
                )
            if not ORGANIZATION_ID_RE.match(args.organization_id):
                raise ConfigError(
                    f"{subkey(key, 'organizationId')}",
                    f"{args.organization_id!r} is not an organization id",
                    "copy it from `aws organizations describe-organization` (o- and 10-32 letters or digits)",
                )
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
    """Brownfield, ``check`` mode (pure): the adopted organization has the trusted access and policy types
    Kasbah needs.

    Without importing the organization, Pulumi cannot enable trusted access or a policy type on it, so
    the preview stops with the exact commands instead of failing half-way through ``up``
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services.html,
    https://docs.aws.amazon.com/organizations/latest/userguide/enable-policy-type.html).
    """
    missing = [p for p in principals if p not in set(enabled_principals)]
    if missing:
        commands = "; ".join(
            f"aws organizations enable-aws-service-access --service-principal {p}" for p in missing
        )
        raise ConfigError(
            key,
            f"trusted access is not enabled for {', '.join(missing)}",
            f"run {commands} (or adopt with kasbah:adoption import)",
        )
    for policy_type in REQUIRED_POLICY_TYPES:
        if policy_type not in set(enabled_types):
            raise ConfigError(
                key,
                f"the {policy_type} policy type is not enabled on the root",
                f"run aws organizations enable-policy-type --root-id <root> --policy-type {policy_type} "
                "(or adopt with kasbah:adoption import)",
            )


def check_organization_identity(
    key: str,
    root_id: str,
    organization_id: str | None,
    found_id: str,
    found_roots: Sequence[str],
    feature_set: str,
) -> None:
    """Brownfield (pure): the credentials' organization is the one configured, with all features enabled.

    SCPs and trusted access need all features; enabling them on a consolidated-billing organization is a
    handshake every member account must accept, so it is not done by code
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_org_support-all-features.html).
    """
    if organization_id is not None and found_id != organization_id:
        raise ConfigError(
            key.replace("RootId", "Id"),
            f"the credentials belong to organization {found_id}, not {organization_id}",
            "run with the management account of the configured organization, or fix the id",
        )
    if root_id not in set(found_roots):
        raise ConfigError(
            key,
            f"{root_id} is not the root of organization {found_id} (its root: {', '.join(found_roots) or 'none'})",
            "copy it from `aws organizations list-roots`",
        )
    if feature_set != "ALL":
        raise ConfigError(
            key,
            f"organization {found_id} has only consolidated billing features",
            "enable all features first (aws organizations enable-all-features; every member account accepts)",
        )


def union_sorted(existing: Sequence[str] | None, required: Sequence[str]) -> list[str]:
    """What is already enabled plus what Kasbah needs: an imported organization's lists are authoritative,
    so leaving out a principal enabled by someone else would disable it on the next ``up``."""
    return sorted(set(existing or []) | set(required))


def _field(obj: Any, name: str) -> Any:
    """A field of an invoke result's nested object (the SDK's output types are dicts; so are raw results)."""
    return obj[name] if isinstance(obj, Mapping) else getattr(obj, name)


def adopted_account(key: str, account_id: str, accounts: Sequence[Any]) -> tuple[str, str]:
    """(name, email) of an adopted account, from the organization's account list (pure).

    Refuses an account that is not an active member of the organization, before anything is imported.
    """
    for acct in accounts:
        if str(_field(acct, "id")) == account_id:
            state = str(_field(acct, "state"))
            if state != "ACTIVE":
                raise ConfigError(
                    key, f"account {account_id} is {state}, not ACTIVE", "adopt an active account"
                )
            return str(_field(acct, "name")), str(_field(acct, "email"))
    raise ConfigError(
        key,
        f"account {account_id} is not a member of the organization",
        "invite it first (aws organizations invite-account-to-organization), or fix the id",
    )


def _checked_root(root_id: str, principals: Sequence[str], policy_types: Sequence[str]) -> str:
    check_existing_organization(
        "kasbah:organizationRootId", TRUSTED_SERVICE_PRINCIPALS, principals, policy_types
    )
    return root_id


def _adopted(key: str, account_id: str, accounts: Sequence[Any] | None) -> tuple[str, str]:
    return adopted_account(key, account_id, accounts or [])


REGION_ENABLE_TIMEOUT = "4h"
"""How long ``pulumi up`` waits for an opt-in region to become ENABLED (the provider polls
GetRegionOptStatus; "a few minutes for most accounts, but it can take several hours":
https://docs.aws.amazon.com/accounts/latest/reference/API_EnableRegion.html)."""


def opt_in_regions(regions: Sequence[str]) -> list[str]:
    """The approved regions every account must enable before anything is created there."""
    return [r for r in regions if r in OPT_IN_REGIONS]


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
    region_enablements: dict[str, dict[str, pulumi.Resource]]
    """Account label (``management`` or an :class:`AccountRole` value) -> opt-in approved region -> the
    ``aws.account.Region`` that enables it: whatever is created in that account and region waits for it."""
    ram_sharing: pulumi.Resource
    """RAM sharing with the organization: a share whose principal is the organization waits for it."""

    def __init__(self, name: str, args: OrganizationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_organization_args(args)
        plans = scp.plan_policies(guardrails(args))
        super().__init__("kasbah:aws:Organization", name, None, opts)
        tags = layer_tags({"kasbah:component": "organization"}, args.common.tags)
        child = pulumi.ResourceOptions(parent=self)
        self._name = name

        org_ready = self._organization(name, args)
        after_org = pulumi.ResourceOptions(parent=self, depends_on=org_ready)
        # Turning RAM sharing off again (what deleting this resource does: DisableAWSServiceAccess for RAM
        # and deleting RAM's service-linked role) would break every organization share, Kasbah's or not:
        # it is an organization decision, never a side effect of destroying a stack.
        # https://docs.aws.amazon.com/ram/latest/userguide/getting-started-sharing.html#getting-started-sharing-orgs,
        # https://docs.aws.amazon.com/ram/latest/userguide/security-disable-sharing-with-orgs.html
        self.ram_sharing = aws.ram.SharingWithOrganization(
            child_name(name, "ram-sharing"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=org_ready, retain_on_delete=True),
        )

        ous: dict[str, aws.organizations.OrganizationalUnit] = {}
        for key, parent_key in OU_PARENTS.items():
            parent_id = ous[parent_key].id if parent_key else self.root_id
            ous[key] = aws.organizations.OrganizationalUnit(
                child_name(name, "ou", key),
                name=getattr(args.ou_names, key),
                parent_id=parent_id,
                tags=tags,
                opts=after_org if parent_key is None else child,
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
        if args.root_id is not None and args.adoption is AdoptionMode.IMPORT:
            self._import_accounts(name, args, ous, tags)
        else:
            # Greenfield (accounts invited into the new organization) or check mode: ids only.
            for role, acct_id in args.existing_account_ids.items():
                self.account_ids[role] = pulumi.Output.from_input(acct_id)

        self.region_enablements = self._enable_regions(name, args, org_ready)

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
                        opts=after_org,
                    )
                )
            if REGIONAL_ADMIN_ROLE in self.account_ids:
                admin = self.account_ids[REGIONAL_ADMIN_ROLE]
                for region in args.approved_regions:
                    # An opt-in region is usable by neither the management account (the caller) nor the
                    # administrator before both have enabled it.
                    in_region = pulumi.ResourceOptions(
                        parent=self,
                        depends_on=[
                            *org_ready,
                            *(
                                self.region_enablements[label][region]
                                for label in (MANAGEMENT, REGIONAL_ADMIN_ROLE.value)
                                if region in self.region_enablements.get(label, {})
                            ),
                        ],
                    )
                    self.admin_registrations.append(
                        aws.guardduty.OrganizationAdminAccount(
                            child_name(name, "guardduty-admin", region),
                            admin_account_id=admin,
                            region=region,
                            opts=in_region,
                        )
                    )
                    self.admin_registrations.append(
                        aws.securityhub.OrganizationAdminAccount(
                            child_name(name, "securityhub-admin", region),
                            admin_account_id=admin,
                            region=region,
                            opts=in_region,
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
                    opts=after_org,
                )
                aws.organizations.PolicyAttachment(
                    child_name(name, "scp-attach", target, p.index),
                    policy_id=policy.id,
                    target_id=targets[target],
                    opts=after_org,
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

    def _organization(self, name: str, args: OrganizationArgs) -> list[pulumi.Resource]:
        """Create, import or check the organization; return what organization-level settings wait for."""
        if args.root_id is None:
            org = aws.organizations.Organization(
                child_name(name, "org"),
                aws_service_access_principals=list(TRUSTED_SERVICE_PRINCIPALS),
                enabled_policy_types=list(REQUIRED_POLICY_TYPES),
                feature_set="ALL",
                opts=pulumi.ResourceOptions(parent=self, protect=True),
            )
            self.root_id = org.roots.apply(lambda roots: str(_field(roots[0], "id")))
            self.organization_id = org.id
            self.organization_arn = org.arn
            return [org]
        existing = aws.organizations.get_organization_output(opts=pulumi.InvokeOutputOptions(parent=self))
        root, org_id = args.root_id, args.organization_id
        identity = pulumi.Output.all(existing.id, existing.roots, existing.feature_set).apply(
            lambda v: check_organization_identity(
                "kasbah:organizationRootId",
                root,
                org_id,
                str(v[0]),
                [str(_field(r, "id")) for r in v[1] or []],
                str(v[2]),
            )
        )
        self._existing = existing
        if args.adoption is AdoptionMode.CHECK:
            checked = pulumi.Output.all(
                existing.aws_service_access_principals, existing.enabled_policy_types, identity
            ).apply(lambda v: _checked_root(root, v[0] or [], v[1] or []))
            # Everything hangs off the root id, so nothing is created before the check has passed.
            self.root_id = checked
            self.organization_id = existing.id
            self.organization_arn = existing.arn
            return []
        # Import: the organization's trusted access and policy types become inputs, what is already
        # enabled plus what Kasbah needs (the provider enables what is missing: EnableAWSServiceAccess,
        # EnablePolicyType). Retained on delete: destroying the stack forgets the organization, never
        # deletes it. https://docs.aws.amazon.com/organizations/latest/APIReference/API_EnableAWSServiceAccess.html
        assert org_id is not None  # validated
        org = aws.organizations.Organization(
            child_name(name, "org"),
            aws_service_access_principals=pulumi.Output.all(
                existing.aws_service_access_principals, identity
            ).apply(lambda v: union_sorted(v[0], TRUSTED_SERVICE_PRINCIPALS)),
            enabled_policy_types=existing.enabled_policy_types.apply(
                lambda t: union_sorted(t, REQUIRED_POLICY_TYPES)
            ),
            feature_set="ALL",
            opts=pulumi.ResourceOptions(parent=self, import_=org_id, retain_on_delete=True),
        )
        # The root id, id and ARN are the invoke's (checked above, so known at preview); what is attached to
        # the root waits for the imported organization explicitly (its trusted access and policy types).
        self.root_id = identity.apply(lambda _: root)
        self.organization_id = existing.id
        self.organization_arn = existing.arn
        return [org]

    def _import_accounts(
        self,
        name: str,
        args: OrganizationArgs,
        ous: Mapping[str, aws.organizations.OrganizationalUnit],
        tags: Mapping[str, str],
    ) -> None:
        """Import each adopted account with its OU as parent: the same ``up`` moves it there.

        The import reads the account's current parent; ``parentId`` differs, so the provider updates the
        account with ``MoveAccount`` (the only update of ``aws_organizations_account``; name and email
        force a replacement and are ignored, so an out-of-band rename never replaces an account).
        Retained on delete: deleting would remove the account from the organization.
        https://docs.aws.amazon.com/organizations/latest/APIReference/API_MoveAccount.html
        """
        for role, acct_id in args.existing_account_ids.items():
            key = f"kasbah:accounts.{role.value}.id"
            found = self._existing.accounts.apply(functools.partial(_adopted, key, acct_id))
            aws.organizations.Account(
                child_name(name, "account", role.value),
                name=found.apply(lambda f: f[0]),
                email=found.apply(lambda f: f[1]),
                parent_id=ous[ACCOUNT_OU[role]].id,
                tags=layer_tags(tags, {"kasbah:account-role": role.value}),
                opts=pulumi.ResourceOptions(
                    parent=self,
                    import_=acct_id,
                    retain_on_delete=True,
                    ignore_changes=["name", "email", "roleName", "iamUserAccessToBilling"],
                ),
            )
            # The id is known (it is the import id): nothing in the accounts waits for the move.
            self.account_ids[role] = pulumi.Output.from_input(acct_id)

    def _enable_regions(
        self, name: str, args: OrganizationArgs, org_ready: Sequence[pulumi.Resource]
    ) -> dict[str, dict[str, pulumi.Resource]]:
        """Enable every opt-in approved region in the management account and each member account.

        Opt-in regions are disabled in every account until enabled, and nothing can be created there
        before; the management account enables its members' (trusted access for AWS Account Management),
        and its own without an account id. Enabling can take minutes to hours; the provider waits for
        ENABLED (:data:`REGION_ENABLE_TIMEOUT`). Deleting the resource disables nothing (the provider's
        delete is a no-op); retained all the same, so that the intent is explicit.
        https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html,
        https://docs.aws.amazon.com/accounts/latest/reference/API_EnableRegion.html
        """
        out: dict[str, dict[str, pulumi.Resource]] = {}
        regions = opt_in_regions(args.approved_regions)
        if not regions:
            return out
        accounts: list[tuple[str, pulumi.Input[str] | None]] = [
            (MANAGEMENT, None),
            *((role.value, acct) for role, acct in self.account_ids.items()),
        ]
        for label, acct in accounts:
            for region in regions:
                out.setdefault(label, {})[region] = aws.account.Region(
                    child_name(name, "region", label, region),
                    region_name=region,
                    enabled=True,
                    account_id=acct,
                    opts=pulumi.ResourceOptions(
                        parent=self,
                        depends_on=list(org_ready),
                        retain_on_delete=True,
                        # The provider waits for ENABLED, 60 minutes by default; AWS says it can take hours.
                        custom_timeouts=pulumi.CustomTimeouts(
                            create=REGION_ENABLE_TIMEOUT, update=REGION_ENABLE_TIMEOUT
                        ),
                    ),
                )
        return out
