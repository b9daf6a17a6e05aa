"""Pure logic of the data-residency pack: profile, location resolution, classification, data tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.common import CLASSIFICATION_TAG, DataClassification
from policies.data_residency import inventory, locations
from policies.data_residency.profiles import (
    CLASSES,
    CONFIG_PROPERTIES,
    DEFAULT_PROFILE,
    Location,
    aws_region,
    azure_pair,
    classification_of,
    defines_volumes,
    get_path,
    is_global_service,
    most_restrictive,
    normalize_azure_location,
    profile_from_config,
    region_of_arn,
    zone_location,
)
from policies.data_residency.replication import HANDLERS
from policies.data_residency.rules import PACK_NAME, POLICIES
from policies.framework import PolicyConfigError, Undecided, metadata_of

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / ".venv" / "lib" / "python3.11" / "site-packages"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

# The default profile as ../shared/context.md states it, written out independently of the pack's data.
CONTEXT_APPROVED = {"eu-west-3", "eu-south-2", "francecentral", "francesouth", "spaincentral"} | {
    "europe-west9",
    "europe-southwest1",
}
CASABLANCA = "eu-west-3-cmn-wlz-1a"


# --- the pack's surface ----------------------------------------------------------------------------


def test_policy_ids_are_pinned() -> None:
    assert PACK_NAME == "data-residency"
    assert [p.name for p in POLICIES] == [
        "residency-classification-tag",
        "residency-location",
        "residency-replication",
        "residency-cndp-transfer-notice",
    ]


def test_enforcement_mandatory_except_the_cndp_notice() -> None:
    levels = {p.name: p.enforcement_level.value for p in POLICIES}
    assert levels == {
        "residency-classification-tag": "mandatory",
        "residency-location": "mandatory",
        "residency-replication": "mandatory",
        "residency-cndp-transfer-notice": "advisory",
    }


def test_metadata_cites_the_law() -> None:
    metas = {m.id: m for m in metadata_of(POLICIES)}
    notice = metas["residency-cndp-transfer-notice"]
    assert notice.references[0].framework == "Law 09-08 (Morocco)"
    assert notice.references[0].control == "art. 43-44"
    for meta in metas.values():
        assert meta.remediation and meta.description, meta.id


def test_config_schema_defaults_equal_the_default_profile() -> None:
    for policy in POLICIES:
        props = policy.config_schema.properties
        assert set(props) == {"exemptions", *CONFIG_PROPERTIES}, policy.name
        defaults = {k: v["default"] for k, v in props.items() if k != "exemptions"}
        assert profile_from_config(defaults) == DEFAULT_PROFILE, policy.name
    allowed = CONFIG_PROPERTIES["allowedLocations"]["default"]
    for cls in ("public", "internal", "personal"):
        assert set(allowed[cls]) == CONTEXT_APPROVED, cls
    assert allowed["sensitive"] == []
    assert CONFIG_PROPERTIES["inCountryLocations"]["default"] == [CASABLANCA]
    assert CONFIG_PROPERTIES["wavelengthZones"]["default"][0]["parentRegion"] == "eu-west-3"
    assert CONFIG_PROPERTIES["extraDataStoreTypes"]["default"] == []


def test_exemption_schema_requires_an_expiry() -> None:
    for policy in POLICIES:
        items = policy.config_schema.properties["exemptions"]["items"]
        assert "expires" in items["required"], policy.name


def test_classes_match_the_shared_enum() -> None:
    assert tuple(c.value for c in DataClassification) == CLASSES
    assert CLASSIFICATION_TAG == "data-classification"


# --- data tables -----------------------------------------------------------------------------------


def _registered_tokens() -> set[str]:
    tokens: set[str] = set()
    for pkg in ("pulumi_aws", "pulumi_azure_native", "pulumi_gcp", "pulumi_openstack", "pulumi_vsphere"):
        text = (SITE / pkg / "__init__.py").read_text()
        tokens |= set(re.findall(r'"((?:aws|azure-native|gcp|openstack|vsphere):[^"]+)": "', text))
    return tokens


def test_every_type_token_exists_in_the_installed_sdks() -> None:
    tokens = _registered_tokens()
    used = set(inventory.DATA_STORES) | set(inventory.REPLICATION_TYPES)
    used |= {
        inventory.AWS_SUBNET,
        inventory.AWS_AUTOSCALING_GROUP,
        inventory.AZURE_RESOURCE_GROUP,
        inventory.GCP_PROJECT,
    }
    used |= {inventory.VSPHERE_TAG, inventory.VSPHERE_TAG_CATEGORY, inventory.VSPHERE_DATACENTER}
    used -= set(inventory.RENAMED_TOKENS)  # tokens of an older provider major
    used |= set(inventory.RENAMED_TOKENS.values())
    missing = sorted(used - tokens)
    assert not missing, f"type tokens unknown to the installed provider SDKs: {missing}"


def test_inventory_covers_the_issue_list() -> None:
    required = [
        "aws:s3/bucket:Bucket",
        "aws:ebs/volume:Volume",
        "aws:ebs/snapshot:Snapshot",
        "aws:rds/instance:Instance",
        "aws:rds/cluster:Cluster",
        "aws:dynamodb/table:Table",
        "aws:efs/fileSystem:FileSystem",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:opensearch/domain:Domain",
        "aws:redshift/cluster:Cluster",
        "aws:kinesis/stream:Stream",
        "aws:sqs/queue:Queue",
        "aws:sns/topic:Topic",
        "aws:backup/vault:Vault",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "azure-native:storage:StorageAccount",
        "azure-native:compute:Disk",
        "azure-native:sql:Server",
        "azure-native:sql:Database",
        "azure-native:cosmosdb:DatabaseAccount",
        "azure-native:dbforpostgresql:Server",
        "azure-native:dbformysql:Server",
        "azure-native:keyvault:Vault",
        "azure-native:operationalinsights:Workspace",
        "azure-native:recoveryservices:Vault",
        "azure-native:dataprotection:BackupVault",
        "azure-native:eventhub:Namespace",
        "azure-native:servicebus:Namespace",
        # GCP (issue 15): storage, BigQuery, Cloud SQL, Spanner, Firestore, Bigtable, Memorystore, Pub/Sub,
        # Secret Manager, disks and snapshots, log buckets, Artifact Registry, Filestore, KMS key rings.
        "gcp:storage/bucket:Bucket",
        "gcp:bigquery/dataset:Dataset",
        "gcp:sql/databaseInstance:DatabaseInstance",
        "gcp:spanner/instance:Instance",
        "gcp:firestore/database:Database",
        "gcp:bigtable/instance:Instance",
        "gcp:redis/instance:Instance",
        "gcp:memorystore/instance:Instance",
        "gcp:pubsub/topic:Topic",
        "gcp:secretmanager/secret:Secret",
        "gcp:compute/disk:Disk",
        "gcp:compute/snapshot:Snapshot",
        "gcp:logging/projectBucketConfig:ProjectBucketConfig",
        "gcp:artifactregistry/repository:Repository",
        "gcp:filestore/instance:Instance",
        "gcp:kms/keyRing:KeyRing",
        # issue 16: volumes, images, object containers, Trove, Manila, VM disks, snapshots, content libraries
        "openstack:blockstorage/volume:Volume",
        "openstack:images/image:Image",
        "openstack:objectstorage/container:Container",
        "openstack:database/instance:Instance",
        "openstack:sharedfilesystem/share:Share",
        "openstack:compute/instance:Instance",
        "vsphere:index/virtualMachine:VirtualMachine",
        "vsphere:index/virtualMachineSnapshot:VirtualMachineSnapshot",
        "vsphere:index/contentLibrary:ContentLibrary",
        "vsphere:index/contentLibraryItem:ContentLibraryItem",
    ]
    missing = [t for t in required if t not in inventory.DATA_STORES]
    assert not missing, missing
    assert set(HANDLERS) == set(inventory.REPLICATION_TYPES)
    for token, spec in inventory.DATA_STORES.items():
        assert spec["classification"] in (
            inventory.TAGS,
            inventory.LAUNCH_TEMPLATE_VOLUMES,
            inventory.INSTANCE_VOLUMES,
            inventory.LABELS,
            inventory.SQL_USER_LABELS,
            inventory.PROJECT_LABELS,
            inventory.METADATA,
            inventory.IMAGE_PROPERTIES,
            inventory.VSPHERE_TAGS,
            inventory.DECLARED,
        ) or str(spec["classification"]).startswith(inventory.RELATED_PREFIX), token
        assert not is_global_service(token), token


def test_azure_pairs_point_to_known_regions_and_spaincentral_has_none() -> None:
    assert azure_pair("spaincentral") == (True, None)
    assert azure_pair("francecentral") == (True, "francesouth")
    assert azure_pair("atlantis") == (False, None)
    for region, pair in locations.AZURE_REGION_PAIRS.items():
        assert pair is None or pair in locations.AZURE_REGION_PAIRS, region
        assert pair != region, region


def test_global_services_are_out_of_scope() -> None:
    assert is_global_service("aws:iam/role:Role")
    assert is_global_service("aws:route53/zone:Zone")
    assert is_global_service("aws:organizations/account:Account")
    assert not is_global_service("aws:s3/bucket:Bucket")
    profile = profile_from_config(
        {"extraDataStoreTypes": ["aws:iam/role:Role", "aws:ecr/repository:Repository"]}
    )
    assert profile.data_store("aws:iam/role:Role") is None
    assert profile.data_store("aws:ecr/repository:Repository") is not None


# --- location resolution ---------------------------------------------------------------------------


def test_own_region_input_wins_over_the_provider() -> None:
    loc = aws_region("us-east-1", "eu-west-3", "the default provider")
    assert loc is not None and loc.name == "us-east-1" and "region input" in loc.source


def test_provider_region_when_no_own_region() -> None:
    loc = aws_region(None, "eu-south-2", "provider 'spain'")
    assert loc == Location("eu-south-2", "aws", source="provider 'spain'")
    assert aws_region(None, None, "x") is None
    assert aws_region("", "", "x") is None


def test_unknown_region_is_undecided_never_a_pass() -> None:
    with pytest.raises(Undecided):
        aws_region(UNKNOWN, "eu-west-3", "p")
    with pytest.raises(Undecided):
        aws_region(None, UNKNOWN, "p")


def test_casablanca_zone_resolves_by_name_id_and_border_group() -> None:
    for key in (CASABLANCA, "euw3-cmn1-wlz1", "eu-west-3-cmn-wlz-1"):
        loc = zone_location(key, "eu-west-3", DEFAULT_PROFILE, "test")
        assert loc is not None and loc.name == CASABLANCA and loc.parent == "eu-west-3", key


def test_configured_wavelength_zone_is_added_to_the_builtin_one() -> None:
    profile = profile_from_config(
        {"wavelengthZones": [{"zone": "eu-west-3-rba-wlz-1a", "parentRegion": "eu-west-3", "zoneId": "zz1"}]}
    )
    assert zone_location("zz1", "eu-west-3", profile, "t") == Location(
        "eu-west-3-rba-wlz-1a", "aws", parent="eu-west-3", source="t"
    )
    assert zone_location(CASABLANCA, "eu-west-3", profile, "t") is not None


REGION = st.builds(
    lambda geo, area, n: f"{geo}-{area}-{n}",
    st.sampled_from(["eu", "us", "ap", "me", "af", "sa"]),
    st.sampled_from(["west", "east", "south", "north", "central", "southeast"]),
    st.integers(min_value=1, max_value=9),
)


@given(REGION, st.sampled_from("abcdef"), REGION)
def test_regional_az_gives_its_region(region: str, letter: str, base: str) -> None:
    loc = zone_location(f"{region}{letter}", base, DEFAULT_PROFILE, "t")
    if region == base:
        assert loc is None
    else:
        assert loc is not None and loc.name == region and loc.parent is None


@given(REGION, st.from_regex(r"[a-z]{3}", fullmatch=True), st.integers(1, 3), st.sampled_from("ab"))
def test_any_wavelength_zone_name_is_under_its_parent_region(region: str, city: str, n: int, x: str) -> None:
    zone = f"{region}-{city}-wlz-{n}{x}"
    loc = zone_location(zone, region, DEFAULT_PROFILE, "t")
    assert loc is not None and loc.name == zone and loc.parent == region


LOCATION = st.builds(
    Location,
    name=st.one_of(REGION, st.sampled_from(sorted(CONTEXT_APPROVED | {CASABLANCA}))),
    cloud=st.just("aws"),
    parent=st.one_of(st.none(), REGION, st.sampled_from(["eu-west-3", "eu-south-2"])),
)


@given(LOCATION)
def test_sensitive_is_never_allowed_by_default(loc: Location) -> None:
    assert not DEFAULT_PROFILE.permits("sensitive", loc)


@given(LOCATION, st.sampled_from(CLASSES))
def test_cndp_notice_only_for_allowed_personal_data_abroad(loc: Location, cls: str) -> None:
    notice = DEFAULT_PROFILE.needs_cndp_notice(cls, loc)
    if notice:
        assert cls == "personal" and DEFAULT_PROFILE.permits(cls, loc) and loc.name != CASABLANCA
    if cls == "personal" and DEFAULT_PROFILE.permits(cls, loc) and loc.name != CASABLANCA:
        assert notice


@given(LOCATION, st.sampled_from(CLASSES[:-1]), st.lists(REGION, max_size=3))
def test_allowing_more_locations_never_forbids(loc: Location, cls: str, extra: list[str]) -> None:
    before = DEFAULT_PROFILE.permits(cls, loc)
    # (sensitive data is not widened through allowedLocations: see test_policy_residency_sovereign.py)
    allowed = {c: sorted(DEFAULT_PROFILE.allowed[c] | set(extra)) for c in CLASSES[:-1]}
    after = profile_from_config({"allowedLocations": allowed}).permits(cls, loc)
    assert after or not before


def test_casablanca_zone_classes() -> None:
    wlz = Location(CASABLANCA, "aws", parent="eu-west-3")
    assert DEFAULT_PROFILE.permits("personal", wlz)
    assert not DEFAULT_PROFILE.needs_cndp_notice("personal", wlz)
    assert not DEFAULT_PROFILE.permits("sensitive", wlz)
    assert DEFAULT_PROFILE.permits("internal", wlz)
    # The zone is run and managed from Paris: it cannot be qualified for sensitive data (decree 2-24-921).
    with pytest.raises(PolicyConfigError, match=r"allowedLocations\.sensitive: .* not a declared sovereign"):
        profile_from_config({"allowedLocations": {"sensitive": [CASABLANCA]}}, "residency-location")
    # partial allowedLocations: the other classes keep the default profile
    partial = profile_from_config({"allowedLocations": {"personal": [CASABLANCA, "eu-west-3"]}})
    assert partial.permits("public", Location("eu-south-2", "aws"))
    assert not partial.permits("personal", Location("eu-south-2", "aws"))


def test_a_zone_not_in_country_falls_back_to_its_parent_region() -> None:
    zone = Location("eu-west-3-xyz-wlz-1a", "aws", parent="eu-west-3")
    assert DEFAULT_PROFILE.permits("personal", zone)
    assert DEFAULT_PROFILE.needs_cndp_notice("personal", zone)


@given(st.text(alphabet="abcdefgh ABCDEF", max_size=20))
def test_azure_location_normalisation_is_idempotent(value: str) -> None:
    once = normalize_azure_location(value)
    assert normalize_azure_location(once) == once
    assert " " not in once and once == once.lower()


def test_region_of_arn() -> None:
    assert region_of_arn("arn:aws:backup:eu-south-2:111111111111:backup-vault:v") == "eu-south-2"
    assert region_of_arn("arn:aws:s3:::bucket") is None
    assert region_of_arn(UNKNOWN) is None
    assert region_of_arn(None) is None


# --- classification --------------------------------------------------------------------------------


def test_tags_classification_prefers_tags_over_tags_all() -> None:
    spec = inventory.DATA_STORES["aws:s3/bucket:Bucket"]
    found = classification_of(
        spec, {"tags": {CLASSIFICATION_TAG: "personal"}, "tagsAll": {CLASSIFICATION_TAG: "x"}}
    )
    assert found.value == "personal" and found.valid
    found = classification_of(spec, {"tagsAll": {CLASSIFICATION_TAG: "internal"}})
    assert found.value == "internal"
    assert classification_of(spec, {}).value is None
    assert not classification_of(spec, {"tags": {CLASSIFICATION_TAG: "secret"}}).valid
    with pytest.raises(Undecided):
        classification_of(spec, {"tags": {CLASSIFICATION_TAG: UNKNOWN}})
    with pytest.raises(Undecided):
        classification_of(spec, {"tags": UNKNOWN})


def test_launch_template_classification_comes_from_volume_tag_specifications() -> None:
    spec = inventory.DATA_STORES["aws:ec2/launchTemplate:LaunchTemplate"]
    props = {
        "tags": {CLASSIFICATION_TAG: "public"},
        "tagSpecifications": [
            {"resourceType": "instance", "tags": {CLASSIFICATION_TAG: "internal"}},
            {"resourceType": "volume", "tags": {CLASSIFICATION_TAG: "personal"}},
        ],
    }
    assert classification_of(spec, props).value == "personal"
    assert defines_volumes(spec, props)
    no_volume = {"tags": {CLASSIFICATION_TAG: "public"}, "blockDeviceMappings": [{"deviceName": "/dev/sda1"}]}
    assert not defines_volumes(spec, no_volume)
    with_ebs = {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 20}}]}
    assert defines_volumes(spec, with_ebs)
    assert classification_of(spec, with_ebs).value is None


def test_most_restrictive() -> None:
    assert most_restrictive(["public", "personal", "internal"]) == "personal"
    assert most_restrictive(["bogus"]) is None
    assert most_restrictive([]) is None


def test_get_path_searches_lists() -> None:
    props = {"rules": [{"copyActions": [{"a": 1}, {"a": 2}]}, {"copyActions": [{"a": 3}]}]}
    assert get_path(props, "rules.copyActions.a") == [1, 2, 3]
    assert get_path(props, "rules.missing") == []
    assert get_path({"x": UNKNOWN}, "x.y") == [UNKNOWN]
