"""``kasbah:gcp:HubAndSpoke``: Shared VPC hosts in hub and spoke (terraform-example-foundation's
3-networks-hub-and-spoke, FAST's 2-networking).

Each VPC (the hub, one spoke per environment) lives in its own Shared VPC host project
(``compute.SharedVPCHostProject``, https://cloud.google.com/vpc/docs/provisioning-shared-vpc) and is:

- custom mode, global dynamic routing, with the default routes deleted on creation
  (``delete_default_routes_on_create``, https://cloud.google.com/vpc/docs/routes#routeselection): the only
  routes to the internet are the ones declared here, for the Google API VIPs (private and restricted
  googleapis.com, https://cloud.google.com/vpc/docs/configure-private-google-access#config-routing) and,
  when Cloud NAT is on, ``0.0.0.0/0`` for instances tagged ``egress-internet``;
- one subnet per region with Private Google Access and VPC flow logs
  (https://cloud.google.com/vpc/docs/flow-logs);
- a Cloud Router and Cloud NAT per region when ``nat`` is ``per-vpc`` (Cloud NAT serves only its own
  VPC: a spoke cannot use the hub's NAT through peering, https://cloud.google.com/nat/docs/overview#specs);
- a DNS server policy with query logging (https://cloud.google.com/dns/docs/monitoring), inbound
  forwarding in the hub.

Spokes peer with the hub both ways (the hub exports custom routes, the spokes import them;
https://cloud.google.com/vpc/docs/vpc-peering#importing-exporting-routes). Peerings are created one
after another: Google refuses a peering operation while another one runs on either network ("There is a
peering operation in progress", terraform-example-foundation issue 430). A private zone
``googleapis.com.`` in the hub, visible to every VPC, resolves Google APIs to ``private.googleapis.com``
(https://cloud.google.com/vpc/docs/configure-private-google-access#config-domain). An optional HA VPN
(two tunnels, BGP) connects the hub to on-premises (https://cloud.google.com/network-connectivity/docs/vpn/concepts/topologies).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import pulumi
import pulumi_gcp as gcp

from components.cidr import IPv4Network
from components.common import CommonArgs
from components.errors import ConfigError
from components.gcp import naming
from components.gcp.gcp_data import (
    DEFAULT_INTERNET_GATEWAY,
    EGRESS_TAG,
    PRIVATE_GOOGLE_APIS,
    RESTRICTED_GOOGLE_APIS,
)
from components.gcp.network_plan import SpokeRequest, VpcPlan, plan_network
from components.gcp.project import Project

COMPUTE_API = "compute.googleapis.com"
DNS_API = "dns.googleapis.com"


class NatMode(StrEnum):
    """Where Cloud NAT runs."""

    NONE = "none"
    """No NAT: instances reach only Google APIs (private Google access) and the peered networks."""
    PER_VPC = "per-vpc"
    """A Cloud Router and Cloud NAT in every VPC and region (Cloud NAT does not cross peerings)."""


@dataclass(frozen=True)
class SpokeSpec:
    """One environment's spoke (``kasbah:network.spokes[i]``)."""

    environment: str
    """The environment (one of ``hierarchy.environments``). Required."""
    cidr: str | None = None
    """The spoke's block. Default: the next free ``/spokePrefixLength`` of ``spokePool``."""


@dataclass(frozen=True)
class VpnSpec:
    """HA VPN to on-premises (``kasbah:network.vpn``)."""

    peer_ips: list[str]
    """Public IPs of the on-premises VPN gateway (1, 2 or 4 interfaces). Required."""
    peer_asn: int
    """BGP ASN of the on-premises router. Required."""
    shared_secret: str
    """IKE pre-shared key (set it with `pulumi config set --secret --path kasbah:network.vpn.sharedSecret`). Required."""
    router_asn: int = 64514
    """BGP ASN of the hub's VPN Cloud Router (a private ASN). Default: ``64514``."""


@dataclass(frozen=True)
class NetworkSpec:
    """Hub and spokes (``kasbah:network``)."""

    hub_cidr: str = "10.0.0.0/20"
    """The hub VPC's block, split into one subnet per region. Default: ``10.0.0.0/20``."""
    spoke_pool: str = "10.16.0.0/12"
    """Pool the spokes without a ``cidr`` take their block from. Default: ``10.16.0.0/12``."""
    spoke_prefix_length: int = 16
    """Size of a spoke taken from the pool. Default: ``16``."""
    spokes: list[SpokeSpec] = field(default_factory=list)
    """Spoke blocks by environment. Default: each environment takes one from the pool."""
    regions: list[str] = field(default_factory=list)
    """Regions with subnets (approved regions only). Default: the landing zone's region."""
    nat: NatMode = NatMode.PER_VPC
    """Cloud NAT in each VPC (``per-vpc``) or none. Default: ``per-vpc``."""
    flow_log_sampling: float = 0.5
    """Share of flows VPC flow logs sample (0-1). Default: ``0.5``."""
    vpn: VpnSpec | None = None
    """HA VPN from the hub to on-premises. Default: none."""


