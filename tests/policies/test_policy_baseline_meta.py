"""The security-baseline pack as a whole: its exact policy list, metadata, POLICIES.md, type dispatch.

Packaging (requirements, serving from a fresh virtualenv) is tested for every pack in
test_policy_packs_standalone.py.
"""

from __future__ import annotations

import re
from pathlib import Path

from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)

from policies.docs import COMMAND, OUTPUT, render_policies_md
from policies.framework import metadata_of
from policies.security_baseline.rules import PACK_NAME, POLICIES

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "policies" / "security_baseline"

EXPECTED_IDS = [
    "aws-account-cloudtrail-present",
    "aws-account-config-recorder-present",
    "aws-account-ebs-default-encryption-present",
    "aws-account-password-policy-present",
    "aws-ami-not-public",
    "aws-apigateway-access-logging",
    "aws-apigateway-authorization",
    "aws-apigateway-domain-tls12",
    "aws-apigateway-execution-logging",
    "aws-apigateway-xray",
    "aws-backup-vault-lock",
    "aws-cloudfront-origin-access-control",
    "aws-cloudfront-origin-https",
    "aws-cloudfront-viewer-https",
    "aws-cloudfront-viewer-tls12",
    "aws-cloudfront-waf",
    "aws-cloudtrail-cloudwatch-logs",
    "aws-cloudtrail-kms-encrypted",
    "aws-cloudtrail-log-file-validation",
    "aws-cloudtrail-logging-enabled",
    "aws-cloudtrail-multi-region",
    "aws-config-recorder-started",
    "aws-config-recorder-status-enabled",
    "aws-default-sg-restricts-all",
    "aws-documentdb-encrypted",
    "aws-dynamodb-deletion-protection-prod",
    "aws-dynamodb-point-in-time-recovery",
    "aws-ebs-default-encryption-enabled",
    "aws-ebs-encrypted",
    "aws-ec2-imdsv2",
    "aws-ec2-no-public-ip",
    "aws-ecr-immutable-tags",
    "aws-ecr-no-public-repository",
    "aws-ecr-scan-on-push",
    "aws-ecs-task-host-network-nonroot",
    "aws-ecs-task-no-secrets-in-environment",
    "aws-ecs-task-not-privileged",
    "aws-ecs-task-readonly-root",
    "aws-efs-encrypted",
    "aws-eks-control-plane-logging",
    "aws-eks-endpoint-not-public",
    "aws-eks-secrets-encryption",
    "aws-elasticache-auth",
    "aws-elasticache-encrypted-at-rest",
    "aws-elasticache-encrypted-in-transit",
    "aws-elasticache-subnet-group",
    "aws-emr-block-public-access",
    "aws-guardduty-enabled",
    "aws-guardduty-organization-auto-enable",
    "aws-guardduty-protection-plans-enabled",
    "aws-iam-no-full-admin-policy",
    "aws-iam-no-service-wildcard-actions",
    "aws-iam-no-user-policies",
    "aws-iam-password-policy-strong",
    "aws-iam-role-trust-not-open",
    "aws-iam-user-no-access-keys",
    "aws-iam-user-no-console-password",
    "aws-kinesis-stream-encrypted",
    "aws-kms-key-rotation",
    "aws-lambda-environment-cmk-personal-data",
    "aws-lambda-tracing",
    "aws-lambda-url-requires-auth",
    "aws-lb-access-logs",
    "aws-lb-deletion-protection-prod",
    "aws-lb-drop-invalid-headers",
    "aws-lb-listener-no-plain-http",
    "aws-lb-listener-tls12",
    "aws-macie-enabled",
    "aws-msk-encrypted-in-transit",
    "aws-msk-not-public",
    "aws-msk-unauthenticated-access-disabled",
    "aws-nacl-admin-ports-open",
    "aws-neptune-encrypted",
    "aws-opensearch-audit-logging",
    "aws-opensearch-encrypted-at-rest",
    "aws-opensearch-https-tls12",
    "aws-opensearch-node-to-node-encryption",
    "aws-opensearch-vpc-or-fine-grained-access",
    "aws-personal-data-cmk",
    "aws-rds-backup-retention",
    "aws-rds-deletion-protection-prod",
    "aws-rds-not-public",
    "aws-rds-storage-encrypted",
    "aws-redshift-audit-logging",
    "aws-redshift-encrypted",
    "aws-redshift-not-public",
    "aws-redshift-require-ssl",
    "aws-resource-policy-not-public",
    "aws-s3-acl-not-public",
    "aws-s3-acls-disabled",
    "aws-s3-bucket-encryption-configured",
    "aws-s3-deny-insecure-transport",
    "aws-s3-personal-data-cmk",
    "aws-s3-public-access-block-flags",
    "aws-s3-public-access-block-present",
    "aws-s3-versioning-personal-data",
    "aws-secretsmanager-cmk",
    "aws-secretsmanager-rotation",
    "aws-securityhub-enabled",
    "aws-sg-admin-ports-open",
    "aws-sg-all-ports-open",
    "aws-snapshot-not-public",
    "aws-sns-topic-encrypted",
    "aws-sqs-queue-encrypted",
    "aws-ssm-document-not-public",
    "aws-ssm-document-public-sharing-blocked",
    "aws-subnet-no-auto-public-ip",
    "aws-vpc-flow-logs",
    "azure-acr-admin-user-disabled",
    "azure-acr-anonymous-pull-disabled",
    "azure-acr-public-network-access",
    "azure-activity-log-alert-enabled",
    "azure-activity-log-alerts-present",
    "azure-aks-api-not-public",
    "azure-aks-azure-policy-addon",
    "azure-aks-defender-profile",
    "azure-aks-entra-rbac",
    "azure-aks-local-accounts-disabled",
    "azure-aks-network-policy",
    "azure-aks-node-encryption-at-host",
    "azure-appgw-tls-policy",
    "azure-appgw-waf-enabled",
    "azure-appservice-client-certificates-required",
    "azure-appservice-cors-not-wildcard",
    "azure-appservice-ftps-only",
    "azure-appservice-https-only",
    "azure-appservice-managed-identity",
    "azure-appservice-min-tls12",
    "azure-appservice-public-network-access",
    "azure-appservice-remote-debugging-off",
    "azure-cosmosdb-key-metadata-writes-disabled",
    "azure-cosmosdb-local-auth-disabled",
    "azure-cosmosdb-public-network-access",
    "azure-custom-role-no-wildcard",
    "azure-database-backup-retention",
    "azure-defender-plan-on",
    "azure-disk-public-network-access",
    "azure-eventhub-local-auth-disabled",
    "azure-eventhub-min-tls12",
    "azure-eventhub-public-network-access",
    "azure-firewall-ip-rules-not-open",
    "azure-frontdoor-min-tls12",
    "azure-frontdoor-waf",
    "azure-keyvault-expiration-set",
    "azure-keyvault-key-rotation",
    "azure-keyvault-public-network-access",
    "azure-keyvault-purge-protection",
    "azure-keyvault-rbac-authorization",
    "azure-keyvault-soft-delete",
    "azure-mysql-public-network-access",
    "azure-mysql-tls-enforced",
    "azure-nsg-admin-ports-open",
    "azure-nsg-all-ports-open",
    "azure-personal-data-cmk",
    "azure-postgresql-public-network-access",
    "azure-postgresql-tls-enforced",
    "azure-redis-entra-authentication",
    "azure-redis-min-tls12",
    "azure-redis-non-ssl-port-disabled",
    "azure-redis-public-network-access",
    "azure-resource-diagnostics-to-log-analytics",
    "azure-servicebus-local-auth-disabled",
    "azure-servicebus-min-tls12",
    "azure-servicebus-public-network-access",
    "azure-sql-auditing-enabled",
    "azure-sql-auditing-policy-enabled",
    "azure-sql-entra-only-authentication",
    "azure-sql-min-tls12",
    "azure-sql-public-network-access",
    "azure-sql-tde-customer-managed-key",
    "azure-sql-tde-enabled",
    "azure-storage-blob-public-access-disabled",
    "azure-storage-cross-tenant-replication-disabled",
    "azure-storage-https-only",
    "azure-storage-infrastructure-encryption-sensitive",
    "azure-storage-min-tls12",
    "azure-storage-public-network-access",
    "azure-storage-shared-key-access-disabled",
    "azure-subscription-activity-log-exported",
    "azure-vm-encryption-at-host",
    "azure-vm-ssh-keys-only",
    "azure-waf-policy-prevention-mode",
]

