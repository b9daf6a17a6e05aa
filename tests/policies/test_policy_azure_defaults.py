"""Provider defaults for unset properties (policies/security_baseline/azure/defaults.py): the API version a
resource is created with, and the default the rule judges for an unset ``allowBlobPublicAccess``."""

from __future__ import annotations

import pytest

from policies.framework.builders import Ctx
from policies.security_baseline.azure import exposure
from policies.security_baseline.azure.defaults import ALLOW_BLOB_PUBLIC_ACCESS, api_version, default_value

ACCOUNT = "azure-native:storage:StorageAccount"


@pytest.mark.parametrize(
    ("resource_type", "provider_version", "expected"),
    [
        (ACCOUNT, "3.29.0", "2024-01-01"),
        (ACCOUNT, "2.92.3", "2022-09-01"),
        (ACCOUNT, None, None),
        (ACCOUNT, "1.104.0", None),
        ("azure-native:storage/v20210201:StorageAccount", None, "2021-02-01"),
        ("azure-native:storage/v20230101:StorageAccount", "2.92.3", "2023-01-01"),
    ],
)
def test_the_api_version_comes_from_the_token_else_the_provider_major(
    resource_type: str, provider_version: str | None, expected: str | None
) -> None:
    assert api_version(resource_type, provider_version) == expected


def test_allow_blob_public_access_defaults_to_true_before_2023_01_01_and_false_from_it() -> None:
    assert default_value(ALLOW_BLOB_PUBLIC_ACCESS, ACCOUNT, "2.92.3") == (True, True)
    assert default_value(ALLOW_BLOB_PUBLIC_ACCESS, ACCOUNT, "3.29.0") == (True, False)
    assert default_value(ALLOW_BLOB_PUBLIC_ACCESS, ACCOUNT, None) == (False, None)
    assert ALLOW_BLOB_PUBLIC_ACCESS.source.startswith("https://learn.microsoft.com/")


def problems(provider_version: str | None, **props: object) -> list[str]:
    ctx = Ctx(dict(props), {}, {}, ACCOUNT, "sa", provider_version)
    return list(exposure._blob_public(ctx.props, ctx))


def test_the_rule_judges_an_unset_property_by_the_default_of_its_api_version() -> None:
    assert problems("3.29.0") == []
    assert problems("2.92.3") == [
        "anonymous blob access is allowed: allowBlobPublicAccess is not set, and its default is true for API "
        "version 2022-09-01 (azure-native 2.92.3)."
    ]
    assert problems(None) == [
        "allowBlobPublicAccess is not set and its default depends on the API version, which is not known (the "
        "provider's version is not): set it to false."
    ]
    assert problems("2.92.3", allowBlobPublicAccess=False) == []
    assert problems("3.29.0", allowBlobPublicAccess=True) == [
        "anonymous blob access is not disabled (allowBlobPublicAccess is not false)."
    ]
