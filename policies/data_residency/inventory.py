"""The data-store inventory: which resource types hold data, and where their class comes from.

Data, not logic. Type tokens are pulumi-aws 7.x, pulumi-azure-native 3.x and pulumi-gcp 10.x
(a test checks each one against the installed SDKs). For every store:

- ``label``: how messages name it;
- ``classification``: where the ``data-classification`` tag is read:
  ``tags`` (AWS ``tagsAll``/``tags``, Azure ``tags``), ``launch-template-volumes``
  (the ``tags`` of ``tagSpecifications`` entries whose ``resourceType`` is
  ``volume``), ``instance-volumes`` (``volumeTags``, else ``rootBlockDevice.tags``),
  ``metadata`` (OpenStack), ``image-properties`` (Glance), ``vsphere-tags``,
  ``related:<input>`` and ``declared`` (see the constants below);
- ``zone``: inputs holding an availability zone that refines the region
  (dotted paths; lists are searched);
- ``subnets``: inputs whose property dependencies lead to subnets whose zone
  refines the region (IDs are unknown during preview);
- ``defines_volumes``: for launch templates and instances, the inputs that make
  them data stores (a template that defines no volume is not a store).

Snapshots, AMIs and log groups have no zone input: what a Wavelength zone sends
to the region resolves to the parent region.
"""

from __future__ import annotations

from typing import Any, Final

TAGS = "tags"
LABELS = "labels"
SQL_USER_LABELS = "sql-user-labels"
PROJECT_LABELS = "project-labels"
LAUNCH_TEMPLATE_VOLUMES = "launch-template-volumes"
INSTANCE_VOLUMES = "instance-volumes"
METADATA = "metadata"
"""OpenStack: the key in the resource's ``metadata`` map (Cinder, Swift, Manila, Nova metadata)."""
IMAGE_PROPERTIES = "image-properties"
"""OpenStack Glance: the key in the image's ``properties`` map."""
VSPHERE_TAGS = "vsphere-tags"
"""vSphere: a ``vsphere.Tag`` in ``tags`` whose category is named ``data-classification`` (related through
property dependencies: tag ids are unknown during preview); the tag's name is the class."""
DECLARED = "declared"
"""Stores that cannot carry the tag (no tags or metadata in the provider): ``declaredClassifications``."""
RELATED_PREFIX = "related:"
"""``related:<input>``: the class of the store that input refers to (a snapshot's VM, an item's library)."""


def _store(
    label: str,
    classification: str = TAGS,
    zone: tuple[str, ...] = (),
    subnets: tuple[str, ...] = (),
    defines_volumes: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "label": label,
        "classification": classification,
        "zone": zone,
        "subnets": subnets,
        "defines_volumes": defines_volumes,
    }