STACK_POLICY_IDS = {
    "aws-account-cloudtrail-present",
    "aws-account-config-recorder-present",
    "aws-account-ebs-default-encryption-present",
    "aws-account-password-policy-present",
    "aws-apigateway-execution-logging",
    "aws-backup-vault-lock",
    "aws-config-recorder-started",
    "aws-redshift-audit-logging",
    "aws-redshift-require-ssl",
    "aws-s3-bucket-encryption-configured",
    "aws-s3-deny-insecure-transport",
    "aws-s3-personal-data-cmk",
    "aws-s3-public-access-block-present",
    "aws-s3-versioning-personal-data",
    "aws-secretsmanager-rotation",
    "aws-vpc-flow-logs",
    "azure-activity-log-alerts-present",
    "azure-eventhub-public-network-access",
    "azure-frontdoor-waf",
    "azure-resource-diagnostics-to-log-analytics",
    "azure-servicebus-public-network-access",
    "azure-sql-auditing-enabled",
    "azure-sql-entra-only-authentication",
    "azure-sql-tde-customer-managed-key",
    "azure-subscription-activity-log-exported",
}


def test_exact_policy_list() -> None:
    assert PACK_NAME == "security-baseline"
    assert sorted(p.name for p in POLICIES) == EXPECTED_IDS
    assert len(EXPECTED_IDS) >= 50


