"""LandingZone (subscription vending): an optional new subscription placed under Corp or Online, its
owners' role assignments, a spoke VNet peered both ways with the hub, routes through the hub firewall,
an NSG on every subnet, VNet flow logs, tagged resource groups, a Key Vault behind a private endpoint,
a budget, and a Recovery Services vault whose daily policy every VM is enrolled in.

Microsoft documentation relied on:
- subscription aliases: https://learn.microsoft.com/azure/cost-management-billing/manage/programmatically-create-subscription
  (EA enrollment account or MCA invoice section billing scope; ``managementGroupId`` places it) and
  https://learn.microsoft.com/powershell/module/az.subscription/remove-azsubscriptionalias ("the name for
  the subscription creation request ... doesn't have any other lifecycle need": deleting it leaves the
  subscription running; cancelling is https://learn.microsoft.com/azure/cost-management-billing/manage/cancel-azure-subscription);
- role assignments: https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template;
- peering with gateway transit: https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview#gateways-and-on-premises-connectivity
  and https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-peering-gateway-transit (the hub side,
  allowGatewayTransit, must exist before the spoke side can set useRemoteGateways);
- routes: https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview (longest
  prefix wins; the peering's route to the hub stays more specific than the spoke's UDRs); Online spokes:
  a public load balancer or Application Gateway answers on its public IP, so a 0.0.0.0/0 route to the
  firewall would send its replies through the firewall and break them
  (https://learn.microsoft.com/azure/firewall/integrate-lb#asymmetric-routing,
  https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure#supported-user-defined-routes);
- Key Vault: https://learn.microsoft.com/azure/key-vault/general/private-link-service, purge protection
  https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview;
- budgets: https://learn.microsoft.com/rest/api/consumption/budgets/create-or-update and the SDK model
  https://learn.microsoft.com/dotnet/api/azure.resourcemanager.consumption.consumptionbudgetdata.timeperiod
  ("must be first of the month ... past start date should be selected within the timegrain period");
- NSGs and subnets: https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview,
  default outbound access off: https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access;
- private endpoints: in the virtual network's subscription and region
  (https://learn.microsoft.com/azure/private-link/private-endpoint-overview), DNS zone group per zone;
- Recovery Services vault and VM backup policy: https://learn.microsoft.com/azure/backup/backup-azure-vms-first-look-arm,
  restore-point resource group name: https://learn.microsoft.com/azure/backup/backup-during-vm-creation#azure-backup-resource-group-for-virtual-machines;
- VM enrolment: built-in policy 09ce66bc-1220-4153-8104-e3f51c936913
  (https://learn.microsoft.com/azure/backup/backup-azure-auto-enable-backup).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pulumi
from pulumi_azure_native import (
    authorization,
    consumption,
    keyvault,
    network,
    recoveryservices,
    resources,
    subscription,
)
from pulumi_azure_native import (
    provider as azure_provider,
)

from components.azure import addressing as ad
from components.azure import policy_library as pl
from components.azure.connectivity import HubRef
from components.azure.diagnostics import send_to_workspace
from components.azure.flow_logs import (
    FlowLogTarget,
    NetworkWatcherMode,
    WatcherRef,
    create_watcher,
    lookup_watcher,
    vnet_flow_log,
)
from components.azure.management_groups import mg_resource_id
from components.azure.naming import Kind, resource_name
from components.azure.network_data import KEY_VAULT_DNS_ZONE
from components.azure.policy_baseline import PolicySettings, SubscriptionTarget, assign, remediate
from components.azure.preview import known_or_unknown
from components.azure.private_endpoints import private_endpoint
from components.azure.validation import DEFAULT_LOCATION, validate_guid, validate_subscription_id
from components.common import CommonArgs, DataClassification, child_name, classification_tags, layer_tags
from components.errors import ConfigError


class Archetype(StrEnum):
    """Where a landing zone sits: Corp (private, connected) or Online (internet-facing)."""

    CORP = "corp"
    ONLINE = "online"


__all__ = ["Archetype", "LandingZone", "LandingZoneArgs", "NetworkWatcherMode", "RoleGrant"]

PRIVATE_RANGES: tuple[str, ...] = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
"""RFC 1918: what an Online spoke sends through the firewall (other spokes, on-premises)."""

_NS = uuid.UUID("0b1e4d7a-6c2f-4f7e-9a3b-5d8c1e2f3a4b")


def _owner_guid(principal: str) -> Callable[[list[Any]], str]:
    def make(v: list[Any]) -> str:
        return str(uuid.uuid5(_NS, f"{str(v[0]).lower()}|{principal}|{str(v[1]).lower()}"))

    return make


def budget_start(today: dt.date) -> str:
    """The budget's first month: the current one (Azure accepts no earlier month for a new budget)."""
    return today.replace(day=1).isoformat()


