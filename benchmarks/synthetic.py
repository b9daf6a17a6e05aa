"""A synthetic Pulumi program of about N resources: components with children, AWS and Azure types mixed."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from pulumi_azure_native import keyvault, network, resources, storage

from kasbah.facts import CLASSIFICATION_TAG, DataClassification

CHILDREN_PER_WORKLOAD = 10  # 6 AWS + 4 Azure custom resources, plus the component itself


class Workload(pulumi.ComponentResource):
    """One component with a realistic mix of children (buckets with their controls, queues, networks)."""

    def __init__(self, name: str, index: int) -> None:
        super().__init__("kasbah:bench:Workload", name)
        child = pulumi.ResourceOptions(parent=self)
        tags = {CLASSIFICATION_TAG: DataClassification.INTERNAL.value, "workload": name}
        bucket = aws.s3.Bucket(f"{name}-bucket", tags=tags, opts=child)
        aws.s3.BucketPublicAccessBlock(
            f"{name}-pab",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketVersioning(
            f"{name}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}, opts=child
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-sse",
            bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}],
            opts=child,
        )
        aws.sqs.Queue(f"{name}-queue", sqs_managed_sse_enabled=True, tags=tags, opts=child)
        aws.ec2.SecurityGroup(
            f"{name}-sg",
            description="app",
            vpc_id="vpc-0123456789",
            ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]}],
            tags=tags,
            opts=child,
        )
        rg = resources.ResourceGroup(f"{name}-rg", location="francecentral", tags=tags, opts=child)
        storage.StorageAccount(
            f"{name}-st",
            resource_group_name=rg.name,
            location="francecentral",
            kind="StorageV2",
            sku={"name": "Standard_ZRS"},
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            allow_blob_public_access=False,
            tags=tags,
            opts=child,
        )
        network.NetworkSecurityGroup(
            f"{name}-nsg", resource_group_name=rg.name, location="francecentral", tags=tags, opts=child
        )
        keyvault.Vault(
            f"{name}-kv",
            resource_group_name=rg.name,
            location="francecentral",
            properties={
                "tenant_id": "11111111-1111-1111-1111-111111111111",
                "sku": {"family": "A", "name": "standard"},
                "enable_purge_protection": True,
                "enable_rbac_authorization": True,
                "enable_soft_delete": True,
            },
            tags=tags,
            opts=child,
        )
        self.register_outputs({})


def program(n: int) -> None:
    """Register about ``n`` resources (``n // 11`` workloads of 11 resources each)."""
    for i in range(max(1, n // (CHILDREN_PER_WORKLOAD + 1))):
        Workload(f"w{i:05d}", i)
