"""Qualified in-country clouds in the residency profile: declarations, qualification levels and expiry,
OpenStack and vSphere stores, container sync and content-library replication.

The central fixture declares a level-2 provider in Morocco: a sensitive volume passes there and fails on
AWS (a region and the Casablanca Wavelength zone), Azure and GCP (a persistent disk in europe-west9); GCP's
approved regions are also checked at the profile level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_azure_native as azure
import pulumi_gcp as gcp
import pulumi_openstack as openstack
import pulumi_vsphere as vsphere
import pytest

from kasbah.engine import PreviewError, PreviewResult, preview_program
from kasbah.facts import CLASSIFICATION_TAG, QualificationLevel
from policies.data_residency import sovereign
from policies.data_residency.profiles import Location, profile_from_config
from policies.framework import PolicyConfigError

ROOT = Path(__file__).resolve().parents[2]
PACK = [ROOT / "policies" / "data_residency"]
POLICIES = (
    "residency-classification-tag",
    "residency-location",
    "residency-replication",
    "residency-cndp-transfer-notice",
)
WLZ = "eu-west-3-cmn-wlz-1a"
CONFIG = {
    "aws:region": "eu-west-3",
    "azure-native:location": "francecentral",
    "azure-native:subscriptionId": "00000000-0000-0000-0000-000000000000",
    "openstack:region": "casa-1",
    "openstack:authUrl": "https://keystone.example.invalid:5000/v3",
    "vsphere:vsphereServer": "vc.example.invalid",
    "gcp:project": "kasbah-residency-test",
}
FAR_FUTURE = "2099-12-31"


def declared(
    name: str = "op-casa-1",
    level: Any = 2,
    expires: str = FAR_FUTURE,
    country: str = "MA",
    **place: str,
) -> dict[str, Any]:
    if place.get("cloud", "openstack") == "openstack":
        place = {"cloud": "openstack", "region": "casa-1", **place}
    qual: dict[str, Any] = {"level": level}
    if level != "none":
        qual |= {"reference": "EXAMPLE-QUALIFICATION", "expires": expires}
    return {"name": name, "provider": "example-operator", "country": country, "qualification": qual, **place}


VCENTER = {"cloud": "vsphere", "vcenter": "vc.example.invalid", "datacenter": "dc-casa-1"}


def profile(*locations: dict[str, Any], **extra: Any) -> dict[str, dict[str, Any]]:
    """The same residency configuration on each of the four policies (the CLI's format)."""
    return {p: {"sovereignLocations": list(locations), **extra} for p in POLICIES}


def cls(value: str) -> dict[str, str]:
    return {CLASSIFICATION_TAG: value}


def run(fn: Callable[[], Any], policy_config: Any = None) -> PreviewResult:
    return preview_program(fn, config=CONFIG, policy_packs=PACK, policy_config=policy_config)


def found(r: PreviewResult, policy: str, name: str | None = None) -> list[Any]:
    return [v for v in r.violations if v.policy == policy and (name is None or v.urn.endswith(f"::{name}"))]


def describe(r: PreviewResult) -> str:
    return "\n".join(f"{v.policy} {v.enforcement} {v.urn}: {v.message}" for v in r.violations) or "(none)"


# --- the central fixture: one sensitive store per place ------------------------------------------------


def sensitive_everywhere() -> None:
    openstack.blockstorage.Volume("os-volume", size=10, volume_type="luks", metadata=cls("sensitive"))
    aws.ebs.Volume(
        "aws-volume", availability_zone="eu-west-3a", size=10, encrypted=True, tags=cls("sensitive")
    )
    aws.ebs.Volume(
        "wlz-volume", availability_zone=WLZ, size=10, type="gp2", encrypted=True, tags=cls("sensitive")
    )
    azure.compute.Disk(
        "azure-disk",
        resource_group_name="rg",
        location="francecentral",
        creation_data=azure.compute.CreationDataArgs(create_option="Empty"),
        disk_size_gb=10,
        tags=cls("sensitive"),
    )
    gcp.compute.Disk("gcp-disk", zone="europe-west9-a", size=10, labels=cls("sensitive"))


@pytest.fixture(scope="module")
def qualified() -> PreviewResult:
    return run(sensitive_everywhere, profile(declared()))


def test_a_sensitive_volume_passes_on_the_level_2_location(qualified: PreviewResult) -> None:
    assert not found(qualified, "residency-location", "os-volume"), describe(qualified)
    assert not found(qualified, "residency-classification-tag"), describe(qualified)


@pytest.mark.parametrize("name", ["aws-volume", "wlz-volume", "azure-disk", "gcp-disk"])
def test_a_sensitive_volume_fails_on_aws_the_wavelength_zone_azure_and_gcp(
    qualified: PreviewResult, name: str
) -> None:
    hits = found(qualified, "residency-location", name)
    assert len(hits) == 1 and hits[0].enforcement == "mandatory", describe(qualified)
    assert "sensitive data may be stored only in: op-casa-1" in hits[0].message


def test_gcp_regions_do_not_qualify_either() -> None:
    prof = profile_from_config(profile(declared())["residency-location"])
    for region in ("europe-west9", "europe-southwest1"):
        assert not prof.permits("sensitive", Location(region, "gcp", source="its location input"))
    assert prof.permits("sensitive", Location("op-casa-1", "openstack", sovereign=prof.sovereign[0]))


def test_without_a_declaration_the_same_volume_fails_and_says_to_declare() -> None:
    r = run(sensitive_everywhere)
    hit = found(r, "residency-location", "os-volume")
    assert len(hit) == 1, describe(r)
    assert "nowhere yet" in hit[0].message and "sovereignLocations" in hit[0].message


# --- qualification levels, expiry, country -------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (declared(level=1), "qualified at level 1"),
        (declared(level="none"), "is not qualified under decree 2-24-921"),
        (declared(expires="2020-01-31"), "expired on 2020-01-31: it no longer counts"),
        (declared(country="FR"), "is in FR, not in Morocco"),
    ],
    ids=["level-1", "none", "expired", "abroad"],
)
def test_only_a_valid_level_2_qualification_in_morocco_counts(
    location: dict[str, Any], expected: str
) -> None:
    r = run(
        lambda: openstack.blockstorage.Volume(
            "os-volume", size=10, volume_type="luks", metadata=cls("sensitive")
        ),
        profile(location),
    )
    hit = found(r, "residency-location", "os-volume")
    assert len(hit) == 1, describe(r)
    assert expected in hit[0].message, hit[0].message


