"""Connectivity: the hub VNet, Azure Firewall and its policy, Bastion, optional VPN gateway, DDoS plan,
private DNS zones for private endpoints, optional DNS private resolver, the hub's flow log.

Microsoft documentation relied on:
- hub-spoke topology: https://learn.microsoft.com/azure/architecture/networking/architecture/hub-spoke
  and ALZ's https://learn.microsoft.com/azure/cloud-adoption-framework/ready/azure-best-practices/traditional-azure-networking-topology;
- Azure Firewall: https://learn.microsoft.com/azure/firewall/firewall-faq (AzureFirewallSubnet /26,
  first usable address), DNS proxy https://learn.microsoft.com/azure/firewall/dns-settings, forced
  tunnelling and the firewall subnet's routes https://learn.microsoft.com/azure/firewall/forced-tunneling;
- Bastion NSG rules: https://learn.microsoft.com/azure/bastion/bastion-nsg;
- VPN gateway: https://learn.microsoft.com/azure/vpn-gateway/about-zone-redundant-vnet-gateways (AZ SKUs,
  zone-redundant Standard public IP), GatewaySubnet routes (BGP propagation must stay enabled):
  https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings#gwsub and
  https://learn.microsoft.com/azure/firewall/tutorial-hybrid-portal (spoke prefixes sent to the firewall,
  so on-premises to spoke traffic takes the same path back);
- private DNS zones: https://learn.microsoft.com/azure/private-link/private-endpoint-dns, one zone per
  name linked to the hub (the firewall's DNS proxy resolves them for the spokes);
- DNS private resolver: https://learn.microsoft.com/azure/dns/dns-private-resolver-overview (dedicated
  delegated subnets, /28 minimum);
- DDoS Network Protection: https://learn.microsoft.com/azure/ddos-protection/ddos-protection-overview;
- public IPs: https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses (Standard,
  static, zone-redundant with zones 1, 2, 3, as the firewall, Bastion and AZ gateways require);
- subnets without default outbound access: https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access;
- diagnostic settings: https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi_azure_native import dnsresolver, network, privatedns, resources

from components.azure import addressing as ad
from components.azure.diagnostics import send_to_workspace
from components.azure.flow_logs import (
    FlowLogTarget,
    NetworkWatcherMode,
    WatcherRef,
    create_watcher,
    lookup_watcher,
    vnet_flow_log,
)
from components.azure.naming import Kind, resource_name
from components.azure.network_data import (
    BASELINE_APPLICATION_RULES,
    BASELINE_NETWORK_RULES,
    BASTION_NSG_RULES,
    FirewallSku,
    NsgRule,
    private_dns_zones,
)
from components.azure.validation import DEFAULT_LOCATION
from components.cidr import parse_cidr
from components.common import CommonArgs, DataClassification, child_name, classification_tags, layer_tags

ZONES = ["1", "2", "3"]


def security_rule(rule: NsgRule) -> network.SecurityRuleArgs:
    """An NSG rule as the azure-native input type."""
    many = len(rule.ports) > 1
    return network.SecurityRuleArgs(
        name=rule.name,
        priority=rule.priority,
        direction=rule.direction,
        access=rule.access,
        protocol=rule.protocol,
        source_address_prefix=rule.source,
        source_port_range="*",
        destination_address_prefix=rule.destination,
        destination_port_range=None if many else rule.ports[0],
        destination_port_ranges=list(rule.ports) if many else None,
    )


@dataclass(frozen=True)
class ConnectivityArgs:
    """Inputs of :class:`Connectivity`."""

    common: CommonArgs = field(default_factory=CommonArgs)
    """Shared inputs. Default: ``CommonArgs()``."""
    location: str = DEFAULT_LOCATION
    """Hub location. Default: ``francecentral``."""
    hub_cidr: str = "10.100.0.0/22"
    """Hub address space (/23 or larger). Default: ``10.100.0.0/22``."""
    spoke_address_space: Sequence[str] = ("10.101.0.0/16",)
    """Address ranges of the spokes (sources of the firewall's baseline rules). Default: ``10.101.0.0/16``."""
    firewall_sku: FirewallSku = FirewallSku.STANDARD
    """Azure Firewall tier. Default: ``Standard``."""
    vpn_gateway: bool = False
    """Create a zone-redundant route-based VPN gateway. Default: ``false``."""
    ddos_plan: bool = False
    """Create a DDoS Network Protection plan (about 2,944 USD a month) and protect the hub. Default: ``false``."""
    dns_resolver: bool = False
    """Create a DNS private resolver with inbound and outbound endpoints. Default: ``false``."""
    workspace_id: pulumi.Input[str] | None = None
    """Log Analytics workspace of the firewall's, Bastion's and NSGs' diagnostics (when
    ``common.diagnostics``). Default: ``None`` (no diagnostic settings)."""
    flow_logs: FlowLogTarget | None = None
    """Where the hub VNet's flow logs go. Default: ``None`` (no flow log)."""

    def __post_init__(self) -> None:
        ad.plan_hub("kasbah:hubCidr", self.hub_cidr, dns_resolver=True)
        for i, block in enumerate(self.spoke_address_space):
            parse_cidr(f"kasbah:spokePool[{i}]", block)


@dataclass(frozen=True)
class HubRef:
    """What a landing zone (and the platform's private endpoints) need from the hub."""

    vnet_id: pulumi.Output[str]
    vnet_name: str
    """The hub VNet's name (the hub-side peerings also depend on the VNet: ``depends_on``)."""
    resource_group_name: str
    """The hub's resource group name."""
    resource_group: pulumi.Output[str]
    """The hub's resource group name as an output of the group (carries the dependency)."""
    location: str
    firewall_private_ip: str
    gateway: bool
    dns_zone_ids: dict[str, pulumi.Output[str]]
    management_subnet_id: pulumi.Output[str]
    provider: pulumi.ProviderResource | None
    depends_on: Sequence[pulumi.Resource] = ()
    watcher: WatcherRef | None = None
    """The regional Network Watcher the hub created (``create`` mode), for spokes in the same subscription."""


class Connectivity(pulumi.ComponentResource):
    """The hub of the hub-and-spoke network."""

    def __init__(
        self,
        name: str,
        args: ConnectivityArgs,
        provider: pulumi.ProviderResource | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("kasbah:azure:Connectivity", name, None, opts)
        c = args.common
        loc = args.location
        self.plan = ad.plan_hub("kasbah:hubCidr", args.hub_cidr, dns_resolver=True)
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        tags = layer_tags(c.tags, {"kasbah-role": "connectivity"})
        rg_name = resource_name(Kind.RESOURCE_GROUP, c.prefix, "connectivity", location=loc)
        self.resource_group = resources.ResourceGroup(
            child_name(name, "rg"),
            resource_group_name=rg_name,
            location=loc,
            tags=layer_tags(tags, classification_tags(DataClassification.INTERNAL)),
            opts=child,
        )
        rg = self.resource_group.name

        self.ddos: network.DdosProtectionPlan | None = None
        if args.ddos_plan:
            self.ddos = network.DdosProtectionPlan(
                child_name(name, "ddos"),
                ddos_protection_plan_name=resource_name(Kind.DDOS_PLAN, c.prefix, "hub", location=loc),
                resource_group_name=rg,
                location=loc,
                tags=tags,
                opts=child,
            )

        def hub_nsg(role: str, rules: list[Any]) -> network.NetworkSecurityGroup:
            return network.NetworkSecurityGroup(
                child_name(name, "nsg", role),
                network_security_group_name=resource_name(Kind.NSG, c.prefix, f"hub-{role}", location=loc),
                resource_group_name=rg,
                location=loc,
                security_rules=rules,
                tags=tags,
                opts=child,
            )

        self.bastion_nsg = hub_nsg("bastion", [security_rule(r) for r in BASTION_NSG_RULES])
        self.management_nsg = hub_nsg("management", [])
        self.dns_nsg = hub_nsg("dns", [])
        nsg_of = {
            ad.BASTION_SUBNET: self.bastion_nsg,
            ad.MANAGEMENT_SUBNET: self.management_nsg,
            ad.DNS_INBOUND_SUBNET: self.dns_nsg,
            ad.DNS_OUTBOUND_SUBNET: self.dns_nsg,
        }
        # On-premises -> spoke must cross the firewall as spoke -> on-premises does (the spokes'
        # default route): the gateway subnet sends each spoke prefix to the firewall. BGP
        # propagation stays on (the gateway needs its routes); no 0.0.0.0/0 here.
        self.gateway_route_table: network.RouteTable | None = None
        if args.vpn_gateway:
            self.gateway_route_table = network.RouteTable(
                child_name(name, "rt", "gateway"),
                route_table_name=resource_name(Kind.ROUTE_TABLE, c.prefix, "hub-gateway", location=loc),
                resource_group_name=rg,
                location=loc,
                disable_bgp_route_propagation=False,
                routes=[
                    network.RouteArgs(
                        name=f"spoke-{str(block).replace('/', '_')}",
                        address_prefix=str(block),
                        next_hop_type="VirtualAppliance",
                        next_hop_ip_address=self.plan.firewall_private_ip,
                    )
                    for block in args.spoke_address_space
                ],
                tags=tags,
                opts=child,
            )
        subnets = []
        for sname, block in self.plan.subnets.items():
            if sname in (ad.DNS_INBOUND_SUBNET, ad.DNS_OUTBOUND_SUBNET) and not args.dns_resolver:
                continue
            nsg = nsg_of.get(sname)
            delegations = (
                [network.DelegationArgs(name="dns-resolver", service_name="Microsoft.Network/dnsResolvers")]
                if sname in (ad.DNS_INBOUND_SUBNET, ad.DNS_OUTBOUND_SUBNET)
                else None
            )
            subnets.append(
                network.SubnetArgs(
                    name=sname,
                    address_prefix=str(block),
                    network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id) if nsg else None,
                    delegations=delegations,
                    route_table=network.RouteTableArgs(id=self.gateway_route_table.id)
                    if sname == ad.GATEWAY_SUBNET and self.gateway_route_table is not None
                    else None,
                    default_outbound_access=False,
                )
            )
        self.vnet_name = resource_name(Kind.VIRTUAL_NETWORK, c.prefix, "hub", location=loc)
        self.vnet = network.VirtualNetwork(
            child_name(name, "vnet"),
            virtual_network_name=self.vnet_name,
            resource_group_name=rg,
            location=loc,
            address_space=network.AddressSpaceArgs(address_prefixes=[args.hub_cidr]),
            subnets=subnets,
            enable_ddos_protection=bool(self.ddos),
            ddos_protection_plan=network.SubResourceArgs(id=self.ddos.id) if self.ddos else None,
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self, provider=provider, ignore_changes=["virtualNetworkPeerings"]
            ),
        )

        def subnet_id(sname: str) -> pulumi.Output[str]:
            return pulumi.Output.concat(self.vnet.id, "/subnets/", sname)

        def public_ip(role: str) -> network.PublicIPAddress:
            return network.PublicIPAddress(
                child_name(name, "pip", role),
                public_ip_address_name=resource_name(Kind.PUBLIC_IP, c.prefix, f"hub-{role}", location=loc),
                resource_group_name=rg,
                location=loc,
                sku=network.PublicIPAddressSkuArgs(name="Standard", tier="Regional"),
                public_ip_allocation_method="Static",
                zones=ZONES,
                tags=tags,
                opts=child,
            )

        tier = args.firewall_sku
        self.firewall_policy = network.FirewallPolicy(
            child_name(name, "afwp"),
            firewall_policy_name=resource_name(Kind.FIREWALL_POLICY, c.prefix, "hub", location=loc),
            resource_group_name=rg,
            location=loc,
            sku=network.FirewallPolicySkuArgs(tier=tier.value),
            threat_intel_mode="Deny",
            dns_settings=network.DnsSettingsArgs(enable_proxy=True),
            intrusion_detection=network.FirewallPolicyIntrusionDetectionArgs(mode="Deny")
            if tier is FirewallSku.PREMIUM
            else None,
            tags=tags,
            opts=child,
        )
        sources = [*list(args.spoke_address_space), args.hub_cidr]
        self.rule_collection_group = network.FirewallPolicyRuleCollectionGroup(
            child_name(name, "afwp-rcg", "baseline"),
            rule_collection_group_name="platform-baseline",
            firewall_policy_name=self.firewall_policy.name,
            resource_group_name=rg,
            priority=200,
            rule_collections=[
                network.FirewallPolicyFilterRuleCollectionArgs(
                    rule_collection_type="FirewallPolicyFilterRuleCollection",
                    name="baseline-network",
                    priority=210,
                    action=network.FirewallPolicyFilterRuleCollectionActionArgs(type="Allow"),
                    rules=[
                        network.NetworkRuleArgs(
                            rule_type="NetworkRule",
                            name=r.name,
                            ip_protocols=list(r.protocols),
                            source_addresses=sources,
                            destination_fqdns=list(r.destination_fqdns) or None,
                            destination_addresses=list(r.destination_addresses) or None,
                            destination_ports=list(r.ports),
                        )
                        for r in BASELINE_NETWORK_RULES
                    ],
                ),
                network.FirewallPolicyFilterRuleCollectionArgs(
                    rule_collection_type="FirewallPolicyFilterRuleCollection",
                    name="baseline-application",
                    priority=220,
                    action=network.FirewallPolicyFilterRuleCollectionActionArgs(type="Allow"),
                    rules=[
                        network.ApplicationRuleArgs(
                            rule_type="ApplicationRule",
                            name=r.name,
                            source_addresses=sources,
                            fqdn_tags=list(r.fqdn_tags) or None,
                            target_fqdns=list(r.target_fqdns) or None,
                            protocols=[
                                network.FirewallPolicyRuleApplicationProtocolArgs(
                                    protocol_type="Https", port=443
                                ),
                                network.FirewallPolicyRuleApplicationProtocolArgs(
                                    protocol_type="Http", port=80
                                ),
                            ],
                        )
                        for r in BASELINE_APPLICATION_RULES
                    ],
                ),
            ],
            opts=child,
        )
        self.firewall_pip = public_ip("afw")
        self.firewall = network.AzureFirewall(
            child_name(name, "afw"),
            azure_firewall_name=resource_name(Kind.FIREWALL, c.prefix, "hub", location=loc),
            resource_group_name=rg,
            location=loc,
            sku=network.AzureFirewallSkuArgs(name="AZFW_VNet", tier=tier.value),
            firewall_policy=network.SubResourceArgs(id=self.firewall_policy.id),
            ip_configurations=[
                network.AzureFirewallIPConfigurationArgs(
                    name="ipconfig",
                    subnet=network.SubResourceArgs(id=subnet_id(ad.FIREWALL_SUBNET)),
                    public_ip_address=network.SubResourceArgs(id=self.firewall_pip.id),
                )
            ],
            zones=ZONES,
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self, provider=provider, depends_on=[self.rule_collection_group, self.vnet]
            ),
        )
        self.firewall_private_ip = self.plan.firewall_private_ip

        self.bastion_pip = public_ip("bas")
        self.bastion = network.BastionHost(
            child_name(name, "bas"),
            bastion_host_name=resource_name(Kind.BASTION, c.prefix, "hub", location=loc),
            resource_group_name=rg,
            location=loc,
            sku=network.SkuArgs(name="Standard"),
            enable_tunneling=True,
            enable_shareable_link=False,
            ip_configurations=[
                network.BastionHostIPConfigurationArgs(
                    name="ipconfig",
                    subnet=network.SubResourceArgs(id=subnet_id(ad.BASTION_SUBNET)),
                    public_ip_address=network.SubResourceArgs(id=self.bastion_pip.id),
                )
            ],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[self.vnet]),
        )

        self.gateway: network.VirtualNetworkGateway | None = None
        if args.vpn_gateway:
            gw_pip = public_ip("vpng")
            self.gateway = network.VirtualNetworkGateway(
                child_name(name, "vpng"),
                virtual_network_gateway_name=resource_name(Kind.VPN_GATEWAY, c.prefix, "hub", location=loc),
                resource_group_name=rg,
                location=loc,
                gateway_type="Vpn",
                vpn_type="RouteBased",
                vpn_gateway_generation="Generation2",
                sku=network.VirtualNetworkGatewaySkuArgs(name="VpnGw2AZ", tier="VpnGw2AZ"),
                active_active=False,
                enable_bgp=False,
                ip_configurations=[
                    network.VirtualNetworkGatewayIPConfigurationArgs(
                        name="ipconfig",
                        subnet=network.SubResourceArgs(id=subnet_id(ad.GATEWAY_SUBNET)),
                        public_ip_address=network.SubResourceArgs(id=gw_pip.id),
                        private_ip_allocation_method="Dynamic",
                    )
                ],
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[self.vnet]),
            )

        self.dns_zones: dict[str, privatedns.PrivateZone] = {}
        self.dns_zone_ids: dict[str, pulumi.Output[str]] = {}
        for zone in private_dns_zones(
            loc
        ):  # every name exactly as Microsoft documents it (geo-codes included)
            z = privatedns.PrivateZone(
                child_name(name, "pdns", zone),
                private_zone_name=zone,
                resource_group_name=rg,
                location="global",
                tags=tags,
                opts=child,
            )
            privatedns.VirtualNetworkLink(
                child_name(name, "pdns-link", zone),
                private_zone_name=z.name,
                resource_group_name=rg,
                virtual_network_link_name=f"link-{self.vnet_name}",
                virtual_network=privatedns.SubResourceArgs(id=self.vnet.id),
                registration_enabled=False,
                location="global",
                tags=tags,
                opts=child,
            )
            self.dns_zones[zone] = z
            self.dns_zone_ids[zone] = z.id

        self.dns_resolver: dnsresolver.DnsResolver | None = None
        if args.dns_resolver:
            self.dns_resolver = dnsresolver.DnsResolver(
                child_name(name, "dnspr"),
                dns_resolver_name=resource_name(Kind.DNS_RESOLVER, c.prefix, "hub", location=loc),
                resource_group_name=rg,
                location=loc,
                virtual_network=dnsresolver.SubResourceArgs(id=self.vnet.id),
                tags=tags,
                opts=child,
            )
            dnsresolver.InboundEndpoint(
                child_name(name, "dnspr-in"),
                dns_resolver_name=self.dns_resolver.name,
                inbound_endpoint_name=resource_name(Kind.DNS_INBOUND, c.prefix, "hub", location=loc),
                resource_group_name=rg,
                location=loc,
                ip_configurations=[
                    dnsresolver.IpConfigurationArgs(
                        subnet=dnsresolver.SubResourceArgs(id=subnet_id(ad.DNS_INBOUND_SUBNET)),
                        private_ip_allocation_method="Dynamic",
                    )
                ],
                tags=tags,
                opts=child,
            )
            dnsresolver.OutboundEndpoint(
                child_name(name, "dnspr-out"),
                dns_resolver_name=self.dns_resolver.name,
                outbound_endpoint_name=resource_name(Kind.DNS_OUTBOUND, c.prefix, "hub", location=loc),
                resource_group_name=rg,
                location=loc,
                subnet=dnsresolver.SubResourceArgs(id=subnet_id(ad.DNS_OUTBOUND_SUBNET)),
                tags=tags,
                opts=child,
            )

        if c.diagnostics and args.workspace_id is not None:
            watched: list[tuple[str, pulumi.CustomResource]] = [
                ("afw", self.firewall),
                ("bas", self.bastion),
                ("nsg-bastion", self.bastion_nsg),
                ("nsg-management", self.management_nsg),
                ("nsg-dns", self.dns_nsg),
            ]
            if self.gateway is not None:
                watched.append(("vpng", self.gateway))
            for role, res in watched:
                send_to_workspace(
                    child_name(name, "diag", role),
                    res.id,
                    args.workspace_id,
                    child,
                    metrics=not role.startswith("nsg"),
                )

        self.flow_log: network.FlowLog | None = None
        self.watcher: WatcherRef | None = None
        if args.flow_logs is not None:
            fl = args.flow_logs
            if fl.watcher is not None:
                self.watcher = fl.watcher
            elif fl.network_watcher is NetworkWatcherMode.CREATE:
                self.watcher = create_watcher(child_name(name, "nw"), loc, rg, tags, child)
            else:
                self.watcher = lookup_watcher(loc, self.vnet, provider, self)
            self.flow_log = vnet_flow_log(
                child_name(name, "fl"),
                prefix=c.prefix,
                label="hub",
                location=loc,
                vnet=self.vnet,
                target=fl,
                watcher=self.watcher,
                tags=tags,
                opts=child,
            )

        self.hub = HubRef(
            vnet_id=self.vnet.id,
            vnet_name=self.vnet_name,
            resource_group_name=rg_name,
            resource_group=self.resource_group.name,
            location=loc,
            firewall_private_ip=self.firewall_private_ip,
            gateway=self.gateway is not None,
            dns_zone_ids=self.dns_zone_ids,
            management_subnet_id=subnet_id(ad.MANAGEMENT_SUBNET),
            provider=provider,
            depends_on=[self.vnet] + ([self.gateway] if self.gateway else []),
            watcher=self.watcher if self.watcher is not None and self.watcher.resource is not None else None,
        )
        self.register_outputs(
            {
                "vnetId": self.vnet.id,
                "firewallId": self.firewall.id,
                "firewallPrivateIp": self.firewall_private_ip,
                "bastionId": self.bastion.id,
                "privateDnsZoneIds": list(self.dns_zone_ids.values()),
            }
        )
