"""Configuration of the aws-landing-zone blueprint (the ``kasbah:`` keys) and its stack outputs.

Read once with :func:`components.settings.read_settings` and validated across
fields by :func:`validate` (pure): every problem names its ``kasbah:`` key,
before any resource is registered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import pulumi

from components.aws.aws_data import (
    ACCOUNT_OU,
    CONTROL_TOWER_EXECUTION_ROLE,
    DEFAULT_APPROVED_REGIONS,
    DEFAULT_HOME_REGION,
    AccountRole,
)
from components.aws.identity import IdentityArgs, IdentitySpec, resolve_assignments
from components.aws.log_archive import (
    LogArchiveArgs,
    LogArchiveSpec,
    validate_log_archive_args,
    validate_retention,
)
from components.aws.network_plan import NetworkPlan, NetworkSpec, validate_network
from components.aws.organization import AdoptionMode, OrganizationArgs, OuNames, validate_organization_args
from components.aws.security_baseline import (
    SRA_GUARDDUTY_FEATURES,
    BackupArgs,
    BudgetArgs,
    GuardDutyFeature,
    SecurityBaselineArgs,
    validate_home_region_for_security_hub,
    validate_security_baseline_args,
)
from components.aws.validate import (
    validate_account_id,
    validate_email,
    validate_regions,
    validate_role_name,
    validate_root_id,
)
from components.common import args_of, validate_prefix
from components.errors import ConfigError
from components.settings import CommonSettings

KEY = "kasbah"


class Stage(StrEnum):
    """What one stack of the landing zone deploys."""

    ORGANIZATION = "organization"
    """The organization stage (greenfield aws-org): OUs, accounts, SCPs, delegated admins."""
    BASELINE = "baseline"
    """Logging, security services, identity and network, in accounts read from the organization stage."""
    ALL = "all"
    """Both in one stack (typical brownfield: an existing organization and accounts)."""


@dataclass(frozen=True)
class AccountSettings:
    """One member account: adopt it by id, or create it (name and email)."""

    name: str = ""
    """Account name when created. Default: the role's title (``Log Archive``...)."""
    email: str = ""
    """Root email when created (unique across AWS). Default: none (required to create)."""
    id: str = ""
    """Id of an existing account to adopt (12 digits). Default: none (created, or read from the
    organization stage)."""


@dataclass(frozen=True)
class Accounts:
    """The landing zone's member accounts (AWS SRA)."""

    log_archive: AccountSettings = field(default_factory=AccountSettings)
    """Log-archive account. Default: ``{}``."""
    security_tooling: AccountSettings = field(default_factory=AccountSettings)
    """Security-tooling (audit) account, delegated admin of the security services. Default: ``{}``."""
    network: AccountSettings = field(default_factory=AccountSettings)
    """Network account (Transit Gateway, egress, inspection, spokes). Default: ``{}``."""
    shared_services: AccountSettings = field(default_factory=AccountSettings)
    """Shared-services account (Identity Center delegated admin). Default: ``{}``."""

    def by_role(self) -> dict[AccountRole, AccountSettings]:
        return {
            AccountRole.LOG_ARCHIVE: self.log_archive,
            AccountRole.SECURITY_TOOLING: self.security_tooling,
            AccountRole.NETWORK: self.network,
            AccountRole.SHARED_SERVICES: self.shared_services,
        }


DEFAULT_ACCOUNT_NAMES = {
    AccountRole.LOG_ARCHIVE: "Log Archive",
    AccountRole.SECURITY_TOOLING: "Security Tooling",
    AccountRole.NETWORK: "Network",
    AccountRole.SHARED_SERVICES: "Shared Services",
}


@dataclass(frozen=True, kw_only=True)
class LogArchiveSettings(LogArchiveSpec):
    """Central logging: the archive's own spec and the organization trail's two keys."""

    trail_log_retention_days: int = 365
    """Retention of the trail's CloudWatch Logs group. Default: ``365``."""
    s3_data_events: bool = False
    """Record S3 data events in the organization trail (billed per event). Default: ``False``."""


