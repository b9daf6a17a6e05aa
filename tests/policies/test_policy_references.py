"""Every compliance reference of every pack is on its framework's checked list (policies/framework/references)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from policies.docs import pack_modules
from policies.framework import metadata_of
from policies.framework.catalog import DOCUMENTATION, catalogs, check_reference, control_of
from policies.framework.meta import Reference, cis_aws, cis_azure, dnssi, fsbp, law_09_08, mcsb

REFERENCES = sorted(
    {
        (module.PACK_NAME, meta.id, ref)
        for module in pack_modules()
        for meta in metadata_of(module.POLICIES)
        for ref in meta.references
    },
    key=lambda t: (t[0], t[1], t[2].tag()),
)


@pytest.mark.parametrize(
    ("pack", "policy", "ref"), REFERENCES, ids=lambda v: v.tag() if isinstance(v, Reference) else v
)
def test_every_reference_is_on_its_checked_list(pack: str, policy: str, ref: Reference) -> None:
    problem = check_reference(ref)
    assert problem is None, f"{pack}/{policy}: {problem}"


def test_the_helpers_cite_the_checked_versions() -> None:
    for helper, sample in (
        (cis_aws, "2.1.1"),
        (cis_azure, "3.1"),
        (mcsb, "DP-3"),
        (fsbp, "S3.5"),
        (dnssi, "Backup"),
    ):
        ref = helper(sample)
        assert (ref.framework, ref.version) in catalogs(), (
            f"{helper.__name__} cites {ref.framework} {ref.version}"
        )
        assert control_of(ref) is not None, ref.tag()
    assert check_reference(law_09_08("art. 43")) is None


@pytest.mark.parametrize(
    "ref",
    [
        fsbp("S3.4"),  # retired from the standard
        fsbp("KMS.4"),  # a CIS/NIST control, not an FSBP one
        fsbp("EC2.13"),  # CIS v1.2.0 only
        cis_aws("1.16"),  # IAM.1: "Not supported" for CIS v3.0.0 in Security Hub's mapping
        mcsb("DP-9"),
        Reference("CIS AWS Foundations Benchmark", "1.2.0", "4.1"),
        Reference("Made-up framework", "1", "X"),
        Reference("AWS documentation", "2026", "http://docs.aws.amazon.com/x"),
        Reference("Microsoft Learn", "2026", "https://example.com/azure"),
    ],
    ids=lambda r: r.tag(),
)
def test_references_off_the_lists_are_refused(ref: Reference) -> None:
    assert check_reference(ref) is not None


def test_every_catalog_names_its_source_and_basis() -> None:
    assert catalogs(), "no catalog found in policies/framework/references"
    for (framework, version), catalog in catalogs().items():
        assert urlparse(catalog.source).scheme == "https", f"{framework} {version}: source {catalog.source}"
        assert len(catalog.basis) > 40, f"{framework} {version}: say how the list was checked"
        assert framework not in DOCUMENTATION
        for cid, control in catalog.controls.items():
            assert cid == control.id and control.title.strip() and control.checked.strip(), (
                f"{framework} {cid}"
            )


def test_documentation_references_are_vendor_pages() -> None:
    assert (
        check_reference(Reference("AWS documentation", "2026", "https://docs.aws.amazon.com/IAM/latest/"))
        is None
    )
    assert check_reference(Reference("Microsoft Learn", "2026", "https://learn.microsoft.com/azure/")) is None
