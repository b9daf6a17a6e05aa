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
    "aws-cloudtrail-kms-encrypted",
    "aws-cloudtrail-log-file-validation",
    "aws-cloudtrail-logging-enabled",
    "aws-cloudtrail-multi-region",
    "aws-config-recorder-started",
    "aws-default-sg-restricts-all",
    "aws-ebs-encrypted",
    "aws-efs-encrypted",
    "aws-eks-endpoint-not-public",
    "aws-iam-no-full-admin-policy",
    "aws-iam-password-policy-strong",
    "aws-iam-user-no-access-keys",
    "aws-iam-user-no-console-password",
    "aws-kinesis-stream-encrypted",
    "aws-kms-key-rotation",
    "aws-lb-listener-no-plain-http",
    "aws-lb-listener-tls12",
    "aws-nacl-admin-ports-open",
    "aws-personal-data-cmk",
    "aws-rds-backup-retention",
    "aws-rds-deletion-protection-prod",
    "aws-rds-not-public",
    "aws-rds-storage-encrypted",
    "aws-resource-policy-not-public",
    "aws-s3-acl-not-public",
    "aws-s3-bucket-encryption-configured",
    "aws-s3-deny-insecure-transport",
    "aws-s3-personal-data-cmk",
    "aws-s3-public-access-block-flags",
    "aws-s3-public-access-block-present",
    "aws-s3-versioning-personal-data",
    "aws-sg-admin-ports-open",
    "aws-sg-all-ports-open",
    "aws-snapshot-not-public",
    "aws-sns-topic-encrypted",
    "aws-sqs-queue-encrypted",
    "aws-vpc-flow-logs",
    "azure-aks-api-not-public",
    "azure-cosmosdb-public-network-access",
    "azure-custom-role-no-wildcard",
    "azure-database-backup-retention",
    "azure-keyvault-key-rotation",
    "azure-keyvault-public-network-access",
    "azure-keyvault-purge-protection",
    "azure-keyvault-rbac-authorization",
    "azure-keyvault-soft-delete",
    "azure-nsg-admin-ports-open",
    "azure-nsg-all-ports-open",
    "azure-personal-data-cmk",
    "azure-resource-diagnostics-to-log-analytics",
    "azure-sql-auditing-enabled",
    "azure-sql-min-tls12",
    "azure-sql-public-network-access",
    "azure-sql-tde-enabled",
    "azure-storage-blob-public-access-disabled",
    "azure-storage-https-only",
    "azure-storage-min-tls12",
    "azure-storage-public-network-access",
    "azure-subscription-activity-log-exported",
    "azure-vm-encryption-at-host",
    "openstack-app-credential-restricted",
    "openstack-container-not-public",
    "openstack-container-versioning",
    "openstack-image-not-public",
    "openstack-key-order-strength",
    "openstack-lb-certificate-in-barbican",
    "openstack-lb-listener-forwarded-for",
    "openstack-lb-listener-no-plain-http",
    "openstack-lb-listener-tls12",
    "openstack-network-not-external",
    "openstack-network-not-shared",
    "openstack-role-assignment-to-groups",
    "openstack-secgroup-admin-ports-open",
    "openstack-secgroup-all-ports-open",
    "openstack-secgroup-deny-by-default",
    "openstack-share-not-public",
    "openstack-volume-encrypted-type",
    "vsphere-content-library-publication-auth",
    "vsphere-content-library-subscription-https",
    "vsphere-permissions-to-groups",
    "vsphere-portgroup-reject-forged-transmits",
    "vsphere-portgroup-reject-mac-changes",
    "vsphere-portgroup-reject-promiscuous",
    "vsphere-role-no-authorization-privileges",
    "vsphere-vm-logging-enabled",
    "vsphere-vm-secure-boot",
    "vsphere-vm-sensitive-encrypted",
]

STACK_POLICY_IDS = {
    "aws-account-cloudtrail-present",
    "aws-account-config-recorder-present",
    "aws-account-ebs-default-encryption-present",
    "aws-account-password-policy-present",
    "aws-config-recorder-started",
    "aws-s3-bucket-encryption-configured",
    "aws-s3-deny-insecure-transport",
    "aws-s3-personal-data-cmk",
    "aws-s3-public-access-block-present",
    "aws-s3-versioning-personal-data",
    "aws-vpc-flow-logs",
    "azure-resource-diagnostics-to-log-analytics",
    "azure-sql-auditing-enabled",
    "azure-subscription-activity-log-exported",
    "vsphere-vm-sensitive-encrypted",
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
        assert re.fullmatch(r"(aws|azure|openstack|vsphere)-[a-z0-9]+(-[a-z0-9]+)*", meta.id), meta.id
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
    # The sovereign clouds have no CIS benchmark of their own: the vendors' hardening guides (and the
    # DNSSI where the vSphere guide has no control) are their primary references.
    sovereign = {
        "openstack-": {"OpenStack Security Guide"},
        "vsphere-": {"VMware vSphere Security Configuration Guide", "DNSSI (Morocco)"},
    }
    for prefix, frameworks in sovereign.items():
        for policy_id in [k for k in primaries if k.startswith(prefix)]:
            assert primaries.pop(policy_id) in frameworks, policy_id
    assert {k: v for k, v in primaries.items() if v not in allowed} == {}


def test_policies_md_is_current() -> None:
    assert OUTPUT.exists(), f"{OUTPUT} is missing: run `{COMMAND}`"
    assert OUTPUT.read_text() == render_policies_md(), f"POLICIES.md is out of date: run `{COMMAND}`"


def test_policies_md_lists_every_baseline_policy() -> None:
    text = render_policies_md()
    section = text.split("## Pack `security-baseline`", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| <a id=")]  # an anchor per policy
    assert [line.split("`")[1] for line in rows] == [p.name for p in POLICIES]


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
