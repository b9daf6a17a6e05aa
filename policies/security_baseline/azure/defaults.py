"""The values Azure applies to inputs a program leaves unset, where an Azure rule reads them.

pulumi-azure-native sends the defaults of the API's specification itself (the SDK fills
them in, so a policy sees them as inputs); what is listed here are the defaults the
service applies and documents in the API's property descriptions, which the installed
SDK carries (``documented`` is found there by ``tests/policies/test_policy_baseline_defaults.py``).
Where an API documents no default, the rules treat an unset input as not compliant and
say so: set it explicitly.
"""

from __future__ import annotations

from typing import Final

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