def spoke_requests(key: str, spec: NetworkSpec, environments: Sequence[str]) -> list[SpokeRequest]:
    """One request per environment, with the block ``spokes`` gives it (validated)."""
    given: dict[str, tuple[int, SpokeSpec]] = {}
    for i, s in enumerate(spec.spokes):
        if s.environment not in environments:
            raise ConfigError(
                f"{key}.spokes[{i}].environment and kasbah:hierarchy.environments",
                f"{s.environment!r} is not an environment",
                f"use one of {', '.join(environments)}",
            )
        if s.environment in given:
            raise ConfigError(
                f"{key}.spokes[{i}].environment", f"{s.environment!r} is listed twice", "list each once"
            )
        given[s.environment] = (i, s)
    out = []
    for env in environments:
        i, s = given.get(env, (-1, SpokeSpec(env)))
        out.append(SpokeRequest(f"{key}.spokes[{i}].cidr" if i >= 0 else f"{key}.spokePool", env, s.cidr))
    return out


def validate_network(
    key: str, spec: NetworkSpec, environments: Sequence[str], regions: Sequence[str]
) -> list[VpcPlan]:
    """Address plan, regions, sampling and VPN, before anything is created."""
    if not 0 < spec.flow_log_sampling <= 1:
        raise ConfigError(
            f"{key}.flowLogSampling", f"{spec.flow_log_sampling} is outside (0, 1]", "use a share such as 0.5"
        )
    if spec.vpn is not None:
        if len(spec.vpn.peer_ips) not in (1, 2, 4):
            raise ConfigError(
                f"{key}.vpn.peerIps", f"{len(spec.vpn.peer_ips)} interfaces", "give 1, 2 or 4 peer IPs"
            )
        if not (64512 <= spec.vpn.router_asn <= 65534 or 4200000000 <= spec.vpn.router_asn <= 4294967294):
            raise ConfigError(
                f"{key}.vpn.routerAsn",
                f"{spec.vpn.router_asn} is not a private ASN",
                "use a private ASN such as 64514",
            )
        if not 1 <= spec.vpn.peer_asn <= 4294967294:
            raise ConfigError(
                f"{key}.vpn.peerAsn", f"{spec.vpn.peer_asn} is not an ASN", "use the on-premises router's ASN"
            )
        if spec.vpn.peer_asn == spec.vpn.router_asn:
            raise ConfigError(
                f"{key}.vpn.peerAsn and {key}.vpn.routerAsn",
                "both routers have the same ASN",
                "give each side its own ASN",
            )
        if len(spec.vpn.shared_secret) < 8:
            raise ConfigError(
                f"{key}.vpn.sharedSecret",
                "the pre-shared key is shorter than 8 characters",
                "use a long random key",
            )
    for env in environments:
        naming.rfc1035(f"{key}.spokes", f"vpc-{env}-0")
    return plan_network(
        f"{key}.hubCidr",
        spec.hub_cidr,
        f"{key}.spokePool",
        spec.spoke_pool,
        spec.spoke_prefix_length,
        spoke_requests(key, spec, environments),
        regions,
    )


@dataclass(frozen=True)
class SharedVpcArgs:
    """Inputs of :class:`SharedVpc`."""

    plan: VpcPlan
    """The VPC's block and subnets (``network_plan.plan_network``). Required."""
    host: Project
    """The host project (with the Compute Engine and DNS APIs). Required."""
    nat: NatMode = NatMode.PER_VPC
    """Cloud NAT or none. Default: ``per-vpc``."""
    flow_log_sampling: float = 0.5
    """VPC flow logs sampling. Default: ``0.5``."""
    inbound_dns: bool = False
    """Accept DNS queries from on-premises (the hub). Default: ``false``."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix. Default: ``CommonArgs()``."""