def test_an_expired_qualification_still_leaves_the_location_in_country() -> None:
    r = run(
        lambda: openstack.blockstorage.Volume(
            "os-volume", size=10, volume_type="luks", metadata=cls("personal")
        ),
        profile(declared(expires="2020-01-31")),
    )
    assert not r.violations, describe(r)


def test_expiry_is_inclusive_and_checked_against_the_day() -> None:
    loc = sovereign.parse([declared(expires="2026-06-30")])[0]
    assert not sovereign.Qualification(loc, dt.date(2026, 6, 30)).expired
    assert sovereign.Qualification(loc, dt.date(2026, 7, 1)).expired
    assert sovereign.Qualification(loc, dt.date(2026, 7, 1)).level is QualificationLevel.NONE


def test_an_undeclared_openstack_region_is_nowhere_allowed() -> None:
    r = run(lambda: openstack.blockstorage.Volume("os-volume", size=10, metadata=cls("internal")))
    hit = found(r, "residency-location", "os-volume")
    assert len(hit) == 1 and "is not a declared location" in hit[0].message, describe(r)


def test_auth_url_tells_two_regions_of_the_same_name_apart() -> None:
    other = declared(
        name="other-cloud", cloud="openstack", region="casa-1", authUrl="https://other.invalid/v3"
    )
    mine = declared(cloud="openstack", region="casa-1", authUrl=CONFIG["openstack:authUrl"], level=1)
    prof = profile_from_config(profile(other, mine)["residency-location"])
    assert [d.name for d in prof.sovereign] == ["other-cloud", "op-casa-1"]
    r = run(
        lambda: openstack.blockstorage.Volume("os-volume", size=10, metadata=cls("sensitive")),
        profile(other, mine),
    )
    hit = found(r, "residency-location", "os-volume")
    assert len(hit) == 1 and "op-casa-1" in hit[0].message and "level 1" in hit[0].message, describe(r)