AWS_DATA_STORES: Final[dict[str, dict[str, Any]]] = {
    "aws:s3/bucket:Bucket": _store("S3 bucket"),
    "aws:s3/bucketV2:BucketV2": _store("S3 bucket"),
    "aws:ebs/volume:Volume": _store("EBS volume", zone=("availabilityZone",)),
    "aws:ebs/snapshot:Snapshot": _store("EBS snapshot"),
    "aws:ebs/snapshotCopy:SnapshotCopy": _store("EBS snapshot copy"),
    "aws:ec2/ami:Ami": _store("AMI"),
    "aws:ec2/amiCopy:AmiCopy": _store("AMI copy"),
    "aws:ec2/amiFromInstance:AmiFromInstance": _store("AMI"),
    "aws:ec2/launchTemplate:LaunchTemplate": _store(
        "launch template volumes",
        classification=LAUNCH_TEMPLATE_VOLUMES,
        zone=("placement.availabilityZone",),
        subnets=("networkInterfaces",),
        defines_volumes=("blockDeviceMappings", "tagSpecifications"),
    ),
    "aws:ec2/instance:Instance": _store(
        "EC2 instance volumes",
        classification=INSTANCE_VOLUMES,
        zone=("availabilityZone",),
        subnets=("subnetId", "networkInterfaces", "primaryNetworkInterface"),
        defines_volumes=("rootBlockDevice", "ebsBlockDevices", "volumeTags"),
    ),
    "aws:rds/instance:Instance": _store("RDS instance", zone=("availabilityZone",)),
    "aws:rds/cluster:Cluster": _store("RDS cluster"),
    "aws:dynamodb/table:Table": _store("DynamoDB table"),
    "aws:dynamodb/tableReplica:TableReplica": _store("DynamoDB table replica"),
    "aws:efs/fileSystem:FileSystem": _store("EFS file system", zone=("availabilityZoneName",)),
    "aws:elasticache/cluster:Cluster": _store("ElastiCache cluster", zone=("availabilityZone",)),
    "aws:elasticache/replicationGroup:ReplicationGroup": _store("ElastiCache replication group"),
    "aws:elasticache/serverlessCache:ServerlessCache": _store("ElastiCache serverless cache"),
    "aws:opensearch/domain:Domain": _store("OpenSearch domain"),
    "aws:opensearch/serverlessCollection:ServerlessCollection": _store("OpenSearch Serverless collection"),
    "aws:redshift/cluster:Cluster": _store("Redshift cluster", zone=("availabilityZone",)),
    "aws:redshiftserverless/namespace:Namespace": _store("Redshift Serverless namespace"),
    "aws:kinesis/stream:Stream": _store("Kinesis stream"),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": _store("Firehose delivery stream"),
    "aws:sqs/queue:Queue": _store("SQS queue"),
    "aws:sns/topic:Topic": _store("SNS topic"),
    "aws:backup/vault:Vault": _store("Backup vault"),
    "aws:cloudwatch/logGroup:LogGroup": _store("CloudWatch log group"),
}
"""AWS data stores (pulumi-aws 7.x type tokens)."""

AZURE_DATA_STORES: Final[dict[str, dict[str, Any]]] = {
    "azure-native:storage:StorageAccount": _store("storage account"),
    "azure-native:compute:Disk": _store("managed disk"),
    "azure-native:compute:Snapshot": _store("disk snapshot"),
    "azure-native:sql:Server": _store("SQL server"),
    "azure-native:sql:Database": _store("SQL database"),
    "azure-native:cosmosdb:DatabaseAccount": _store("Cosmos DB account"),
    "azure-native:dbforpostgresql:Server": _store("PostgreSQL flexible server"),
    "azure-native:dbformysql:Server": _store("MySQL flexible server"),
    "azure-native:keyvault:Vault": _store("Key Vault"),
    "azure-native:operationalinsights:Workspace": _store("Log Analytics workspace"),
    "azure-native:recoveryservices:Vault": _store("Recovery Services vault"),
    "azure-native:dataprotection:BackupVault": _store("backup vault"),
    "azure-native:eventhub:Namespace": _store("Event Hubs namespace"),
    "azure-native:servicebus:Namespace": _store("Service Bus namespace"),
}
"""Azure data stores (pulumi-azure-native 3.x type tokens; PostgreSQL/MySQL ``Server`` are flexible servers)."""

RENAMED_TOKENS: Final[dict[str, str]] = {
    # pulumi-azure-native 3.x renamed the documentdb module cosmosdb (its 3.0 migration guide); a program
    # pinned to 2.x registers the old token, runs in its own environment and must not escape the checks.
    "azure-native:documentdb:DatabaseAccount": "azure-native:cosmosdb:DatabaseAccount",
}
"""Data-store tokens of an older provider major, by the current token they stand for."""

AZURE_DATA_STORES.update({old: AZURE_DATA_STORES[new] for old, new in RENAMED_TOKENS.items()})


