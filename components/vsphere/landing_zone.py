"""``kasbah:vsphere:LandingZone``: the sovereign landing zone on VMware vSphere.

Children, each checked against its page in terraform-provider-vsphere ``docs/resources`` (the
source of pulumi-vsphere 4.x) and its data sources in ``docs/data-sources``:

- folders (``folder.md``: ``type = "vm"``, ``path`` relative to the datacenter's VM folder, the parent
  folder created first) and resource pools (``resource_pool.md``: ``parent_resource_pool_id`` the
  cluster's root pool from ``get_compute_cluster``, CPU and memory limits, not expandable) per
  environment and tenant;
- distributed port groups per VLAN segment (``distributed_port_group.md``: ``distributed_virtual_switch_uuid``
  is the switch's UUID, which ``get_distributed_virtual_switch`` returns as ``id``), with promiscuous mode,
  forged transmits and MAC changes rejected (vSphere Security Configuration Guide);
- tag categories and tags (``tag_category.md``: ``cardinality`` SINGLE, ``associable_types``) for the
  environment and the data class (``kasbah.facts.CLASSIFICATION_TAG``), and the datastore tag of
  encrypted datastores;
- a tag-based VM storage policy (``vm_storage_policy.md``: ``tag_rules`` by category and tag *names*)
  placing ``sensitive`` VMs on the encrypted datastores;
- a content library (``content_library.md``: ``storage_backing`` datastore ids), never published,
  subscribed only to a vCenter of a declared location;
- custom roles (``vsphere_role.md``: privilege ids) and entity permissions on the environments'
  folders and pools (``vsphere_entity_permissions.md``: permissions sorted by ``user_or_group``).
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumi_vsphere as vsphere

from components.common import CLASSIFICATION_TAG, DataClassification, child_name
from components.vsphere.plan import (
    READ_ONLY_LABEL,
    AccessRole,
    VsphereLandingZoneArgs,
    privileges,
    roles_of,
    validate,
)

TYPE = "kasbah:vsphere:LandingZone"
ENVIRONMENT_CATEGORY = "environment"
"""Tag category of the environment tags."""
TAGGED_TYPES = ["Folder", "ResourcePool", "VirtualMachine", "DistributedVirtualPortgroup"]
"""Object types the environment and classification categories may tag (``tag_category.md`` table)."""


def _under(child: str) -> Callable[[str], str]:
    """The path of a sub-folder (``path`` is relative to the datacenter's VM folder)."""
    return lambda parent: f"{parent}/{child}"


class VsphereLandingZone(pulumi.ComponentResource):
    """Placement, networking, tags and storage policy, golden images, access."""

    def __init__(
        self,
        name: str,
        args: VsphereLandingZoneArgs,
        key_prefix: str = "",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        validate(args, key_prefix)
        super().__init__(TYPE, name, None, opts)
        self._name, self._args, self._prefix = name, args, args.common.prefix
        child = pulumi.ResourceOptions(parent=self)
        dc = vsphere.get_datacenter_output(name=args.datacenter)
        cluster = vsphere.get_compute_cluster_output(name=args.cluster, datacenter_id=dc.id)
        self._tags(child)
        self._placement(child, dc.id, cluster.resource_pool_id)
        self._network(child, dc.id)
        self._storage_policy(child)
        self.library_id: pulumi.Output[str] | None = None
        if args.content_library.datastore:
            self._library(dc.id)
        self._access(child)
        self.register_outputs(self.outputs())

    # --- tags --------------------------------------------------------------------------------

    def _tags(self, child: pulumi.ResourceOptions) -> None:
        name, args = self._name, self._args
        classes = vsphere.TagCategory(
            child_name(name, "category", "classification"),
            name=CLASSIFICATION_TAG,
            description="Data classification of Kasbah's residency profile (one per object)",
            cardinality="SINGLE",
            associable_types=TAGGED_TYPES,
            opts=child,
        )
        self.class_tags = {
            c.value: vsphere.Tag(
                child_name(name, "tag", "class", c.value),
                name=c.value,
                category_id=classes.id,
                description=f"{c.value} data",
                opts=child,
            )
            for c in DataClassification
        }
        envs = vsphere.TagCategory(
            child_name(name, "category", "environment"),
            name=ENVIRONMENT_CATEGORY,
            description="Environment of the object",
            cardinality="SINGLE",
            associable_types=TAGGED_TYPES,
            opts=child,
        )
        self.env_tags = {
            e.name: vsphere.Tag(
                child_name(name, "tag", "env", e.name), name=e.name, category_id=envs.id, opts=child
            )
            for e in args.environments
        }
        self.storage_category = vsphere.TagCategory(
            child_name(name, "category", "storage"),
            name=args.storage_policy.category,
            description="Datastore properties used by Kasbah's storage policies",
            cardinality="MULTIPLE",
            associable_types=["Datastore"],
            opts=child,
        )
        self.encrypted_tag = vsphere.Tag(
            child_name(name, "tag", "encrypted"),
            name=args.storage_policy.encrypted_tag,
            category_id=self.storage_category.id,
            description="Encrypted datastore (put on datastores by the vSphere administrator)",
            opts=child,
        )

    # --- placement ---------------------------------------------------------------------------

    def _placement(
        self, child: pulumi.ResourceOptions, dc_id: pulumi.Output[str], root_pool: pulumi.Output[str]
    ) -> None:
        name, prefix = self._name, self._prefix
        root = vsphere.Folder(
            child_name(name, "folder"), path=prefix, type="vm", datacenter_id=dc_id, opts=child
        )
        self.folders: dict[str, vsphere.Folder] = {}
        self.pools: dict[str, vsphere.ResourcePool] = {}
        for env in self._args.environments:
            tag = [self.env_tags[env.name].id]
            folder = vsphere.Folder(
                child_name(name, "folder", env.name),
                path=root.path.apply(_under(env.name)),
                type="vm",
                datacenter_id=dc_id,
                tags=tag,
                opts=child,
            )
            pool = vsphere.ResourcePool(
                child_name(name, "pool", env.name),
                name=f"{prefix}-{env.name}",
                parent_resource_pool_id=root_pool,
                cpu_limit=env.cpu_limit_mhz,
                cpu_expandable=False,
                memory_limit=env.memory_limit_mb,
                memory_expandable=False,
                tags=tag,
                opts=child,
            )
            self.folders[env.name], self.pools[env.name] = folder, pool
            for tenant in env.tenants:
                key = f"{env.name}/{tenant.name}"
                self.folders[key] = vsphere.Folder(
                    child_name(name, "folder", env.name, tenant.name),
                    path=folder.path.apply(_under(tenant.name)),
                    type="vm",
                    datacenter_id=dc_id,
                    tags=tag,
                    opts=child,
                )
                self.pools[key] = vsphere.ResourcePool(
                    child_name(name, "pool", env.name, tenant.name),
                    name=f"{prefix}-{env.name}-{tenant.name}",
                    parent_resource_pool_id=pool.id,
                    cpu_limit=tenant.cpu_limit_mhz,
                    cpu_expandable=False,
                    memory_limit=tenant.memory_limit_mb,
                    memory_expandable=False,
                    tags=tag,
                    opts=child,
                )

    # --- network -----------------------------------------------------------------------------

    def _network(self, child: pulumi.ResourceOptions, dc_id: pulumi.Output[str]) -> None:
        dvs = vsphere.get_distributed_virtual_switch_output(
            name=self._args.distributed_switch, datacenter_id=dc_id
        )
        self.port_groups = {
            seg.name: vsphere.DistributedPortGroup(
                child_name(self._name, "pg", seg.name),
                name=f"{self._prefix}-{seg.name}",
                distributed_virtual_switch_uuid=dvs.id,
                vlan_id=seg.vlan_id,
                allow_promiscuous=False,
                allow_forged_transmits=False,
                allow_mac_changes=False,
                description=f"segment {seg.name}, VLAN {seg.vlan_id}",
                opts=child,
            )
            for seg in self._args.segments
        }

    # --- storage -----------------------------------------------------------------------------

    def _storage_policy(self, child: pulumi.ResourceOptions) -> None:
        self.sensitive_policy = vsphere.VmStoragePolicy(
            child_name(self._name, "policy", "sensitive"),
            name=f"{self._prefix}-sensitive-encrypted",
            description="Places sensitive VMs on datastores tagged encrypted",
            tag_rules=[
                vsphere.VmStoragePolicyTagRuleArgs(
                    tag_category=self.storage_category.name,
                    tags=[self.encrypted_tag.name],
                    include_datastores_with_tags=True,
                )
            ],
            opts=child,
        )

    def _library(self, dc_id: pulumi.Output[str]) -> None:
        lib = self._args.content_library
        datastore = vsphere.get_datastore_output(name=lib.datastore, datacenter_id=dc_id)
        subscription = (
            vsphere.ContentLibrarySubscriptionArgs(
                subscription_url=lib.subscription_url,
                authentication_method="NONE",
                automatic_sync=True,
                on_demand=True,
            )
            if lib.subscription_url
            else None
        )
        library = vsphere.ContentLibrary(
            child_name(self._name, "library"),
            name=f"{self._prefix}-golden-images",
            description="Golden images (templates) of the landing zone; not published",
            storage_backings=[datastore.id],
            subscription=subscription,
            opts=pulumi.ResourceOptions(parent=self, protect=self._args.common.protect),
        )
        self.library_id = library.id

    # --- access ------------------------------------------------------------------------------

    def _access(self, child: pulumi.ResourceOptions) -> None:
        args = self._args
        if not args.access:
            return
        role_ids: dict[AccessRole, pulumi.Input[str]] = {
            r: vsphere.Role(
                child_name(self._name, "role", r.value),
                name=f"{self._prefix}-{r.value}",
                role_privileges=privileges(r),
                opts=child,
            ).id
            for r in roles_of(args.access)
        }
        if any(a.role is AccessRole.READER for a in args.access):
            role_ids[AccessRole.READER] = vsphere.get_role_output(label=READ_ONLY_LABEL).id
        for env in args.environments:
            grants = sorted(
                (a for a in args.access if not a.environments or env.name in a.environments),
                key=lambda a: a.group.lower(),
            )
            if not grants:
                continue
            permissions = [
                vsphere.EntityPermissionsPermissionArgs(
                    user_or_group=a.group, is_group=True, propagate=True, role_id=role_ids[a.role]
                )
                for a in grants
            ]
            for kind, entity in (("Folder", self.folders[env.name]), ("ResourcePool", self.pools[env.name])):
                vsphere.EntityPermissions(
                    child_name(self._name, "permissions", env.name, kind.lower()),
                    entity_id=entity.id,
                    entity_type=kind,
                    permissions=permissions,
                    opts=child,
                )

    def outputs(self) -> dict[str, object]:
        return {
            "folderPaths": {k: f.path for k, f in self.folders.items()},
            "resourcePoolIds": {k: p.id for k, p in self.pools.items()},
            "portGroupIds": {k: p.id for k, p in self.port_groups.items()},
            "classificationTagIds": {k: t.id for k, t in self.class_tags.items()},
            "environmentTagIds": {k: t.id for k, t in self.env_tags.items()},
            "sensitiveStoragePolicyId": self.sensitive_policy.id,
            "encryptedDatastoreTagId": self.encrypted_tag.id,
            "contentLibraryId": self.library_id,
        }
