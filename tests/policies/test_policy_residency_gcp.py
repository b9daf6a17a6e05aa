"""The data-residency pack on Google Cloud: locations from location/region/zone and replicas, multi-regions,
Google's defaults, classes from labels or the project's labels (pure functions, then previews)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_gcp as gcp
import pytest

from kasbah.engine import PreviewResult, preview_program
from policies.data_residency.gcp import location_of
from policies.data_residency.profiles import DEFAULT_PROFILE, Location, profile_from_config

ROOT = Path(__file__).resolve().parents[2]
PACK = [ROOT / "policies" / "data_residency"]
CONFIG = {"gcp:region": "europe-west9", "gcp:project": "kbh-data-0a1b"}
TAG = "data-classification"


def cls(value: str) -> dict[str, str]:
    return {TAG: value}


# --- pure: names Google accepts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "name", "members"),
    [
        ("europe-west9", "europe-west9", None),
        ("EUROPE-WEST9", "europe-west9", None),
        ("europe-west9-b", "europe-west9", None),
        ("regional-europe-southwest1", "europe-southwest1", None),
        ("projects/p/instanceConfigs/regional-europe-west9", "europe-west9", None),
        ("EU", "eu", "europe-west9"),
        ("eur3", "eur3", "europe-west1"),
        ("global", "global", "*"),
        ("US", "us", "*"),
        ("nam12", "nam12", "*"),
    ],
)
def test_location_names(value: str, name: str, members: str | None) -> None:
    loc = location_of(value, "test")
    assert loc.name == name
    if members is None:
        assert loc.members is None
    else:
        assert loc.members is not None and members in loc.members


def test_multi_regions_are_allowed_only_if_every_region_is_and_never_in_country() -> None:
    eu = location_of("EU", "test")
    assert not DEFAULT_PROFILE.permits("internal", eu)
    everything = profile_from_config({"allowedLocations": {"internal": list(eu.members or ())}})
    assert everything.permits("internal", eu)
    assert not everything.permits("internal", location_of("global", "test"))
    named = profile_from_config({"allowedLocations": {"internal": ["eu"]}, "inCountryLocations": ["eu"]})
    assert named.permits("internal", eu) and not named.is_in_country(eu)
    dual = Location("custom", "gcp", members=("europe-west9", "europe-southwest1"))
    assert DEFAULT_PROFILE.permits("personal", dual)
    assert not DEFAULT_PROFILE.permits("sensitive", dual)


# --- previews --------------------------------------------------------------------------------------


def run(fn: Callable[[], Any], config: dict[str, str] | None = None) -> PreviewResult:
    return preview_program(fn, config=config or CONFIG, policy_packs=PACK)


def found(r: PreviewResult, policy: str) -> dict[str, str]:
    return {v.urn.rsplit("::", 1)[1]: v.message for v in r.violations if v.policy == policy}


def describe(r: PreviewResult) -> str:
    return "\n".join(f"{v.policy} {v.enforcement} {v.urn}: {v.message}" for v in r.violations)


def gcp_program(defect: str | None = None) -> Callable[[], None]:
    """Every GCP store the inventory lists, compliant; ``defect`` breaks one thing."""

    def program() -> None:
        internal = cls("internal")
        project = gcp.organizations.Project(
            "data",
            project_id="kbh-data-0a1b",
            name="kbh-data-0a1b",
            folder_id="123456789012",
            billing_account="012345-6789AB-CDEF01",
            labels=None if defect == "project-unlabelled" else cls("personal"),
        )
        gcp.storage.Bucket(
            "lake",
            location="EU" if defect == "bucket-eu" else "EUROPE-WEST9",
            labels=None if defect == "bucket-unlabelled" else internal,
        )
        gcp.storage.Bucket(
            "dual",
            location="EU",
            custom_placement_config={
                "data_locations": [
                    "EUROPE-WEST9",
                    "EUROPE-WEST4" if defect == "dual-abroad" else "EUROPE-SOUTHWEST1",
                ]
            },
            labels=internal,
        )
        gcp.bigquery.Dataset(
            "warehouse",
            dataset_id="warehouse",
            location=None if defect == "bigquery-default" else "europe-west9",
            labels=internal,
        )
        gcp.sql.DatabaseInstance(
            "db",
            database_version="POSTGRES_16",
            region="europe-southwest1",
            settings={
                "tier": "db-custom-2-7680",
                "user_labels": cls("sensitive" if defect == "sql-sensitive" else "personal"),
            },
        )
        gcp.spanner.Instance(
            "spanner",
            config="eur3" if defect == "spanner-eur3" else "regional-europe-west9",
            display_name="spanner",
            num_nodes=1,
            labels=internal,
        )
        gcp.firestore.Database(
            "firestore",
            project=project.project_id,
            name="(default)",
            location_id="europe-west9",
            type="FIRESTORE_NATIVE",
        )
        gcp.bigtable.Instance(
            "bigtable",
            clusters=[
                {
                    "cluster_id": "c1",
                    "zone": "us-central1-b" if defect == "bigtable-far" else "europe-west9-a",
                }
            ],
            labels=internal,
        )
        gcp.redis.Instance("cache", memory_size_gb=1, region="europe-west9", labels=internal)
        gcp.pubsub.Topic(
            "events",
            message_storage_policy=None
            if defect == "topic-anywhere"
            else {"allowed_persistence_regions": ["europe-west9"]},
            labels=internal,
        )
        gcp.secretmanager.Secret(
            "secret",
            secret_id="secret",
            replication={"auto": {}}
            if defect == "secret-auto"
            else {
                "user_managed": {
                    "replicas": [{"location": "europe-west9"}, {"location": "europe-southwest1"}]
                }
            },
            labels=internal,
        )
        gcp.kms.KeyRing(
            "ring",
            name="ring",
            project=project.project_id,
            location="global" if defect == "keyring-global" else "europe-west9",
        )
        disk = gcp.compute.Disk("disk", zone="europe-west9-a", size=10, labels=internal)
        gcp.compute.Snapshot(
            "snap",
            source_disk=disk.id,
            zone="europe-west9-a",
            storage_locations=None if defect == "snapshot-default" else ["europe-west9"],
            labels=internal,
        )
        gcp.logging.ProjectBucketConfig(
            "logs", project=project.project_id, location="europe-west9", bucket_id="audit", retention_days=30
        )
        gcp.artifactregistry.Repository(
            "images", repository_id="images", location="europe-southwest1", format="DOCKER", labels=internal
        )
        gcp.filestore.Instance(
            "files",
            location="europe-west9-b",
            tier="BASIC_HDD",
            file_shares={"name": "share", "capacity_gb": 1024},
            networks=[{"network": "default", "modes": ["MODE_IPV4"]}],
            labels=internal,
        )

    return program


@pytest.fixture(scope="module")
def baseline() -> PreviewResult:
    return run(gcp_program())


def test_gcp_baseline_is_compliant_apart_from_the_cndp_notices(baseline: PreviewResult) -> None:
    assert not [v for v in baseline.violations if v.enforcement == "mandatory"], describe(baseline)
    notices = found(baseline, "residency-cndp-transfer-notice")
    # Personal data: the Cloud SQL instance (userLabels) and the label-less stores of the personal project.
    assert sorted(notices) == ["db", "firestore", "logs", "ring"], describe(baseline)


@pytest.mark.parametrize(
    ("defect", "policy", "name", "needle"),
    [
        ("bucket-eu", "residency-location", "lake", "eu (multi-region: europe-central2"),
        (
            "dual-abroad",
            "residency-location",
            "dual",
            "europe-west4 (from its customPlacementConfig.dataLocations input)",
        ),
        (
            "bigquery-default",
            "residency-location",
            "warehouse",
            "us (multi-region: any region; from Google's default",
        ),
        ("sql-sensitive", "residency-location", "db", "sensitive data may be stored only in: nowhere yet"),
        (
            "spanner-eur3",
            "residency-location",
            "spanner",
            "eur3 (multi-region: europe-west1, europe-west4, europe-north1",
        ),
        ("bigtable-far", "residency-location", "bigtable", "us-central1"),
        (
            "topic-anywhere",
            "residency-location",
            "events",
            "global (multi-region: any region; from Google's default",
        ),
        (
            "secret-auto",
            "residency-location",
            "secret",
            "global (multi-region: any region; from its replication.auto input",
        ),
        ("keyring-global", "residency-location", "ring", "global"),
        ("snapshot-default", "residency-location", "snap", "nearest-multi-region"),
        (
            "bucket-unlabelled",
            "residency-classification-tag",
            "lake",
            "has no 'data-classification' tag in labels",
        ),
        ("project-unlabelled", "residency-location", "logs", "its class is its project's"),
    ],
)
def test_gcp_defects_are_mandatory_violations(defect: str, policy: str, name: str, needle: str) -> None:
    r = run(gcp_program(defect))
    got = found(r, policy)
    assert name in got, describe(r)
    assert needle in got[name], got[name]
    assert all(v.enforcement == "mandatory" for v in r.violations if v.policy == policy)


def test_default_labels_of_the_provider_classify_a_store() -> None:
    def program() -> None:
        labelled = gcp.Provider("labelled", region="europe-west9", default_labels=cls("internal"))
        gcp.storage.Bucket(
            "by-default", location="europe-west9", opts=pulumi.ResourceOptions(provider=labelled)
        )

    r = run(program)
    assert not found(r, "residency-classification-tag"), describe(r)


def test_region_from_the_provider_when_the_store_names_none() -> None:
    def program() -> None:
        far = gcp.Provider("far", region="us-east1")
        gcp.redis.Instance(
            "cache", memory_size_gb=1, labels=cls("internal"), opts=pulumi.ResourceOptions(provider=far)
        )

    got = found(run(program), "residency-location")
    assert "us-east1 (from provider 'far')" in got["cache"], got