def test_stack_policies_are_the_relational_and_presence_checks() -> None:
    stack = {p.name for p in POLICIES if isinstance(p, StackValidationPolicy)}
    assert stack == STACK_POLICY_IDS
    assert all(isinstance(p, ResourceValidationPolicy) for p in POLICIES if p.name not in STACK_POLICY_IDS)


def test_every_policy_has_complete_metadata() -> None:
    for policy, meta in zip(POLICIES, metadata_of(POLICIES), strict=True):
        assert policy.name == meta.id
        assert re.fullmatch(r"(aws|azure)-[a-z0-9]+(-[a-z0-9]+)*", meta.id), meta.id
        assert isinstance(meta.severity, Severity), meta.id
        assert meta.description.strip() and meta.remediation.strip(), meta.id
        assert meta.references, f"{meta.id} has no compliance reference"
        expected = (
            EnforcementLevel.MANDATORY
            if meta.severity in (Severity.CRITICAL, Severity.HIGH)
            else EnforcementLevel.ADVISORY
        )
        assert policy.enforcement_level == expected, meta.id
        assert policy.severity == meta.severity
        assert policy.framework is not None and policy.framework.name == meta.references[0].framework
        assert policy.tags == [r.tag() for r in meta.references[1:]]
        assert policy.remediation_steps == meta.remediation


def test_primary_references_are_cis_or_mcsb_or_fsbp() -> None:
    primaries = {m.id: m.references[0].framework for m in metadata_of(POLICIES)}
    allowed = {
        "CIS AWS Foundations Benchmark",
        "CIS Microsoft Azure Foundations Benchmark",
        "Microsoft cloud security benchmark",
        "AWS Foundational Security Best Practices",
    }
    assert {k: v for k, v in primaries.items() if v not in allowed} == {}


def test_policies_md_is_current() -> None:
    assert OUTPUT.exists(), f"{OUTPUT} is missing: run `{COMMAND}`"
    assert OUTPUT.read_text() == render_policies_md(), f"POLICIES.md is out of date: run `{COMMAND}`"


def test_policies_md_lists_every_baseline_policy() -> None:
    text = render_policies_md()
    section = text.split("## Pack `security-baseline`", 1)[1].split("\n## ", 1)[0]
    assert [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")] == [
        p.name for p in POLICIES
    ]


def test_pack_loads_through_the_engine() -> None:
    from kasbah.analysis import load_pack

    pack = load_pack(PACK)
    assert pack.name == PACK_NAME
    assert pack.version == "0.1.0"
    assert [p.name for p in pack.policies] == [p.name for p in POLICIES]


class _Untouchable(dict):  # type: ignore[type-arg]
    def __getitem__(self, key: object) -> object:
        raise AssertionError("props were read for a type the policy does not check")

    get = __getitem__  # type: ignore[assignment]


def test_resource_policies_return_at_once_for_types_they_do_not_check() -> None:
    from pulumi_policy.policy import PolicyResourceOptions

    opts = PolicyResourceOptions(False, [], None, [], None, [], None)
    args = ResourceValidationArgs(
        "random:index/randomPet:RandomPet", _Untouchable(), "urn:x", "x", opts, None, {"exemptions": []}
    )
    reports: list[str] = []
    for _ in range(200):
        for policy in POLICIES:
            if isinstance(policy, ResourceValidationPolicy):
                assert policy.validate(args, lambda m, u=None: reports.append(m)) is None
    # _Untouchable fails the test if any policy reads the props of a type it does not check; the cost of
    # the dispatch itself is measured by benchmarks/bench_preview.py, not by a timed test.
    assert reports == []
