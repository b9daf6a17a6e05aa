"""Identity rules for Azure: administrative privileges, long-lived credentials, password policy.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import Ctx, cis_azure, dnssi, get, items, mcsb, meta, need, rule, with_props
from policies.security_baseline.azure.tokens import ROLE_DEFINITION

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _role_wildcard(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for i, perm in enumerate(items(p.get("permissions"), "permissions")):
        acts = items(get(perm, "actions"), f"permissions[{i}].actions")
        if any(need(a, f"permissions[{i}].actions[]") == "*" for a in acts):
            yield 'the custom role allows every action ("*"): it is a custom owner role.'
            return


AZURE_CUSTOM_ROLE_NO_WILDCARD = rule(
    meta(
        "azure-custom-role-no-wildcard",
        CRITICAL,
        'Custom role definitions never allow every action ("*").',
        "List the actions the role needs, or assign a built-in role (Owner only through PIM).",
        [cis_azure("1.23"), mcsb("PA-7"), dnssi("Access control")],
    ),
    {ROLE_DEFINITION: with_props(_role_wildcard)},
)


POLICIES: list[Policy] = [
    AZURE_CUSTOM_ROLE_NO_WILDCARD,
]
"""This domain's policies, in catalogue order."""