def _gcp(
    label: str, where: tuple[tuple[str, str], ...], classification: str = LABELS, default: str = ""
) -> dict[str, Any]:
    """A GCP store: ``where`` lists (input path, kind) read in order, ``default`` the location when none is set."""
    return {**_store(label, classification), "where": where, "default": default}


GCP_DATA_STORES: Final[dict[str, dict[str, Any]]] = {
    "gcp:storage/bucket:Bucket": _gcp(
        "Cloud Storage bucket", (("customPlacementConfig.dataLocations", "regions"), ("location", "location"))
    ),
    "gcp:bigquery/dataset:Dataset": _gcp("BigQuery dataset", (("location", "location"),), default="US"),
    "gcp:sql/databaseInstance:DatabaseInstance": _gcp(
        "Cloud SQL instance", (("region", "location"),), classification=SQL_USER_LABELS
    ),
    "gcp:spanner/instance:Instance": _gcp("Spanner instance", (("config", "spanner-config"),)),
    "gcp:firestore/database:Database": _gcp(
        "Firestore database", (("locationId", "location"),), classification=PROJECT_LABELS
    ),
    "gcp:bigtable/instance:Instance": _gcp("Bigtable instance", (("clusters.zone", "regions"),)),
    "gcp:redis/instance:Instance": _gcp("Memorystore for Redis instance", (("region", "location"),)),
    "gcp:memorystore/instance:Instance": _gcp("Memorystore instance", (("location", "location"),)),
    "gcp:pubsub/topic:Topic": _gcp(
        "Pub/Sub topic", (("messageStoragePolicy.allowedPersistenceRegions", "regions"),), default="global"
    ),
    "gcp:secretmanager/secret:Secret": _gcp(
        "Secret Manager secret",
        (("replication.userManaged.replicas.location", "regions"), ("replication.auto", "global")),
    ),
    "gcp:secretmanager/regionalSecret:RegionalSecret": _gcp(
        "Secret Manager regional secret", (("location", "location"),)
    ),
    "gcp:kms/keyRing:KeyRing": _gcp(
        "Cloud KMS key ring", (("location", "location"),), classification=PROJECT_LABELS
    ),
    "gcp:compute/disk:Disk": _gcp("persistent disk", (("zone", "location"),)),
    "gcp:compute/regionDisk:RegionDisk": _gcp(
        "regional persistent disk", (("replicaZones", "regions"), ("region", "location"))
    ),
    "gcp:compute/snapshot:Snapshot": _gcp(
        "disk snapshot", (("storageLocations", "regions"),), default="nearest-multi-region"
    ),
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": _gcp(
        "log bucket", (("location", "location"),), classification=PROJECT_LABELS
    ),
    "gcp:artifactregistry/repository:Repository": _gcp(
        "Artifact Registry repository", (("location", "location"),)
    ),
    "gcp:filestore/instance:Instance": _gcp("Filestore instance", (("location", "location"),)),
}
"""Google Cloud data stores (pulumi-gcp 10.x type tokens). ``where`` kinds: ``location`` (a region, zone
or multi-region), ``regions`` (a list, each a location), ``spanner-config`` (an instance configuration),
``global`` (automatic replication: anywhere). ``default``: the location Google picks when none is set
(BigQuery ``US``; a topic without a message storage policy and a snapshot without storage locations may be
stored in any region, or the multi-region nearest the source). The class is read from ``labels``
(Cloud SQL: ``settings.userLabels``), else, for stores without labels, from their project's labels."""


OPENSTACK_DATA_STORES: Final[dict[str, dict[str, Any]]] = {
    "openstack:blockstorage/volume:Volume": _store("Cinder volume", classification=METADATA),
    "openstack:images/image:Image": _store("Glance image", classification=IMAGE_PROPERTIES),
    "openstack:objectstorage/container:Container": _store("Swift container", classification=METADATA),
    "openstack:database/instance:Instance": _store("Trove database instance", classification=DECLARED),
    "openstack:sharedfilesystem/share:Share": _store("Manila share", classification=METADATA),
    "openstack:compute/instance:Instance": _store("Nova instance disks", classification=METADATA),
}
"""OpenStack data stores (pulumi-openstack 5.x type tokens). pulumi-openstack has no volume-snapshot resource
(snapshots are read with ``get_snapshot_v3``): a volume made from one is a volume. Trove instances carry no
metadata: their class is declared in configuration."""

