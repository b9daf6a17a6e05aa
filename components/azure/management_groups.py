"""ManagementGroups: the ALZ hierarchy under an intermediate root, and subscription placement.

Microsoft documentation relied on:
- https://learn.microsoft.com/azure/governance/management-groups/overview (ids up to 90 characters,
  six levels below the tenant root group, the tenant root group's id is the tenant id);
- https://learn.microsoft.com/azure/governance/management-groups/manage#move-subscriptions (moving a
  subscription needs write on the target group and Owner on the subscription);
- https://learn.microsoft.com/azure/cloud-adoption-framework/ready/landing-zone/design-area/resource-org-management-groups
  (the ALZ hierarchy: Platform, Landing Zones, Sandbox, Decommissioned).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import management

from components.azure.naming import management_group_id
from components.azure.policy_library import HIERARCHY, Group
from components.azure.validation import validate_management_group_id
from components.common import CommonArgs, child_name

MG_PATH = "/providers/Microsoft.Management/managementGroups/"


def mg_resource_id(group_id: str) -> str:
    """The resource id of a management group."""
    return MG_PATH + group_id


@dataclass(frozen=True)
class Placement:
    """A subscription to place under a management group."""

    key: str
    """Short name of the subscription (``management``, ``connectivity``...), used in logical names."""
    group: Group
    """The management group it goes under."""
    provider: pulumi.ProviderResource | None = None
    """The azure-native provider of that subscription (the placement is made in its context)."""


@dataclass(frozen=True)
class ManagementGroupsArgs:
    """Inputs of :class:`ManagementGroups`."""

    common: CommonArgs = field(default_factory=CommonArgs)
    """Shared inputs (prefix, tags, protect). Default: ``CommonArgs()``."""
    root_id: str = ""
    """Id of the intermediate root management group. Default: the prefix."""
    parent_id: str | None = None
    """Id of the group the intermediate root goes under (the tenant root group's id is the tenant id).
    Default: ``None`` (the tenant root group)."""
    placements: Sequence[Placement] = ()
    """Subscriptions to place. Default: none."""

    def __post_init__(self) -> None:
        root = self.root_id or self.common.prefix
        for g in Group:
            validate_management_group_id("kasbah:rootId", management_group_id(root, g.value))
        if self.parent_id is not None:
            validate_management_group_id("kasbah:rootParentId", self.parent_id)

    @property
    def root(self) -> str:
        return self.root_id or self.common.prefix


class ManagementGroups(pulumi.ComponentResource):
    """The ALZ management-group hierarchy: Platform (Management, Connectivity, Identity, Security),
    Landing Zones (Corp, Online), Sandbox, Decommissioned, under an intermediate root."""

    group_ids: dict[Group, str]
    groups: dict[Group, management.ManagementGroup]

    def __init__(
        self,
        name: str,
        args: ManagementGroupsArgs,
        provider: pulumi.ProviderResource | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("kasbah:azure:ManagementGroups", name, None, opts)
        root = args.root
        self.group_ids = {g: management_group_id(root, g.value) for g in Group}
        self.groups = {}
        for g, (parent, display) in HIERARCHY.items():
            parent_id = (
                mg_resource_id(self.group_ids[parent])
                if parent is not None
                else (mg_resource_id(args.parent_id) if args.parent_id else None)
            )
            depends = [self.groups[parent]] if parent is not None else []
            self.groups[g] = management.ManagementGroup(
                child_name(name, "mg", g.value or "root"),
                group_id=self.group_ids[g],
                display_name=display.format(prefix=root),
                details=management.CreateManagementGroupDetailsArgs(
                    parent=management.CreateParentGroupInfoArgs(id=parent_id) if parent_id else None
                ),
                opts=pulumi.ResourceOptions(
                    parent=self, provider=provider, depends_on=depends, protect=args.common.protect
                ),
            )
        self.placements: list[management.ManagementGroupSubscription] = []
        self.placed: dict[str, management.ManagementGroupSubscription] = {}
        """Each placement by its key."""
        for p in args.placements:
            self.placements.append(
                management.ManagementGroupSubscription(
                    child_name(name, "placement", p.key),
                    group_id=self.group_ids[p.group],
                    opts=pulumi.ResourceOptions(
                        parent=self, provider=p.provider, depends_on=[self.groups[p.group]]
                    ),
                )
            )
            self.placed[p.key] = self.placements[-1]
        self.root_id = pulumi.Output.from_input(self.group_ids[Group.ROOT])
        self.register_outputs(
            {
                "rootId": self.root_id,
                "groupIds": {g.value or "root": gid for g, gid in self.group_ids.items()},
                "managementGroupIds": [mg.id for mg in self.groups.values()],
            }
        )

    def resource_id(self, group: Group) -> str:
        """Resource id of one of the hierarchy's groups."""
        return mg_resource_id(self.group_ids[group])
