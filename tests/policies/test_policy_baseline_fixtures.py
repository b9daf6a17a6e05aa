"""Pass and fail fixtures of every security-baseline policy, through the offline engine.

The baseline (tests/policies/baseline_program.py) is a compliant AWS + Azure
program. Pass: no policy reports anything on it. Fail: one defect at a time
against it, and exactly the policy under test fires, on the mutated resource.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi_aws as aws
import pulumi_azure_native as azure
import pytest
from baseline_program import (
    ACCOUNT,
    BUCKET_ARN,
    CONTAINER,
    DROP,
    GITHUB_OIDC,
    INTERNAL,
    KEY_PROPERTIES,
    KEY_URI,
    KV_PROPERTIES,
    PERSONAL,
    SITE_CONFIG,
    STACK,
    Variant,
    describe,
    doc,
    findings,
    preview,
    tls_only_policy,
    urn_of,
)

from kasbah.dispatch import declared_types
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


ABSENCE_IS_COMPLIANCE = {
    "aws-ecr-no-public-repository": "any ECR Public repository is the defect",
    "aws-iam-user-no-console-password": "any login profile is the defect",
    "aws-iam-user-no-access-keys": "any access key is the defect",
}
"""Policies whose every resource is a defect: their pass fixture is the baseline without one."""


def test_pass_fixture_gives_each_policy_something_to_check(baselines: dict[str, Any]) -> None:
    # A pass fixture proves nothing for a policy that finds no resource of its types in it. This
    # baseline is the AWS and Azure one; GCP, OpenStack and vSphere have their own compliant programs
    # (test_policy_baseline_gcp.py, test_policy_baseline_sovereign.py).
    present = {r.type for result in baselines.values() for r in result.resources}
    idle = sorted(
        p.name
        for p in POLICIES
        if p.name.startswith(("aws-", "azure-"))
        and (types := declared_types(p)) is not None
        and not types & present
        and p.name not in ABSENCE_IS_COMPLIANCE
    )
    assert not idle, f"no resource of their types in the compliant baseline: {idle}"
    assert set(ABSENCE_IS_COMPLIANCE) <= set(META)


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


def _user_policy(kind: str) -> Callable[[dict[str, Any]], None]:
    def extra(created: dict[str, Any]) -> None:
        user = aws.iam.User("bob", name="bob")
        if kind == "attachment":
            aws.iam.UserPolicyAttachment("bob-policy", user=user.name, policy_arn=created["app-policy"].arn)
        elif kind == "inline":
            aws.iam.UserPolicy(
                "bob-policy",
                user=user.name,
                policy=doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),
            )
        else:
            aws.iam.PolicyAttachment("bob-policy", users=[user.name], policy_arn=created["app-policy"].arn)

    return extra


def _containers(**changes: Any) -> str:
    return json.dumps([CONTAINER | changes])


def _tde_protector(created: dict[str, Any], kind: str) -> None:
    key = None
    if kind == "AzureKeyVault":
        key = azure.sql.ServerKey(
            "sql-key",
            resource_group_name=created["rg"].name,
            server_name=created["sql"].name,
            key_name="kasbah-kv_cmk_0123456789abcdef",
            server_key_type="AzureKeyVault",
            uri=KEY_URI,
        )
    azure.sql.EncryptionProtector(
        "sql-protector",
        resource_group_name=created["rg"].name,
        server_name=created["sql"].name,
        encryption_protector_name="current",
        server_key_type=kind,
        server_key_name=key.name if key is not None else "ServiceManaged",
    )


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
    Case("aws-ebs-default-encryption-enabled", "ebs-default", {"ebs-default": {"enabled": False}}),
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
        "secret",
        {
            "secret": {
                "policy": doc(
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "secretsmanager:GetSecretValue",
                        "Resource": "*",
                    }
                )
            }
        },
        label="secret-inline",
    ),
    Case(
        "aws-resource-policy-not-public",
        "search",
        {
            "search": {
                "access_policies": doc(
                    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*", "Resource": "*"}
                )
            }
        },
        label="opensearch-inline",
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
    Case("aws-config-recorder-started", "recorder", drop=frozenset({"recorder-status"})),
    Case("aws-config-recorder-status-enabled", "recorder-status", {"recorder-status": {"is_enabled": False}}),
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
    # ---------------------------------------------------------------- AWS: workload services (issue 14)
    Case(
        "aws-elasticache-encrypted-at-rest",
        "cache",
        {"cache": {"at_rest_encryption_enabled": DROP, "kms_key_id": DROP}},
    ),
    Case("aws-elasticache-encrypted-in-transit", "cache", {"cache": {"transit_encryption_enabled": False}}),
    Case("aws-elasticache-auth", "cache", {"cache": {"user_group_ids": DROP}}),
    Case("aws-elasticache-subnet-group", "cache", {"cache": {"subnet_group_name": DROP}}),
    Case(
        "aws-elasticache-subnet-group",
        "memcached",
        {"memcached": {"subnet_group_name": "default"}},
        label="cluster",
    ),
    Case("aws-opensearch-encrypted-at-rest", "search", {"search": {"encrypt_at_rest": {"enabled": False}}}),
    Case("aws-opensearch-node-to-node-encryption", "search", {"search": {"node_to_node_encryption": DROP}}),
    Case(
        "aws-opensearch-https-tls12",
        "search",
        {
            "search": {
                "domain_endpoint_options": {
                    "enforce_https": True,
                    "tls_security_policy": "Policy-Min-TLS-1-0-2019-07",
                }
            }
        },
    ),
    Case(
        "aws-opensearch-https-tls12",
        "search",
        {
            "search": {
                "domain_endpoint_options": {
                    "enforce_https": False,
                    "tls_security_policy": "Policy-Min-TLS-1-2-2019-07",
                }
            }
        },
        label="http",
    ),
    Case(
        "aws-opensearch-vpc-or-fine-grained-access",
        "search",
        {"search": {"vpc_options": DROP, "advanced_security_options": DROP}},
    ),
    Case("aws-opensearch-audit-logging", "search", {"search": {"log_publishing_options": DROP}}),
    Case("aws-redshift-encrypted", "warehouse", {"warehouse": {"encrypted": "false", "kms_key_id": DROP}}),
    Case("aws-redshift-not-public", "warehouse", {"warehouse": {"publicly_accessible": True}}),
    Case(
        "aws-redshift-require-ssl",
        "warehouse",
        {"warehouse-params": {"parameters": [{"name": "require_ssl", "value": "false"}]}},
    ),
    Case(
        "aws-redshift-require-ssl",
        "warehouse",
        {"warehouse": {"cluster_parameter_group_name": DROP}},
        label="default-group",
    ),
    Case("aws-redshift-audit-logging", "warehouse", drop=frozenset({"warehouse-audit"})),
    Case(
        "aws-msk-encrypted-in-transit",
        "kafka",
        {
            "kafka": {
                "encryption_info": {
                    "encryption_at_rest_kms_key_arn": "arn:aws:kms:eu-west-3:111122223333:key/k",
                    "encryption_in_transit": {"client_broker": "TLS_PLAINTEXT"},
                }
            }
        },
    ),
    Case(
        "aws-msk-not-public",
        "kafka",
        {
            "kafka": {
                "broker_node_group_info": {
                    "instance_type": "kafka.t3.small",
                    "client_subnets": ["subnet-1", "subnet-2"],
                    "connectivity_info": {"public_access": {"type": "SERVICE_PROVIDED_EIPS"}},
                }
            }
        },
    ),
    Case(
        "aws-msk-unauthenticated-access-disabled",
        "kafka",
        {"kafka": {"client_authentication": {"sasl": {"iam": True}, "unauthenticated": True}}},
    ),
    Case(
        "aws-msk-unauthenticated-access-disabled",
        "kafka",
        {"kafka": {"client_authentication": DROP}},
        label="no-client-auth",
    ),
    Case(
        "aws-personal-data-cmk",
        "kafka",
        {"kafka": {"encryption_info": {"encryption_in_transit": {"client_broker": "TLS"}}}},
        label="msk",
    ),
    Case("aws-documentdb-encrypted", "docdb", {"docdb": {"storage_encrypted": DROP, "kms_key_id": DROP}}),
    Case("aws-neptune-encrypted", "graph", {"graph": {"storage_encrypted": False, "kms_key_arn": DROP}}),
    Case("aws-lambda-url-requires-auth", "fn-url", {"fn-url": {"authorization_type": "NONE"}}),
    Case("aws-lambda-tracing", "fn", {"fn": {"tracing_config": DROP}}),
    Case("aws-lambda-environment-cmk-personal-data", "fn", {"fn": {"kms_key_arn": DROP}}),
    Case("aws-apigateway-authorization", "api-get", {"api-get": {"authorization": "NONE"}}),
    Case(
        "aws-apigateway-authorization",
        "http-route",
        {"http-route": {"authorization_type": DROP, "authorizer_id": DROP}},
        label="v2-default-none",
    ),
    Case("aws-apigateway-access-logging", "api-stage", {"api-stage": {"access_log_settings": DROP}}),
    Case(
        "aws-apigateway-access-logging",
        "http-stage",
        {"http-stage": {"access_log_settings": DROP}},
        label="v2",
    ),
    Case("aws-apigateway-execution-logging", "api-stage", drop=frozenset({"api-logging"})),
    Case(
        "aws-apigateway-execution-logging",
        "api-logging",
        {"api-logging": {"settings": {"logging_level": "OFF"}}},
        label="switched-off",
    ),
    Case("aws-apigateway-xray", "api-stage", {"api-stage": {"xray_tracing_enabled": DROP}}),
    Case("aws-apigateway-domain-tls12", "api-domain", {"api-domain": {"security_policy": "TLS_1_0"}}),
    Case(
        "aws-cloudfront-viewer-https",
        "cdn",
        {
            "cdn": {
                "default_cache_behavior": {
                    "target_origin_id": "assets",
                    "viewer_protocol_policy": "allow-all",
                    "allowed_methods": ["GET", "HEAD"],
                    "cached_methods": ["GET", "HEAD"],
                    "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                }
            }
        },
    ),
    Case(
        "aws-cloudfront-viewer-tls12",
        "cdn",
        {
            "cdn": {
                "viewer_certificate": {
                    "acm_certificate_arn": "arn:aws:acm:us-east-1:111122223333:certificate/cdn",
                    "ssl_support_method": "sni-only",
                    "minimum_protocol_version": "TLSv1_2016",
                }
            }
        },
    ),
    Case(
        "aws-cloudfront-viewer-tls12",
        "cdn",
        {"cdn": {"viewer_certificate": {"cloudfront_default_certificate": True}}},
        label="default-certificate",
    ),
    Case(
        "aws-cloudfront-origin-https",
        "cdn",
        {
            "cdn": {
                "origins": [
                    {
                        "origin_id": "assets",
                        "domain_name": "kasbah-personal-data.s3.eu-west-3.amazonaws.com",
                        "origin_access_control_id": "oac-1",
                    },
                    {
                        "origin_id": "app",
                        "domain_name": "app.kasbah.ma",
                        "custom_origin_config": {
                            "http_port": 80,
                            "https_port": 443,
                            "origin_protocol_policy": "https-only",
                            "origin_ssl_protocols": ["TLSv1", "TLSv1.2"],
                        },
                    },
                ]
            }
        },
    ),
    Case(
        "aws-cloudfront-origin-access-control",
        "cdn",
        {
            "cdn": {
                "origins": [
                    {
                        "origin_id": "assets",
                        "domain_name": "kasbah-personal-data.s3.eu-west-3.amazonaws.com",
                        "s3_origin_config": {
                            "origin_access_identity": "origin-access-identity/cloudfront/E1"
                        },
                    },
                    {
                        "origin_id": "app",
                        "domain_name": "app.kasbah.ma",
                        "custom_origin_config": {
                            "http_port": 80,
                            "https_port": 443,
                            "origin_protocol_policy": "https-only",
                            "origin_ssl_protocols": ["TLSv1.2"],
                        },
                    },
                ]
            }
        },
    ),
    Case("aws-cloudfront-waf", "cdn", {"cdn": {"web_acl_id": DROP}}),
    Case("aws-lb-drop-invalid-headers", "alb", {"alb": {"drop_invalid_header_fields": DROP}}),
    Case("aws-lb-deletion-protection-prod", "alb", {"alb": {"enable_deletion_protection": False}}),
    Case("aws-lb-access-logs", "alb", {"alb": {"access_logs": DROP}}),
    Case("aws-ecr-scan-on-push", "repo", {"repo": {"image_scanning_configuration": DROP}}),
    Case("aws-ecr-immutable-tags", "repo", {"repo": {"image_tag_mutability": DROP}}),
    Case(
        "aws-ecr-no-public-repository",
        "public-repo",
        extra=lambda created: aws.ecrpublic.Repository("public-repo", repository_name="kasbah"),
    ),
    Case(
        "aws-ecs-task-not-privileged",
        "task",
        {"task": {"container_definitions": _containers(privileged=True)}},
    ),
    Case(
        "aws-ecs-task-readonly-root",
        "task",
        {"task": {"container_definitions": _containers(readonlyRootFilesystem=False)}},
    ),
    Case(
        "aws-ecs-task-host-network-nonroot",
        "task",
        {"task": {"network_mode": "host", "requires_compatibilities": ["EC2"]}},
    ),
    Case(
        "aws-ecs-task-no-secrets-in-environment",
        "task",
        {
            "task": {
                "container_definitions": _containers(
                    environment=[{"name": "AWS_SECRET_ACCESS_KEY", "value": "x"}]
                )
            }
        },
    ),
    Case("aws-eks-secrets-encryption", "eks", {"eks": {"encryption_config": DROP}}),
    Case("aws-eks-control-plane-logging", "eks", {"eks": {"enabled_cluster_log_types": ["api"]}}),
    Case("aws-secretsmanager-rotation", "secret", drop=frozenset({"secret-rotation"})),
    Case("aws-secretsmanager-cmk", "secret", {"secret": {"kms_key_id": "alias/aws/secretsmanager"}}),
    Case(
        "aws-ssm-document-not-public",
        "doc",
        {"doc": {"permissions": {"type": "Share", "account_ids": "All"}}},
    ),
    Case(
        "aws-ssm-document-public-sharing-blocked", "ssm-sharing", {"ssm-sharing": {"setting_value": "Enable"}}
    ),
    Case("aws-iam-no-user-policies", "bob-policy", extra=_user_policy("attachment")),
    Case("aws-iam-no-user-policies", "bob-policy", extra=_user_policy("inline"), label="inline"),
    Case(
        "aws-iam-no-user-policies",
        "bob-policy",
        extra=_user_policy("policy-attachment"),
        label="policy-attachment",
    ),
    Case(
        "aws-iam-role-trust-not-open",
        "ci-role",
        {
            "ci-role": {
                "assume_role_policy": doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB_OIDC}"},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {"StringEquals": {f"{GITHUB_OIDC}:aud": "sts.amazonaws.com"}},
                    }
                )
            }
        },
    ),
    Case(
        "aws-iam-role-trust-not-open",
        "app-role",
        {
            "app-role": {
                "assume_role_policy": doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::*:root"},
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"sts:ExternalId": "x"}},
                    }
                )
            }
        },
        label="any-account",
    ),
    Case(
        "aws-iam-no-service-wildcard-actions",
        "app-policy",
        {
            "app-policy": {
                "policy": doc({"Effect": "Allow", "Action": ["s3:*"], "Resource": f"{BUCKET_ARN}/*"})
            }
        },
    ),
    Case("aws-ec2-imdsv2", "vm", {"vm": {"metadata_options": {"http_tokens": "optional"}}}),
    Case("aws-ec2-imdsv2", "lt", {"lt": {"metadata_options": DROP}}, label="launch-template-unset"),
    Case("aws-ec2-no-public-ip", "vm", {"vm": {"associate_public_ip_address": True}}),
    Case(
        "aws-ec2-no-public-ip",
        "lt",
        {"lt": {"network_interfaces": [{"device_index": 0, "associate_public_ip_address": "true"}]}},
        label="launch-template",
    ),
    Case("aws-subnet-no-auto-public-ip", "subnet", {"subnet": {"map_public_ip_on_launch": True}}),
    Case("aws-guardduty-enabled", "detector", {"detector": {"enable": False}}),
    Case(
        "aws-guardduty-organization-auto-enable",
        "guardduty-org",
        {"guardduty-org": {"auto_enable_organization_members": "NONE"}},
    ),
    Case("aws-guardduty-protection-plans-enabled", "detector-s3", {"detector-s3": {"status": "DISABLED"}}),
    Case(
        "aws-guardduty-protection-plans-enabled",
        "guardduty-org-s3",
        {"guardduty-org-s3": {"auto_enable": "NONE"}},
        label="organization",
    ),
    Case(
        "aws-securityhub-enabled",
        "securityhub-policy",
        {"securityhub-policy": {"configuration_policy": {"service_enabled": False}}},
    ),
    Case(
        "aws-securityhub-enabled",
        "securityhub-org",
        {"securityhub-org": {"organization_configuration": {"configuration_type": "LOCAL"}}},
        label="local-no-auto-enable",
    ),
    Case("aws-macie-enabled", "macie", {"macie": {"status": "PAUSED"}}),
    Case("aws-emr-block-public-access", "emr-bpa", {"emr-bpa": {"block_public_security_group_rules": False}}),
    Case("aws-backup-vault-lock", "vault", drop=frozenset({"vault-lock"})),
    Case("aws-dynamodb-point-in-time-recovery", "table", {"table": {"point_in_time_recovery": DROP}}),
    Case(
        "aws-dynamodb-deletion-protection-prod",
        "table",
        {"table": {"tags": {"data-classification": "personal", "environment": "prod"}}},
    ),
    Case(
        "aws-s3-acls-disabled",
        "logs-ownership",
        {"logs-ownership": {"rule": {"object_ownership": "ObjectWriter"}}},
    ),
    Case(
        "aws-cloudtrail-cloudwatch-logs",
        "trail",
        {"trail": {"cloud_watch_logs_group_arn": DROP, "cloud_watch_logs_role_arn": DROP}},
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
    Case("azure-sql-tde-customer-managed-key", "sql", {"sql": {"key_id": DROP}}),
    Case(
        "azure-sql-tde-customer-managed-key",
        "sql",
        {"sql": {"key_id": DROP}},
        extra=lambda created: _tde_protector(created, "ServiceManaged"),
        label="service-managed-protector",
    ),
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
    Case("azure-sql-auditing-policy-enabled", "sql-audit", {"sql-audit": {"state": "Disabled"}}),
    Case(
        "azure-sql-auditing-policy-enabled",
        "sql-audit",
        {"sql-audit": {"is_azure_monitor_target_enabled": False}},
        label="no-destination",
    ),
    Case("azure-sql-auditing-enabled", "sql", drop=frozenset({"sql-audit"}), label="no-auditing"),
    Case("azure-subscription-activity-log-exported", STACK, drop=frozenset({"activity-log"})),
    Case("azure-resource-diagnostics-to-log-analytics", "kv", drop=frozenset({"kv-diag"})),
    Case(
        "azure-resource-diagnostics-to-log-analytics",
        "sa",
        {"sa-diag": {"workspace_id": DROP, "storage_account_id": "/subscriptions/0/sa"}},
        label="not-log-analytics",
    ),
    # ---------------------------------------------------------------- Azure: workload services (issue 14)
    Case("azure-appservice-https-only", "app", {"app": {"https_only": DROP}}),
    Case(
        "azure-appservice-min-tls12",
        "app",
        {"app": {"site_config": SITE_CONFIG | {"min_tls_version": "1.0"}}},
    ),
    Case(
        "azure-appservice-ftps-only",
        "app",
        {"app": {"site_config": SITE_CONFIG | {"ftps_state": "AllAllowed"}}},
    ),
    Case(
        "azure-appservice-remote-debugging-off",
        "app",
        {"app": {"site_config": SITE_CONFIG | {"remote_debugging_enabled": True}}},
    ),
    Case(
        "azure-appservice-cors-not-wildcard",
        "app",
        {"app": {"site_config": SITE_CONFIG | {"cors": {"allowed_origins": ["*"]}}}},
    ),
    Case("azure-appservice-managed-identity", "app", {"app": {"identity": DROP}}),
    Case("azure-appservice-client-certificates-required", "app", {"app": {"client_cert_mode": "Optional"}}),
    Case("azure-appservice-public-network-access", "app", {"app": {"public_network_access": "Enabled"}}),
    Case("azure-redis-non-ssl-port-disabled", "redis", {"redis": {"enable_non_ssl_port": True}}),
    Case("azure-redis-min-tls12", "redis", {"redis": {"minimum_tls_version": "1.0"}}),
    Case("azure-redis-public-network-access", "redis", {"redis": {"public_network_access": DROP}}),
    Case("azure-redis-entra-authentication", "redis", {"redis": {"disable_access_key_authentication": DROP}}),
    Case("azure-aks-entra-rbac", "aks", {"aks": {"aad_profile": {"managed": True}}}),
    Case("azure-aks-local-accounts-disabled", "aks", {"aks": {"disable_local_accounts": DROP}}),
    Case("azure-aks-network-policy", "aks", {"aks": {"network_profile": {"network_plugin": "azure"}}}),
    Case("azure-aks-defender-profile", "aks", {"aks": {"security_profile": DROP}}),
    Case(
        "azure-aks-azure-policy-addon",
        "aks",
        {"aks": {"addon_profiles": {"azurepolicy": {"enabled": False}}}},
    ),
    Case("azure-aks-node-encryption-at-host", "aks-user", {"aks-user": {"enable_encryption_at_host": DROP}}),
    Case("azure-acr-admin-user-disabled", "acr", {"acr": {"admin_user_enabled": True}}),
    Case("azure-acr-public-network-access", "acr", {"acr": {"public_network_access": DROP}}),
    Case("azure-acr-anonymous-pull-disabled", "acr", {"acr": {"anonymous_pull_enabled": True}}),
    Case("azure-eventhub-local-auth-disabled", "eventhubs", {"eventhubs": {"disable_local_auth": DROP}}),
    Case("azure-eventhub-min-tls12", "eventhubs", {"eventhubs": {"minimum_tls_version": DROP}}),
    Case(
        "azure-eventhub-public-network-access",
        "eventhubs",
        {"eventhubs": {"public_network_access": "Enabled"}},
    ),
    Case("azure-servicebus-local-auth-disabled", "servicebus", {"servicebus": {"disable_local_auth": False}}),
    Case("azure-servicebus-min-tls12", "servicebus", {"servicebus": {"minimum_tls_version": "1.1"}}),
    Case("azure-servicebus-public-network-access", "servicebus", drop=frozenset({"servicebus-network"})),
    Case(
        "azure-servicebus-public-network-access",
        "servicebus-network",
        {"servicebus-network": {"default_action": "Allow"}},
        label="rule-set-allows",
    ),
    Case("azure-postgresql-tls-enforced", "pg-tls", {"pg-tls": {"value": "TLSv1.1"}}),
    Case(
        "azure-postgresql-public-network-access",
        "pg",
        {"pg": {"network": {"public_network_access": "Enabled"}}},
    ),
    Case("azure-mysql-tls-enforced", "mysql-tls", {"mysql-tls": {"value": "OFF"}}),
    Case("azure-mysql-public-network-access", "mysql", {"mysql": {"network": DROP}}),
    Case("azure-cosmosdb-local-auth-disabled", "cosmos", {"cosmos": {"disable_local_auth": DROP}}),
    Case(
        "azure-cosmosdb-key-metadata-writes-disabled",
        "cosmos",
        {"cosmos": {"disable_key_based_metadata_write_access": False}},
    ),
    Case(
        "azure-sql-entra-only-authentication",
        "sql",
        {"sql": {"administrators": {"login": "dba", "sid": "00000000-0000-0000-0000-000000000000"}}},
    ),
    Case(
        "azure-sql-entra-only-authentication",
        "sql-entra-only",
        extra=lambda created: azure.sql.ServerAzureADOnlyAuthentication(
            "sql-entra-only",
            resource_group_name=created["rg"].name,
            server_name=created["sql"].name,
            authentication_name="Default",
            azure_ad_only_authentication=False,
        ),
        label="setting-off",
    ),
    Case("azure-storage-shared-key-access-disabled", "sa", {"sa": {"allow_shared_key_access": DROP}}),
    Case(
        "azure-storage-cross-tenant-replication-disabled",
        "sa",
        {"sa": {"allow_cross_tenant_replication": True}},
    ),
    Case(
        "azure-storage-infrastructure-encryption-sensitive",
        "sa",
        {"sa": {"tags": {"data-classification": "sensitive"}}},
    ),
    Case(
        "azure-firewall-ip-rules-not-open",
        "sa",
        {
            "sa": {
                "network_rule_set": {
                    "default_action": "Deny",
                    "ip_rules": [{"i_p_address_or_range": "0.0.0.0/0"}],
                }
            }
        },
    ),
    Case(
        "azure-firewall-ip-rules-not-open",
        "kv",
        {
            "kv": {
                "properties": KV_PROPERTIES
                | {"network_acls": {"default_action": "Deny", "ip_rules": [{"value": "0.0.0.0/0"}]}}
            }
        },
        label="key-vault",
    ),
    Case(
        "azure-disk-public-network-access",
        "disk",
        {"disk": {"public_network_access": DROP, "network_access_policy": DROP}},
    ),
    Case(
        "azure-vm-ssh-keys-only",
        "azvm",
        {
            "azvm": {
                "os_profile": {"computer_name": "azvm", "admin_username": "kasbah", "linux_configuration": {}}
            }
        },
    ),
    Case("azure-keyvault-expiration-set", "kv-secret", {"kv-secret": {"properties": {"value": "x"}}}),
    Case(
        "azure-keyvault-expiration-set",
        "kv-key",
        {
            "kv-key": {
                "properties": KEY_PROPERTIES
                | {
                    "rotation_policy": {
                        "lifetime_actions": KEY_PROPERTIES["rotation_policy"]["lifetime_actions"]
                    }
                }
            }
        },
        label="key",
    ),
    Case(
        "azure-appgw-waf-enabled",
        "appgw",
        {
            "appgw": {
                "sku": {"name": "Standard_v2", "tier": "Standard_v2", "capacity": 2},
                "firewall_policy": DROP,
            }
        },
    ),
    Case(
        "azure-appgw-tls-policy",
        "appgw",
        {"appgw": {"ssl_policy": {"policy_type": "Predefined", "policy_name": "AppGwSslPolicy20150501"}}},
    ),
    Case(
        "azure-waf-policy-prevention-mode",
        "appgw-waf",
        {"appgw-waf": {"policy_settings": {"state": "Enabled", "mode": "Detection"}}},
    ),
    Case(
        "azure-waf-policy-prevention-mode",
        "afd-waf",
        {"afd-waf": {"policy_settings": {"enabled_state": "Disabled", "mode": "Prevention"}}},
        label="front-door-off",
    ),
    Case("azure-frontdoor-waf", "afd", drop=frozenset({"afd-security"})),
    Case(
        "azure-frontdoor-min-tls12",
        "afd-domain",
        {
            "afd-domain": {
                "tls_settings": {"certificate_type": "ManagedCertificate", "minimum_tls_version": "TLS10"}
            }
        },
    ),
    Case("azure-defender-plan-on", "defender-servers", {"defender-servers": {"pricing_tier": "Free"}}),
    Case("azure-activity-log-alerts-present", STACK, drop=frozenset({"alert-2"})),
    Case("azure-activity-log-alert-enabled", "alert-0", {"alert-0": {"enabled": False}}),
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
        {
            "kv-key": {
                "properties": {k: v for k, v in KEY_PROPERTIES.items() if k != "rotation_policy"}
                | {"attributes": {"expires": 1924992000}}
            }
        },
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
    from test_policy_baseline_gcp import CASES as GCP_CASES  # GCP fixtures live in their own module

    # OpenStack and vSphere policies have theirs in test_policy_baseline_sovereign.py.
    checked = {i for i in META if i.startswith(("aws-", "azure-", "gcp-"))}
    missing = sorted(checked - {c.policy for c in CASES} - {c.policy for c in GCP_CASES})
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
        "sql-tde-key-through-server-key-and-protector",
        Variant(
            overrides={"sql": {"key_id": DROP}},
            extra=lambda created: _tde_protector(created, "AzureKeyVault"),
            clouds=("azure",),
        ),
    ),
    (
        "sql-entra-only-through-its-own-resource",
        Variant(
            overrides={
                "sql": {"administrators": {"login": "dba", "sid": "00000000-0000-0000-0000-000000000000"}}
            },
            extra=lambda created: azure.sql.ServerAzureADOnlyAuthentication(
                "sql-entra-only",
                resource_group_name=created["rg"].name,
                server_name=created["sql"].name,
                authentication_name="Default",
                azure_ad_only_authentication=True,
            ),
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
