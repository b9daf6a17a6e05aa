"""A compliant AWS + Azure program for the security-baseline pack, and one-defect variants of it.

``program(Variant(...))`` returns a Pulumi program (a callable for
``kasbah.engine.preview_program``) creating every resource of the baseline
with the real pulumi_aws / pulumi_azure_native classes. A variant changes one
thing: it overrides inputs of one named resource (``DROP`` removes an input),
drops resources, or adds resources through ``extra(created)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi_aws as aws
import pulumi_azure_native as azure

from kasbah.facts import ACTIVITY_LOG_ALERT_OPERATIONS

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "policies" / "security_baseline"
CONFIG = {"aws:region": "eu-west-3", "azure-native:location": "francecentral"}

DROP = object()
"""Override value that removes an input."""

PERSONAL = {"data-classification": "personal"}
INTERNAL = {"data-classification": "internal"}
PROD = {"data-classification": "personal", "environment": "prod"}
ACCOUNT = "111122223333"
BUCKET_NAME = "kasbah-personal-data"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET_NAME}"
LOGS_BUCKET = "kasbah-platform-logs"
LOGS_ARN = f"arn:aws:s3:::{LOGS_BUCKET}"
KEY_URI = "https://kasbah-kv.vault.azure.net/keys/cmk/0123456789abcdef"

SITE_CONFIG: dict[str, Any] = {
    "min_tls_version": "1.2",
    "ftps_state": "Disabled",
    "remote_debugging_enabled": False,
    "cors": {"allowed_origins": ["https://kasbah.ma"]},
}
KV_PROPERTIES: dict[str, Any] = {
    "tenant_id": "00000000-0000-0000-0000-000000000000",
    "sku": {"family": "A", "name": "standard"},
    "enable_purge_protection": True,
    "enable_soft_delete": True,
    "soft_delete_retention_in_days": 90,
    "enable_rbac_authorization": True,
    "network_acls": {"default_action": "Deny", "bypass": "AzureServices"},
}
KEY_PROPERTIES: dict[str, Any] = {
    "kty": "RSA",
    "key_size": 3072,
    "rotation_policy": {
        "attributes": {"expiry_time": "P2Y"},
        "lifetime_actions": [{"action": {"type": "rotate"}, "trigger": {"time_after_create": "P1Y"}}],
    },
}


@dataclass
class Variant:
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    drop: frozenset[str] = frozenset()
    extra: Callable[[dict[str, Any]], None] | None = None
    clouds: tuple[str, ...] = ("aws", "azure")


def tls_only_policy(extra_statements: list[dict[str, Any]] | None = None, arn: str = BUCKET_ARN) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [arn, f"{arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                *(extra_statements or []),
            ],
        }
    )


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def program(variant: Variant | None = None) -> Callable[[], None]:
    v = variant or Variant()

    def run() -> None:
        created: dict[str, Any] = {}

        def mk(cls: Any, resource_name: str, /, **kwargs: Any) -> Any:
            if resource_name in v.drop:
                return None
            merged = {**kwargs, **dict(v.overrides.get(resource_name, {}))}
            merged = {k: val for k, val in merged.items() if val is not DROP}
            res = cls(resource_name, **merged)
            created[resource_name] = res
            return res

        if "aws" in v.clouds:
            _aws(mk)
        if "azure" in v.clouds:
            _azure(mk)
        if v.extra is not None:
            v.extra(created)

    return run


def _aws(mk: Callable[..., Any]) -> None:
    key = mk(
        aws.kms.Key,
        "key",
        description="Kasbah data key",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=doc(
            {
                "Sid": "Root",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ),
    )
    key_arn = key.arn

    # S3: a personal-data bucket with CMK encryption, versioning, public-access block, TLS-only policy.
    bucket = mk(aws.s3.Bucket, "data", bucket=BUCKET_NAME, tags=PERSONAL)
    mk(
        aws.s3.BucketServerSideEncryptionConfiguration,
        "data-sse",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": key_arn,
                },
                "bucket_key_enabled": True,
            }
        ],
    )
    mk(
        aws.s3.BucketVersioning,
        "data-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
    )
    mk(
        aws.s3.BucketPublicAccessBlock,
        "data-pab",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    mk(aws.s3.BucketPolicy, "data-policy", bucket=bucket.id, policy=tls_only_policy())
    mk(aws.s3.BucketAcl, "data-acl", bucket=bucket.id, acl="private")

    # An internal bucket: SSE-S3 is enough, versioning is not required.
    logs = mk(aws.s3.Bucket, "logs", bucket=LOGS_BUCKET, tags=INTERNAL)
    mk(
        aws.s3.BucketServerSideEncryptionConfiguration,
        "logs-sse",
        bucket=logs.id,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
    )
    mk(
        aws.s3.BucketPublicAccessBlock,
        "logs-pab",
        bucket=logs.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    mk(aws.s3.BucketPolicy, "logs-policy", bucket=logs.id, policy=tls_only_policy(arn=LOGS_ARN))
    mk(
        aws.s3.BucketOwnershipControls,
        "logs-ownership",
        bucket=logs.id,
        rule={"object_ownership": "BucketOwnerEnforced"},
    )

    # EBS and EC2.
    mk(aws.ebs.EncryptionByDefault, "ebs-default", enabled=True)
    mk(
        aws.ebs.Volume,
        "volume",
        availability_zone="eu-west-3a",
        size=20,
        encrypted=True,
        kms_key_id=key_arn,
        tags=PERSONAL,
    )
    mk(
        aws.ec2.Instance,
        "vm",
        ami="ami-0123456789abcdef0",
        instance_type="t3.micro",
        root_block_device={"encrypted": True, "volume_size": 20},
        ebs_block_devices=[{"device_name": "/dev/sdf", "encrypted": True, "volume_size": 10}],
        metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 1},
    )
    mk(
        aws.ec2.LaunchTemplate,
        "lt",
        block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"encrypted": "true", "volume_size": 20}}],
        metadata_options={"http_tokens": "required", "http_endpoint": "enabled"},
    )

    # Databases and data services.
    mk(
        aws.rds.Instance,
        "db",
        engine="postgres",
        instance_class="db.t4g.micro",
        allocated_storage=20,
        username="kasbah",
        manage_master_user_password=True,
        storage_encrypted=True,
        kms_key_id=key_arn,
        publicly_accessible=False,
        backup_retention_period=7,
        deletion_protection=True,
        tags=PROD,
    )
    cluster = mk(
        aws.rds.Cluster,
        "aurora",
        engine="aurora-postgresql",
        master_username="kasbah",
        manage_master_user_password=True,
        storage_encrypted=True,
        kms_key_id=key_arn,
        backup_retention_period=14,
        deletion_protection=True,
        tags=PROD,
    )
    mk(
        aws.rds.ClusterInstance,
        "aurora-1",
        cluster_identifier=cluster.id,
        engine="aurora-postgresql",
        instance_class="db.t4g.medium",
        publicly_accessible=False,
    )
    mk(
        aws.rds.Snapshot,
        "db-snapshot",
        db_instance_identifier="db",
        db_snapshot_identifier="db-s1",
        shared_accounts=[ACCOUNT],
    )
    mk(
        aws.dynamodb.Table,
        "table",
        hash_key="id",
        attributes=[{"name": "id", "type": "S"}],
        billing_mode="PAY_PER_REQUEST",
        server_side_encryption={"enabled": True, "kms_key_arn": key_arn},
        point_in_time_recovery={"enabled": True},
        tags=PERSONAL,
    )
    mk(aws.efs.FileSystem, "efs", encrypted=True, kms_key_id=key_arn, tags=PERSONAL)
    mk(aws.sns.Topic, "topic", kms_master_key_id=key_arn, tags=PERSONAL)
    mk(aws.sns.Topic, "alerts", kms_master_key_id="alias/aws/sns", tags=INTERNAL)
    queue = mk(aws.sqs.Queue, "queue", kms_master_key_id=key_arn, tags=PERSONAL)
    mk(aws.sqs.Queue, "events", sqs_managed_sse_enabled=True, tags=INTERNAL)
    mk(aws.kinesis.Stream, "stream", shard_count=1, encryption_type="KMS", kms_key_id=key_arn, tags=PERSONAL)
    mk(aws.cloudwatch.LogGroup, "app-logs", retention_in_days=365, kms_key_id=key_arn, tags=PERSONAL)
    mk(
        aws.sqs.QueuePolicy,
        "queue-policy",
        queue_url=queue.url,
        policy=doc(
            {
                "Sid": "FromTopic",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "sqs:SendMessage",
                "Resource": "*",
                "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:eu-west-3:{ACCOUNT}:topic"}},
            }
        ),
    )
    mk(
        aws.lambda_.Permission,
        "invoke-from-s3",
        action="lambda:InvokeFunction",
        function="kasbah-fn",
        principal="s3.amazonaws.com",
        source_arn=BUCKET_ARN,
        source_account=ACCOUNT,
    )

    # Load balancing.
    mk(
        aws.lb.Listener,
        "http",
        load_balancer_arn="arn:aws:elasticloadbalancing:eu-west-3:111122223333:loadbalancer/app/kasbah/1",
        port=80,
        protocol="HTTP",
        default_actions=[
            {"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}}
        ],
    )
    mk(
        aws.lb.Listener,
        "https",
        load_balancer_arn="arn:aws:elasticloadbalancing:eu-west-3:111122223333:loadbalancer/app/kasbah/1",
        port=443,
        protocol="HTTPS",
        ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificate_arn="arn:aws:acm:eu-west-3:111122223333:certificate/abc",
        default_actions=[{"type": "forward", "target_group_arn": "arn:aws:elasticloadbalancing:tg"}],
    )

    # Network.
    vpc = mk(aws.ec2.Vpc, "vpc", cidr_block="10.10.0.0/16")
    mk(
        aws.ec2.FlowLog,
        "vpc-flow",
        vpc_id=vpc.id,
        traffic_type="ALL",
        log_destination_type="s3",
        log_destination=f"{BUCKET_ARN}/flow",
    )
    mk(aws.ec2.DefaultSecurityGroup, "default-sg", vpc_id=vpc.id)
    sg = mk(
        aws.ec2.SecurityGroup,
        "web",
        vpc_id=vpc.id,
        description="web",
        ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}],
        egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
    )
    mk(
        aws.ec2.SecurityGroupRule,
        "web-ssh",
        type="ingress",
        security_group_id=sg.id,
        protocol="tcp",
        from_port=22,
        to_port=22,
        cidr_blocks=["10.0.0.0/8"],
    )
    mk(
        aws.vpc.SecurityGroupIngressRule,
        "web-https-v6",
        security_group_id=sg.id,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        cidr_ipv6="::/0",
    )
    nacl = mk(
        aws.ec2.NetworkAcl,
        "nacl",
        vpc_id=vpc.id,
        ingress=[
            {
                "protocol": "tcp",
                "rule_no": 100,
                "action": "allow",
                "cidr_block": "0.0.0.0/0",
                "from_port": 443,
                "to_port": 443,
            }
        ],
    )
    mk(
        aws.ec2.NetworkAclRule,
        "nacl-ssh-internal",
        network_acl_id=nacl.id,
        rule_number=110,
        egress=False,
        protocol="tcp",
        rule_action="allow",
        cidr_block="10.0.0.0/8",
        from_port=22,
        to_port=22,
    )
    mk(
        aws.eks.Cluster,
        "eks",
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks",
        vpc_config={
            "subnet_ids": ["subnet-1", "subnet-2"],
            "endpoint_public_access": False,
            "endpoint_private_access": True,
        },
        encryption_config={"resources": ["secrets"], "provider": {"key_arn": key_arn}},
        enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", "scheduler"],
    )

    # Logging and account-level controls.
    mk(
        aws.cloudtrail.Trail,
        "trail",
        s3_bucket_name=BUCKET_NAME,
        is_multi_region_trail=True,
        include_global_service_events=True,
        enable_log_file_validation=True,
        kms_key_id=key_arn,
        cloud_watch_logs_group_arn=f"arn:aws:logs:eu-west-3:{ACCOUNT}:log-group:/kasbah/trail:*",
        cloud_watch_logs_role_arn=f"arn:aws:iam::{ACCOUNT}:role/trail-logs",
    )
    recorder = mk(aws.cfg.Recorder, "recorder", role_arn=f"arn:aws:iam::{ACCOUNT}:role/config")
    if recorder is not None:
        mk(aws.cfg.RecorderStatus, "recorder-status", name=recorder.name, is_enabled=True)
    mk(
        aws.iam.AccountPasswordPolicy,
        "passwords",
        minimum_password_length=14,
        password_reuse_prevention=24,
        require_symbols=True,
    )
    mk(aws.ec2.ImageBlockPublicAccess, "image-bpa", state="block-new-sharing")
    mk(aws.ebs.SnapshotBlockPublicAccess, "snapshot-bpa", state="block-all-sharing")
    mk(aws.ec2.AmiLaunchPermission, "ami-share", image_id="ami-0123456789abcdef0", account_id=ACCOUNT)

    # Identity.
    app_policy = mk(
        aws.iam.Policy,
        "app-policy",
        policy=doc({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"{BUCKET_ARN}/*"}),
    )
    app_role = mk(
        aws.iam.Role,
        "app-role",
        assume_role_policy=doc(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
    )
    # An exclusive attachment to roles only: compliant with aws-iam-no-user-policies.
    mk(aws.iam.PolicyAttachment, "app-policy-roles", roles=[app_role.name], policy_arn=app_policy.arn)
    mk(
        aws.organizations.Policy,
        "scp-guardrail",
        type="SERVICE_CONTROL_POLICY",
        content=doc(
            {
                "Sid": "DenyOutsideApprovedRegions",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-3", "eu-south-2"]}},
            }
        ),
    )

    _aws_workloads(mk, key_arn, vpc)


LOG_ARN = f"arn:aws:logs:eu-west-3:{ACCOUNT}:log-group:/kasbah/api"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/app"
GITHUB_OIDC = "token.actions.githubusercontent.com"


def _aws_workloads(mk: Callable[..., Any], key_arn: Any, vpc: Any) -> None:
    """The workload services of issue 14, each configured the compliant way."""
    # Caches, search, warehouse, streaming, document and graph databases.
    mk(
        aws.elasticache.ReplicationGroup,
        "cache",
        description="sessions",
        engine="redis",
        node_type="cache.t4g.small",
        num_cache_clusters=2,
        at_rest_encryption_enabled=True,
        transit_encryption_enabled=True,
        kms_key_id=key_arn,
        user_group_ids=["kasbah-users"],
        subnet_group_name="kasbah-cache",
    )
    mk(
        aws.elasticache.Cluster,
        "memcached",
        engine="memcached",
        node_type="cache.t4g.micro",
        num_cache_nodes=1,
        subnet_group_name="kasbah-cache",
    )
    mk(
        aws.opensearch.Domain,
        "search",
        engine_version="OpenSearch_2.13",
        encrypt_at_rest={"enabled": True, "kms_key_id": key_arn},
        node_to_node_encryption={"enabled": True},
        domain_endpoint_options={
            "enforce_https": True,
            "tls_security_policy": "Policy-Min-TLS-1-2-PFS-2023-10",
        },
        vpc_options={"subnet_ids": ["subnet-1"], "security_group_ids": ["sg-1"]},
        advanced_security_options={"enabled": True, "master_user_options": {"master_user_arn": ROLE_ARN}},
        log_publishing_options=[{"log_type": "AUDIT_LOGS", "cloudwatch_log_group_arn": f"{LOG_ARN}-search"}],
    )
    params = mk(
        aws.redshift.ParameterGroup,
        "warehouse-params",
        name="kasbah-warehouse",
        family="redshift-1.0",
        parameters=[{"name": "require_ssl", "value": "true"}],
    )
    warehouse = mk(
        aws.redshift.Cluster,
        "warehouse",
        cluster_identifier="kasbah-warehouse",
        node_type="ra3.xlplus",
        master_username="kasbah",
        manage_master_password=True,
        encrypted=True,
        kms_key_id=key_arn,
        publicly_accessible=False,
        cluster_parameter_group_name=params.name,
        tags=INTERNAL,
    )
    mk(
        aws.redshift.Logging,
        "warehouse-audit",
        cluster_identifier=warehouse.cluster_identifier,
        log_destination_type="cloudwatch",
        log_exports=["connectionlog", "userlog", "useractivitylog"],
    )
    mk(
        aws.msk.Cluster,
        "kafka",
        cluster_name="kasbah",
        kafka_version="3.6.0",
        number_of_broker_nodes=2,
        broker_node_group_info={
            "instance_type": "kafka.t3.small",
            "client_subnets": ["subnet-1", "subnet-2"],
            "security_groups": ["sg-1"],
        },
        encryption_info={
            "encryption_at_rest_kms_key_arn": key_arn,
            "encryption_in_transit": {"client_broker": "TLS", "in_cluster": True},
        },
        client_authentication={"sasl": {"iam": True}, "unauthenticated": False},
        tags=PERSONAL,
    )
    mk(
        aws.docdb.Cluster,
        "docdb",
        master_username="kasbah",
        manage_master_user_password=True,
        storage_encrypted=True,
        kms_key_id=key_arn,
        tags=INTERNAL,
    )
    mk(aws.neptune.Cluster, "graph", storage_encrypted=True, kms_key_arn=key_arn, tags=INTERNAL)

    # Functions, APIs, content delivery, load balancing, containers.
    fn = mk(
        aws.lambda_.Function,
        "fn",
        role=ROLE_ARN,
        runtime="python3.12",
        handler="app.handler",
        s3_bucket="kasbah-artifacts",
        s3_key="fn.zip",
        environment={"variables": {"STAGE": "prod"}},
        kms_key_arn=key_arn,
        tracing_config={"mode": "Active"},
        tags=PERSONAL,
    )
    mk(aws.lambda_.FunctionUrl, "fn-url", function_name=fn.name, authorization_type="AWS_IAM")
    api = mk(aws.apigateway.RestApi, "api", name="kasbah")
    for method, auth in (("GET", "AWS_IAM"), ("OPTIONS", "NONE")):
        mk(
            aws.apigateway.Method,
            f"api-{method.lower()}",
            rest_api=api.id,
            resource_id=api.root_resource_id,
            http_method=method,
            authorization=auth,
        )
    stage = mk(
        aws.apigateway.Stage,
        "api-stage",
        rest_api=api.id,
        deployment="dep-1",
        stage_name="prod",
        xray_tracing_enabled=True,
        access_log_settings={"destination_arn": LOG_ARN, "format": "$context.requestId"},
    )
    mk(
        aws.apigateway.MethodSettings,
        "api-logging",
        rest_api=api.id,
        stage_name=stage.stage_name,
        method_path="*/*",
        settings={"logging_level": "ERROR", "metrics_enabled": True},
    )
    mk(
        aws.apigateway.DomainName,
        "api-domain",
        domain_name="api.kasbah.ma",
        regional_certificate_arn="arn:aws:acm:eu-west-3:111122223333:certificate/api",
        endpoint_configuration={"types": "REGIONAL"},
        security_policy="TLS_1_2",
    )
    http = mk(aws.apigatewayv2.Api, "http-api", protocol_type="HTTP")
    mk(
        aws.apigatewayv2.Route,
        "http-route",
        api_id=http.id,
        route_key="GET /items",
        authorization_type="JWT",
        authorizer_id="jwt-1",
    )
    mk(
        aws.apigatewayv2.Stage,
        "http-stage",
        api_id=http.id,
        name="prod",
        access_log_settings={"destination_arn": LOG_ARN, "format": "$context.requestId"},
    )
    mk(
        aws.cloudfront.Distribution,
        "cdn",
        enabled=True,
        origins=[
            {
                "origin_id": "assets",
                "domain_name": f"{BUCKET_NAME}.s3.eu-west-3.amazonaws.com",
                "origin_access_control_id": "oac-1",
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
        ],
        default_cache_behavior={
            "target_origin_id": "assets",
            "viewer_protocol_policy": "redirect-to-https",
            "allowed_methods": ["GET", "HEAD"],
            "cached_methods": ["GET", "HEAD"],
            "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
        ordered_cache_behaviors=[
            {
                "path_pattern": "/api/*",
                "target_origin_id": "app",
                "viewer_protocol_policy": "https-only",
                "allowed_methods": ["GET", "HEAD"],
                "cached_methods": ["GET", "HEAD"],
                "cache_policy_id": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
            }
        ],
        restrictions={"geo_restriction": {"restriction_type": "none"}},
        viewer_certificate={
            "acm_certificate_arn": "arn:aws:acm:us-east-1:111122223333:certificate/cdn",
            "ssl_support_method": "sni-only",
            "minimum_protocol_version": "TLSv1.2_2021",
        },
        web_acl_id="arn:aws:wafv2:us-east-1:111122223333:global/webacl/kasbah/abc",
    )
    mk(
        aws.lb.LoadBalancer,
        "alb",
        load_balancer_type="application",
        subnets=["subnet-1", "subnet-2"],
        drop_invalid_header_fields=True,
        enable_deletion_protection=True,
        access_logs={"bucket": LOGS_BUCKET, "enabled": True},
        tags={"environment": "prod"},
    )
    mk(
        aws.ecr.Repository,
        "repo",
        image_tag_mutability="IMMUTABLE",
        image_scanning_configuration={"scan_on_push": True},
        encryption_configurations=[{"encryption_type": "KMS", "kms_key": key_arn}],
    )
    mk(
        aws.ecs.TaskDefinition,
        "task",
        family="kasbah",
        network_mode="awsvpc",
        requires_compatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        container_definitions=json.dumps([CONTAINER]),
    )
    mk(aws.ec2.Subnet, "subnet", vpc_id=vpc.id, cidr_block="10.10.1.0/24")

    # Secrets, documents, identity.
    secret = mk(aws.secretsmanager.Secret, "secret", kms_key_id=key_arn)
    mk(
        aws.secretsmanager.SecretRotation,
        "secret-rotation",
        secret_id=secret.id,
        rotation_lambda_arn=f"arn:aws:lambda:eu-west-3:{ACCOUNT}:function:rotate",
        rotation_rules={"automatically_after_days": 30},
    )
    mk(
        aws.ssm.Document,
        "doc",
        document_type="Command",
        content=json.dumps({"schemaVersion": "2.2", "description": "noop", "mainSteps": []}),
        permissions={"type": "Share", "account_ids": ACCOUNT},
    )
    mk(
        aws.ssm.ServiceSetting,
        "ssm-sharing",
        setting_id=f"arn:aws:ssm:eu-west-3:{ACCOUNT}:servicesetting/ssm/documents/console/public-sharing-permission",
        setting_value="Disable",
    )
    mk(
        aws.iam.Role,
        "ci-role",
        assume_role_policy=doc(
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB_OIDC}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{GITHUB_OIDC}:aud": "sts.amazonaws.com"},
                    "StringLike": {f"{GITHUB_OIDC}:sub": "repo:kasbah/infra:*"},
                },
            }
        ),
    )

    # Account-level detection services and settings.
    detector = mk(aws.guardduty.Detector, "detector", enable=True)
    mk(
        aws.guardduty.DetectorFeature,
        "detector-s3",
        detector_id=detector.id,
        name="S3_DATA_EVENTS",
        status="ENABLED",
    )
    mk(
        aws.guardduty.OrganizationConfiguration,
        "guardduty-org",
        detector_id=detector.id,
        auto_enable_organization_members="ALL",
    )
    mk(
        aws.guardduty.OrganizationConfigurationFeature,
        "guardduty-org-s3",
        detector_id=detector.id,
        name="S3_DATA_EVENTS",
        auto_enable="ALL",
    )
    mk(
        aws.securityhub.OrganizationConfiguration,
        "securityhub-org",
        auto_enable=False,
        auto_enable_standards="NONE",
        organization_configuration={"configuration_type": "CENTRAL"},
    )
    mk(
        aws.securityhub.ConfigurationPolicy,
        "securityhub-policy",
        name="kasbah",
        configuration_policy={
            "service_enabled": True,
            "enabled_standard_arns": [
                "arn:aws:securityhub:eu-west-3::standards/aws-foundational-security-best-practices/v/1.0.0"
            ],
            "security_controls_configuration": {"disabled_control_identifiers": []},
        },
    )
    mk(aws.macie2.Account, "macie", status="ENABLED")
    mk(aws.emr.BlockPublicAccessConfiguration, "emr-bpa", block_public_security_group_rules=True)
    vault = mk(aws.backup.Vault, "vault", name="kasbah-vault", kms_key_arn=key_arn)
    mk(
        aws.backup.VaultLockConfiguration,
        "vault-lock",
        backup_vault_name=vault.name,
        min_retention_days=7,
        max_retention_days=365,
    )


CONTAINER: dict[str, Any] = {
    "name": "app",
    "image": "111122223333.dkr.ecr.eu-west-3.amazonaws.com/app@sha256:0123",
    "essential": True,
    "readonlyRootFilesystem": True,
    "environment": [{"name": "STAGE", "value": "prod"}],
}


def _azure(mk: Callable[..., Any]) -> None:
    rg = mk(azure.resources.ResourceGroup, "rg", location="francecentral")
    rg_name = rg.name
    law = mk(
        azure.operationalinsights.Workspace,
        "law",
        resource_group_name=rg_name,
        sku={"name": "PerGB2018"},
        retention_in_days=90,
        tags={"data-classification": "internal"},
    )

    def diagnostics(name: str, target: Any) -> None:
        mk(
            azure.monitor.DiagnosticSetting,
            f"{name}-diag",
            resource_uri=target.id,
            workspace_id=law.id,
            logs=[{"category_group": "allLogs", "enabled": True}],
        )

    mk(
        azure.monitor.SubscriptionDiagnosticSetting,
        "activity-log",
        workspace_id=law.id,
        logs=[{"category": "Administrative", "enabled": True}, {"category": "Security", "enabled": True}],
    )

    sa = mk(
        azure.storage.StorageAccount,
        "sa",
        resource_group_name=rg_name,
        kind="StorageV2",
        sku={"name": "Standard_ZRS"},
        enable_https_traffic_only=True,
        minimum_tls_version="TLS1_2",
        allow_blob_public_access=False,
        allow_shared_key_access=False,
        allow_cross_tenant_replication=False,
        network_rule_set={
            "default_action": "Deny",
            "bypass": "AzureServices",
            "ip_rules": [{"i_p_address_or_range": "203.0.113.0/24"}],
        },
        encryption={
            "key_source": "Microsoft.Keyvault",
            "key_vault_properties": {"key_name": "cmk", "key_vault_uri": "https://kasbah-kv.vault.azure.net"},
            "services": {"blob": {"enabled": True, "key_type": "Account"}},
        },
        identity={"type": "SystemAssigned"},
        tags=PERSONAL,
    )
    diagnostics("sa", sa)
    mk(
        azure.storage.BlobContainer,
        "container",
        resource_group_name=rg_name,
        account_name=sa.name,
        public_access="None",
    )

    sql = mk(
        azure.sql.Server,
        "sql",
        resource_group_name=rg_name,
        minimal_tls_version="1.2",
        public_network_access="Disabled",
        key_id=KEY_URI,
        administrators={
            "azure_ad_only_authentication": True,
            "login": "dba",
            "sid": "00000000-0000-0000-0000-000000000000",
        },
        tags=PERSONAL,
    )
    sqldb = mk(azure.sql.Database, "sqldb", resource_group_name=rg_name, server_name=sql.name, tags=PERSONAL)
    diagnostics("sqldb", sqldb)
    mk(
        azure.sql.TransparentDataEncryption,
        "sqldb-tde",
        resource_group_name=rg_name,
        server_name=sql.name,
        database_name=sqldb.name,
        tde_name="current",
        state="Enabled",
    )
    mk(
        azure.sql.ServerBlobAuditingPolicy,
        "sql-audit",
        resource_group_name=rg_name,
        server_name=sql.name,
        state="Enabled",
        is_azure_monitor_target_enabled=True,
    )
    mk(
        azure.sql.BackupShortTermRetentionPolicy,
        "sqldb-pitr",
        resource_group_name=rg_name,
        server_name=sql.name,
        database_name=sqldb.name,
        retention_days=14,
    )
    mk(
        azure.sql.FirewallRule,
        "sql-office",
        resource_group_name=rg_name,
        server_name=sql.name,
        start_ip_address="203.0.113.0",
        end_ip_address="203.0.113.255",
    )

    cosmos = mk(
        azure.cosmosdb.DatabaseAccount,
        "cosmos",
        resource_group_name=rg_name,
        database_account_offer_type="Standard",
        locations=[{"location_name": "francecentral", "failover_priority": 0}],
        public_network_access="Disabled",
        key_vault_key_uri=KEY_URI,
        disable_local_auth=True,
        disable_key_based_metadata_write_access=True,
        tags=PERSONAL,
    )
    diagnostics("cosmos", cosmos)

    kv = mk(
        azure.keyvault.Vault,
        "kv",
        resource_group_name=rg_name,
        properties=KV_PROPERTIES,
        tags={"data-classification": "internal"},
    )
    diagnostics("kv", kv)
    mk(
        azure.keyvault.Key,
        "kv-key",
        resource_group_name=rg_name,
        vault_name=kv.name,
        key_name="cmk",
        properties=KEY_PROPERTIES,
    )

    aks = mk(
        azure.containerservice.ManagedCluster,
        "aks",
        resource_group_name=rg_name,
        dns_prefix="kasbah",
        api_server_access_profile={"enable_private_cluster": True},
        agent_pool_profiles=[
            {
                "name": "system",
                "count": 1,
                "vm_size": "Standard_D2s_v5",
                "mode": "System",
                "enable_encryption_at_host": True,
            }
        ],
        identity={"type": "SystemAssigned"},
        aad_profile={"managed": True, "enable_azure_rbac": True},
        disable_local_accounts=True,
        network_profile={"network_plugin": "azure", "network_policy": "azure"},
        security_profile={
            "defender": {
                "log_analytics_workspace_resource_id": "/subscriptions/0/workspaces/law",
                "security_monitoring": {"enabled": True},
            }
        },
        addon_profiles={"azurepolicy": {"enabled": True}},
    )
    diagnostics("aks", aks)

    # The NSG of a Bastion subnet: the inbound rules Azure requires are not exposure.
    def nsg_rule(
        name: str, priority: int, source: str, ports: list[str], direction: str = "Inbound"
    ) -> dict[str, Any]:
        return {
            "name": name,
            "priority": priority,
            "direction": direction,
            "access": "Allow",
            "protocol": "Tcp",
            "source_address_prefix": source,
            "source_port_range": "*",
            "destination_address_prefix": "*" if direction == "Inbound" else "VirtualNetwork",
            "destination_port_ranges": ports,
        }

    bastion_nsg = mk(
        azure.network.NetworkSecurityGroup,
        "bastion-nsg",
        resource_group_name=rg_name,
        security_rules=[
            nsg_rule("AllowHttpsInbound", 120, "Internet", ["443"]),
            nsg_rule("AllowGatewayManagerInbound", 130, "GatewayManager", ["443"]),
            nsg_rule("AllowAzureLoadBalancerInbound", 140, "AzureLoadBalancer", ["443"]),
            nsg_rule("AllowBastionHostCommunication", 150, "VirtualNetwork", ["8080", "5701"]),
            nsg_rule("AllowSshRdpOutbound", 100, "*", ["22", "3389"], direction="Outbound"),
        ],
    )
    diagnostics("bastion-nsg", bastion_nsg)
    app_nsg = mk(
        azure.network.NetworkSecurityGroup,
        "app-nsg",
        resource_group_name=rg_name,
        security_rules=[nsg_rule("AllowHttps", 100, "Internet", ["443"])],
    )
    diagnostics("app-nsg", app_nsg)
    mk(
        azure.network.SecurityRule,
        "app-ssh-from-hub",
        resource_group_name=rg_name,
        network_security_group_name=app_nsg.name,
        priority=200,
        direction="Inbound",
        access="Allow",
        protocol="Tcp",
        source_address_prefix="10.0.0.0/16",
        source_port_range="*",
        destination_address_prefix="*",
        destination_port_range="22",
    )

    mk(
        azure.compute.Disk,
        "disk",
        resource_group_name=rg_name,
        creation_data={"create_option": "Empty"},
        disk_size_gb=64,
        encryption={
            "type": "EncryptionAtRestWithCustomerKey",
            "disk_encryption_set_id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des",
        },
        public_network_access="Disabled",
        network_access_policy="DenyAll",
        tags=PERSONAL,
    )
    mk(
        azure.compute.VirtualMachine,
        "azvm",
        resource_group_name=rg_name,
        hardware_profile={"vm_size": "Standard_D2s_v5"},
        security_profile={"encryption_at_host": True},
        os_profile={
            "computer_name": "azvm",
            "admin_username": "kasbah",
            "linux_configuration": {
                "disable_password_authentication": True,
                "ssh": {
                    "public_keys": [
                        {"path": "/home/kasbah/.ssh/authorized_keys", "key_data": "ssh-ed25519 AAAA"}
                    ]
                },
            },
        },
    )
    pg = mk(
        azure.dbforpostgresql.Server,
        "pg",
        resource_group_name=rg_name,
        version="16",
        sku={"name": "Standard_D2ds_v5", "tier": "GeneralPurpose"},
        backup={"backup_retention_days": 14},
        data_encryption={"type": "AzureKeyVault", "primary_key_uri": KEY_URI},
        network={"public_network_access": "Disabled"},
        tags=PERSONAL,
    )
    diagnostics("pg", pg)
    mk(
        azure.authorization.RoleDefinition,
        "reader-role",
        scope="/subscriptions/00000000-0000-0000-0000-000000000000",
        role_name="Kasbah storage reader",
        permissions=[{"actions": ["Microsoft.Storage/storageAccounts/read"], "not_actions": []}],
        assignable_scopes=["/subscriptions/00000000-0000-0000-0000-000000000000"],
    )

    _azure_workloads(mk, rg_name, aks, kv)


def _azure_workloads(mk: Callable[..., Any], rg_name: Any, aks: Any, kv: Any) -> None:
    """The workload services of issue 14, each configured the compliant way."""
    for slot in ("app",):
        mk(
            azure.web.WebApp,
            slot,
            resource_group_name=rg_name,
            server_farm_id="/subscriptions/0/resourceGroups/rg/providers/Microsoft.Web/serverfarms/plan",
            https_only=True,
            public_network_access="Disabled",
            identity={"type": "SystemAssigned"},
            client_cert_enabled=True,
            client_cert_mode="Required",
            site_config=SITE_CONFIG,
        )
    mk(
        azure.redis.Redis,
        "redis",
        resource_group_name=rg_name,
        sku={"name": "Premium", "family": "P", "capacity": 1},
        minimum_tls_version="1.2",
        public_network_access="Disabled",
        disable_access_key_authentication=True,
        redis_configuration={"aad_enabled": "true"},
    )
    mk(
        azure.containerregistry.Registry,
        "acr",
        resource_group_name=rg_name,
        sku={"name": "Premium"},
        admin_user_enabled=False,
        anonymous_pull_enabled=False,
        public_network_access="Disabled",
    )
    mk(
        azure.eventhub.Namespace,
        "eventhubs",
        resource_group_name=rg_name,
        sku={"name": "Standard"},
        disable_local_auth=True,
        minimum_tls_version="1.2",
        public_network_access="Disabled",
    )
    bus = mk(
        azure.servicebus.Namespace,
        "servicebus",
        resource_group_name=rg_name,
        sku={"name": "Standard"},
        disable_local_auth=True,
        minimum_tls_version="1.2",
    )
    mk(
        azure.servicebus.NamespaceNetworkRuleSet,
        "servicebus-network",
        resource_group_name=rg_name,
        namespace_name=bus.name,
        default_action="Deny",
        ip_rules=[{"ip_mask": "203.0.113.0/24", "action": "Allow"}],
    )
    mk(
        azure.dbforpostgresql.Configuration,
        "pg-tls",
        resource_group_name=rg_name,
        server_name="pg",
        configuration_name="ssl_min_protocol_version",
        value="TLSv1.2",
        source="user-override",
    )
    mysql = mk(
        azure.dbformysql.Server,
        "mysql",
        resource_group_name=rg_name,
        version="8.0.21",
        sku={"name": "Standard_D2ds_v4", "tier": "GeneralPurpose"},
        network={"public_network_access": "Disabled"},
        tags=INTERNAL,
    )
    mk(
        azure.monitor.DiagnosticSetting,
        "mysql-diag",
        resource_uri=mysql.id,
        workspace_id="/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law",
        logs=[{"category_group": "allLogs", "enabled": True}],
    )
    mk(
        azure.dbformysql.Configuration,
        "mysql-tls",
        resource_group_name=rg_name,
        server_name=mysql.name,
        configuration_name="require_secure_transport",
        value="ON",
        source="user-override",
    )
    mk(
        azure.keyvault.Secret,
        "kv-secret",
        resource_group_name=rg_name,
        vault_name=kv.name,
        secret_name="db",
        properties={"value": "x", "attributes": {"expires": 1924992000}},
    )
    mk(
        azure.containerservice.AgentPool,
        "aks-user",
        resource_group_name=rg_name,
        resource_name_=aks.name,
        count=1,
        vm_size="Standard_D2s_v5",
        enable_encryption_at_host=True,
    )

    # Edge: application gateway and Front Door, each with a WAF policy in Prevention mode.
    waf = mk(
        azure.network.WebApplicationFirewallPolicy,
        "appgw-waf",
        resource_group_name=rg_name,
        managed_rules={"managed_rule_sets": [{"rule_set_type": "OWASP", "rule_set_version": "3.2"}]},
        policy_settings={"state": "Enabled", "mode": "Prevention"},
    )
    appgw = mk(
        azure.network.ApplicationGateway,
        "appgw",
        resource_group_name=rg_name,
        sku={"name": "WAF_v2", "tier": "WAF_v2", "capacity": 2},
        firewall_policy={"id": waf.id},
        ssl_policy={"policy_type": "Predefined", "policy_name": "AppGwSslPolicy20220101"},
    )
    mk(
        azure.monitor.DiagnosticSetting,
        "appgw-diag",
        resource_uri=appgw.id,
        workspace_id="/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law",
        logs=[{"category_group": "allLogs", "enabled": True}],
    )
    afd_waf = mk(
        azure.frontdoor.Policy,
        "afd-waf",
        resource_group_name=rg_name,
        sku={"name": "Premium_AzureFrontDoor"},
        policy_settings={"enabled_state": "Enabled", "mode": "Prevention"},
    )
    profile = mk(
        azure.cdn.Profile,
        "afd",
        resource_group_name=rg_name,
        location="global",
        sku={"name": "Premium_AzureFrontDoor"},
    )
    mk(
        azure.cdn.AFDCustomDomain,
        "afd-domain",
        resource_group_name=rg_name,
        profile_name=profile.name,
        host_name="www.kasbah.ma",
        tls_settings={"certificate_type": "ManagedCertificate", "minimum_tls_version": "TLS12"},
    )
    mk(
        azure.cdn.SecurityPolicy,
        "afd-security",
        resource_group_name=rg_name,
        profile_name=profile.name,
        parameters={
            "type": "WebApplicationFirewall",
            "waf_policy": {"id": afd_waf.id},
            "associations": [
                {"domains": [{"id": "/subscriptions/0/afdEndpoints/www"}], "patterns_to_match": ["/*"]}
            ],
        },
    )

    # Subscription-level controls: Defender plans and the CIS activity-log alerts.
    mk(
        azure.security.Pricing,
        "defender-servers",
        scope_id="subscriptions/00000000-0000-0000-0000-000000000000",
        pricing_name="VirtualMachines",
        pricing_tier="Standard",
    )
    for i, operation in enumerate(ACTIVITY_LOG_ALERT_OPERATIONS):
        mk(
            azure.monitor.ActivityLogAlert,
            f"alert-{i}",
            resource_group_name=rg_name,
            scopes=["/subscriptions/00000000-0000-0000-0000-000000000000"],
            condition={
                "all_of": [
                    {"field": "category", "equals": "Administrative"},
                    {"field": "operationName", "equals": operation},
                ]
            },
            actions={"action_groups": [{"action_group_id": "/subscriptions/0/actionGroups/platform"}]},
        )


# --------------------------------------------------------------------------------------------------
# Running the baseline through the offline engine

PACK_NAME = "security-baseline"
STACK = "<stack>"
"""Target name standing for the stack resource (stack-level findings)."""


def preview(variant: Variant | None = None, policy_config: Mapping[str, Any] | None = None) -> Any:
    """``kasbah.engine.preview_program`` of the (varied) baseline with the security-baseline pack."""
    from kasbah.engine import preview_program

    return preview_program(program(variant), config=CONFIG, policy_packs=[PACK], policy_config=policy_config)


def urn_of(result: Any, name: str) -> str:
    for r in result.resources:
        if (name == STACK and r.type == "pulumi:pulumi:Stack") or (
            name != STACK and r.name == name and r.custom
        ):
            return str(r.urn)
    raise AssertionError(f"no resource named {name!r} in the preview")


def findings(result: Any) -> list[Any]:
    """The security-baseline pack's diagnostics (violations and could-not-decide advisories)."""
    return [v for v in result.violations if v.pack == PACK_NAME]


def describe(items: list[Any]) -> str:
    return "\n".join(f"  {v.policy} [{v.enforcement}] {v.urn}: {v.message}" for v in items) or "  (none)"
