"""The security baseline of one account, in every approved region (AWS SRA).

In the security-tooling account (the delegated administrator): GuardDuty's
organization configuration on the detector that the delegation created (looked
up, never created), with every account enrolled and the protection plans the SRA
enables; Security Hub central configuration (a finding aggregator in the home
region linking the other approved regions, and a configuration policy with the
AWS Foundational Security Best Practices and CIS standards associated with the
organization root, so that existing accounts are enabled too, not only new
ones); an organization IAM Access Analyzer per region. Everything organization-wide
waits for the delegated-administrator registrations. In every account: EBS
encryption by default and an AWS Backup vault (with a vault lock) and plan for
tagged resources in each region; once per account (home region): the password
policy, the S3 account public-access block and a monthly budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import pulumi
import pulumi_aws as aws

from components.aws.aws_data import DEFAULT_APPROVED_REGIONS, DEFAULT_HOME_REGION, EMAIL_RE, OPT_IN_REGIONS
from components.aws.iam import service_trust_policy
from components.aws.validate import subkey
from components.common import CommonArgs, DataClassification, child_name, classification_tags, layer_tags
from components.errors import ConfigError


@dataclass(frozen=True)
class BudgetArgs:
    """A monthly cost budget with notifications."""

    limit_usd: int = 1000
    """Monthly cost limit in USD (0: no budget). Default: ``1000``."""
    emails: list[str] = field(default_factory=list)
    """Who is notified at 80% actual and 100% forecast. Default: none (the budget still shows in the console)."""


@dataclass(frozen=True)
class BackupArgs:
    """AWS Backup for resources carrying a tag."""

    enabled: bool = True
    """Create a vault, a vault lock and a daily plan in each region. Default: ``True``."""
    tag_key: str = "backup"
    """Resources with this tag key... Default: ``backup``."""
    tag_value: str = "daily"
    """...and this value are backed up. Default: ``daily``."""
    retention_days: int = 35
    """Days recovery points are kept. Default: ``35``."""
    lock_min_days: int = 7
    """Vault lock: minimum retention a recovery point must have. Default: ``7``."""
    lock_max_days: int = 365
    """Vault lock: maximum retention. Default: ``365``."""
    lock_changeable_days: int | None = 3
    """Days before the vault lock becomes immutable (compliance mode, at least 3); ``None`` keeps
    governance mode. Default: ``3``."""
    force_destroy: bool = False
    """Let ``pulumi destroy`` delete the vaults' recovery points with the vaults (a dev stack destroyed
    and deployed again); refused with a compliance-mode lock. Default: ``False``."""


class GuardDutyFeature(StrEnum):
    """GuardDuty protection plans (the API's feature names):
    https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DetectorFeatureConfiguration.html"""

    S3_DATA_EVENTS = "S3_DATA_EVENTS"
    EKS_AUDIT_LOGS = "EKS_AUDIT_LOGS"
    EBS_MALWARE_PROTECTION = "EBS_MALWARE_PROTECTION"
    RDS_LOGIN_EVENTS = "RDS_LOGIN_EVENTS"
    LAMBDA_NETWORK_LOGS = "LAMBDA_NETWORK_LOGS"
    RUNTIME_MONITORING = "RUNTIME_MONITORING"


SRA_GUARDDUTY_FEATURES: tuple[GuardDutyFeature, ...] = tuple(GuardDutyFeature)
"""The protection plans the AWS Security Reference Architecture's GuardDuty solution turns on by
default: S3, EKS audit logs, malware protection for EC2 (EBS), RDS login events, Lambda network
logs and runtime monitoring (github.com/aws-samples/aws-security-reference-architecture-examples,
``aws_sra_examples/solutions/guardduty/guardduty_org``)."""

GUARDDUTY_FEATURE_UNAVAILABLE: dict[GuardDutyFeature, frozenset[str]] = {
    GuardDutyFeature.RDS_LOGIN_EVENTS: frozenset({"ap-east-2"}),
}
"""Protection plans GuardDuty does not offer in some regions (its region-specific feature availability,
checked 2026-12-02: RDS Protection is not supported in Asia Pacific (Taipei); every other plan is offered
in every commercial region, Kasbah's eu-west-3 and eu-south-2 included):
https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_regions.html"""

RUNTIME_AGENT_MANAGEMENT: tuple[str, ...] = (
    "EKS_ADDON_MANAGEMENT",
    "ECS_FARGATE_AGENT_MANAGEMENT",
    "EC2_AGENT_MANAGEMENT",
)
"""Runtime monitoring's additional configurations: GuardDuty manages its security agent on EKS,
ECS Fargate and EC2 (https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring.html)."""


@dataclass(frozen=True)
class SecurityBaselineArgs:
    """Inputs of :class:`SecurityBaseline`."""

    account_id: pulumi.Input[str]
    """The account the baseline is applied to. Required."""
    regions: Sequence[str] = DEFAULT_APPROVED_REGIONS
    """Approved regions: regional services are enabled in each. Default: ``eu-west-3``, ``eu-south-2``."""
    home_region: str = DEFAULT_HOME_REGION
    """Where account-wide settings live. Default: ``eu-west-3``."""
    security_admin: bool = False
    """This is the security-tooling (delegated administrator) account. Default: ``False``."""
    budget: BudgetArgs = field(default_factory=BudgetArgs)
    """Monthly budget. Default: ``BudgetArgs()``."""
    backup: BackupArgs = field(default_factory=BackupArgs)
    """AWS Backup. Default: ``BackupArgs()``."""
    backup_classification: DataClassification = DataClassification.INTERNAL
    """Data classification of the backup vaults (a vault holds copies of tagged resources). Default:
    ``internal``."""
    guardduty_features: Sequence[GuardDutyFeature] = SRA_GUARDDUTY_FEATURES
    """GuardDuty protection plans enabled on the administrator's detector and for every account of the
    organization (security-tooling account only). Default: the SRA's, every plan."""
    organization_root_id: pulumi.Input[str] | None = None
    """Root id the Security Hub configuration policy is associated with (security-tooling account only;
    required there). Default: ``None``."""
    admin_dependencies: Sequence[pulumi.Resource] = ()
    """Delegated-administrator registrations made in the same stack: organization-wide configurations
    wait for them. Default: none (registered by an earlier stage)."""
    region_dependencies: Mapping[str, Sequence[pulumi.Resource]] = field(default_factory=dict)
    """Region -> what this account's resources in that region wait for: the enablement of an opt-in
    region made in the same stack (nothing can be created in a region the account has not enabled).
    Default: none (enabled by an earlier stage)."""
    organization_region_dependencies: Sequence[pulumi.Resource] = ()
    """Security-tooling account: the opt-in region enablements of every account made in the same stack;
    the Security Hub configuration policy applies in a linked region only to accounts that have enabled
    it. Default: none."""
    management_account_id: pulumi.Input[str] | None = None
    """Security-tooling account: the management account, associated with the Security Hub configuration
    policy explicitly as well as through the root. Default: ``None``."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, tags, protection. Default: ``CommonArgs()``."""


def validate_security_baseline_args(args: SecurityBaselineArgs, key: str = "SecurityBaselineArgs") -> None:
    if args.home_region not in args.regions:
        raise ConfigError(
            f"{subkey(key, 'homeRegion')} and {subkey(key, 'regions')}",
            "the home region is not in the regions",
            "add it",
        )
    if args.security_admin:
        validate_home_region_for_security_hub(f"{subkey(key, 'homeRegion')}", args.home_region)
    if args.budget.limit_usd < 0:
        raise ConfigError(
            f"{subkey(key, 'budget')}.limitUsd", "a budget cannot be negative", "use 0 to disable"
        )
    for i, email in enumerate(args.budget.emails):
        if not EMAIL_RE.match(email):
            raise ConfigError(
                f"{subkey(key, 'budget')}.emails[{i}]", f"{email!r} is not an email address", "fix it"
            )
    if args.security_admin and args.organization_root_id is None:
        raise ConfigError(
            f"{subkey(key, 'organizationRootId')} and {subkey(key, 'securityAdmin')}",
            "the security administrator needs the organization root id (Security Hub's configuration policy)",
            "pass the root id",
        )
    for feature in args.guardduty_features:
        missing = sorted(
            GUARDDUTY_FEATURE_UNAVAILABLE.get(GuardDutyFeature(feature), frozenset()) & set(args.regions)
        )
        if missing:
            raise ConfigError(
                f"{subkey(key, 'guarddutyFeatures')} and {subkey(key, 'regions')}",
                f"GuardDuty does not offer {GuardDutyFeature(feature).value} in {', '.join(missing)}",
                "drop the protection plan, or the region",
            )
    if len(set(args.guardduty_features)) != len(args.guardduty_features):
        raise ConfigError(
            f"{subkey(key, 'guarddutyFeatures')}", "a protection plan is listed twice", "list it once"
        )
    b = args.backup
    if b.lock_changeable_days is not None and not 3 <= b.lock_changeable_days <= 36500:
        raise ConfigError(
            f"{subkey(key, 'backup')}.lockChangeableDays",
            f"{b.lock_changeable_days} is outside the 3-36500 days AWS Backup accepts",
            "use at least 3, or null for governance mode",
        )
    if b.force_destroy and b.lock_changeable_days is not None:
        raise ConfigError(
            f"{subkey(key, 'backup')}.forceDestroy and {subkey(key, 'backup')}.lockChangeableDays",
            "a compliance-mode vault lock keeps its recovery points: destroy cannot delete them",
            "set lockChangeableDays to null (governance mode, dev only) or keep forceDestroy off",
        )
    if b.enabled and not (1 <= b.lock_min_days <= b.retention_days <= b.lock_max_days):
        raise ConfigError(
            f"{subkey(key, 'backup')}.retentionDays and {subkey(key, 'backup')}.lockMinDays",
            f"retention {b.retention_days} must lie between lockMinDays {b.lock_min_days} "
            f"and lockMaxDays {b.lock_max_days}",
            "adjust the retention or the lock bounds",
        )


def validate_home_region_for_security_hub(key: str, home_region: str) -> None:
    """Security Hub central configuration is run from the home region, which cannot be an opt-in region:
    https://docs.aws.amazon.com/securityhub/latest/userguide/central-configuration-intro.html"""
    if home_region in OPT_IN_REGIONS:
        raise ConfigError(
            key,
            f"{home_region} is an opt-in region, which cannot be Security Hub's home region",
            "pick a region enabled by default (e.g. eu-west-3) as the home region and approve the other",
        )


FSBP_STANDARD = "arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS_STANDARD = "arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/3.0.0"


class SecurityBaseline(pulumi.ComponentResource):
    """Security services and account settings of one account, in every approved region."""

    detector_ids: list[pulumi.Output[str]]
    analyzer_arns: list[pulumi.Output[str]]
    vault_arns: list[pulumi.Output[str]]

    def __init__(
        self, name: str, args: SecurityBaselineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        validate_security_baseline_args(args)
        super().__init__("kasbah:aws:SecurityBaseline", name, None, opts)
        self._region_dependencies = args.region_dependencies
        prefix = args.common.prefix
        tags = layer_tags({"kasbah:component": "security-baseline"}, args.common.tags)
        child = pulumi.ResourceOptions(parent=self)
        self.detector_ids = []
        self.analyzer_arns = []
        self.vault_arns = []

        # Account-wide settings are singletons: creating one overwrites the account's setting, and deleting
        # it removes the setting (DeleteAccountPasswordPolicy, DeletePublicAccessBlock,
        # DisableEbsEncryptionByDefault). Retained, so that neither a destroy nor a replacement (created,
        # then the old one deleted) ever leaves the account weaker than it found it.
        # https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccountPasswordPolicy.html,
        # https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_DeletePublicAccessBlock.html,
        # https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisableEbsEncryptionByDefault.html
        singleton = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        aws.iam.AccountPasswordPolicy(
            child_name(name, "password-policy"),
            minimum_password_length=14,
            require_lowercase_characters=True,
            require_uppercase_characters=True,
            require_numbers=True,
            require_symbols=True,
            allow_users_to_change_password=True,
            password_reuse_prevention=24,
            max_password_age=90,
            opts=singleton,
        )
        aws.s3.AccountPublicAccessBlock(
            child_name(name, "s3-public-access-block"),
            account_id=args.account_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=singleton,
        )
        if args.budget.limit_usd > 0:
            notifications: list[aws.budgets.BudgetNotificationArgsDict] = []
            if args.budget.emails:
                for kind, threshold in (("ACTUAL", 80), ("FORECASTED", 100)):
                    notifications.append(
                        {
                            "comparison_operator": "GREATER_THAN",
                            "threshold": threshold,
                            "threshold_type": "PERCENTAGE",
                            "notification_type": kind,
                            "subscriber_email_addresses": list(args.budget.emails),
                        }
                    )
            aws.budgets.Budget(
                child_name(name, "budget"),
                name=f"{prefix}-monthly",
                account_id=args.account_id,
                budget_type="COST",
                limit_amount=str(args.budget.limit_usd),
                limit_unit="USD",
                time_unit="MONTHLY",
                notifications=notifications,
                tags=tags,
                opts=child,
            )

        backup_role: aws.iam.Role | None = None
        if args.backup.enabled:
            backup_role = aws.iam.Role(
                child_name(name, "backup-role"),
                name=f"{prefix}-backup",
                assume_role_policy=service_trust_policy("backup.amazonaws.com"),
                tags=tags,
                opts=child,
            )
            for suffix, policy in (
                ("backup", "AWSBackupServiceRolePolicyForBackup"),
                ("restore", "AWSBackupServiceRolePolicyForRestores"),
            ):
                aws.iam.RolePolicyAttachment(
                    child_name(name, "backup-role", suffix),
                    role=backup_role.name,
                    policy_arn=f"arn:aws:iam::aws:policy/service-role/{policy}",
                    opts=child,
                )

        if args.security_admin:
            self._security_hub(name, args, tags)
        for region in args.regions:
            aws.ebs.EncryptionByDefault(
                child_name(name, "ebs-encryption", region),
                enabled=True,
                region=region,
                opts=pulumi.ResourceOptions.merge(
                    self._in_region(region), pulumi.ResourceOptions(retain_on_delete=True)
                ),
            )
            if args.security_admin:
                self._security_services(name, region, args, tags)
            if backup_role is not None:
                self._backup(name, region, args, tags, backup_role)

        self.register_outputs(
            {
                "detectorIds": self.detector_ids,
                "analyzerArns": self.analyzer_arns,
                "vaultArns": self.vault_arns,
            }
        )

    def _in_region(self, region: str, *extra: pulumi.Resource) -> pulumi.ResourceOptions:
        """Child options of a resource in ``region``: it waits for the region's enablement (if in this
        stack) and for ``extra``."""
        deps = [*self._region_dependencies.get(region, ()), *extra]
        return pulumi.ResourceOptions(parent=self, depends_on=deps)

    def _security_services(
        self, name: str, region: str, args: SecurityBaselineArgs, tags: dict[str, str]
    ) -> None:
        # Designating the delegated administrator enables GuardDuty there: the detector exists, and
        # creating one fails ("detector already exists"). It is looked up once the designation is made.
        # https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_organizations.html
        deps = [*self._region_dependencies.get(region, ()), *args.admin_dependencies]
        after_admin = pulumi.ResourceOptions(parent=self, depends_on=deps)
        detector = aws.guardduty.get_detector_output(
            region=region, opts=pulumi.InvokeOutputOptions(parent=self, depends_on=deps)
        )
        self.detector_ids.append(detector.id)
        aws.guardduty.OrganizationConfiguration(
            child_name(name, "guardduty-org", region),
            detector_id=detector.id,
            auto_enable_organization_members="ALL",
            region=region,
            opts=after_admin,
        )
        for feature in args.guardduty_features:
            label = feature.value.lower().replace("_", "-")
            runtime = feature is GuardDutyFeature.RUNTIME_MONITORING
            aws.guardduty.DetectorFeature(
                child_name(name, "guardduty", region, label),
                detector_id=detector.id,
                name=feature.value,
                status="ENABLED",
                additional_configurations=(
                    [{"name": c, "status": "ENABLED"} for c in RUNTIME_AGENT_MANAGEMENT] if runtime else None
                ),
                region=region,
                opts=after_admin,
            )
            aws.guardduty.OrganizationConfigurationFeature(
                child_name(name, "guardduty-org", region, label),
                detector_id=detector.id,
                name=feature.value,
                auto_enable="ALL",
                additional_configurations=(
                    [{"name": c, "auto_enable": "ALL"} for c in RUNTIME_AGENT_MANAGEMENT] if runtime else None
                ),
                region=region,
                opts=after_admin,
            )
        # An ORGANIZATION analyzer can only be created by the delegated administrator, once registered.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-settings.html
        analyzer = aws.accessanalyzer.Analyzer(
            child_name(name, "access-analyzer", region),
            analyzer_name=f"{name}-organization-{region}",
            type="ORGANIZATION",
            region=region,
            tags=tags,
            opts=after_admin,
        )
        self.analyzer_arns.append(analyzer.arn)

    def _security_hub(self, name: str, args: SecurityBaselineArgs, tags: dict[str, str]) -> None:
        """Security Hub central configuration, from the home region.

        Designating the delegated administrator enables Security Hub in that account (so no
        ``securityhub.Account`` here). ``auto_enable`` alone covers only accounts that join later; a
        configuration policy associated with the root enables existing accounts too. Central
        configuration needs a finding aggregator (which also brings the other regions' findings home):
        https://docs.aws.amazon.com/securityhub/latest/userguide/central-configuration-intro.html,
        https://docs.aws.amazon.com/securityhub/latest/userguide/finding-aggregation.html
        """
        home = args.home_region
        linked = [r for r in args.regions if r != home]
        # The aggregator links regions this account must have enabled (opt-in regions).
        linked_enabled = [d for r in linked for d in self._region_dependencies.get(r, ())]
        aggregator = aws.securityhub.FindingAggregator(
            child_name(name, "securityhub-aggregator"),
            linking_mode="SPECIFIED_REGIONS" if linked else "NO_REGIONS",
            specified_regions=linked or None,
            region=home,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*args.admin_dependencies, *linked_enabled]),
        )
        org_config = aws.securityhub.OrganizationConfiguration(
            child_name(name, "securityhub-org"),
            auto_enable=False,
            auto_enable_standards="NONE",
            organization_configuration={"configuration_type": "CENTRAL"},
            region=home,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[aggregator, *args.admin_dependencies]),
        )
        policy = aws.securityhub.ConfigurationPolicy(
            child_name(name, "securityhub-policy"),
            name=f"{args.common.prefix}-baseline",
            description="Kasbah baseline: Security Hub on, AWS FSBP and CIS standards, every control",
            configuration_policy={
                "service_enabled": True,
                "enabled_standard_arns": [
                    FSBP_STANDARD.format(region=home),
                    CIS_STANDARD.format(region=home),
                ],
                "security_controls_configuration": {"disabled_control_identifiers": []},
            },
            region=home,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[org_config]),
        )
        # A policy applies in a linked opt-in region only to the accounts that have enabled it.
        after_regions = pulumi.ResourceOptions(
            parent=self, depends_on=list(args.organization_region_dependencies)
        )
        assert args.organization_root_id is not None  # validated
        aws.securityhub.ConfigurationPolicyAssociation(
            child_name(name, "securityhub-policy-root"),
            policy_id=policy.id,
            target_id=args.organization_root_id,
            region=home,
            opts=after_regions,
        )
        # The root association covers every account of the organization, existing ones included
        # (https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-accounts-orgs.html). The
        # management account is also associated by name, so that its coverage does not rest on
        # inheritance alone (the AWS SRA and LZA solutions enable it explicitly) and shows in the stack.
        if args.management_account_id is not None:
            aws.securityhub.ConfigurationPolicyAssociation(
                child_name(name, "securityhub-policy-management"),
                policy_id=policy.id,
                target_id=args.management_account_id,
                region=home,
                opts=after_regions,
            )

    def _backup(
        self, name: str, region: str, args: SecurityBaselineArgs, tags: dict[str, str], role: aws.iam.Role
    ) -> None:
        child = self._in_region(region)
        b = args.backup
        # Deleting a vault that holds recovery points fails unless force_destroy deletes them first
        # (refused by validation under a compliance-mode lock, whose points cannot be deleted):
        # https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DeleteBackupVault.html
        vault = aws.backup.Vault(
            child_name(name, "backup-vault", region),
            name=f"{args.common.prefix}-vault-{region}",
            force_destroy=b.force_destroy,
            region=region,
            tags=layer_tags(tags, classification_tags(args.backup_classification)),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=args.common.protect)),
        )
        self.vault_arns.append(vault.arn)
        aws.backup.VaultLockConfiguration(
            child_name(name, "backup-vault-lock", region),
            backup_vault_name=vault.name,
            min_retention_days=b.lock_min_days,
            max_retention_days=b.lock_max_days,
            changeable_for_days=b.lock_changeable_days,
            region=region,
            opts=child,
        )
        plan = aws.backup.Plan(
            child_name(name, "backup-plan", region),
            name=f"{args.common.prefix}-daily-{region}",
            rules=[
                {
                    "rule_name": "daily",
                    "target_vault_name": vault.name,
                    "schedule": "cron(0 3 * * ? *)",
                    "lifecycle": {"delete_after": b.retention_days},
                }
            ],
            region=region,
            tags=tags,
            opts=child,
        )
        aws.backup.Selection(
            child_name(name, "backup-selection", region),
            name=f"{args.common.prefix}-tagged",
            plan_id=plan.id,
            iam_role_arn=role.arn,
            selection_tags=[{"type": "STRINGEQUALS", "key": b.tag_key, "value": b.tag_value}],
            region=region,
            opts=child,
        )
