"""The values pulumi-aws applies to inputs a program leaves unset, where an AWS rule reads them.

With the real CLI a policy sees the inputs after the provider's Check, which fills these
defaults in; the offline engine does not run the provider, so the rules read an unset input
through this table. ``documented`` is the sentence of the provider's documentation (the
Terraform provider's page, which the installed SDK's docstring carries) that states the
default: ``tests/policies/test_policy_baseline_defaults.py`` finds it in the SDK, so an SDK
upgrade that changes a default fails the test instead of changing a verdict silently.
"""

from __future__ import annotations

from typing import Final

from policies.framework.settings import Defaults, ProviderDefault
from policies.security_baseline.aws.tokens import (
    APIGW2_ROUTE,
    APIGW_STAGE,
    DOCDB_CLUSTER,
    DYNAMODB_TABLE,
    EBS_DEFAULT,
    ECR_REPOSITORY,
    ELASTICACHE_REPLICATION_GROUP,
    GUARDDUTY_DETECTOR,
    LOAD_BALANCERS,
    MSK_CLUSTER,
    NEPTUNE_CLUSTER,
    REDSHIFT_CLUSTER,
    SEARCH_DOMAINS,
    SUBNET,
)

_TF = "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/"


def _d(type_: str, path: str, value: object, documented: str, page: str) -> ProviderDefault:
    return ProviderDefault(type_, path, value, documented, _TF + page)


DEFAULTS: Final = Defaults(
    [
        *(
            d
            for lb in LOAD_BALANCERS
            for d in (
                _d(lb, "loadBalancerType", "application", "The default value is `application`.", "lb"),
                _d(lb, "dropInvalidHeaderFields", False, "The default is false.", "lb"),
                _d(lb, "enableDeletionProtection", False, "Defaults to `false`.", "lb"),
            )
        ),
        _d(ECR_REPOSITORY, "imageTagMutability", "MUTABLE", "Defaults to `MUTABLE`.", "ecr_repository"),
        _d(REDSHIFT_CLUSTER, "encrypted", True, "Default is `true`.", "redshift_cluster"),
        _d(REDSHIFT_CLUSTER, "publiclyAccessible", False, "Default is `false`.", "redshift_cluster"),
        _d(
            MSK_CLUSTER,
            "encryptionInfo.encryptionInTransit.clientBroker",
            "TLS",
            "Default value is `TLS`.",
            "msk_cluster",
        ),
        _d(
            MSK_CLUSTER,
            "encryptionInfo.encryptionInTransit.inCluster",
            True,
            "Default value: `true`.",
            "msk_cluster",
        ),
        _d(
            ELASTICACHE_REPLICATION_GROUP,
            "engine",
            "redis",
            "Default is `redis`.",
            "elasticache_replication_group",
        ),
        _d(
            ELASTICACHE_REPLICATION_GROUP,
            "atRestEncryptionEnabled[engine=redis]",
            False,
            "When `engine` is `redis`, default is `false`.",
            "elasticache_replication_group",
        ),
        _d(
            ELASTICACHE_REPLICATION_GROUP,
            "atRestEncryptionEnabled[engine=valkey]",
            True,
            "When `engine` is `valkey`, default is `true`.",
            "elasticache_replication_group",
        ),
        *(
            _d(t, "domainEndpointOptions.enforceHttps", True, "Defaults to `true`.", "opensearch_domain")
            for t in SEARCH_DOMAINS
        ),
        _d(DOCDB_CLUSTER, "storageEncrypted", False, "The default is `false`.", "docdb_cluster"),
        _d(
            NEPTUNE_CLUSTER,
            "storageEncrypted",
            False,
            "The default is `false` if not specified.",
            "neptune_cluster",
        ),
        _d(SUBNET, "mapPublicIpOnLaunch", False, "Default is `false`.", "subnet"),
        _d(GUARDDUTY_DETECTOR, "enable", True, "Defaults to `true`.", "guardduty_detector"),
        _d(EBS_DEFAULT, "enabled", True, "Defaults to `true`.", "ebs_encryption_by_default"),
        _d(DYNAMODB_TABLE, "deletionProtectionEnabled", False, "Defaults to `false`.", "dynamodb_table"),
        _d(
            DYNAMODB_TABLE,
            "pointInTimeRecovery.enabled",
            False,
            "If the `point_in_time_recovery` block is not provided, this defaults to `false`.",
            "dynamodb_table",
        ),
        _d(APIGW2_ROUTE, "authorizationType", "NONE", "Defaults to `NONE`.", "apigatewayv2_route"),
        _d(APIGW_STAGE, "xrayTracingEnabled", False, "Defaults to `false`.", "api_gateway_stage"),
    ]
)
"""Every provider default an AWS rule reads."""