VSPHERE_DATA_STORES: Final[dict[str, dict[str, Any]]] = {
    "vsphere:index/virtualMachine:VirtualMachine": _store("VM disks", classification=VSPHERE_TAGS),
    "vsphere:index/virtualMachineSnapshot:VirtualMachineSnapshot": _store(
        "VM snapshot", classification=RELATED_PREFIX + "virtualMachineUuid"
    ),
    "vsphere:index/contentLibrary:ContentLibrary": _store("content library", classification=DECLARED),
    "vsphere:index/contentLibraryItem:ContentLibraryItem": _store(
        "content library item", classification=RELATED_PREFIX + "libraryId"
    ),
}
"""vSphere data stores (pulumi-vsphere 4.x type tokens). Content libraries cannot be tagged through the
provider: their class is declared in configuration, and an item takes its library's."""

DATA_STORES: Final[dict[str, dict[str, Any]]] = {
    **AWS_DATA_STORES,
    **AZURE_DATA_STORES,
    **GCP_DATA_STORES,
    **OPENSTACK_DATA_STORES,
    **VSPHERE_DATA_STORES,
}
"""Every built-in data store, by type token (the dict lookup each policy does first)."""

AWS_SUBNET = "aws:ec2/subnet:Subnet"
AWS_AUTOSCALING_GROUP = "aws:autoscaling/group:Group"
AZURE_RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
GCP_PROJECT = "gcp:organizations/project:Project"
VSPHERE_TAG = "vsphere:index/tag:Tag"
VSPHERE_TAG_CATEGORY = "vsphere:index/tagCategory:TagCategory"
VSPHERE_DATACENTER = "vsphere:index/datacenter:Datacenter"

REPLICATION_TYPES: Final[dict[str, str]] = {
    "aws:s3/bucket:Bucket": "S3 inline replication configuration",
    "aws:s3/bucketV2:BucketV2": "S3 inline replication configuration",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "S3 replication configuration",
    "aws:dynamodb/table:Table": "DynamoDB global-table replicas",
    "aws:dynamodb/tableReplica:TableReplica": "DynamoDB table replica",
    "aws:rds/instance:Instance": "RDS cross-region read replica",
    "aws:rds/cluster:Cluster": "RDS cross-region replica cluster",
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": (
        "RDS automated backups replication"
    ),
    "aws:backup/plan:Plan": "Backup plan copy rule",
    "aws:efs/replicationConfiguration:ReplicationConfiguration": "EFS replication",
    "azure-native:storage:StorageAccount": "geo-redundant storage",
    "azure-native:sql:Database": "geo-redundant backup storage",
    "azure-native:cosmosdb:DatabaseAccount": "Cosmos DB replica locations",
    "azure-native:dbforpostgresql:Server": "geo-redundant backup",
    "azure-native:dbformysql:Server": "geo-redundant backup",
    "azure-native:recoveryservices:Vault": "geo-redundant vault storage",
    "azure-native:dataprotection:BackupVault": "geo-redundant vault storage",
    "openstack:objectstorage/container:Container": "Swift container sync",
    "vsphere:index/contentLibrary:ContentLibrary": "content-library subscription or publication",
}
"""Types that copy data to another location (checked by ``residency-replication``)."""

REPLICATION_TYPES.update(
    {old: REPLICATION_TYPES[new] for old, new in RENAMED_TOKENS.items() if new in REPLICATION_TYPES}
)

AZURE_GEO_REDUNDANT_SKUS: Final[frozenset[str]] = frozenset(
    {"Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"}
)
"""Storage-account SKUs that replicate to the paired region."""
