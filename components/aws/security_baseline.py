"""The security baseline of one account, in every approved region (AWS SRA).

In the security-tooling account (the delegated administrator): GuardDuty with
organization auto-enable, S3 protection and malware protection; Security Hub with
the AWS Foundational Security Best Practices and CIS standards and organization
auto-enable; an organization IAM Access Analyzer. In every account: EBS
encryption by default and an AWS Backup vault (with a vault lock) and plan for
tagged resources in each region; once per account (home region): the password
policy, the S3 account public-access block and a monthly budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws.aws_data import DEFAULT_APPROVED_REGIONS, DEFAULT_HOME_REGION, EMAIL_RE
from components.aws.iam import service_trust_policy
from components.aws.validate import subkey
from components.common import CommonArgs, DataClassification, child_name, classification_tags, layer_tags
from components.errors import ConfigError


@dataclass(frozen=True)
class BudgetArgs:
    """A monthly cost budget with notifications."""

    limit_usd: int = 1000
    """Monthly cost limit in USD (0: no budget). Default: ``1000``."""
    emails: Sequence[str] = ()
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
    """Days before the vault lock becomes immutable (compliance mode); ``None`` keeps governance mode.
    Default: ``3``."""


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
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, tags, protection. Default: ``CommonArgs()``."""


def validate_security_baseline_args(args: SecurityBaselineArgs, key: str = "SecurityBaselineArgs") -> None:
    if args.home_region not in args.regions:
        raise ConfigError(
            f"{subkey(key, 'homeRegion')} and {subkey(key, 'regions')}",
            "the home region is not in the regions",
            "add it",
        )
    if args.budget.limit_usd < 0:
        raise ConfigError(
            f"{subkey(key, 'budget')}.limitUsd", "a budget cannot be negative", "use 0 to disable"
        )
    for i, email in enumerate(args.budget.emails):
        if not EMAIL_RE.match(email):
            raise ConfigError(
                f"{subkey(key, 'budget')}.emails[{i}]", f"{email!r} is not an email address", "fix it"
            )
    b = args.backup
    if b.enabled and not (1 <= b.lock_min_days <= b.retention_days <= b.lock_max_days):
        raise ConfigError(
            f"{subkey(key, 'backup')}.retentionDays and {subkey(key, 'backup')}.lockMinDays",
            f"retention {b.retention_days} must lie between lockMinDays {b.lock_min_days} "
            f"and lockMaxDays {b.lock_max_days}",
            "adjust the retention or the lock bounds",
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
        prefix = args.common.prefix
        tags = layer_tags({"kasbah:component": "security-baseline"}, args.common.tags)
        child = pulumi.ResourceOptions(parent=self)
        self.detector_ids = []
        self.analyzer_arns = []
        self.vault_arns = []

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
            opts=child,
        )
        aws.s3.AccountPublicAccessBlock(
            child_name(name, "s3-public-access-block"),
            account_id=args.account_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
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

        for region in args.regions:
            aws.ebs.EncryptionByDefault(
                child_name(name, "ebs-encryption", region), enabled=True, region=region, opts=child
            )
            if args.security_admin:
                self._security_services(name, region, tags)
            if backup_role is not None:
                self._backup(name, region, args, tags, backup_role)

        self.register_outputs(
            {
                "detectorIds": self.detector_ids,
                "analyzerArns": self.analyzer_arns,
                "vaultArns": self.vault_arns,
            }
        )

    def _security_services(self, name: str, region: str, tags: dict[str, str]) -> None:
        child = pulumi.ResourceOptions(parent=self)
        detector = aws.guardduty.Detector(
            child_name(name, "guardduty", region),
            enable=True,
            finding_publishing_frequency="FIFTEEN_MINUTES",
            region=region,
            tags=tags,
            opts=child,
        )
        self.detector_ids.append(detector.id)
        aws.guardduty.OrganizationConfiguration(
            child_name(name, "guardduty-org", region),
            detector_id=detector.id,
            auto_enable_organization_members="ALL",
            region=region,
            opts=child,
        )
        for feature in ("S3_DATA_EVENTS", "EBS_MALWARE_PROTECTION"):
            aws.guardduty.DetectorFeature(
                child_name(name, "guardduty", region, feature.lower().replace("_", "-")),
                detector_id=detector.id,
                name=feature,
                status="ENABLED",
                region=region,
                opts=child,
            )
            aws.guardduty.OrganizationConfigurationFeature(
                child_name(name, "guardduty-org", region, feature.lower().replace("_", "-")),
                detector_id=detector.id,
                name=feature,
                auto_enable="ALL",
                region=region,
                opts=child,
            )
        hub = aws.securityhub.Account(
            child_name(name, "securityhub", region),
            enable_default_standards=False,
            auto_enable_controls=True,
            region=region,
            opts=child,
        )
        aws.securityhub.OrganizationConfiguration(
            child_name(name, "securityhub-org", region),
            auto_enable=True,
            auto_enable_standards="DEFAULT",
            region=region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[hub]),
        )
        for label, arn in (("fsbp", FSBP_STANDARD), ("cis", CIS_STANDARD)):
            aws.securityhub.StandardsSubscription(
                child_name(name, "securityhub", region, label),
                standards_arn=arn.format(region=region),
                region=region,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[hub]),
            )
        analyzer = aws.accessanalyzer.Analyzer(
            child_name(name, "access-analyzer", region),
            analyzer_name=f"{name}-organization-{region}",
            type="ORGANIZATION",
            region=region,
            tags=tags,
            opts=child,
        )
        self.analyzer_arns.append(analyzer.arn)

    def _backup(
        self, name: str, region: str, args: SecurityBaselineArgs, tags: dict[str, str], role: aws.iam.Role
    ) -> None:
        child = pulumi.ResourceOptions(parent=self)
        b = args.backup
        vault = aws.backup.Vault(
            child_name(name, "backup-vault", region),
            name=f"{args.common.prefix}-vault-{region}",
            force_destroy=False,
            region=region,
            tags=layer_tags(tags, classification_tags(args.backup_classification)),
            opts=pulumi.ResourceOptions(parent=self, protect=args.common.protect),
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