@dataclass(frozen=True, kw_only=True)
class Settings(CommonSettings):
    """The aws-landing-zone blueprint's configuration (``prefix`` and ``tags`` come from CommonSettings)."""

    stage: Stage = Stage.ALL
    """What this stack deploys: organization, baseline or all. Default: ``all``."""
    account_id: str = ""
    """The management account's id (the stack's credentials); empty reads it from AWS. Default: empty."""
    home_region: str = DEFAULT_HOME_REGION
    """Home region: organization trail, Config global resources, network. Default: ``eu-west-3``."""
    approved_regions: list[str] = field(default_factory=lambda: list(DEFAULT_APPROVED_REGIONS))
    """Regions left open by the region-deny SCP; security services run in each. Default:
    ``["eu-west-3", "eu-south-2"]``."""
    organization_root_id: str = ""
    """Brownfield: root id (``r-xxxx``) of an existing organization to adopt; empty creates one. Default:
    empty."""
    organization_id: str = ""
    """Brownfield, ``adoption: import``: id (``o-xxxxxxxxxx``) of the existing organization, the id it is
    imported with. Default: empty."""
    adoption: AdoptionMode = AdoptionMode.IMPORT
    """Brownfield: ``import`` (managed: the organization and the adopted accounts are imported, trusted
    access and the SCP policy type are enabled and the accounts moved into their OUs by ``pulumi up``;
    Pulumi CLI 3.174.0 or later) or ``check`` (nothing imported: the preview checks trusted access and the
    policy type, and ``adoptionSteps`` lists the ``move-account`` commands to run by hand). Default:
    ``import``."""
    organization_stack: str = ""
    """Stack of the organization stage that a baseline stage reads; empty means
    ``<organization>/<project>/aws-org``. Default: empty."""
    deployment_role_name: str = "OrganizationAccountAccessRole"
    """Role assumed in member accounts, exempted from the SCPs (and protected by them). Default:
    ``OrganizationAccountAccessRole``."""
    exempt_role_names: list[str] = field(default_factory=lambda: [CONTROL_TOWER_EXECUTION_ROLE])
    """Other roles exempted from (and protected by) the SCPs. Default: ``["AWSControlTowerExecution"]``."""
    guardduty_features: list[GuardDutyFeature] = field(default_factory=lambda: list(SRA_GUARDDUTY_FEATURES))
    """GuardDuty protection plans for the whole organization. Default: the SRA's (S3, EKS audit logs,
    EBS malware protection, RDS login events, Lambda network logs, runtime monitoring)."""
    existing_config_recorders: dict[str, str] = field(default_factory=dict)
    """Brownfield: account label (``management``, ``logArchive``...) -> name of the Config recorder that
    already exists there (often ``default``); Kasbah adopts it (same name) instead of creating a second
    one, which AWS refuses, and leaves it in place on destroy. Default: none."""
    ou_names: OuNames = field(default_factory=OuNames)
    """Names of the OUs. Default: Security, Infrastructure, Workloads/Prod, Workloads/NonProd, Sandbox,
    Suspended."""
    accounts: Accounts = field(default_factory=Accounts)
    """Member accounts (adopt by id or create by name and email). Default: see below."""
    log_archive: LogArchiveSettings = field(default_factory=LogArchiveSettings)
    """Central logging. Default: see below."""
    network: NetworkSpec = field(default_factory=NetworkSpec)
    """Hub-and-spoke network in the network account (the component's own spec). Default: see below."""
    budget: BudgetArgs = field(default_factory=BudgetArgs)
    """Monthly budget of each account. Default: see below."""
    backup: BackupArgs = field(default_factory=BackupArgs)
    """AWS Backup of tagged resources in every account and approved region. Default: see below."""
    identity: IdentitySpec = field(default_factory=IdentitySpec)
    """IAM Identity Center. Default: see below."""
    protect: bool = True
    """Protect stateful resources (vaults, log groups) besides the always-protected archive and key: a
    landing zone's default differs from CommonSettings'. Default: ``true``."""


OUTPUTS: dict[str, str] = {
    "stage": "What this stack deployed (organization, baseline or all).",
    "organizationId": "Organization id (o-...).",
    "organizationArn": "Organization ARN (principal of the RAM share).",
    "rootId": "Organization root id (r-...).",
    "ouIds": "OU id per OU key (security, infrastructure, workloads, prod, nonprod, sandbox, suspended).",
    "accountIds": "Member account id per role (logArchive, securityTooling, network, sharedServices).",
    "scpIds": "Ids of the service control policies Kasbah attached.",
    "logArchiveBucket": "Name of the log-archive bucket.",
    "logArchiveKeyArn": "ARN of the log-archive KMS key.",
    "trailArn": "ARN of the organization trail.",
    "transitGatewayId": "Transit Gateway id.",
    "vpcIds": "VPC id per VPC name (egress, inspection, spokes).",
    "permissionSetArns": "Identity Center permission set ARN per kind.",
    "adoptionSteps": "Brownfield, adoption check: the commands that move each adopted account into its OU (run once, by hand); empty when the accounts are imported and moved by code.",
}
"""Every stack output the blueprint exports, with its description."""


@dataclass(frozen=True)
class Plan:
    """What :func:`validate` derives from the settings."""

    network: NetworkPlan
    existing_account_ids: dict[AccountRole, str]
    accounts_to_create: dict[AccountRole, tuple[str, str]]


def adoption_steps(
    existing: dict[AccountRole, str], ou_ids: Mapping[str, pulumi.Input[str]]
) -> pulumi.Output[list[str]]:
    """Brownfield, ``adoption: check``: one ``move-account`` command per adopted account, to its OU.

    Without importing the accounts, Pulumi cannot move them, so the move is run by hand from these
    commands (with ``adoption: import`` the accounts are imported and moved by ``pulumi up``):
    https://docs.aws.amazon.com/cli/latest/reference/organizations/move-account.html
    """
    roles = sorted(existing, key=lambda r: r.value)
    return pulumi.Output.all(*(ou_ids[ACCOUNT_OU[r]] for r in roles)).apply(
        lambda ous: [
            f"aws organizations move-account --account-id {existing[r]} --source-parent-id "
            f"$(aws organizations list-parents --child-id {existing[r]} --query 'Parents[0].Id' --output text) "
            f"--destination-parent-id {ou}"
            for r, ou in zip(roles, ous, strict=True)
        ]
    )