def restore_point_rg_prefix(prefix: str, lz: str) -> str:
    """The name prefix Azure Backup gives the landing zone's restore-point resource groups (``<prefix>1``...)."""
    return f"rg-{prefix}-{lz}-rp-"


def restore_point_rg_pattern(prefix: str) -> str:
    """A ``like`` pattern matching every landing zone's restore-point resource groups."""
    return f"rg-{prefix}-*-rp-*"


class PrincipalType(StrEnum):
    USER = "User"
    GROUP = "Group"
    SERVICE_PRINCIPAL = "ServicePrincipal"


@dataclass(frozen=True)
class RoleGrant:
    """A role the landing zone's owners get on its subscription."""

    principal_id: str
    """Entra ID object id of the user, group or service principal. Required."""
    principal_type: PrincipalType
    role_definition_id: pulumi.Input[str]
    """Role definition id (a built-in role, or a custom role of the library)."""
    role: str
    """Role name (for logical names and descriptions)."""
    depends_on: Sequence[pulumi.Resource] = ()
    """The custom role definition, when the role is one."""


@dataclass(frozen=True)
class LandingZoneArgs:
    """Inputs of :class:`LandingZone`."""

    name: str
    """Short name of the landing zone (letters, digits, hyphens), used in every name. Required."""
    cidr: str
    """Spoke address space. Required (the blueprint allocates it from the spoke pool)."""
    hub: HubRef
    """The hub to peer with (from :class:`Connectivity`). Required."""
    tenant_id: str
    """Entra ID tenant id (Key Vault). Required."""
    subscription_id: str | None = None
    """Existing subscription id. Default: ``None`` (then ``billing_scope`` vends a new one)."""
    billing_scope: str | None = None
    """Billing scope of a new subscription (``subscription.Alias``). Default: ``None``."""
    root_id: str = ""
    """Intermediate root management group id (placement of a new subscription). Default: the prefix."""
    archetype: Archetype = Archetype.CORP
    """Corp or Online. Default: ``corp``."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Shared inputs. Default: ``CommonArgs()``."""
    location: str = DEFAULT_LOCATION
    """Spoke location. Default: ``francecentral``."""
    tiers: Sequence[str] = ("app", "data", "pep")
    """Subnet tiers; the last one holds private endpoints. Default: app, data, pep."""
    classification: DataClassification = DataClassification.INTERNAL
    """Classification of the landing zone's data. Default: ``internal``."""
    budget_amount: float = 1000.0
    """Monthly budget in the billing currency. Default: ``1000``."""
    budget_start: str | None = None
    """First month of the budget (YYYY-MM-01), used when the budget is created (later changes are
    ignored). Default: the current month when the program runs."""
    budget_emails: Sequence[str] = ()
    """Budget alert recipients. Default: none."""
    action_group_id: pulumi.Input[str] | None = None
    """Action group notified by the budget. Default: ``None``."""
    workspace: tuple[pulumi.Input[str], pulumi.Input[str]] | None = None
    """(resource id, customer id) of the Log Analytics workspace (diagnostic settings). Default: ``None``."""
    flow_logs: FlowLogTarget | None = None
    """Where the spoke's flow logs go (storage in the management subscription, traffic analytics).
    Default: ``None`` (no flow log)."""
    backup_retention_days: int = 30
    """Daily backup retention of the VM backup policy. Default: ``30``."""
    owners: Sequence[RoleGrant] = ()
    """Roles the landing zone's owners get on its subscription. Default: none."""
    policies: PolicySettings | None = None
    """The policy library: its ``landing_zone_subscription`` archetype is assigned at the subscription
    (VM backup enrolment in this landing zone's vault). Default: ``None`` (no subscription assignment)."""
    management_group: pulumi.Resource | None = None
    """The Corp or Online management group a vended subscription is placed under (the alias waits for it)."""

    def __post_init__(self) -> None:
        key = f"kasbah:landingZones.{self.name}"
        if not self.name or not self.name.replace("-", "").isalnum() or len(self.name) > 20:
            raise ConfigError(
                f"{key}.name", f"{self.name!r} is not 1-20 letters, digits or hyphens", "rename it"
            )
        if (self.subscription_id is None) == (self.billing_scope is None):
            raise ConfigError(
                f"{key}.subscriptionId and {key}.billingScope",
                "exactly one of them must be set",
                "set subscriptionId for an existing subscription, or billingScope to vend a new one",
            )
        if self.subscription_id is not None:
            validate_subscription_id(f"{key}.subscriptionId", self.subscription_id)
        if self.billing_scope is not None and not self.billing_scope.startswith(
            "/providers/Microsoft.Billing/"
        ):
            raise ConfigError(
                f"{key}.billingScope",
                f"{self.billing_scope!r} is not a billing scope id",
                "use /providers/Microsoft.Billing/billingAccounts/<account>/enrollmentAccounts/<id> "
                "(or the MCA invoice section id)",
            )
        validate_guid("kasbah:tenantId", self.tenant_id, "tenant id")
        if self.budget_start is not None:
            try:
                first = dt.date.fromisoformat(self.budget_start)
            except ValueError:
                first = None
            if first is None or first.day != 1:
                raise ConfigError(
                    f"{key}.budgetStart",
                    f"{self.budget_start!r} is not the first of a month",
                    "use YYYY-MM-01",
                )
        for i, o in enumerate(self.owners):
            validate_guid(f"{key}.owners[{i}].principalId", o.principal_id, "principal (object) id")
        if self.policies is not None:
            pl.resolve(
                self.policies.load(),
                pl.SUBSCRIPTION_ARCHETYPE,
                None,
                self.root_id or self.common.prefix,
                self.policies.switches,
                {"backup_vault_location": self.location, "backup_policy_id": "/placeholder"},
            )
        if self.budget_amount <= 0:
            raise ConfigError(
                f"{key}.budgetAmount", f"{self.budget_amount} is not positive", "set a positive amount"
            )
        ad.plan_spoke_subnets(f"{key}.tiers", ipaddress.IPv4Network(self.cidr), self.tiers)

    @property
    def unique_by(self) -> str:
        """Basis of globally unique names: the subscription id, or the alias (a vended id is not known yet)."""
        return unique_basis(self.common.prefix, self.name, self.subscription_id, self.billing_scope)


