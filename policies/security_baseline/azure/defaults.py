"""The values Azure applies to inputs a program leaves unset, where an Azure rule reads them.

pulumi-azure-native sends the defaults of the API's specification itself (the SDK fills
them in, so a policy sees them as inputs); what is listed here are the defaults the
service applies and documents in the API's property descriptions, which the installed
SDK carries (``documented`` is found there by ``tests/policies/test_policy_baseline_defaults.py``).
Where an API documents no default, the rules treat an unset input as not compliant and
say so: set it explicitly.

Some defaults changed between API versions (``allowBlobPublicAccess``): those are kept per API
version below. azure-native sends an unset property as absent, and Azure applies the default of the
API version the resource is created with. The API version comes from the type token
(``azure-native:storage/v20230101:StorageAccount``) or, for the default token, from the azure-native
major version of the resource's provider (its ``version``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from policies.framework.settings import Defaults, ProviderDefault
from policies.security_baseline.azure.tokens import STORAGE_ACCOUNT, WEB_APPS

_REST = "https://learn.microsoft.com/rest/api/"

DEFAULTS: Final = Defaults(
    [
        ProviderDefault(
            STORAGE_ACCOUNT,
            "allowCrossTenantReplication",
            False,
            "The default interpretation is false for new accounts to follow best security practices by default.",
            _REST + "storagerp/storage-accounts/create?view=rest-storagerp-2024-01-01",
        ),
        ProviderDefault(
            STORAGE_ACCOUNT,
            "allowSharedKeyAccess",
            True,
            "The default value is null, which is equivalent to true.",
            _REST + "storagerp/storage-accounts/create?view=rest-storagerp-2024-01-01",
        ),
        *(
            ProviderDefault(
                t,
                "siteConfig.remoteDebuggingEnabled",
                False,
                "<code>true</code> if remote debugging is enabled; otherwise, <code>false</code>.",
                _REST + "appservice/web-apps/create-or-update",
            )
            for t in WEB_APPS
        ),
    ]
)
"""Every service default an Azure rule reads."""


@dataclass(frozen=True)
class DefaultSince:
    """The value Azure gives an unset property, from an API version on."""

    api_version: str
    value: Any


@dataclass(frozen=True)
class PropertyDefault:
    resource_type: str
    """The resource's type in its default-version token (``azure-native:storage:StorageAccount``)."""
    prop: str
    history: tuple[DefaultSince, ...]
    """Oldest first."""
    source: str

    def at(self, api_version: str) -> Any:
        value: Any = None
        for step in self.history:
            if api_version >= step.api_version:
                value = step.value
        return value


DEFAULT_API_VERSIONS: dict[str, dict[int, str]] = {
    # pulumi-azure-native's StorageAccount docs: "Uses Azure REST API version 2024-01-01. In version 2.x of the
    # Azure Native provider, it used API version 2022-09-01."
    # https://www.pulumi.com/registry/packages/azure-native/api-docs/storage/storageaccount/
    "azure-native:storage:StorageAccount": {2: "2022-09-01", 3: "2024-01-01"},
}
"""API version of each default-version token, by azure-native major version."""

ALLOW_BLOB_PUBLIC_ACCESS = PropertyDefault(
    "azure-native:storage:StorageAccount",
    "allowBlobPublicAccess",
    (DefaultSince("2019-04-01", True), DefaultSince("2023-01-01", False)),
    # Azure REST API reference, Storage Accounts - Create, allowBlobPublicAccess: "The default interpretation is
    # true for this property" up to 2022-09-01, "false" from 2023-01-01 (the property exists since 2019-04-01).
    # https://learn.microsoft.com/en-us/rest/api/storagerp/storage-accounts/create?view=rest-storagerp-2023-01-01
    # https://learn.microsoft.com/en-us/azure/storage/blobs/anonymous-read-access-prevent
    "https://learn.microsoft.com/en-us/rest/api/storagerp/storage-accounts/create",
)

_VERSIONED = re.compile(
    r"^(?P<pkg>[^:]+):(?P<mod>[^:/]+)/v(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:preview)?:(?P<name>.+)$"
)


def api_version(resource_type: str, provider_version: str | None) -> str | None:
    """The API version a resource is created with; None when it cannot be told (unknown provider version)."""
    match = _VERSIONED.match(resource_type)
    if match:
        return f"{match['y']}-{match['m']}-{match['d']}"
    major = re.match(r"^v?(\d+)\.", provider_version or "")
    if major is None:
        return None
    return DEFAULT_API_VERSIONS.get(resource_type, {}).get(int(major.group(1)))


def default_value(
    default: PropertyDefault, resource_type: str, provider_version: str | None
) -> tuple[bool, Any]:
    """(known, value) of an unset property for this resource: unknown when the API version is not known."""
    version = api_version(resource_type, provider_version)
    if version is None:
        return False, None
    return True, default.at(version)
