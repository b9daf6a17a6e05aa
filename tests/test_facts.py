"""kasbah.facts: each cross-cutting fact declared once, importable without any third-party package."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kasbah.facts import (
    APPROVED_LOCATIONS,
    CASABLANCA_WLZ,
    CLASSIFICATION_TAG,
    IN_COUNTRY_LOCATIONS,
    LOCATION_COUNTRIES,
    MANAGEMENT_PORTS,
    PROVIDER_PACKAGES,
    REMOTE_ADMIN_PORTS,
    SOVEREIGN_CLOUDS,
    SOVEREIGN_LOCATIONS,
    WAVELENGTH_ZONES,
    Cloud,
    DataClassification,
    cloud_of,
    package_of,
)

REPO = Path(__file__).resolve().parents[1]
CODE_DIRS = ("components", "kasbah", "policies", "blueprints", "benchmarks")


def test_facts_import_nothing_but_the_standard_library() -> None:
    """A bare interpreter (no site-packages) imports kasbah.facts and loads no third-party module."""
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); import kasbah.facts; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) - {'__main__'})))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code, str(REPO)], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == ["kasbah"], out.stdout


@pytest.mark.parametrize(
    ("token", "cloud"),
    [
        ("aws:s3/bucket:Bucket", Cloud.AWS),
        ("aws-native:s3:Bucket", Cloud.AWS),
        ("azure-native:storage:StorageAccount", Cloud.AZURE),
        ("azure:storage/account:Account", Cloud.AZURE),
        ("gcp:storage/bucket:Bucket", Cloud.GCP),
        ("google-native:storage/v1:Bucket", Cloud.GCP),
        ("pulumi:providers:aws", Cloud.AWS),
        ("pulumi:providers:gcp", Cloud.GCP),
        ("openstack:blockstorage/volume:Volume", Cloud.OPENSTACK),
        ("vsphere:index/virtualMachine:VirtualMachine", Cloud.VSPHERE),
        ("pulumi:providers:vsphere", Cloud.VSPHERE),
        ("oci:ObjectStorage/bucket:Bucket", None),
        ("kasbah:aws:LandingZone", None),
        ("pulumi:pulumi:Stack", None),
        ("awsx:ec2:Vpc", None),
    ],
)
def test_cloud_of_derives_the_cloud_from_the_package(token: str, cloud: Cloud | None) -> None:
    assert cloud_of(token) is cloud, (token, package_of(token))


def test_every_cloud_has_approved_locations_and_they_do_not_overlap() -> None:
    assert set(APPROVED_LOCATIONS) == set(Cloud)
    assert set(PROVIDER_PACKAGES.values()) == set(Cloud), "every cloud has its Pulumi packages"
    seen: set[str] = set()
    for cloud, regions in APPROVED_LOCATIONS.items():
        # A sovereign cloud's locations are declared by the user (SovereignLocation): none built in.
        assert bool(regions) is (cloud not in SOVEREIGN_CLOUDS), cloud
        assert not seen & set(regions), cloud
        seen |= set(regions)
    assert not seen & set(IN_COUNTRY_LOCATIONS), "an approved region abroad is not in-country"
    assert set(LOCATION_COUNTRIES) == seen, "every approved region has its country"


def test_casablanca_zone() -> None:
    zone = WAVELENGTH_ZONES["eu-west-3-cmn-wlz-1a"]
    assert zone is CASABLANCA_WLZ
    assert (zone.parent_region, zone.network_border_group, zone.zone_id) == (
        "eu-west-3",
        "eu-west-3-cmn-wlz-1",
        "euw3-cmn1-wlz1",
    )
    assert zone.name in IN_COUNTRY_LOCATIONS and zone.country == "MA"
    # Unconfirmed facts are marked: the zone group is never assumed.
    assert zone.group_name is None and "group_name" in zone.unconfirmed
    assert {"name", "network_border_group", "zone_id"} <= set(zone.unconfirmed)
    assert set(zone.unconfirmed) <= set(type(zone).__dataclass_fields__)


def test_nothing_ships_qualified() -> None:
    """Decree 2-24-921's qualified providers are not published as data: none is declared by default."""
    assert SOVEREIGN_LOCATIONS == ()
    assert {Cloud.OPENSTACK, Cloud.VSPHERE} == SOVEREIGN_CLOUDS


def test_management_ports_extend_the_remote_admin_ports() -> None:
    assert set(REMOTE_ADMIN_PORTS) == {22, 3389, 5985, 5986}
    assert set(REMOTE_ADMIN_PORTS) < set(MANAGEMENT_PORTS)
    assert all(MANAGEMENT_PORTS[p] == name for p, name in REMOTE_ADMIN_PORTS.items())


def test_classes_and_tag() -> None:
    assert [c.value for c in DataClassification] == ["public", "internal", "personal", "sensitive"]
    assert CLASSIFICATION_TAG == "data-classification"


def _literals(path: Path) -> list[tuple[int, object]]:
    """String constants (docstrings excluded) and literal collections (as sets) of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found: list[tuple[int, object]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.Tuple | ast.List | ast.Set) and node.elts:
            values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(values) == len(node.elts) and len({type(v) for v in values}) == 1:
                found.append((node.lineno, frozenset(values)))
    return found


def test_facts_are_declared_only_in_kasbah_facts() -> None:
    """No module but kasbah/facts.py spells a zone's name, id or border group, the tag key or a port set."""
    zone_facts = {
        value
        for zone in WAVELENGTH_ZONES.values()
        for value in (zone.name, zone.zone_id, zone.network_border_group)
    }
    wanted: set[object] = {
        *zone_facts,
        CLASSIFICATION_TAG,
        frozenset(REMOTE_ADMIN_PORTS),
        frozenset(MANAGEMENT_PORTS),
        *(v for regions in APPROVED_LOCATIONS.values() for v in [frozenset(regions)]),
    }
    offenders = []
    for folder in CODE_DIRS:
        for path in sorted((REPO / folder).rglob("*.py")):
            if path == REPO / "kasbah" / "facts.py":
                continue
            for line, value in _literals(path):
                if value in wanted:
                    offenders.append(f"{path.relative_to(REPO)}:{line}: {value!r}")
    assert not offenders, "facts re-declared outside kasbah/facts.py:\n" + "\n".join(offenders)
