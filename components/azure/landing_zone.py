"""LandingZone (subscription vending): an optional new subscription placed under Corp or Online, a spoke
VNet peered both ways with the hub, default route to the firewall, an NSG on every subnet, VNet flow
logs, tagged resource groups, a Key Vault behind a private endpoint, a budget, and a Recovery Services
vault with a backup policy."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import pulumi
from pulumi_azure_native import (
    consumption,
    keyvault,
    network,
    recoveryservices,
    resources,
    storage,
    subscription,
)
from pulumi_azure_native import (
    provider as azure_provider,
)

from components.azure import addressing as ad
from components.azure.connectivity import HubRef
from components.azure.diagnostics import send_to_workspace
from components.azure.management_groups import mg_resource_id
from components.azure.naming import Kind, location_code, resource_name
from components.azure.network_data import KEY_VAULT_DNS_ZONE
from components.azure.preview import known_or_unknown
from components.azure.validation import DEFAULT_LOCATION, validate_guid, validate_subscription_id
from components.common import CommonArgs, DataClassification, child_name, classification_tags, layer_tags
from components.errors import ConfigError


class Archetype(StrEnum):
    """Where a landing zone sits: Corp (private, connected) or Online (internet-facing)."""

    CORP = "corp"
    ONLINE = "online"


class NetworkWatcherMode(StrEnum):
    """``create`` the regional Network Watcher (NetworkWatcherRG), or use the one Azure already created."""

    CREATE = "create"
    EXISTING = "existing"


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
    budget_start: str = "2026-12-01"
    """First month of the budget (YYYY-MM-01). Default: ``2026-12-01``."""
    budget_emails: Sequence[str] = ()
    """Budget alert recipients. Default: none."""
    action_group_id: pulumi.Input[str] | None = None
    """Action group notified by the budget. Default: ``None``."""
    workspace: tuple[pulumi.Input[str], pulumi.Input[str]] | None = None
    """(resource id, customer id) of the Log Analytics workspace for traffic analytics. Default: ``None``."""
    network_watcher: NetworkWatcherMode = NetworkWatcherMode.CREATE
    """Create the regional Network Watcher or use Azure's. Default: ``create``."""
    network_watcher_depends_on: Sequence[pulumi.Resource] = ()
    """With ``existing``: the resources that create that watcher (another landing zone's). Default: none."""
    flow_log_retention_days: int = 90
    """Retention of VNet flow logs. Default: ``90``."""
    backup_retention_days: int = 30
    """Daily backup retention of the VM backup policy. Default: ``30``."""

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
        if not self.budget_start.endswith("-01"):
            raise ConfigError(
                f"{key}.budgetStart", f"{self.budget_start!r} is not the first of a month", "use YYYY-MM-01"
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
    """A landing zone's globally unique names (Key Vault, flow-log storage account), cut to Azure's limits."""
    return {
        "key vault": resource_name(Kind.KEY_VAULT, prefix, name, unique_by=unique_by),
        "flow-log storage account": resource_name(
            Kind.STORAGE_ACCOUNT, prefix, name, "fl", location_code(location), unique_by=unique_by
        ),
    }


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
                opts=pulumi.ResourceOptions(parent=self, provider=tenant_provider, protect=c.protect),
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
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        stateful = pulumi.ResourceOptions(parent=self, provider=provider, protect=c.protect)
        base_tags = layer_tags(c.tags, {"landing-zone": lz, "archetype": args.archetype.value})
        data_tags = layer_tags(base_tags, classification_tags(args.classification))
        log_tags = layer_tags(base_tags, classification_tags(DataClassification.INTERNAL))

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

        # Route table: everything leaving the spoke goes through the hub firewall.
        self.route_table = network.RouteTable(
            child_name(name, "rt"),
            route_table_name=resource_name(Kind.ROUTE_TABLE, c.prefix, lz, location=loc),
            resource_group_name=net_rg,
            location=loc,
            disable_bgp_route_propagation=True,
            routes=[
                network.RouteArgs(
                    name="default-to-firewall",
                    address_prefix="0.0.0.0/0",
                    next_hop_type="VirtualAppliance",
                    next_hop_ip_address=hub.firewall_private_ip,
                )
            ],
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
        self.peering_to_hub = network.VirtualNetworkPeering(
            child_name(name, "peer", "to-hub"),
            virtual_network_peering_name=resource_name(Kind.PEERING, c.prefix, lz, "to-hub"),
            resource_group_name=net_rg,
            virtual_network_name=self.vnet.name,
            remote_virtual_network=network.SubResourceArgs(id=hub.vnet_id),
            allow_virtual_network_access=True,
            allow_forwarded_traffic=True,
            use_remote_gateways=hub.gateway,
            opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=list(hub.depends_on)),
        )
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

        # VNet flow logs, with the regional Network Watcher and a storage account in the same region.
        nw_rg_name = "NetworkWatcherRG"
        nw_name = f"NetworkWatcher_{loc}"
        nw_deps: list[pulumi.Resource] = list(args.network_watcher_depends_on)
        self.network_watcher: network.NetworkWatcher | None = None
        if args.network_watcher is NetworkWatcherMode.CREATE:
            nw_rg = resources.ResourceGroup(
                child_name(name, "rg", "network-watcher"),
                resource_group_name=nw_rg_name,
                location=loc,
                tags=layer_tags(base_tags, classification_tags(DataClassification.INTERNAL)),
                opts=child,
            )
            nw = network.NetworkWatcher(
                child_name(name, "nw"),
                network_watcher_name=nw_name,
                resource_group_name=nw_rg.name,
                location=loc,
                tags=base_tags,
                opts=child,
            )
            self.network_watcher = nw
            nw_deps = [nw]
        self.flow_log_storage = storage.StorageAccount(
            child_name(name, "st", "flowlogs"),
            account_name=unique_names["flow-log storage account"],
            resource_group_name=net_rg,
            location=loc,
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_ZRS"),
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            allow_blob_public_access=False,
            allow_cross_tenant_replication=False,
            # Network Watcher writes as a trusted Microsoft service: that bypass needs the public
            # endpoint enabled behind a deny-by-default firewall (it does not apply when disabled).
            public_network_access="Enabled",
            network_rule_set=storage.NetworkRuleSetArgs(
                default_action=storage.DefaultAction.DENY, bypass="AzureServices"
            ),
            tags=log_tags,
            opts=stateful,
        )
        analytics = None
        if args.workspace is not None:
            analytics = network.TrafficAnalyticsPropertiesArgs(
                network_watcher_flow_analytics_configuration=network.TrafficAnalyticsConfigurationPropertiesArgs(
                    enabled=True,
                    workspace_resource_id=args.workspace[0],
                    workspace_id=args.workspace[1],
                    workspace_region=loc,
                    traffic_analytics_interval=60,
                )
            )
        self.flow_log = network.FlowLog(
            child_name(name, "fl"),
            flow_log_name=resource_name(Kind.FLOW_LOG, c.prefix, lz, location=loc),
            network_watcher_name=nw_name,
            resource_group_name=nw_rg_name,
            location=loc,
            target_resource_id=self.vnet.id,
            storage_id=self.flow_log_storage.id,
            enabled=True,
            format=network.FlowLogFormatParametersArgs(type="JSON", version=2),
            retention_policy=network.RetentionPolicyParametersArgs(
                enabled=True, days=args.flow_log_retention_days
            ),
            flow_analytics_configuration=analytics,
            tags=base_tags,
            opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=nw_deps),
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
        pep_subnet = plan[-1].name
        self.key_vault_endpoint = network.PrivateEndpoint(
            child_name(name, "pep", "kv"),
            private_endpoint_name=resource_name(Kind.PRIVATE_ENDPOINT, c.prefix, lz, "kv", location=loc),
            resource_group_name=self.security_rg.name,
            location=loc,
            subnet=network.SubnetArgs(id=pulumi.Output.concat(self.vnet.id, "/subnets/", pep_subnet)),
            private_link_service_connections=[
                network.PrivateLinkServiceConnectionArgs(
                    name="vault", private_link_service_id=self.key_vault.id, group_ids=["vault"]
                )
            ],
            tags=base_tags,
            opts=child,
        )
        zone_id = hub.dns_zone_ids.get(KEY_VAULT_DNS_ZONE)
        if zone_id is not None:
            network.PrivateDnsZoneGroup(
                child_name(name, "pep", "kv", "dns"),
                private_endpoint_name=self.key_vault_endpoint.name,
                private_dns_zone_group_name="default",
                resource_group_name=self.security_rg.name,
                private_dns_zone_configs=[
                    network.PrivateDnsZoneConfigArgs(name="vault", private_dns_zone_id=zone_id)
                ],
                opts=child,
            )

        # Budget on the subscription.
        notifications = {
            f"actual-{t}": consumption.NotificationArgs(
                enabled=True,
                operator="GreaterThanOrEqualTo",
                threshold=t,
                threshold_type="Actual",
                contact_emails=list(args.budget_emails),
                contact_groups=[args.action_group_id] if args.action_group_id is not None else None,
            )
            for t in (80, 100)
        }
        notifications["forecast-100"] = consumption.NotificationArgs(
            enabled=True,
            operator="GreaterThanOrEqualTo",
            threshold=100,
            threshold_type="Forecasted",
            contact_emails=list(args.budget_emails),
            contact_groups=[args.action_group_id] if args.action_group_id is not None else None,
        )
        self.budget = consumption.Budget(
            child_name(name, "budget"),
            budget_name=resource_name(Kind.BUDGET, c.prefix, lz),
            scope=pulumi.Output.concat("/subscriptions/", sub_id),
            amount=args.budget_amount,
            category="Cost",
            time_grain="Monthly",
            time_period=consumption.BudgetTimePeriodArgs(start_date=f"{args.budget_start}T00:00:00Z"),
            notifications=notifications,
            opts=child,
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
        if c.diagnostics and args.workspace is not None:
            ws = args.workspace[0]
            send_to_workspace(child_name(name, "diag", "kv"), self.key_vault.id, ws, child)
            send_to_workspace(
                child_name(name, "diag", "st-blob"),
                pulumi.Output.concat(self.flow_log_storage.id, "/blobServices/default"),
                ws,
                child,
            )
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