def _k(*parts: str) -> str:
    return f"{KEY}:" + ".".join(parts)


def validate(s: Settings) -> Plan:
    """Cross-field validation, pure: raises a ConfigError naming the ``kasbah:`` key."""
    validate_prefix(s.prefix, _k("prefix"))
    validate_regions(_k("homeRegion"), s.home_region, _k("approvedRegions"), s.approved_regions)
    validate_home_region_for_security_hub(_k("homeRegion"), s.home_region)
    if s.account_id:
        validate_account_id(_k("accountId"), s.account_id)
    if s.organization_root_id:
        validate_root_id(_k("organizationRootId"), s.organization_root_id)
    validate_role_name(_k("deploymentRoleName"), s.deployment_role_name)

    existing: dict[AccountRole, str] = {}
    to_create: dict[AccountRole, tuple[str, str]] = {}
    camel = {
        AccountRole.LOG_ARCHIVE: "logArchive",
        AccountRole.SECURITY_TOOLING: "securityTooling",
        AccountRole.NETWORK: "network",
        AccountRole.SHARED_SERVICES: "sharedServices",
    }
    for role, acct in s.accounts.by_role().items():
        if acct.id:
            existing[role] = validate_account_id(_k("accounts", camel[role], "id"), acct.id)
            if acct.id == s.account_id:
                raise ConfigError(
                    f"{_k('accounts', camel[role], 'id')} and {_k('accountId')}",
                    "a member account cannot be the management account",
                    "give the member account's own id",
                )
        elif acct.email:
            validate_email(_k("accounts", camel[role], "email"), acct.email)
            to_create[role] = (acct.name or DEFAULT_ACCOUNT_NAMES[role], acct.email)
    ids = list(existing.values())
    if len(set(ids)) != len(ids):
        raise ConfigError(_k("accounts"), "two roles share one account id", "give each role its own account")
    if s.stage is not Stage.ORGANIZATION:
        missing = [camel[r] for r in AccountRole if r not in existing and r not in to_create]
        if s.stage is Stage.ALL and missing:
            raise ConfigError(
                _k("accounts", missing[0]),
                "the account has neither an id (adopt) nor an email (create)",
                "set accounts.<role>.id for an existing account, or its email to create it",
            )
        if s.stage is Stage.BASELINE and existing and missing:
            raise ConfigError(
                _k("accounts", missing[0], "id"),
                "some account ids are set and others not",
                "set every account id, or none to read them from the organization stage",
            )
    else:
        missing = [camel[r] for r in AccountRole if r not in existing and r not in to_create]
        if missing:
            raise ConfigError(
                _k("accounts", missing[0], "email"),
                "the organization stage needs an email (to create) or an id (to adopt) per account",
                "set it",
            )
    if s.organization_stack and s.organization_stack.count("/") not in (0, 2):
        raise ConfigError(_k("organizationStack"), "expected <stack> or <org>/<project>/<stack>", "fix it")

    validate_organization_args(
        OrganizationArgs(
            approved_regions=s.approved_regions,
            deployment_role_name=s.deployment_role_name,
            root_id=s.organization_root_id or None,
            adoption=s.adoption,
            organization_id=s.organization_id or None,
            ou_names=s.ou_names,
            exempt_role_names=s.exempt_role_names,
        ),
        key=f"{KEY}:",
    )
    plan = validate_network(s.network, key=_k("network"))
    validate_log_archive_args(
        args_of(
            LogArchiveArgs,
            s.log_archive,
            account_id="000000000000",
            organization_id="o-placeholder",
            management_account_id="000000000000",
        ),
        key=_k("logArchive"),
    )
    labels = ["management", *camel.values()]
    for label, recorder in s.existing_config_recorders.items():
        if label not in labels:
            raise ConfigError(
                _k("existingConfigRecorders", label),
                f"unknown account {label!r}",
                f"use one of {', '.join(labels)}",
            )
        if not recorder or len(recorder) > 256:
            raise ConfigError(
                _k("existingConfigRecorders", label), "the recorder name is empty", "give its name"
            )
    validate_retention(_k("logArchive", "trailLogRetentionDays"), s.log_archive.trail_log_retention_days)
    validate_security_baseline_args(
        SecurityBaselineArgs(
            account_id="000000000000",
            regions=s.approved_regions,
            home_region=s.home_region,
            budget=s.budget,
            backup=s.backup,
            guardduty_features=s.guardduty_features,
        ),
        key=f"{KEY}:",
    )
    if bool(s.identity.instance_arn) != bool(s.identity.identity_store_id):
        raise ConfigError(
            _k("identity", "instanceArn") + " and " + _k("identity", "identityStoreId"),
            "set both or neither",
            "copy both from `aws sso-admin list-instances`",
        )
    if s.identity.instance_arn:
        resolve_assignments(args_of(IdentityArgs, s.identity, account_ids={}), key=_k("identity"))
    return Plan(plan, existing, to_create)
