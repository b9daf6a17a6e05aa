"""Pass and fail fixtures of every security-baseline policy, through the offline engine.

The baseline (tests/policies/baseline_program.py) is a compliant AWS + Azure
program. Pass: no policy reports anything on it. Fail: one defect at a time
against it, and exactly the policy under test fires, on the mutated resource.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi_aws as aws
import pulumi_azure_native as azure
import pytest
from baseline_program import (
    ACCOUNT,
    BUCKET_ARN,
    DROP,
    INTERNAL,
    KEY_PROPERTIES,
    KV_PROPERTIES,
    PERSONAL,
    STACK,
    Variant,
    describe,
    doc,
    findings,
    preview,
    tls_only_policy,
    urn_of,
)

from policies.framework import metadata_of
from policies.security_baseline.rules import POLICIES

META = {m.id: m for m in metadata_of(POLICIES)}


@pytest.fixture(scope="module")
def baselines() -> dict[str, Any]:
    return {cloud: preview(Variant(clouds=(cloud,))) for cloud in ("aws", "azure")}


@pytest.mark.parametrize("policy_id", sorted(META))
def test_pass_fixture_baseline_is_compliant(policy_id: str, baselines: dict[str, Any]) -> None:
    for cloud, result in baselines.items():
        reported = [v for v in findings(result) if v.policy == policy_id]
        assert not reported, f"{policy_id} reports on the compliant {cloud} baseline:\n{describe(reported)}"


@dataclass(frozen=True)
class Case:
    policy: str
    target: str
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    drop: frozenset[str] = frozenset()
    extra: Callable[[dict[str, Any]], None] | None = None
    label: str = ""

    @property
    def cloud(self) -> str:
        return "aws" if self.policy.startswith("aws-") else "azure"

    def variant(self) -> Variant:
        return Variant(overrides=self.overrides, drop=self.drop, extra=self.extra, clouds=(self.cloud,))

    @property
    def id(self) -> str:
        return f"{self.policy}:{self.label or self.target}"


def _nsg_rule(name: str, source: str, ports: list[str], **kw: Any) -> dict[str, Any]:
    return {
        "name": name,
        "priority": 300,
        "direction": "Inbound",
        "access": "Allow",
        "protocol": kw.pop("protocol", "Tcp"),
        "source_address_prefix": source,
        "source_port_range": "*",
        "destination_address_prefix": "*",
        "destination_port_ranges": ports,
        **kw,
    }


def _user_with(kind: str) -> Callable[[dict[str, Any]], None]:
    def extra(created: dict[str, Any]) -> None:
        user = aws.iam.User("alice", name="alice")
        if kind == "login":
            aws.iam.UserLoginProfile("alice-login", user=user.name)
        else:
            aws.iam.AccessKey("alice-key", user=user.name)

    return extra


def _extra_nsg_rule(**kw: Any) -> Callable[[dict[str, Any]], None]:
    def extra(created: dict[str, Any]) -> None:
        azure.network.SecurityRule(
            "extra-rule",
            resource_group_name=created["rg"].name,
            network_security_group_name=created["app-nsg"].name,
            priority=400,
            direction="Inbound",
            access="Allow",
            source_port_range="*",
            destination_address_prefix="*",
            **kw,
        )

    return extra


PUBLIC_READ = {
    "Sid": "PublicRead",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": f"{BUCKET_ARN}/*",
}

CASES = [
    # ---------------------------------------------------------------- AWS: encryption at rest
    Case("aws-ebs-encrypted", "volume", {"volume": {"encrypted": False}}),
    Case(
        "aws-ebs-encrypted", "vm", {"vm": {"root_block_device": {"encrypted": False}}}, label="instance-root"
    ),
    Case(
        "aws-ebs-encrypted",
        "vm",
        {"vm": {"ebs_block_devices": [{"device_name": "/dev/sdf", "volume_size": 10}]}},
        label="instance-data-volume",
    ),
    Case(
        "aws-ebs-encrypted",
        "lt",
        {"lt": {"block_device_mappings": [{"device_name": "/dev/xvda", "ebs": {"volume_size": 20}}]}},
        label="launch-template",
    ),
    Case("aws-account-ebs-default-encryption-present", STACK, drop=frozenset({"ebs-default"})),
    Case(
        "aws-account-ebs-default-encryption-present",
        STACK,
        {"ebs-default": {"enabled": False}},
        label="disabled",
    ),
    Case("aws-rds-storage-encrypted", "db", {"db": {"storage_encrypted": False}}),
    Case("aws-rds-storage-encrypted", "aurora", {"aurora": {"storage_encrypted": DROP}}, label="cluster"),
    Case("aws-efs-encrypted", "efs", {"efs": {"encrypted": False}}),
    Case("aws-sns-topic-encrypted", "alerts", {"alerts": {"kms_master_key_id": DROP}}),
    Case("aws-sqs-queue-encrypted", "events", {"events": {"sqs_managed_sse_enabled": False}}),
    Case("aws-kinesis-stream-encrypted", "stream", {"stream": {"encryption_type": "NONE"}}),
    Case("aws-s3-bucket-encryption-configured", "logs", drop=frozenset({"logs-sse"})),
    Case(
        "aws-s3-personal-data-cmk",
        "data",
        {"data-sse": {"rules": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]}},
    ),
    Case("aws-personal-data-cmk", "volume", {"volume": {"kms_key_id": DROP}}),
    Case("aws-personal-data-cmk", "table", {"table": {"server_side_encryption": DROP}}, label="dynamodb"),
    Case("aws-personal-data-cmk", "app-logs", {"app-logs": {"kms_key_id": DROP}}, label="log-group"),
    Case(
        "aws-personal-data-cmk",
        "queue",
        {"queue": {"kms_master_key_id": "alias/aws/sqs"}},
        label="aws-managed",
    ),
    # ---------------------------------------------------------------- AWS: encryption in transit
    Case(
        "aws-lb-listener-no-plain-http",
        "http",
        {
            "http": {
                "default_actions": [
                    {"type": "forward", "target_group_arn": "arn:aws:elasticloadbalancing:tg"}
                ]
            }
        },
    ),
    Case("aws-lb-listener-tls12", "https", {"https": {"ssl_policy": "ELBSecurityPolicy-2016-08"}}),
    Case("aws-lb-listener-tls12", "https", {"https": {"ssl_policy": DROP}}, label="default-policy"),
    Case(
        "aws-s3-deny-insecure-transport",
        "data",
        {
            "data-policy": {
                "policy": doc(PUBLIC_READ | {"Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}})
            }
        },
    ),
    # ---------------------------------------------------------------- AWS: public exposure
    Case("aws-s3-acl-not-public", "data-acl", {"data-acl": {"acl": "public-read"}}),
    Case(
        "aws-s3-acl-not-public",
        "data-acl",
        {
            "data-acl": {
                "acl": DROP,
                "access_control_policy": {
                    "owner": {"id": "owner"},
                    "grants": [
                        {
                            "grantee": {
                                "type": "Group",
                                "uri": "http://acs.amazonaws.com/groups/global/AllUsers",
                            },
                            "permission": "READ",
                        }
                    ],
                },
            }
        },
        label="all-users-grant",
    ),
    Case(
        "aws-resource-policy-not-public",
        "data-policy",
        {"data-policy": {"policy": tls_only_policy([PUBLIC_READ])}},
    ),
    Case(
        "aws-resource-policy-not-public",
        "queue-policy",
        {
            "queue-policy": {
                "policy": doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "*"},
                        "Action": "sqs:SendMessage",
                        "Resource": "*",
                    }
                )
            }
        },
        label="queue-no-condition",
    ),
    Case(
        "aws-resource-policy-not-public",
        "app-role",
        {
            "app-role": {
                "assume_role_policy": doc(
                    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
                )
            }
        },
        label="role-trust",
    ),
    Case(
        "aws-resource-policy-not-public",
        "invoke-from-s3",
        {"invoke-from-s3": {"principal": "*", "source_arn": DROP, "source_account": DROP}},
        label="lambda-permission",
    ),
    Case(
        "aws-s3-public-access-block-flags",
        "data-pab",
        {"data-pab": {"restrict_public_buckets": False}},
    ),
    Case("aws-s3-public-access-block-present", "data", drop=frozenset({"data-pab"})),
    Case("aws-rds-not-public", "db", {"db": {"publicly_accessible": True}}),
    Case(
        "aws-rds-not-public", "aurora-1", {"aurora-1": {"publicly_accessible": True}}, label="aurora-instance"
    ),
    Case("aws-ami-not-public", "ami-share", {"ami-share": {"group": "all", "account_id": DROP}}),
    Case(
        "aws-ami-not-public", "image-bpa", {"image-bpa": {"state": "unblocked"}}, label="block-public-access"
    ),
    Case("aws-snapshot-not-public", "db-snapshot", {"db-snapshot": {"shared_accounts": ["all"]}}),
    Case(
        "aws-snapshot-not-public", "snapshot-bpa", {"snapshot-bpa": {"state": "unblocked"}}, label="ebs-block"
    ),
    Case(
        "aws-eks-endpoint-not-public",
        "eks",
        {"eks": {"vpc_config": {"subnet_ids": ["subnet-1", "subnet-2"], "endpoint_private_access": True}}},
    ),
    # ---------------------------------------------------------------- AWS: network exposure
    Case("aws-sg-admin-ports-open", "web-ssh", {"web-ssh": {"cidr_blocks": ["0.0.0.0/0"]}}),
    Case(
        "aws-sg-admin-ports-open",
        "web",
        {
            "web": {
                "ingress": [{"protocol": "tcp", "from_port": 20, "to_port": 25, "cidr_blocks": ["0.0.0.0/0"]}]
            }
        },
        label="inline-port-range",
    ),
    Case(
        "aws-sg-admin-ports-open",
        "web-https-v6",
        {"web-https-v6": {"from_port": 3389, "to_port": 3389}},
        label="ingress-rule-ipv6-rdp",
    ),
    Case(
        "aws-sg-admin-ports-open",
        "web-ssh",
        {"web-ssh": {"cidr_blocks": DROP, "ipv6_cidr_blocks": ["::/0"], "protocol": "6"}},
        label="rule-ipv6-protocol-number",
    ),
    Case(
        "aws-sg-all-ports-open",
        "web",
        {
            "web": {
                "ingress": [{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}]
            }
        },
    ),
    Case(
        "aws-sg-all-ports-open",
        "web-ssh",
        {"web-ssh": {"from_port": 0, "to_port": 65535, "cidr_blocks": ["0.0.0.0/0"]}},
        label="rule-full-range",
    ),
    Case(
        "aws-sg-all-ports-open",
        "web-https-v6",
        {"web-https-v6": {"ip_protocol": "-1", "from_port": DROP, "to_port": DROP}},
        label="ingress-rule-protocol-minus-one",
    ),
    Case(
        "aws-nacl-admin-ports-open", "nacl-ssh-internal", {"nacl-ssh-internal": {"cidr_block": "0.0.0.0/0"}}
    ),
    Case(
        "aws-nacl-admin-ports-open",
        "nacl",
        {
            "nacl": {
                "ingress": [
                    {
                        "protocol": "-1",
                        "rule_no": 100,
                        "action": "allow",
                        "cidr_block": "0.0.0.0/0",
                        "from_port": 0,
                        "to_port": 0,
                    }
                ]
            }
        },
        label="inline-all-traffic",
    ),
    Case(
        "aws-default-sg-restricts-all",
        "default-sg",
        {"default-sg": {"ingress": [{"protocol": "-1", "self": True, "from_port": 0, "to_port": 0}]}},
    ),
    # ---------------------------------------------------------------- AWS: logging
    Case("aws-cloudtrail-multi-region", "trail", {"trail": {"is_multi_region_trail": False}}),
    Case("aws-cloudtrail-log-file-validation", "trail", {"trail": {"enable_log_file_validation": False}}),
    Case("aws-cloudtrail-kms-encrypted", "trail", {"trail": {"kms_key_id": DROP}}),
    Case("aws-cloudtrail-logging-enabled", "trail", {"trail": {"enable_logging": False}}),
    Case("aws-vpc-flow-logs", "vpc", drop=frozenset({"vpc-flow"})),
    Case("aws-config-recorder-started", "recorder", {"recorder-status": {"is_enabled": False}}),
    Case("aws-account-cloudtrail-present", STACK, drop=frozenset({"trail"})),
    Case("aws-account-config-recorder-present", STACK, drop=frozenset({"recorder", "recorder-status"})),
    Case("aws-account-password-policy-present", STACK, drop=frozenset({"passwords"})),
    # ---------------------------------------------------------------- AWS: keys, identity, durability
    Case("aws-kms-key-rotation", "key", {"key": {"enable_key_rotation": False}}),
    Case(
        "aws-iam-no-full-admin-policy",
        "app-policy",
        {"app-policy": {"policy": doc({"Effect": "Allow", "Action": "*", "Resource": "*"})}},
    ),
    Case(
        "aws-iam-no-full-admin-policy",
        "app-role",
        {
            "app-role": {
                "inline_policies": [
                    {"name": "admin", "policy": doc({"Effect": "Allow", "Action": ["*"], "Resource": ["*"]})}
                ]
            }
        },
        label="role-inline",
    ),
    Case("aws-iam-user-no-console-password", "alice-login", extra=_user_with("login")),
    Case("aws-iam-user-no-access-keys", "alice-key", extra=_user_with("key")),
    Case("aws-iam-password-policy-strong", "passwords", {"passwords": {"minimum_password_length": 8}}),
    Case(
        "aws-iam-password-policy-strong",
        "passwords",
        {"passwords": {"password_reuse_prevention": DROP}},
        label="no-reuse",
    ),
    Case("aws-rds-backup-retention", "db", {"db": {"backup_retention_period": 1}}),
    Case(
        "aws-rds-backup-retention",
        "aurora",
        {"aurora": {"backup_retention_period": DROP}},
        label="cluster-default",
    ),
    Case("aws-rds-deletion-protection-prod", "db", {"db": {"deletion_protection": False}}),
    Case(
        "aws-s3-versioning-personal-data",
        "data",
        {"data-versioning": {"versioning_configuration": {"status": "Suspended"}}},
    ),
    Case(
        "aws-s3-versioning-personal-data", "data", drop=frozenset({"data-versioning"}), label="no-versioning"
    ),
    # ---------------------------------------------------------------- Azure: encryption
    Case("azure-personal-data-cmk", "sa", {"sa": {"encryption": {"key_source": "Microsoft.Storage"}}}),
    Case(
        "azure-personal-data-cmk",
        "disk",
        {"disk": {"encryption": {"type": "EncryptionAtRestWithPlatformKey"}}},
        label="disk",
    ),
    Case("azure-personal-data-cmk", "cosmos", {"cosmos": {"key_vault_key_uri": DROP}}, label="cosmos"),
    Case(
        "azure-personal-data-cmk",
        "pg",
        {"pg": {"data_encryption": {"type": "SystemAssigned"}}},
        label="postgres",
    ),
    Case("azure-personal-data-cmk", "sql", {"sql": {"key_id": DROP}}, label="sql"),
    Case("azure-sql-tde-enabled", "sqldb-tde", {"sqldb-tde": {"state": "Disabled"}}),
    Case(
        "azure-vm-encryption-at-host", "azvm", {"azvm": {"security_profile": {"encryption_at_host": False}}}
    ),
    # ---------------------------------------------------------------- Azure: in transit
    Case("azure-storage-https-only", "sa", {"sa": {"enable_https_traffic_only": False}}),
    Case("azure-storage-min-tls12", "sa", {"sa": {"minimum_tls_version": "TLS1_0"}}),
    Case("azure-sql-min-tls12", "sql", {"sql": {"minimal_tls_version": "1.0"}}),
    # ---------------------------------------------------------------- Azure: public exposure
    Case("azure-storage-blob-public-access-disabled", "sa", {"sa": {"allow_blob_public_access": True}}),
    Case(
        "azure-storage-blob-public-access-disabled",
        "container",
        {"container": {"public_access": "Blob"}},
        label="container",
    ),
    Case(
        "azure-storage-public-network-access", "sa", {"sa": {"network_rule_set": {"default_action": "Allow"}}}
    ),
    Case("azure-sql-public-network-access", "sql", {"sql": {"public_network_access": "Enabled"}}),
    Case(
        "azure-sql-public-network-access",
        "sql-office",
        {"sql-office": {"start_ip_address": "0.0.0.0", "end_ip_address": "255.255.255.255"}},
        label="firewall-any",
    ),
    Case("azure-cosmosdb-public-network-access", "cosmos", {"cosmos": {"public_network_access": "Enabled"}}),
    Case(
        "azure-keyvault-public-network-access",
        "kv",
        {"kv": {"properties": KV_PROPERTIES | {"network_acls": {"default_action": "Allow"}}}},
    ),
    Case("azure-aks-api-not-public", "aks", {"aks": {"api_server_access_profile": DROP}}),
    # ---------------------------------------------------------------- Azure: network exposure
    Case(
        "azure-nsg-admin-ports-open",
        "app-ssh-from-hub",
        {"app-ssh-from-hub": {"source_address_prefix": "Internet"}},
    ),
    Case(
        "azure-nsg-admin-ports-open",
        "app-nsg",
        {"app-nsg": {"security_rules": [_nsg_rule("Rdp", "*", ["3380-3390"])]}},
        label="inline-range",
    ),
    Case(
        "azure-nsg-admin-ports-open",
        "extra-rule",
        extra=_extra_nsg_rule(
            protocol="*",
            source_address_prefixes=["10.0.0.0/8", "0.0.0.0/0"],
            destination_port_ranges=["443", "22"],
        ),
        label="rule-prefixes",
    ),
    Case(
        "azure-nsg-all-ports-open",
        "app-nsg",
        {"app-nsg": {"security_rules": [_nsg_rule("Any", "Internet", ["*"])]}},
    ),
    Case(
        "azure-nsg-all-ports-open",
        "extra-rule",
        extra=_extra_nsg_rule(protocol="Tcp", source_address_prefix="Any", destination_port_range="0-65535"),
        label="rule-full-range",
    ),
    # ---------------------------------------------------------------- Azure: logging
    Case("azure-sql-auditing-enabled", "sql", {"sql-audit": {"state": "Disabled"}}),
    Case("azure-sql-auditing-enabled", "sql", drop=frozenset({"sql-audit"}), label="no-auditing"),
    Case("azure-subscription-activity-log-exported", STACK, drop=frozenset({"activity-log"})),
    Case("azure-resource-diagnostics-to-log-analytics", "kv", drop=frozenset({"kv-diag"})),
    Case(
        "azure-resource-diagnostics-to-log-analytics",
        "sa",
        {"sa-diag": {"workspace_id": DROP, "storage_account_id": "/subscriptions/0/sa"}},
        label="not-log-analytics",
    ),
    # ---------------------------------------------------------------- Azure: keys, identity, durability
    Case(
        "azure-keyvault-purge-protection",
        "kv",
        {"kv": {"properties": KV_PROPERTIES | {"enable_purge_protection": False}}},
    ),
    Case(
        "azure-keyvault-soft-delete",
        "kv",
        {"kv": {"properties": KV_PROPERTIES | {"enable_soft_delete": False}}},
    ),
    Case(
        "azure-keyvault-rbac-authorization",
        "kv",
        {"kv": {"properties": KV_PROPERTIES | {"enable_rbac_authorization": False}}},
    ),
    Case(
        "azure-keyvault-key-rotation",
        "kv-key",
        {"kv-key": {"properties": {k: v for k, v in KEY_PROPERTIES.items() if k != "rotation_policy"}}},
    ),
    Case(
        "azure-custom-role-no-wildcard",
        "reader-role",
        {"reader-role": {"permissions": [{"actions": ["*"], "not_actions": []}]}},
    ),
    Case("azure-database-backup-retention", "sqldb-pitr", {"sqldb-pitr": {"retention_days": 3}}),
    Case(
        "azure-database-backup-retention",
        "pg",
        {"pg": {"backup": {"backup_retention_days": 3}}},
        label="postgres",
    ),
]


def test_every_policy_has_a_fail_fixture() -> None:
    # OpenStack and vSphere policies have theirs in test_policy_baseline_sovereign.py.
    missing = sorted({i for i in META if i.startswith(("aws-", "azure-"))} - {c.policy for c in CASES})
    assert not missing, f"policies without a fail fixture: {missing}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fail_fixture_fires_exactly_the_policy(case: Case) -> None:
    result = preview(case.variant())
    target = urn_of(result, case.target)
    got = findings(result)
    assert [(v.policy, v.urn) for v in got] == [(case.policy, target)], (
        f"{case.id}: expected exactly {case.policy} on {target}, got:\n{describe(got)}"
    )
    violation = got[0]
    assert "could not decide" not in violation.message, violation.message
    assert violation.enforcement == META[case.policy].default_enforcement.value
    assert violation.severity == META[case.policy].severity.value
    assert "Fix: " in violation.message


# ----------------------------------------------------------------------------------------------------
# Compliant variants that the policies must not flag (the edges of each rule)

PASSING = [
    (
        "bounded-wildcard-allow",
        Variant(
            overrides={
                "data-policy": {
                    "policy": tls_only_policy(
                        [PUBLIC_READ | {"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}]
                    )
                }
            },
            clouds=("aws",),
        ),
    ),
    (
        "deny-star-star-in-iam-policy",
        Variant(
            overrides={"app-policy": {"policy": doc({"Effect": "Deny", "Action": "*", "Resource": "*"})}},
            clouds=("aws",),
        ),
    ),
    (
        "account-level-public-access-block",
        Variant(
            drop=frozenset({"data-pab", "logs-pab"}),
            extra=lambda created: aws.s3.AccountPublicAccessBlock(
                "account-pab",
                block_public_acls=True,
                block_public_policy=True,
                ignore_public_acls=True,
                restrict_public_buckets=True,
            ),
            clouds=("aws",),
        ),
    ),
    (
        "eks-public-to-named-cidrs",
        Variant(
            overrides={
                "eks": {
                    "vpc_config": {
                        "subnet_ids": ["s"],
                        "endpoint_public_access": True,
                        "public_access_cidrs": ["203.0.113.0/24"],
                    }
                }
            },
            clouds=("aws",),
        ),
    ),
    (
        "non-production-db-without-deletion-protection",
        Variant(overrides={"db": {"deletion_protection": False, "tags": PERSONAL}}, clouds=("aws",)),
    ),
    (
        "asymmetric-kms-key-without-rotation",
        Variant(
            extra=lambda created: aws.kms.Key(
                "signing", customer_master_key_spec="ECC_NIST_P256", key_usage="SIGN_VERIFY"
            ),
            clouds=("aws",),
        ),
    ),
    (
        "sg-https-from-anywhere-and-icmp",
        Variant(
            overrides={
                "web": {
                    "ingress": [
                        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
                        {"protocol": "icmp", "from_port": -1, "to_port": -1, "cidr_blocks": ["0.0.0.0/0"]},
                    ]
                }
            },
            clouds=("aws",),
        ),
    ),
    (
        "aks-authorized-ranges",
        Variant(
            overrides={"aks": {"api_server_access_profile": {"authorized_ip_ranges": ["203.0.113.0/24"]}}},
            clouds=("azure",),
        ),
    ),
    (
        "storage-public-access-disabled-instead-of-firewall",
        Variant(
            overrides={"sa": {"public_network_access": "Disabled", "network_rule_set": DROP}},
            clouds=("azure",),
        ),
    ),
    (
        "internal-storage-with-platform-keys",
        Variant(
            overrides={"sa": {"encryption": {"key_source": "Microsoft.Storage"}, "tags": INTERNAL}},
            clouds=("azure",),
        ),
    ),
]


@pytest.mark.parametrize("variant", [v for _, v in PASSING], ids=[n for n, _ in PASSING])
def test_compliant_variants_report_nothing(variant: Variant) -> None:
    got = findings(preview(variant))
    assert not got, f"a compliant variant was flagged:\n{describe(got)}"


def test_production_config_requires_deletion_protection() -> None:
    variant = Variant(overrides={"db": {"deletion_protection": False, "tags": PERSONAL}}, clouds=("aws",))
    result = preview(variant, policy_config={"aws-rds-deletion-protection-prod": {"production": True}})
    got = findings(result)
    assert [(v.policy, v.urn) for v in got] == [("aws-rds-deletion-protection-prod", urn_of(result, "db"))], (
        describe(got)
    )


def test_admin_ports_are_configurable() -> None:
    variant = Variant(
        overrides={
            "web": {
                "ingress": [
                    {"protocol": "tcp", "from_port": 8443, "to_port": 8443, "cidr_blocks": ["0.0.0.0/0"]}
                ]
            }
        },
        clouds=("aws",),
    )
    assert not findings(preview(variant))
    result = preview(variant, policy_config={"aws-sg-admin-ports-open": {"adminPorts": [22, 8443]}})
    got = findings(result)
    assert [(v.policy, v.urn) for v in got] == [("aws-sg-admin-ports-open", urn_of(result, "web"))], describe(
        got
    )
