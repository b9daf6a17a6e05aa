"""Identity rules for OpenStack: roles go to groups, application credentials expire and stay restricted.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import Ctx, dnssi, is_true, meta, need, openstack_sg, rule, with_props
from policies.security_baseline.openstack.tokens import APP_CREDENTIAL, ROLE_ASSIGNMENT

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _to_user(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if need(p.get("userId"), "userId"):
        yield "the role is assigned to a user: assign roles to groups, and manage membership in the directory."


OPENSTACK_ROLE_ASSIGNMENT_TO_GROUPS = rule(
    meta(
        "openstack-role-assignment-to-groups",
        MEDIUM,
        "Keystone roles are assigned to groups, not to individual users.",
        "Assign the role to a group (group_id) and add the user to the group.",
        [openstack_sg("identity/authorization: End users"), dnssi("Access control")],
    ),
    {ROLE_ASSIGNMENT: with_props(_to_user)},
)
"""https://docs.openstack.org/keystone/latest/admin/service-api-protection.html (reader, member, admin)"""


def _app_credential(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if is_true(p.get("unrestricted"), "unrestricted"):
        yield "the application credential is unrestricted: it can create further credentials and trusts."
    if need(p.get("expiresAt"), "expiresAt") in (None, ""):
        yield "the application credential never expires."


OPENSTACK_APP_CREDENTIAL_RESTRICTED = rule(
    meta(
        "openstack-app-credential-restricted",
        MEDIUM,
        "Application credentials are restricted and expire.",
        "Remove unrestricted = true and set expires_at; rotate the credential before it expires.",
        [
            openstack_sg("identity/authorization: Establish formal access control policies"),
            dnssi("Access control"),
        ],
    ),
    {APP_CREDENTIAL: with_props(_app_credential)},
)
"""https://docs.openstack.org/keystone/latest/user/application_credentials.html"""


POLICIES: list[Policy] = [
    OPENSTACK_ROLE_ASSIGNMENT_TO_GROUPS,
    OPENSTACK_APP_CREDENTIAL_RESTRICTED,
]
"""This domain's policies, in catalogue order."""