# --- vSphere -----------------------------------------------------------------------------------------


def vsphere_program(tag: str | None = "sensitive", subscription: str | None = None) -> Callable[[], None]:
    def program() -> None:
        category = vsphere.TagCategory(
            "classes", name=CLASSIFICATION_TAG, cardinality="SINGLE", associable_types=["VirtualMachine"]
        )
        tags = [vsphere.Tag("class-tag", name=tag, category_id=category.id).id] if tag else []
        vm = vsphere.VirtualMachine(
            "vm",
            resource_pool_id="resgroup-1",
            datastore_id="datastore-1",
            num_cpus=1,
            memory=1024,
            guest_id="ubuntu64Guest",
            tags=tags,
            network_interfaces=[vsphere.VirtualMachineNetworkInterfaceArgs(network_id="dvportgroup-1")],
            disks=[vsphere.VirtualMachineDiskArgs(label="disk0", size=20)],
        )
        vsphere.VirtualMachineSnapshot(
            "snapshot",
            virtual_machine_uuid=vm.uuid,
            snapshot_name="before-upgrade",
            description="x",
            memory=False,
            quiesce=True,
        )
        vsphere.ContentLibrary(
            "library",
            name="golden",
            storage_backings=["datastore-1"],
            subscription=vsphere.ContentLibrarySubscriptionArgs(subscription_url=subscription)
            if subscription
            else None,
        )

    return program


LIBRARY_CLASS = [{"urn": "*::library", "classification": "internal"}]


def test_a_sensitive_vm_on_the_declared_vcenter_passes_with_its_snapshot() -> None:
    r = run(vsphere_program(), profile(declared(**VCENTER), declaredClassifications=LIBRARY_CLASS))
    assert not r.violations, describe(r)


def test_the_vm_class_is_read_from_its_vsphere_tag_and_the_snapshot_inherits_it() -> None:
    r = run(vsphere_program(), profile(declared(level=1, **VCENTER), declaredClassifications=LIBRARY_CLASS))
    assert {v.urn.rsplit("::", 1)[1] for v in found(r, "residency-location")} == {"vm", "snapshot"}, describe(
        r
    )


def test_an_untagged_vm_and_an_undeclared_library_are_unclassified() -> None:
    r = run(vsphere_program(tag=None), profile(declared(**VCENTER)))
    names = {v.urn.rsplit("::", 1)[1] for v in found(r, "residency-classification-tag")}
    assert names == {"vm", "snapshot", "library"}, describe(r)


def test_a_subscription_outside_the_declared_locations_is_a_violation() -> None:
    outside = "https://vc.abroad.invalid/cls/vcsp/lib/0d7c/lib.json"
    r = run(
        vsphere_program(subscription=outside),
        profile(declared(**VCENTER), declaredClassifications=LIBRARY_CLASS),
    )
    hit = found(r, "residency-replication", "library")
    assert len(hit) == 1 and "vc.abroad.invalid" in hit[0].message, describe(r)
    inside = "https://vc.example.invalid/cls/vcsp/lib/0d7c/lib.json"
    ok = run(
        vsphere_program(subscription=inside),
        profile(declared(**VCENTER), declaredClassifications=LIBRARY_CLASS),
    )
    assert not ok.violations, describe(ok)