def unique_basis(prefix: str, name: str, subscription_id: str | None, billing_scope: str | None) -> str:
    """The subscription id, or for a vended subscription its billing scope and alias."""
    return subscription_id.lower() if subscription_id else f"{billing_scope}/{prefix}-{name}"


def global_names(prefix: str, name: str, location: str, unique_by: str) -> dict[str, str]:
    """A landing zone's globally unique names (its Key Vault), cut to Azure's limits."""
    return {"key vault": resource_name(Kind.KEY_VAULT, prefix, name, unique_by=unique_by)}


class LandingZone(pulumi.ComponentResource):
    """One application landing zone (a spoke of the hub)."""

    def __init__(
        self,
        name: str,
        args: LandingZoneArgs,
        provider: pulumi.ProviderResource | None = None,
        tenant_provider: pulumi.ProviderResource | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``provider``: the landing zone's subscription (ignored when one is vended);
        ``tenant_provider``: any provider allowed to create subscription aliases (vending only)."""
        super().__init__("kasbah:azure:LandingZone", name, None, opts)
        c = args.common
        loc = args.location
        lz = args.name
        hub = args.hub
        root = args.root_id or c.prefix
        unique_names = global_names(c.prefix, lz, loc, args.unique_by)

        self.alias: subscription.Alias | None = None
        sub_id: pulumi.Output[str]
        if args.billing_scope is not None:
            self.alias = subscription.Alias(
                child_name(name, "sub"),
                alias_name=resource_name(Kind.SUBSCRIPTION_ALIAS, c.prefix, lz),
                properties=subscription.PutAliasRequestPropertiesArgs(
                    billing_scope=args.billing_scope,
                    display_name=f"{c.prefix}-{lz}",
                    workload="Production",
                    additional_properties=subscription.PutAliasRequestAdditionalPropertiesArgs(
                        management_group_id=mg_resource_id(f"{root}-{args.archetype.value}"),
                        tags=dict(c.tags) or None,
                    ),
                ),
                opts=pulumi.ResourceOptions(
                    parent=self,
                    provider=tenant_provider,
                    protect=c.protect,
                    depends_on=[args.management_group] if args.management_group is not None else [],
                ),
            )
            sub_id = self.alias.properties.apply(lambda p: known_or_unknown(p.subscription_id))
            provider = azure_provider.Provider(
                child_name(name, "provider"),
                subscription_id=sub_id,
                location=loc,
                opts=pulumi.ResourceOptions(parent=self),
            )
        else:
            sub_id = pulumi.Output.from_input(args.subscription_id or "")
        self.subscription_id = sub_id
        self.provider = provider
        sub_scope = pulumi.Output.concat("/subscriptions/", sub_id)
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        stateful = pulumi.ResourceOptions(parent=self, provider=provider, protect=c.protect)
        base_tags = layer_tags(c.tags, {"landing-zone": lz, "archetype": args.archetype.value})
        data_tags = layer_tags(base_tags, classification_tags(args.classification))

        # The owners' roles on the subscription (the name is a GUID of scope, principal and role).
        self.owner_assignments: list[authorization.RoleAssignment] = []
        for grant in args.owners:
            self.owner_assignments.append(
                authorization.RoleAssignment(
                    child_name(name, "owner", grant.principal_id[:8], grant.role.lower().replace(" ", "-")),
                    scope=sub_scope,
                    role_assignment_name=pulumi.Output.all(sub_scope, grant.role_definition_id).apply(
                        _owner_guid(grant.principal_id)
                    ),
                    role_definition_id=grant.role_definition_id,
                    principal_id=grant.principal_id,
                    principal_type=grant.principal_type.value,
                    description=f"Landing zone {lz}: {grant.role}",
                    opts=pulumi.ResourceOptions(
                        parent=self, provider=provider, depends_on=list(grant.depends_on)
                    ),
                )
            )

        def rg(role: str, tags: dict[str, str]) -> resources.ResourceGroup:
            return resources.ResourceGroup(
                child_name(name, "rg", role),
                resource_group_name=resource_name(Kind.RESOURCE_GROUP, c.prefix, lz, role, location=loc),
                location=loc,
                tags=tags,
                opts=child,
            )

        self.network_rg = rg(
            "network", layer_tags(base_tags, classification_tags(DataClassification.INTERNAL))
        )
        self.security_rg = rg("security", data_tags)
        self.backup_rg = rg("backup", data_tags)
        net_rg = self.network_rg.name

        # Routes: Corp sends everything leaving the spoke through the hub firewall; Online sends only
        # private ranges (other spokes, on-premises) there, so that replies of its public load
        # balancers and application gateways leave the way the requests came. Either way both
        # directions of spoke <-> spoke and spoke <-> on-premises cross the firewall (the hub's
        # gateway subnet sends each spoke prefix to it), and the hub itself stays direct both ways.
        if args.archetype is Archetype.CORP:
            routes = [
                network.RouteArgs(
                    name="default-to-firewall",
                    address_prefix="0.0.0.0/0",
                    next_hop_type="VirtualAppliance",
                    next_hop_ip_address=hub.firewall_private_ip,
                )
            ]
        else:
            routes = [
                network.RouteArgs(
                    name=f"private-{block.split('/')[0].replace('.', '-')}-to-firewall",
                    address_prefix=block,
                    next_hop_type="VirtualAppliance",
                    next_hop_ip_address=hub.firewall_private_ip,
                )
                for block in PRIVATE_RANGES
            ]
        self.route_table = network.RouteTable(
            child_name(name, "rt"),
            route_table_name=resource_name(Kind.ROUTE_TABLE, c.prefix, lz, location=loc),
            resource_group_name=net_rg,
            location=loc,
            disable_bgp_route_propagation=True,
            routes=routes,
            tags=base_tags,
            opts=child,
        )
        spoke_net = ipaddress.IPv4Network(args.cidr)
        plan = ad.plan_spoke_subnets(f"kasbah:landingZones.{lz}.tiers", spoke_net, args.tiers)
        self.nsgs: dict[str, network.NetworkSecurityGroup] = {}
        subnets = []
        for s in plan:
            nsg = network.NetworkSecurityGroup(
                child_name(name, "nsg", s.name),
                network_security_group_name=resource_name(
                    Kind.NSG, c.prefix, lz, s.name.removeprefix("snet-"), location=loc
                ),
                resource_group_name=net_rg,
                location=loc,
                security_rules=[],
                tags=base_tags,
                opts=child,
            )
            self.nsgs[s.name] = nsg
            subnets.append(
                network.SubnetArgs(
                    name=s.name,
                    address_prefix=str(s.cidr),
                    network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id),
                    route_table=network.RouteTableArgs(id=self.route_table.id),
                    default_outbound_access=False,
                    private_endpoint_network_policies="Enabled",
                )
            )
        self.vnet_name = resource_name(Kind.VIRTUAL_NETWORK, c.prefix, lz, location=loc)
        self.vnet = network.VirtualNetwork(
            child_name(name, "vnet"),
            virtual_network_name=self.vnet_name,
            resource_group_name=net_rg,
            location=loc,
            address_space=network.AddressSpaceArgs(address_prefixes=[args.cidr]),
            dhcp_options=network.DhcpOptionsArgs(dns_servers=[hub.firewall_private_ip]),
            subnets=subnets,
            tags=base_tags,
            opts=pulumi.ResourceOptions(
                parent=self, provider=provider, ignore_changes=["virtualNetworkPeerings"]
            ),
        )
        # The hub side first: Azure refuses useRemoteGateways until the hub's peering allows
        # gateway transit, so the spoke side waits for it.
        self.peering_from_hub = network.VirtualNetworkPeering(
            child_name(name, "peer", "from-hub"),
            virtual_network_peering_name=resource_name(Kind.PEERING, c.prefix, "hub-to", lz),
            resource_group_name=hub.resource_group_name,
            virtual_network_name=hub.vnet_name,
            remote_virtual_network=network.SubResourceArgs(id=self.vnet.id),
            allow_virtual_network_access=True,
            allow_forwarded_traffic=True,
            allow_gateway_transit=hub.gateway,
            opts=pulumi.ResourceOptions(parent=self, provider=hub.provider, depends_on=list(hub.depends_on)),
        )
        self.peering_to_hub = network.VirtualNetworkPeering(
            child_name(name, "peer", "to-hub"),
            virtual_network_peering_name=resource_name(Kind.PEERING, c.prefix, lz, "to-hub"),
            resource_group_name=net_rg,
            virtual_network_name=self.vnet.name,
            remote_virtual_network=network.SubResourceArgs(id=hub.vnet_id),
            allow_virtual_network_access=True,
            allow_forwarded_traffic=True,
            use_remote_gateways=hub.gateway,
            opts=pulumi.ResourceOptions(
                parent=self, provider=provider, depends_on=[*hub.depends_on, self.peering_from_hub]
            ),
        )

        # VNet flow logs: the regional Network Watcher Azure created (looked up once the VNet exists).
        self.flow_log: network.FlowLog | None = None
        self.watcher: WatcherRef | None = None
        if args.flow_logs is not None:
            fl = args.flow_logs
            if fl.watcher is not None:
                self.watcher = fl.watcher
            elif fl.network_watcher is NetworkWatcherMode.CREATE:
                self.watcher = create_watcher(child_name(name, "nw"), loc, net_rg, base_tags, child)
            else:
                self.watcher = lookup_watcher(loc, self.vnet, provider, self)
            self.flow_log = vnet_flow_log(
                child_name(name, "fl"),
                prefix=c.prefix,
                label=lz,
                location=loc,
                vnet=self.vnet,
                target=fl,
                watcher=self.watcher,
                tags=base_tags,
                opts=child,
            )

        # Key Vault: RBAC, purge protection, private endpoint only.
        self.key_vault = keyvault.Vault(
            child_name(name, "kv"),
            vault_name=unique_names["key vault"],
            resource_group_name=self.security_rg.name,
            location=loc,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=args.tenant_id,
                sku=keyvault.SkuArgs(family="A", name=keyvault.SkuName.STANDARD),
                enable_rbac_authorization=True,
                enable_purge_protection=True,
                enable_soft_delete=True,
                soft_delete_retention_in_days=90,
                public_network_access="Disabled",
                network_acls=keyvault.NetworkRuleSetArgs(default_action="Deny", bypass="AzureServices"),
            ),
            tags=data_tags,
            opts=stateful,
        )
        zone_id = hub.dns_zone_ids.get(KEY_VAULT_DNS_ZONE)
        self.key_vault_endpoint = private_endpoint(
            child_name(name, "pep", "kv"),
            endpoint_name=resource_name(Kind.PRIVATE_ENDPOINT, c.prefix, lz, "kv", location=loc),
            resource_group_name=self.security_rg.name,
            location=loc,
            subnet_id=pulumi.Output.concat(self.vnet.id, "/subnets/", plan[-1].name),
            target_id=self.key_vault.id,
            group_id="vault",
            zones={"vault": zone_id} if zone_id is not None else {},
            tags=base_tags,
            opts=child,
        )

        # Budget on the subscription. Its start is the current month when it is created; later
        # runs ignore the date (Azure accepts no earlier month for a new budget, and a start date
        # cannot be changed to a past one).
        contact_groups = [args.action_group_id] if args.action_group_id is not None else None
        notifications = {
            f"actual-{t}": consumption.NotificationArgs(
                enabled=True,
                operator="GreaterThanOrEqualTo",
                threshold=t,
                threshold_type="Actual",
                contact_emails=list(args.budget_emails),
                contact_groups=contact_groups,
            )
            for t in (80, 100)
        }
        notifications["forecast-100"] = consumption.NotificationArgs(
            enabled=True,
            operator="GreaterThanOrEqualTo",
            threshold=100,
            threshold_type="Forecasted",
            contact_emails=list(args.budget_emails),
            contact_groups=contact_groups,
        )
        start = args.budget_start or budget_start(dt.datetime.now(dt.UTC).date())
        self.budget = consumption.Budget(
            child_name(name, "budget"),
            budget_name=resource_name(Kind.BUDGET, c.prefix, lz),
            scope=sub_scope,
            amount=args.budget_amount,
            category="Cost",
            time_grain="Monthly",
            time_period=consumption.BudgetTimePeriodArgs(start_date=f"{start}T00:00:00Z"),
            notifications=notifications,
            opts=pulumi.ResourceOptions(parent=self, provider=provider, ignore_changes=["timePeriod"]),
        )

        # Recovery Services vault (zone-redundant, no cross-region copy) with a daily VM backup policy.
        self.recovery_vault = recoveryservices.Vault(
            child_name(name, "rsv"),
            vault_name=resource_name(Kind.RECOVERY_VAULT, c.prefix, lz, location=loc),
            resource_group_name=self.backup_rg.name,
            location=loc,
            sku=recoveryservices.SkuArgs(name="RS0", tier="Standard"),
            identity=recoveryservices.IdentityDataArgs(type="SystemAssigned"),
            properties=recoveryservices.VaultPropertiesArgs(
                public_network_access="Disabled",
                redundancy_settings=recoveryservices.VaultPropertiesRedundancySettingsArgs(
                    standard_tier_storage_redundancy="ZoneRedundant", cross_region_restore="Disabled"
                ),
                security_settings=recoveryservices.SecuritySettingsArgs(
                    soft_delete_settings=recoveryservices.SoftDeleteSettingsArgs(
                        soft_delete_state="AlwaysON", soft_delete_retention_period_in_days=14
                    ),
                    immutability_settings=recoveryservices.ImmutabilitySettingsArgs(state="Unlocked"),
                ),
            ),
            tags=data_tags,
            opts=stateful,
        )
        self.backup_policy = recoveryservices.ProtectionPolicy(
            child_name(name, "bkpol"),
            policy_name=resource_name(Kind.BACKUP_POLICY, c.prefix, lz, "vm-daily"),
            vault_name=self.recovery_vault.name,
            resource_group_name=self.backup_rg.name,
            properties=recoveryservices.AzureIaaSVMProtectionPolicyArgs(
                backup_management_type="AzureIaasVM",
                time_zone="UTC",
                instant_rp_retention_range_in_days=2,
                # Restore points go to rg-<prefix>-<lz>-rp-<n>, a name the tag policy knows.
                instant_rp_details=recoveryservices.InstantRPAdditionalDetailsArgs(
                    azure_backup_rg_name_prefix=restore_point_rg_prefix(c.prefix, lz)
                ),
                schedule_policy=recoveryservices.SimpleSchedulePolicyArgs(
                    schedule_policy_type="SimpleSchedulePolicy",
                    schedule_run_frequency="Daily",
                    schedule_run_times=["2026-01-01T02:00:00Z"],
                ),
                retention_policy=recoveryservices.LongTermRetentionPolicyArgs(
                    retention_policy_type="LongTermRetentionPolicy",
                    daily_schedule=recoveryservices.DailyRetentionScheduleArgs(
                        retention_times=["2026-01-01T02:00:00Z"],
                        retention_duration=recoveryservices.RetentionDurationArgs(
                            count=args.backup_retention_days, duration_type="Days"
                        ),
                    ),
                ),
            ),
            opts=child,
        )

        # The subscription's own assignments (the library's landing_zone_subscription archetype).
        self.policy_assignments: list[authorization.PolicyAssignment] = []
        self.remediations: list[pulumi.Resource] = []
        if args.policies is not None:
            defaults: Mapping[str, object] = {
                "backup_vault_location": loc,
                "backup_policy_id": self.backup_policy.id,
            }
            target = SubscriptionTarget(f"lz-{lz}", sub_id, pl.Group.CORP, provider, [])
            for a in pl.resolve(
                args.policies.load(), pl.SUBSCRIPTION_ARCHETYPE, None, root, args.policies.switches, defaults
            ):
                done = assign(
                    name,
                    a,
                    sub_scope,
                    loc,
                    defaults,
                    pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[self.backup_policy]),
                )
                self.policy_assignments.append(done.assignment)
                deployment = remediate(name, [done], target, loc, self)
                if deployment is not None:
                    self.remediations.append(deployment)

        if c.diagnostics and args.workspace is not None:
            ws = args.workspace[0]
            send_to_workspace(child_name(name, "diag", "kv"), self.key_vault.id, ws, child)
            for sname, nsg in self.nsgs.items():
                send_to_workspace(child_name(name, "diag", "nsg", sname), nsg.id, ws, child, metrics=False)
            send_to_workspace(
                child_name(name, "diag", "rsv"), self.recovery_vault.id, ws, child, metrics=False
            )

        self.register_outputs(
            {
                "subscriptionId": sub_id,
                "vnetId": self.vnet.id,
                "routeTableId": self.route_table.id,
                "keyVaultId": self.key_vault.id,
                "nsgIds": [n.id for n in self.nsgs.values()],
                "recoveryVaultId": self.recovery_vault.id,
            }
        )
