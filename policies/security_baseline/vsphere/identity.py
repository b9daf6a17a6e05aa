"""Identity rules for vSphere: permissions go to directory groups; custom roles cannot grant permissions.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import Ctx, dnssi, get, is_true, items, meta, need, rule, vsphere_scg, with_props
from policies.security_baseline.vsphere.tokens import ENTITY_PERMISSIONS, ROLE

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _groups(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for i, perm in enumerate(items(p.get("permissions"), "permissions")):
        if not is_true(get(perm, "isGroup"), f"permissions[{i}].isGroup"):
            who = need(get(perm, "userOrGroup"), f"permissions[{i}].userOrGroup")
            yield f"a permission is granted to the user {who!r}: grant roles to directory groups."


VSPHERE_PERMISSIONS_TO_GROUPS = rule(
    meta(
        "vsphere-permissions-to-groups",
        MEDIUM,
        "Entity permissions are granted to directory groups, not to individual users.",
        "Grant the role to a group (is_group = true) and manage membership in the identity source.",
        [vsphere_scg("vcenter-8.administration-sso-groups"), dnssi("Access control")],
    ),
    {ENTITY_PERMISSIONS: with_props(_groups)},
)
"""terraform-provider-vsphere docs/resources/vsphere_entity_permissions.md"""

AUTHORIZATION_PREFIX = "Authorization."


def _role(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    privileges = [str(need(x, "rolePrivileges[]")) for x in items(p.get("rolePrivileges"), "rolePrivileges")]
    granted = sorted(x for x in privileges if x.startswith(AUTHORIZATION_PREFIX))
    if granted:
        yield f"the custom role can change permissions or roles ({', '.join(granted)})."


VSPHERE_ROLE_NO_AUTHORIZATION_PRIVILEGES = rule(
    meta(
        "vsphere-role-no-authorization-privileges",
        HIGH,
        "Custom roles never carry Authorization.* privileges (changing permissions and roles stays with the "
        "vCenter administrators).",
        "Remove the Authorization.* privileges from role_privileges.",
        [vsphere_scg("vcenter-8.administration-sso-groups"), dnssi("Access control")],
    ),
    {ROLE: with_props(_role)},
)
"""terraform-provider-vsphere docs/resources/vsphere_role.md (privilege ids)"""


POLICIES: list[Policy] = [
    VSPHERE_PERMISSIONS_TO_GROUPS,
    VSPHERE_ROLE_NO_AUTHORIZATION_PRIVILEGES,
]
"""This domain's policies, in catalogue order."""
