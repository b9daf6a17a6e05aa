"""A compliant OpenStack + vSphere program for the security-baseline fixtures of the sovereign clouds.

Pass: no openstack-/vsphere- policy reports anything on it. Fail fixtures mutate one resource
(``Variant.overrides``: resource name -> inputs) and expect exactly one policy on that resource.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi_openstack as openstack
import pulumi_vsphere as vsphere

from kasbah.facts import CLASSIFICATION_TAG

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "policies" / "security_baseline"
CONFIG = {"openstack:region": "casa-1", "vsphere:vsphereServer": "vcenter.example.invalid"}
DROP = object()
CERT_REF = "https://barbican.example.invalid:9311/v1/secrets/6a1c1a5e-7e0e-4b8a-9b59-0c6f3d1f2a10"
SOVEREIGN_PREFIXES = ("openstack-", "vsphere-")


@dataclass(frozen=True)
class Variant:
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    extra: Callable[[dict[str, Any]], None] | None = None


def program(variant: Variant | None = None) -> Callable[[], None]:
    v = variant or Variant()

    def run() -> None:
        created: dict[str, Any] = {}

        def mk(cls: Any, name: str, /, **kwargs: Any) -> Any:
            merged = {**kwargs, **dict(v.overrides.get(name, {}))}
            merged = {k: val for k, val in merged.items() if val is not DROP}
            created[name] = cls(name, **merged)
            return created[name]

        _openstack(mk)
        _vsphere(mk)
        if v.extra is not None:
            v.extra(created)

    return run


def _openstack(mk: Callable[..., Any]) -> None:
    net = mk(openstack.networking.Network, "net", name="app", shared=False, external=False)
    mk(openstack.networking.Subnet, "subnet", network_id=net.id, cidr="10.80.1.0/24")
    sg = mk(openstack.networking.SecGroup, "sg", name="baseline", delete_default_rules=True)
    mk(
        openstack.networking.SecGroupRule,
        "ssh-from-vpn",
        security_group_id=sg.id,
        direction="ingress",
        ethertype="IPv4",
        protocol="tcp",
        port_range_min=22,
        port_range_max=22,
        remote_ip_prefix="10.255.0.0/24",
    )
    mk(
        openstack.networking.SecGroupRule,
        "https-in",
        security_group_id=sg.id,
        direction="ingress",
        ethertype="IPv4",
        protocol="tcp",
        port_range_min=443,
        port_range_max=443,
        remote_ip_prefix="0.0.0.0/0",
    )
    mk(
        openstack.networking.SecGroupRule,
        "https-out",
        security_group_id=sg.id,
        direction="egress",
        ethertype="IPv4",
        protocol="tcp",
        port_range_min=443,
        port_range_max=443,
        remote_ip_prefix="0.0.0.0/0",
    )
    mk(
        openstack.blockstorage.Volume,
        "volume",
        size=10,
        volume_type="luks",
        metadata={CLASSIFICATION_TAG: "sensitive"},
    )
    mk(
        openstack.images.Image,
        "image",
        name="golden",
        visibility="private",
        container_format="bare",
        disk_format="qcow2",
    )
    mk(
        openstack.objectstorage.Container,
        "container",
        name="archive",
        versioning=True,
        metadata={CLASSIFICATION_TAG: "personal"},
    )
    mk(openstack.sharedfilesystem.Share, "share", share_proto="NFS", size=10, is_public=False)
    lb = mk(openstack.loadbalancer.LoadBalancer, "lb", vip_subnet_id="subnet-id")
    mk(
        openstack.loadbalancer.Listener,
        "listener",
        loadbalancer_id=lb.id,
        protocol="TERMINATED_HTTPS",
        protocol_port=443,
        default_tls_container_ref=CERT_REF,
        tls_versions=["TLSv1.2", "TLSv1.3"],
        insert_headers={"X-Forwarded-For": "true"},
    )
    mk(
        openstack.keymanager.OrderV1,
        "key",
        type="key",
        meta=openstack.keymanager.OrderV1MetaArgs(algorithm="aes", bit_length=256),
    )
    group = mk(openstack.identity.GroupV3, "group", name="admins")
    mk(openstack.identity.RoleAssignment, "assignment", group_id=group.id, project_id="p", role_id="r")
    mk(
        openstack.identity.ApplicationCredential,
        "app-credential",
        name="ci",
        unrestricted=False,
        expires_at="2027-01-01T00:00:00Z",
    )


def _vsphere(mk: Callable[..., Any]) -> None:
    classes = mk(
        vsphere.TagCategory,
        "classes",
        name=CLASSIFICATION_TAG,
        cardinality="SINGLE",
        associable_types=["VirtualMachine"],
    )
    sensitive = mk(vsphere.Tag, "tag-sensitive", name="sensitive", category_id=classes.id)
    storage = mk(
        vsphere.TagCategory,
        "storage",
        name="kasbah-storage",
        cardinality="MULTIPLE",
        associable_types=["Datastore"],
    )
    encrypted = mk(vsphere.Tag, "tag-encrypted", name="encrypted", category_id=storage.id)
    policy = mk(
        vsphere.VmStoragePolicy,
        "policy",
        name="sensitive-encrypted",
        tag_rules=[
            vsphere.VmStoragePolicyTagRuleArgs(
                tag_category=storage.name, tags=[encrypted.name], include_datastores_with_tags=True
            )
        ],
    )
    mk(
        vsphere.VirtualMachine,
        "vm",
        name="records",
        resource_pool_id="resgroup-1",
        datastore_id="datastore-1",
        num_cpus=2,
        memory=4096,
        guest_id="ubuntu64Guest",
        firmware="efi",
        efi_secure_boot_enabled=True,
        enable_logging=True,
        storage_policy_id=policy.id,
        tags=[sensitive.id],
        network_interfaces=[vsphere.VirtualMachineNetworkInterfaceArgs(network_id="dvportgroup-1")],
        disks=[vsphere.VirtualMachineDiskArgs(label="disk0", size=40)],
    )
    mk(
        vsphere.DistributedPortGroup,
        "pg",
        name="app",
        distributed_virtual_switch_uuid="dvs-uuid",
        vlan_id=120,
        allow_promiscuous=False,
        allow_forged_transmits=False,
        allow_mac_changes=False,
    )
    mk(
        vsphere.ContentLibrary,
        "library",
        name="golden",
        storage_backings=["datastore-1"],
        publication=vsphere.ContentLibraryPublicationArgs(
            published=True, authentication_method="BASIC", username="vcsp", password="not-a-real-password"
        ),
    )
    role = mk(vsphere.Role, "role", name="operator", role_privileges=["VirtualMachine.Interact.PowerOn"])
    mk(
        vsphere.EntityPermissions,
        "permissions",
        entity_id="group-v1",
        entity_type="Folder",
        permissions=[
            vsphere.EntityPermissionsPermissionArgs(
                user_or_group="EXAMPLE\\ops", is_group=True, propagate=True, role_id=role.id
            )
        ],
    )


def preview(variant: Variant | None = None, policy_config: Mapping[str, Any] | None = None) -> Any:
    from kasbah.engine import preview_program

    return preview_program(program(variant), config=CONFIG, policy_packs=[PACK], policy_config=policy_config)


def findings(result: Any) -> list[Any]:
    return [
        v
        for v in result.violations
        if v.pack == "security-baseline" and v.policy.startswith(SOVEREIGN_PREFIXES)
    ]


def urn_of(result: Any, name: str) -> str:
    for r in result.resources:
        if r.name == name and r.custom:
            return str(r.urn)
    raise AssertionError(f"no resource named {name!r} in the preview")


def describe(items: list[Any]) -> str:
    return "\n".join(f"  {v.policy} [{v.enforcement}] {v.urn}: {v.message}" for v in items) or "  (none)"
