"""GCP type tokens the security-baseline rules check (pulumi-gcp 10.x; a test checks each against the SDK)."""

from __future__ import annotations

BUCKET = "gcp:storage/bucket:Bucket"
BUCKET_IAM = ("gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:storage/bucketIAMBinding:BucketIAMBinding")
DATASET = "gcp:bigquery/dataset:Dataset"
DATASET_IAM = (
    "gcp:bigquery/datasetIamMember:DatasetIamMember",
    "gcp:bigquery/datasetIamBinding:DatasetIamBinding",
)
DATASET_ACCESS = "gcp:bigquery/datasetAccess:DatasetAccess"
SQL = "gcp:sql/databaseInstance:DatabaseInstance"
DISK = "gcp:compute/disk:Disk"
TOPIC = "gcp:pubsub/topic:Topic"
FIREWALL = "gcp:compute/firewall:Firewall"
FIREWALL_POLICY_RULE = "gcp:compute/firewallPolicyRule:FirewallPolicyRule"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
NETWORK = "gcp:compute/network:Network"
PROJECT = "gcp:organizations/project:Project"
DNS_ZONE = "gcp:dns/managedZone:ManagedZone"
INSTANCE = "gcp:compute/instance:Instance"
INSTANCE_TEMPLATE = "gcp:compute/instanceTemplate:InstanceTemplate"
PROJECT_METADATA = "gcp:compute/projectMetadata:ProjectMetadata"
PROJECT_METADATA_ITEM = "gcp:compute/projectMetadataItem:ProjectMetadataItem"
GKE = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
KMS_KEY = "gcp:kms/cryptoKey:CryptoKey"
KMS_KEY_IAM = (
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding",
)
SA_KEY = "gcp:serviceaccount/key:Key"
PROJECT_IAM = ("gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMBinding:IAMBinding")
FOLDER_IAM = ("gcp:folder/iAMMember:IAMMember", "gcp:folder/iAMBinding:IAMBinding")
ORG_IAM = ("gcp:organizations/iAMMember:IAMMember", "gcp:organizations/iAMBinding:IAMBinding")
AUDIT_CONFIGS = (
    "gcp:projects/iAMAuditConfig:IAMAuditConfig",
    "gcp:folder/iamAuditConfig:IamAuditConfig",
    "gcp:organizations/iamAuditConfig:IamAuditConfig",
)
LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