class SharedVpc(pulumi.ComponentResource):
    """A Shared VPC host project's network: subnets, routes, NAT and DNS policy."""

    network: gcp.compute.Network
    subnets: dict[str, gcp.compute.Subnetwork]
    host: gcp.compute.SharedVPCHostProject

    def __init__(self, name: str, args: SharedVpcArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kasbah:gcp:SharedVpc", name, None, opts)
        plan, project = args.plan, args.host.project_id
        compute = args.host.api(COMPUTE_API)
        after_api = pulumi.ResourceOptions(parent=self, depends_on=compute)
        vpc_name = f"vpc-{plan.name}"
        self.host = gcp.compute.SharedVPCHostProject(f"{name}-host", project=project, opts=after_api)
        self.network = gcp.compute.Network(
            f"{name}-vpc",
            name=vpc_name,
            project=project,
            auto_create_subnetworks=False,
            routing_mode="GLOBAL",
            delete_default_routes_on_create=True,
            opts=after_api,
        )
        net = pulumi.ResourceOptions(parent=self)
        self.subnets = {
            region: gcp.compute.Subnetwork(
                f"{name}-{region}",
                name=f"{vpc_name}-{region}",
                project=project,
                region=region,
                network=self.network.id,
                ip_cidr_range=str(cidr),
                private_ip_google_access=True,
                log_config={
                    "aggregation_interval": "INTERVAL_5_SEC",
                    "flow_sampling": args.flow_log_sampling,
                    "metadata": "INCLUDE_ALL_METADATA",
                },
                opts=net,
            )
            for region, cidr in plan.subnets.items()
        }
        for role, cidr in (
            ("private-apis", PRIVATE_GOOGLE_APIS),
            ("restricted-apis", RESTRICTED_GOOGLE_APIS),
        ):
            gcp.compute.Route(
                f"{name}-{role}",
                name=f"{vpc_name}-{role}",
                project=project,
                network=self.network.id,
                dest_range=cidr,
                next_hop_gateway=DEFAULT_INTERNET_GATEWAY,
                priority=1000,
                opts=net,
            )
        if args.nat is NatMode.PER_VPC:
            gcp.compute.Route(
                f"{name}-egress",
                name=f"{vpc_name}-egress-internet",
                project=project,
                network=self.network.id,
                dest_range="0.0.0.0/0",
                next_hop_gateway=DEFAULT_INTERNET_GATEWAY,
                tags=[EGRESS_TAG],
                priority=1000,
                opts=net,
            )
            for region in plan.subnets:
                router = gcp.compute.Router(
                    f"{name}-router-{region}",
                    name=f"{vpc_name}-nat-{region}",
                    project=project,
                    region=region,
                    network=self.network.id,
                    opts=net,
                )
                gcp.compute.RouterNat(
                    f"{name}-nat-{region}",
                    name=f"{vpc_name}-nat-{region}",
                    project=project,
                    region=region,
                    router=router.name,
                    nat_ip_allocate_option="AUTO_ONLY",
                    source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
                    log_config={"enable": True, "filter": "ERRORS_ONLY"},
                    opts=net,
                )
        gcp.dns.Policy(
            f"{name}-dns",
            name=f"{vpc_name}-dns",
            project=project,
            enable_logging=True,
            enable_inbound_forwarding=args.inbound_dns,
            networks=[{"network_url": self.network.id}],
            opts=pulumi.ResourceOptions(parent=self, depends_on=args.host.api(DNS_API)),
        )
        self.register_outputs(
            {"networkId": self.network.id, "subnets": {r: s.id for r, s in self.subnets.items()}}
        )


@dataclass(frozen=True)
class HubAndSpokeArgs:
    """Inputs of :class:`HubAndSpoke`."""

    spec: NetworkSpec
    """The network settings (the blueprint's ``kasbah:network``). Required."""
    plans: Sequence[VpcPlan]
    """The hub's plan first, then one per spoke (``validate_network``). Required."""
    hosts: dict[str, Project]
    """Host project by VPC name (``hub`` and each environment). Required."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix. Default: ``CommonArgs()``."""


class HubAndSpoke(pulumi.ComponentResource):
    """The hub and the spokes, peered one after another, with the googleapis.com zone and the HA VPN."""

    vpcs: dict[str, SharedVpc]

    def __init__(self, name: str, args: HubAndSpokeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kasbah:gcp:HubAndSpoke", name, None, opts)
        spec = args.spec
        self.vpcs = {
            plan.name: SharedVpc(
                f"{name}-{plan.name}",
                SharedVpcArgs(
                    plan=plan,
                    host=args.hosts[plan.name],
                    nat=spec.nat,
                    flow_log_sampling=spec.flow_log_sampling,
                    inbound_dns=plan.name == "hub",
                    common=args.common,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for plan in args.plans
        }
        hub = self.vpcs["hub"]
        previous: list[pulumi.Resource] = []
        for plan in args.plans[1:]:
            spoke = self.vpcs[plan.name]
            out = gcp.compute.NetworkPeering(
                f"{name}-hub-to-{plan.name}",
                name=f"hub-to-{plan.name}",
                network=hub.network.self_link,
                peer_network=spoke.network.self_link,
                export_custom_routes=True,
                opts=pulumi.ResourceOptions(parent=self, depends_on=previous),
            )
            back = gcp.compute.NetworkPeering(
                f"{name}-{plan.name}-to-hub",
                name=f"{plan.name}-to-hub",
                network=spoke.network.self_link,
                peer_network=hub.network.self_link,
                import_custom_routes=True,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[out]),
            )
            previous = [back]
        self._googleapis_zone(name, args, hub)
        if spec.vpn is not None:
            self._vpn(name, spec.vpn, args.hosts["hub"], hub, sorted(hub.subnets))
        self.register_outputs({"networks": {k: v.network.id for k, v in self.vpcs.items()}})

    def _googleapis_zone(self, name: str, args: HubAndSpokeArgs, hub: SharedVpc) -> None:
        project = args.hosts["hub"].project_id
        zone = gcp.dns.ManagedZone(
            f"{name}-googleapis",
            name="googleapis",
            project=project,
            dns_name="googleapis.com.",
            description="Google APIs through private.googleapis.com (Private Google Access).",
            visibility="private",
            private_visibility_config={
                "networks": [{"network_url": v.network.id} for v in self.vpcs.values()]
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=args.hosts["hub"].api(DNS_API)),
        )
        vips = [str(ip) for ip in IPv4Network(PRIVATE_GOOGLE_APIS)]
        gcp.dns.RecordSet(
            f"{name}-googleapis-a",
            project=project,
            managed_zone=zone.name,
            name="private.googleapis.com.",
            type="A",
            ttl=300,
            rrdatas=vips,
            opts=pulumi.ResourceOptions(parent=self),
        )
        gcp.dns.RecordSet(
            f"{name}-googleapis-cname",
            project=project,
            managed_zone=zone.name,
            name="*.googleapis.com.",
            type="CNAME",
            ttl=300,
            rrdatas=["private.googleapis.com."],
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _vpn(self, name: str, vpn: VpnSpec, host: Project, hub: SharedVpc, regions: list[str]) -> None:
        region = regions[0]
        project = host.project_id
        child = pulumi.ResourceOptions(parent=self)
        gateway = gcp.compute.HaVpnGateway(
            f"{name}-vpn",
            name="vpn-hub-onprem",
            project=project,
            region=region,
            network=hub.network.id,
            opts=child,
        )
        peer = gcp.compute.ExternalVpnGateway(
            f"{name}-vpn-peer",
            name="vpn-onprem",
            project=project,
            redundancy_type={
                1: "SINGLE_IP_INTERNALLY_REDUNDANT",
                2: "TWO_IPS_REDUNDANCY",
                4: "FOUR_IPS_REDUNDANCY",
            }[len(vpn.peer_ips)],
            interfaces=[{"id": i, "ip_address": ip} for i, ip in enumerate(vpn.peer_ips)],
            opts=child,
        )
        router = gcp.compute.Router(
            f"{name}-vpn-router",
            name="vpn-hub-onprem",
            project=project,
            region=region,
            network=hub.network.id,
            bgp={"asn": vpn.router_asn},
            opts=child,
        )
        secret = pulumi.Output.secret(vpn.shared_secret)
        for i in range(2):
            tunnel = gcp.compute.VPNTunnel(
                f"{name}-vpn-tunnel-{i}",
                name=f"vpn-hub-onprem-{i}",
                project=project,
                region=region,
                vpn_gateway=gateway.id,
                vpn_gateway_interface=i,
                peer_external_gateway=peer.id,
                peer_external_gateway_interface=i % len(vpn.peer_ips),
                shared_secret=secret,
                router=router.id,
                ike_version=2,
                opts=child,
            )
            interface = gcp.compute.RouterInterface(
                f"{name}-vpn-if-{i}",
                name=f"vpn-hub-onprem-if-{i}",
                project=project,
                region=region,
                router=router.name,
                ip_range=f"169.254.{i}.1/30",
                vpn_tunnel=tunnel.name,
                opts=child,
            )
            gcp.compute.RouterPeer(
                f"{name}-vpn-peer-{i}",
                name=f"vpn-hub-onprem-peer-{i}",
                project=project,
                region=region,
                router=router.name,
                peer_ip_address=f"169.254.{i}.2",
                peer_asn=vpn.peer_asn,
                interface=interface.name,
                opts=child,
            )
