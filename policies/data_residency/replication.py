"""Where replicated data lands: one function per replicating type, all relations by property dependency."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from policies.framework import Undecided, is_unknown, mirrored

from . import inventory
from .profiles import (
    Location,
    azure_pair,
    classification_of,
    get_path,
    most_restrictive,
    normalize_azure_location,
    region_of_arn,
    zone_location,
)
from .resolve import Stack


@dataclass(frozen=True)
class Copy:
    """One replication: what copies data, its class, and where it lands (``None``: cannot be resolved)."""

    what: str
    cls: str | None
    destination: Location | None
    problem: str = ""
    """Set when the copy is refused whatever the class (e.g. GRS in a region without a pair)."""
    covered: bool = True
    """An unknown class is reported by ``residency-classification-tag`` (the source is a store in the stack)."""


def own_class(stack: Stack, resource: Any) -> str | None:
    spec = inventory.DATA_STORES.get(resource.resource_type) or stack.profile.data_store(
        resource.resource_type
    )
    if spec is None:
        return None
    found = stack.classify(resource, spec)
    return found.value if found.valid else None


def _source_class(stack: Stack, resource: Any, prop: str) -> str | None:
    return most_restrictive(
        c for s in stack.related(resource, prop) if (c := own_class(stack, s)) is not None
    )


def _bucket_destinations(stack: Stack, resource: Any, rules: Any, source: Any) -> Iterator[Copy]:
    cls = own_class(stack, source) if source is not None else None
    if is_unknown(rules):
        raise Undecided(f"{resource.name}: replication rules")
    buckets = {
        stack.props(b).get("bucket"): b
        for b in stack.of_type("aws:s3/bucket:Bucket") + stack.of_type("aws:s3/bucketV2:BucketV2")
    }
    related = [
        b
        for b in stack.related(resource, "rules") + stack.related(resource, "replicationConfiguration")
        if b.resource_type in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
        and (source is None or b.urn != source.urn)
    ]
    for arn in get_path({"rules": rules}, "rules.destination.bucket"):
        dest = None
        if isinstance(arn, str) and not is_unknown(arn) and arn.startswith("arn:aws:s3:::"):
            dest = buckets.get(arn.removeprefix("arn:aws:s3:::"))
        elif len(related) == 1:
            dest = related[0]
        elif is_unknown(arn):
            raise Undecided(f"{resource.name}: rules[].destination.bucket")
        if dest is None:
            yield Copy(f"S3 replication to {arn}", cls, None, covered=source is not None)
            continue
        for loc in stack.locate(dest) or []:
            yield Copy(f"S3 replication to bucket {dest.name}", cls, loc, covered=source is not None)


def _s3_inline(stack: Stack, r: Any) -> Iterator[Copy]:
    # Unset, the output mirrors the attached BucketReplicationConfig, which _s3_config reads.
    conf = mirrored(stack.props(r).get("replicationConfiguration"))
    if isinstance(conf, dict) and conf.get("rules"):
        yield from _bucket_destinations(stack, r, conf["rules"], r)


def _s3_config(stack: Stack, r: Any) -> Iterator[Copy]:
    props = stack.props(r)
    sources = [
        b
        for b in stack.related(r, "bucket")
        if b.resource_type in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
    ]
    if not sources and isinstance(props.get("bucket"), str):
        sources = [
            b
            for b in stack.of_type("aws:s3/bucket:Bucket")
            if stack.props(b).get("bucket") == props["bucket"]
        ]
    yield from _bucket_destinations(stack, r, props.get("rules"), sources[0] if sources else None)


def _dynamodb_table(stack: Stack, r: Any) -> Iterator[Copy]:
    cls = own_class(stack, r)
    for region in get_path(stack.props(r), "replicas.regionName"):
        if is_unknown(region):
            raise Undecided(f"{r.name}: replicas[].regionName")
        yield Copy(
            f"DynamoDB replica in {region}", cls, Location(str(region), "aws", source="replicas[].regionName")
        )


def _at_self(stack: Stack, r: Any, what: str, cls: str | None, covered: bool = True) -> Iterator[Copy]:
    locs = stack.locate(r)
    if locs is None:
        return
    if not locs:
        yield Copy(what, cls, None, covered=covered)
    for loc in locs:
        yield Copy(what, cls, loc, covered=covered)


def _dynamodb_replica(stack: Stack, r: Any) -> Iterator[Copy]:
    cls = _source_class(stack, r, "globalTableArn") or own_class(stack, r)
    yield from _at_self(stack, r, "DynamoDB table replica", cls)


def _rds_replica(prop: str) -> Callable[[Stack, Any], Iterator[Copy]]:
    def check(stack: Stack, r: Any) -> Iterator[Copy]:
        if not stack.props(r).get(prop):
            return
        cls = _source_class(stack, r, prop)
        if cls is None or cls == own_class(stack, r):
            return  # same class as the replica's own tag: residency-location already checks it
        yield from _at_self(stack, r, f"RDS replica of a {cls} source", cls)

    return check


def _rds_backups(stack: Stack, r: Any) -> Iterator[Copy]:
    cls = _source_class(stack, r, "sourceDbInstanceArn")
    covered = bool(stack.related(r, "sourceDbInstanceArn", "aws:rds/instance:Instance"))
    yield from _at_self(stack, r, "RDS automated backups replication", cls, covered)


def _backup_plan(stack: Stack, r: Any) -> Iterator[Copy]:
    props = stack.props(r)
    targets = {str(v) for v in get_path(props, "rules.targetVaultName") if not is_unknown(v)}
    vaults = stack.related(r, "rules", "aws:backup/vault:Vault")
    sources = [v for v in vaults if stack.props(v).get("name") in targets]
    cls = own_class_of_tags(stack, r) or most_restrictive(
        c for v in sources if (c := own_class(stack, v)) is not None
    )
    for arn in get_path(props, "rules.copyActions.destinationVaultArn"):
        region = region_of_arn(arn)
        if region is not None:
            yield Copy(
                "Backup copy rule",
                cls,
                Location(region, "aws", source="destinationVaultArn"),
                covered=bool(sources),
            )
            continue
        dests = [v for v in vaults if v not in sources]
        if not dests:
            if is_unknown(arn):
                raise Undecided(f"{r.name}: rules[].copyActions[].destinationVaultArn")
            yield Copy(f"Backup copy rule to {arn}", cls, None, covered=bool(sources))
        for vault in dests:
            for loc in stack.locate(vault) or []:
                yield Copy(f"Backup copy rule to vault {vault.name}", cls, loc, covered=bool(sources))


def own_class_of_tags(stack: Stack, r: Any) -> str | None:
    """The class a non-store resource (a backup plan) states in its own tags."""
    spec = {"classification": inventory.TAGS}
    found = classification_of(spec, stack.props(r))
    return found.value if found.valid else None


def _efs_replication(stack: Stack, r: Any) -> Iterator[Copy]:
    props = stack.props(r)
    cls = _source_class(stack, r, "sourceFileSystemId")
    covered = bool(stack.related(r, "sourceFileSystemId", "aws:efs/fileSystem:FileSystem"))
    base = stack.locate(r) or []
    for dest in get_path(props, "destination"):
        if is_unknown(dest):
            raise Undecided(f"{r.name}: destination")
        zone, region = dest.get("availabilityZoneName"), dest.get("region")
        if is_unknown(zone) or is_unknown(region):
            raise Undecided(f"{r.name}: destination")
        loc = None
        if zone:
            loc = zone_location(
                str(zone), str(region or ""), stack.profile, "destination.availabilityZoneName"
            )
        if loc is None and region:
            loc = Location(str(region), "aws", source="destination.region")
        for resolved in [loc] if loc is not None else base:
            yield Copy("EFS replication", cls, resolved, covered=covered)


def _azure_paired(what: str, geo: bool) -> Callable[[Stack, Any, str | None], Iterator[Copy]]:
    def paired(stack: Stack, r: Any, cls: str | None) -> Iterator[Copy]:
        if not geo:
            return
        for loc in stack.locate(r) or []:
            known, pair = azure_pair(loc.name)
            if not known:
                yield Copy(
                    what, cls, None, problem=f"the paired region of {loc.name} is not in the pack's table"
                )
            elif pair is None:
                yield Copy(
                    what,
                    cls,
                    None,
                    problem=f"{loc.name} has no paired region, so geo-redundancy is refused there",
                )
            else:
                yield Copy(what, cls, Location(pair, "azure", source=f"the paired region of {loc.name}"))

    return paired


def _storage_account(stack: Stack, r: Any) -> Iterator[Copy]:
    sku = get_path(stack.props(r), "sku.name")
    if any(is_unknown(s) for s in sku):
        raise Undecided(f"{r.name}: sku.name")
    geo = any(s in inventory.AZURE_GEO_REDUNDANT_SKUS for s in sku)
    yield from _azure_paired(f"geo-redundant storage ({', '.join(map(str, sku))})", geo)(
        stack, r, own_class(stack, r)
    )


def _sql_database(stack: Stack, r: Any) -> Iterator[Copy]:
    value = stack.props(r).get("requestedBackupStorageRedundancy")
    if is_unknown(value):
        raise Undecided(f"{r.name}: requestedBackupStorageRedundancy")
    geo = value in (None, "Geo", "GeoZone")
    what = f"backup storage redundancy {value or 'Geo (the Azure default)'}"
    yield from _azure_paired(what, geo)(stack, r, own_class(stack, r))


def _flexible_server(stack: Stack, r: Any) -> Iterator[Copy]:
    values = get_path(stack.props(r), "backup.geoRedundantBackup")
    if any(is_unknown(v) for v in values):
        raise Undecided(f"{r.name}: backup.geoRedundantBackup")
    yield from _azure_paired("geo-redundant backup", "Enabled" in values)(stack, r, own_class(stack, r))


def _recovery_vault(stack: Stack, r: Any) -> Iterator[Copy]:
    values = get_path(stack.props(r), "properties.redundancySettings.standardTierStorageRedundancy")
    if any(is_unknown(v) for v in values):
        raise Undecided(f"{r.name}: properties.redundancySettings.standardTierStorageRedundancy")
    geo = not values or "GeoRedundant" in values
    what = "vault storage redundancy " + (values[0] if values else "GeoRedundant (the Azure default)")
    yield from _azure_paired(what, geo)(stack, r, own_class(stack, r))


def _backup_vault(stack: Stack, r: Any) -> Iterator[Copy]:
    values = get_path(stack.props(r), "properties.storageSettings.type")
    if any(is_unknown(v) for v in values):
        raise Undecided(f"{r.name}: properties.storageSettings[].type")
    yield from _azure_paired("geo-redundant vault storage", "GeoRedundant" in values)(
        stack, r, own_class(stack, r)
    )


def _cosmos(stack: Stack, r: Any) -> Iterator[Copy]:
    cls = own_class(stack, r)
    for name in get_path(stack.props(r), "locations.locationName"):
        if is_unknown(name):
            raise Undecided(f"{r.name}: locations[].locationName")
        loc = Location(normalize_azure_location(str(name)), "azure", source="locations[].locationName")
        yield Copy(f"Cosmos DB replica in {loc.name}", cls, loc)


def _swift_sync(stack: Stack, r: Any) -> Iterator[Copy]:
    """Swift container sync (``X-Container-Sync-To``): every object is copied to the target container.

    The target is a container of this stack when ``containerSyncTo`` depends on one (located as any
    container), else a ``//realm/cluster/account/container`` or URL the pack cannot place: reported.
    https://docs.openstack.org/swift/latest/overview_container_sync.html
    """
    target = stack.props(r).get("containerSyncTo")
    if not target:
        return
    cls = own_class(stack, r)
    dests = [d for d in stack.related(r, "containerSyncTo", r.resource_type) if d.urn != r.urn]
    if not dests:
        if is_unknown(target):
            raise Undecided(f"{r.name}: containerSyncTo")
        yield Copy(f"Swift container sync to {target}", cls, None)
        return
    for dest in dests:
        for loc in stack.locate(dest) or []:
            yield Copy(f"Swift container sync to container {dest.name}", cls, loc)


def _content_library(stack: Stack, r: Any) -> Iterator[Copy]:
    """A subscribed library copies its publisher's items; a published library copies to its subscribers.

    The publisher is the vCenter of ``subscription.subscriptionUrl``, matched to the declared vSphere
    locations; subscribers of a published library are not known to the program: reported.
    terraform-provider-vsphere docs/resources/content_library.md (``subscription.subscription_url`` is the
    publisher's ``https://<vcenter>/cls/vcsp/lib/<id>/lib.json``; ``publication.published``).
    """
    props = stack.props(r)
    cls = own_class(stack, r)
    for url in get_path(props, "subscription.subscriptionUrl"):
        if is_unknown(url):
            raise Undecided(f"{r.name}: subscription.subscriptionUrl")
        host = urlparse(str(url)).hostname or str(url)
        declared = [d for d in stack.profile.sovereign if d.cloud.value == "vsphere" and d.vcenter == host]
        if not declared:
            yield Copy(
                f"content-library subscription to {host}",
                cls,
                Location(host, "vsphere", source="subscription.subscriptionUrl"),
            )
        for d in declared:
            yield Copy(
                f"content-library subscription to {host}",
                cls,
                Location(d.name, "vsphere", source="subscription.subscriptionUrl", sovereign=d),
            )
    published = get_path(props, "publication.published")
    if any(is_unknown(v) for v in published):
        raise Undecided(f"{r.name}: publication.published")
    if any(v is True for v in published):
        yield Copy("content-library publication (its subscribers are not known to the program)", cls, None)


HANDLERS: dict[str, Callable[[Stack, Any], Iterator[Copy]]] = {
    "aws:s3/bucket:Bucket": _s3_inline,
    "aws:s3/bucketV2:BucketV2": _s3_inline,
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": _s3_config,
    "aws:dynamodb/table:Table": _dynamodb_table,
    "aws:dynamodb/tableReplica:TableReplica": _dynamodb_replica,
    "aws:rds/instance:Instance": _rds_replica("replicateSourceDb"),
    "aws:rds/cluster:Cluster": _rds_replica("replicationSourceIdentifier"),
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": _rds_backups,
    "aws:backup/plan:Plan": _backup_plan,
    "aws:efs/replicationConfiguration:ReplicationConfiguration": _efs_replication,
    "azure-native:storage:StorageAccount": _storage_account,
    "azure-native:sql:Database": _sql_database,
    "azure-native:cosmosdb:DatabaseAccount": _cosmos,
    "azure-native:dbforpostgresql:Server": _flexible_server,
    "azure-native:dbformysql:Server": _flexible_server,
    "azure-native:recoveryservices:Vault": _recovery_vault,
    "azure-native:dataprotection:BackupVault": _backup_vault,
    "openstack:objectstorage/container:Container": _swift_sync,
    "vsphere:index/contentLibrary:ContentLibrary": _content_library,
}
"""Replicating type -> where its copies land (keys equal ``inventory.REPLICATION_TYPES``)."""
HANDLERS.update({old: HANDLERS[new] for old, new in inventory.RENAMED_TOKENS.items() if new in HANDLERS})


def copies(stack: Stack, resource: Any) -> list[Copy]:
    handler = HANDLERS.get(resource.resource_type)
    return list(handler(stack, resource)) if handler is not None else []
