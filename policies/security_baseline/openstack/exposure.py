"""Exposure rules for OpenStack: public images, shared or external networks, public containers and shares.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import Ctx, dnssi, is_true, lower, meta, need, openstack_sg, rule, with_props
from policies.security_baseline.openstack.tokens import CONTAINER, IMAGE, NETWORK, SHARE

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _image(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    visibility = lower(p.get("visibility"), "visibility")
    if visibility in ("public", "community"):
        yield f"the image's visibility is {visibility}: every project of the cloud can boot it."


OPENSTACK_IMAGE_NOT_PUBLIC = rule(
    meta(
        "openstack-image-not-public",
        HIGH,
        "Glance images are private or shared with named projects, never public or community.",
        'Set visibility to "private" (or "shared" with openstack.images.ImageAccess for named projects).',
        [
            openstack_sg("instance-management/security-services-for-instances: Trusted images"),
            dnssi("Access control"),
        ],
    ),
    {IMAGE: with_props(_image)},
)
"""https://docs.openstack.org/glance/latest/admin/manage-images.html (image visibility)"""


def _shared(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if is_true(p.get("shared"), "shared"):
        yield "the network is shared with every project of the cloud (shared = true)."


OPENSTACK_NETWORK_NOT_SHARED = rule(
    meta(
        "openstack-network-not-shared",
        HIGH,
        "Tenant networks are not shared with other projects.",
        "Remove shared = true; share a network with named projects through an RBAC policy if needed.",
        [
            openstack_sg("networking/services: L2 isolation using VLANs and tunneling"),
            dnssi("Network security"),
        ],
    ),
    {NETWORK: with_props(_shared)},
)


def _external(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if is_true(p.get("external"), "external"):
        yield "the program creates an external network (external = true): that is the operator's, not a tenant's."


OPENSTACK_NETWORK_NOT_EXTERNAL = rule(
    meta(
        "openstack-network-not-external",
        HIGH,
        "A tenant landing zone never creates external (provider) networks: it routes to the operator's.",
        "Remove external = true and attach a router to the operator's external network (external_network_id).",
        [
            openstack_sg("networking/services: L2 isolation using VLANs and tunneling"),
            dnssi("Network security"),
        ],
    ),
    {NETWORK: with_props(_external)},
)


def _container_read(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    acl = need(p.get("containerRead"), "containerRead")
    if acl is None:
        return
    grants = [g.strip() for g in str(acl).split(",")]
    public = [g for g in grants if g.startswith(".r:") and not g.startswith(".r:-")]
    if public:
        yield f"the container's read ACL {acl!r} grants anonymous reads by referrer ({', '.join(public)})."


OPENSTACK_CONTAINER_NOT_PUBLIC = rule(
    meta(
        "openstack-container-not-public",
        HIGH,
        "Swift containers grant no anonymous (referrer) read access.",
        "Remove the .r: referrer entries from container_read; grant named projects or users instead "
        "(<project_id>:<user_id>), or use temporary URLs.",
        [openstack_sg("object-storage: Securing proxy services"), dnssi("Access control")],
    ),
    {CONTAINER: with_props(_container_read)},
)
"""https://docs.openstack.org/swift/latest/overview_acl.html (container ACLs: .r: referrer grants)"""


def _share_public(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if is_true(p.get("isPublic"), "isPublic"):
        yield "the share is public (is_public = true): visible to every project of the cloud."


OPENSTACK_SHARE_NOT_PUBLIC = rule(
    meta(
        "openstack-share-not-public",
        HIGH,
        "Manila shares are not public.",
        "Remove is_public = true; grant access with openstack.sharedfilesystem.ShareAccess rules.",
        [openstack_sg("shared-file-systems/share-acl: Share access control"), dnssi("Access control")],
    ),
    {SHARE: with_props(_share_public)},
)


POLICIES: list[Policy] = [
    OPENSTACK_IMAGE_NOT_PUBLIC,
    OPENSTACK_NETWORK_NOT_SHARED,
    OPENSTACK_NETWORK_NOT_EXTERNAL,
    OPENSTACK_CONTAINER_NOT_PUBLIC,
    OPENSTACK_SHARE_NOT_PUBLIC,
]
"""This domain's policies, in catalogue order."""