# --- Swift container sync ----------------------------------------------------------------------------


def sync_program(target_region: str) -> Callable[[], None]:
    def program() -> None:
        target = openstack.objectstorage.Container(
            "replica", name="replica", region=target_region, metadata=cls("personal")
        )
        openstack.objectstorage.Container(
            "archive",
            name="archive",
            metadata=cls("personal"),
            container_sync_to=target.name.apply(lambda n: f"//realm/cluster/AUTH_p/{n}"),
            container_sync_key=pulumi.Output.secret("k"),
        )

    return program


def test_container_sync_to_a_declared_location_passes_and_elsewhere_fails() -> None:
    two = profile(declared(), declared(name="op-rabat-1", cloud="openstack", region="rabat-1"))
    assert not run(sync_program("rabat-1"), two).violations
    r = run(sync_program("paris-1"), two)
    assert [v.urn.rsplit("::", 1)[1] for v in found(r, "residency-replication")] == ["archive"], describe(r)
    assert [v.urn.rsplit("::", 1)[1] for v in found(r, "residency-location")] == ["replica"], describe(r)


# --- configuration errors: one line naming the policy and the key ---------------------------------------


@pytest.mark.parametrize(
    ("location", "key"),
    [
        ({**declared(), "region": ""}, "sovereignLocations[0].region"),
        (declared(cloud="vsphere", vcenter="vc"), "sovereignLocations[0].datacenter"),
        ({**declared(), "vcenter": "vc"}, "sovereignLocations[0].cloud and sovereignLocations[0].vcenter"),
        (declared(expires="2027-02-30"), "sovereignLocations[0].qualification.expires"),
        ({**declared(), "qualification": {"level": 2}}, "sovereignLocations[0].qualification.reference"),
        ({**declared(), "country": "Morocco"}, "sovereignLocations[0].country"),
    ],
    ids=["no-region", "no-datacenter", "both-kinds", "impossible-date", "no-reference", "country"],
)
def test_bad_declarations_are_refused_naming_the_key(location: dict[str, Any], key: str) -> None:
    with pytest.raises(PolicyConfigError) as err:
        profile_from_config({"sovereignLocations": [location]}, "residency-location")
    assert str(err.value).startswith(f"policy residency-location: {key}: "), str(err.value)
    assert "\n" not in str(err.value) and "Fix: " in str(err.value)


def test_duplicates_and_undeclared_sensitive_names_are_refused() -> None:
    with pytest.raises(
        PolicyConfigError, match=r"sovereignLocations\[0\]\.name and sovereignLocations\[1\]\.name"
    ):
        profile_from_config({"sovereignLocations": [declared(), declared(region="other")]})
    with pytest.raises(
        PolicyConfigError, match=r"allowedLocations\.sensitive: 'eu-west-3' is not a declared"
    ):
        profile_from_config(
            {"sovereignLocations": [declared()], "allowedLocations": {"sensitive": ["eu-west-3"]}}
        )


def test_allowed_locations_sensitive_narrows_the_qualified_locations() -> None:
    two = [declared(), declared(name="op-rabat-1", region="rabat-1")]
    prof = profile_from_config({"sovereignLocations": two, "allowedLocations": {"sensitive": ["op-rabat-1"]}})
    assert prof.qualified_for_sensitive() == ["op-rabat-1"]


def test_a_bad_declaration_stops_the_preview_with_one_line() -> None:
    with pytest.raises(PreviewError) as err:
        run(sensitive_everywhere, profile(declared(expires="2027-02-30")))
    message = str(err.value.message)
    assert "sovereignLocations[0].qualification.expires" in message and "2027-02-30" in message
    assert err.value.exit_code == 2


def test_the_schema_refuses_unknown_keys_of_a_declaration() -> None:
    schema = sovereign.SCHEMA["items"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["qualification"]["additionalProperties"] is False
    assert set(schema["properties"]["cloud"]["enum"]) == {"openstack", "vsphere"}
