"""Data the AWS landing zone is built from: regions, global services, protected actions, accounts.

Kept as data (not code) so that a reviewer can read it and an organisation can
change it in one place. Sources: the AWS Control Tower region-deny control
(``AWS-GR_REGION_DENY``), the Landing Zone Accelerator guardrails and the AWS
Security Reference Architecture.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from importlib.resources import files
from typing import Any

from kasbah.facts import CASABLANCA_WLZ, Cloud, approved_locations

DEFAULT_HOME_REGION: str = CASABLANCA_WLZ.parent_region
"""Paris: the parent region of the Casablanca Wavelength zone (``kasbah.facts``)."""

DEFAULT_APPROVED_REGIONS: tuple[str, ...] = approved_locations(Cloud.AWS)
"""Kasbah's residency profile: Paris and Spain (``kasbah.facts.APPROVED_LOCATIONS``; no AWS region in Morocco)."""

AWS_COMMERCIAL_REGIONS: tuple[str, ...] = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
)
"""Every commercial AWS region (2026): approved regions must be among them."""

OPT_IN_REGIONS: frozenset[str] = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-south-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-west-1",
        "eu-central-2",
        "eu-south-1",
        "eu-south-2",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
    }
)
"""Regions launched after March 20, 2019: disabled in every account until enabled (``EnableRegion``),
and nothing can be created there before (Kasbah's default ``eu-south-2`` is one). Default regions cannot
be enabled or disabled. https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html"""

REGION_DENY_DATA: dict[str, Any] = json.loads(
    files("components.aws").joinpath("region_deny_exemptions.json").read_text(encoding="utf-8")
)
"""Control Tower's Region deny control as data: ``notAction`` (the list), ``source`` (the page),
``retrieved`` (the date it was compared with the page) and how it was verified
(``region_deny_exemptions.json``)."""

CONTROL_TOWER_REGION_DENY_EXEMPTIONS: tuple[str, ...] = tuple(REGION_DENY_DATA["notAction"])
"""The NotAction list of AWS Control Tower's landing-zone Region deny control (``AWS-GR_REGION_DENY``),
action by action as its documentation shows it:
https://docs.aws.amazon.com/controltower/latest/userguide/primary-region-deny-policy.html"""

KMS_KEY_USE_ACTIONS: tuple[str, ...] = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:GetPublicKey",
    "kms:List*",
    "kms:ReEncrypt*",
    "kms:Sign",
    "kms:Verify",
)
"""KMS actions that use or read an existing key. They stay allowed outside the approved regions
(global services such as CloudFront and IAM call KMS in us-east-1), while ``kms:CreateKey``,
``kms:ReplicateKey``, ``kms:ImportKeyMaterial`` and every other key-creating or key-changing action is
denied there: Control Tower exempts all of ``kms:*``, which lets keys (and so encrypted data) be
created outside the approved regions. Actions: https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html"""

GLOBAL_SERVICE_ACTIONS: tuple[str, ...] = tuple(
    sorted(
        {a for a in CONTROL_TOWER_REGION_DENY_EXEMPTIONS if a != "kms:*"} | set(KMS_KEY_USE_ACTIONS),
        key=str.lower,
    )
)
"""Actions exempted from the region-deny SCP: Control Tower's list, with ``kms:*`` narrowed to
:data:`KMS_KEY_USE_ACTIONS` (a residency gap otherwise). These global services are served from
us-east-1 (IAM, Organizations, Route 53, CloudFront, billing...) and are not subject to data
residency (``../shared/context.md``)."""

PROTECTED_SECURITY_ACTIONS: dict[str, tuple[str, ...]] = {
    "cloudtrail": (
        "cloudtrail:DeleteTrail",
        "cloudtrail:PutEventSelectors",
        "cloudtrail:PutInsightSelectors",
        "cloudtrail:StopLogging",
        "cloudtrail:UpdateTrail",
    ),
    "config": (
        "config:DeleteAggregationAuthorization",
        "config:DeleteConfigurationAggregator",
        "config:DeleteConfigurationRecorder",
        "config:DeleteDeliveryChannel",
        "config:DeleteRetentionConfiguration",
        "config:PutConfigurationRecorder",
        "config:PutDeliveryChannel",
        "config:PutRetentionConfiguration",
        "config:StopConfigurationRecorder",
    ),
    "guardduty": (
        "guardduty:CreateFilter",
        "guardduty:DeleteDetector",
        "guardduty:DeleteMembers",
        "guardduty:DeletePublishingDestination",
        "guardduty:DisassociateFromAdministratorAccount",
        "guardduty:DisassociateFromMasterAccount",
        "guardduty:DisassociateMembers",
        "guardduty:StopMonitoringMembers",
        "guardduty:UpdateDetector",
    ),
    "securityhub": (
        "securityhub:BatchDisableStandards",
        "securityhub:DeleteMembers",
        "securityhub:DisableImportFindingsForProduct",
        "securityhub:DisableSecurityHub",
        "securityhub:DisassociateFromAdministratorAccount",
        "securityhub:DisassociateFromMasterAccount",
        "securityhub:DisassociateMembers",
    ),
    "access-analyzer": (
        "access-analyzer:CreateArchiveRule",
        "access-analyzer:DeleteAnalyzer",
        "access-analyzer:UpdateArchiveRule",
    ),
}
"""Actions that disable or weaken a security service, denied by SCP to everyone but the deployment role."""

TRUSTED_SERVICE_PRINCIPALS: tuple[str, ...] = (
    "access-analyzer.amazonaws.com",
    "account.amazonaws.com",
    "backup.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com",
    "config.amazonaws.com",
    "guardduty.amazonaws.com",
    "malware-protection.guardduty.amazonaws.com",
    "ram.amazonaws.com",
    "securityhub.amazonaws.com",
    "sso.amazonaws.com",
)
"""Services given trusted access to the organization (AWS SRA), plus AWS Account Management: the
management account enables the opt-in approved regions of member accounts (``EnableRegion`` with an
``AccountId``), which needs it: https://docs.aws.amazon.com/accounts/latest/reference/using-orgs-trusted-access.html"""


class AccountRole(StrEnum):
    """The member accounts of the landing zone (AWS SRA layout)."""

    LOG_ARCHIVE = "logArchive"
    SECURITY_TOOLING = "securityTooling"
    NETWORK = "network"
    SHARED_SERVICES = "sharedServices"


DELEGATED_ADMINISTRATORS: dict[str, AccountRole] = {
    "access-analyzer.amazonaws.com": AccountRole.SECURITY_TOOLING,
    "config.amazonaws.com": AccountRole.SECURITY_TOOLING,
    "sso.amazonaws.com": AccountRole.SHARED_SERVICES,
}
"""Service principal -> the account that administers it for the organization (AWS SRA).

CloudTrail's organization trail stays in the management account; RAM needs no
delegated administrator (sharing with the organization is enabled by trusted access).
GuardDuty and Security Hub are delegated per region with their own APIs
(:data:`REGIONAL_ADMIN_ROLE`), which register the delegated administrator themselves.
"""

REGIONAL_ADMIN_ROLE = AccountRole.SECURITY_TOOLING
"""The account made GuardDuty and Security Hub administrator in every approved region."""

CONTROL_TOWER_EXECUTION_ROLE = "AWSControlTowerExecution"
"""The role AWS Control Tower deploys with in enrolled accounts; its own SCPs exempt it, and so do
Kasbah's so that an organization governed by Control Tower keeps working:
https://docs.aws.amazon.com/controltower/latest/userguide/awscontroltowerexecution.html"""

PROTECTED_ROLE_ACTIONS: tuple[str, ...] = (
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
)
"""IAM actions denied on the roles the guardrails exempt, to everyone but those roles: otherwise a
member-account administrator rewrites the exempted role's trust policy, assumes it and escapes every
guardrail (LZA's guardrail SCPs protect their roles the same way; IAM actions:
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html)."""

ACCOUNT_OU: dict[AccountRole, str] = {
    AccountRole.LOG_ARCHIVE: "security",
    AccountRole.SECURITY_TOOLING: "security",
    AccountRole.NETWORK: "infrastructure",
    AccountRole.SHARED_SERVICES: "infrastructure",
}
"""Which OU (a key of the OU tree) each member account is placed in."""


class Segment(StrEnum):
    """Routing segments of the Transit Gateway: each has its own route table."""

    PROD = "prod"
    NONPROD = "nonprod"
    SHARED = "shared"


ACCOUNT_ID_RE = re.compile(r"^\d{12}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
ROOT_ID_RE = re.compile(r"^r-[0-9a-z]{4,32}$")
ORGANIZATION_ID_RE = re.compile(r"^o-[a-z0-9]{10,32}$")
ROLE_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$")
