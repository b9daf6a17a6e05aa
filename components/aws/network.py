"""Hub-and-spoke network on a Transit Gateway, in the network account (home region).

- Transit Gateway with one route table per segment (prod, nonprod, shared);
  default association and propagation off. Spokes are associated with their
  segment's table and propagate into it and into ``shared``; shared spokes
  propagate everywhere, so prod and nonprod never learn each other's routes, and
  the RFC 1918 ranges are blackholed in their tables (no hairpin through egress).
  With inspection, the egress attachment has its own table whose routes to prod
  and nonprod spokes go through the firewall (both directions are inspected);
  shared spokes reach egress directly.
- Egress VPC (public + transit subnets, internet gateway, NAT per
  :class:`NatStrategy`), the one way out to the internet.
- Optional inspection VPC with AWS Network Firewall; its attachment is in
  appliance mode and the spokes' default route points to it.
- Spoke VPCs from a list (name, CIDR, segment, AZ count), planned by
  :func:`components.aws.network_plan.plan_network`.
- Every VPC: flow logs to the archive bucket, the default security group
  emptied, S3 and DynamoDB gateway endpoints; optional interface endpoints in spokes.
- The Transit Gateway is shared with the organization through AWS RAM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws.aws_data import DEFAULT_HOME_REGION, Segment
from components.aws.log_archive import FIREWALL_LOG_PREFIX
from components.aws.network_plan import (
    DEFAULT_VPC_QUOTA,
    NatStrategy,
    NetworkPlan,
    SpokeArgs,
    VpcPlan,
    check_vpc_quota,
    plan_network,
)
from components.common import CommonArgs, child_name, layer_tags
from components.errors import ConfigError

DEFAULT_EGRESS_DOMAINS: tuple[str, ...] = (".amazonaws.com", ".amazonlinux.com")
"""Domains the inspection firewall lets spokes reach by default."""


@dataclass(frozen=True)
class NetworkArgs:
    """Inputs of :class:`Network`."""

    flow_log_bucket_arn: pulumi.Input[str]
    """ARN of the archive bucket that receives every VPC's flow logs. Required."""
    egress_cidr: str = "10.0.0.0/20"
    """Block of the egress (hub) VPC. Default: ``10.0.0.0/20``."""
    inspection: bool = False
    """Deploy the inspection VPC with AWS Network Firewall (billed hourly per AZ). Default: ``False``."""
    inspection_cidr: str = "10.0.16.0/20"
    """Block of the inspection VPC, when enabled. Default: ``10.0.16.0/20``."""
    az_count: int = 2
    """AZs of the egress and inspection VPCs (1-3). Default: ``2``."""
    nat_strategy: NatStrategy = NatStrategy.SINGLE
    """NAT gateways of the egress VPC: none, single or per-az. Default: ``single``."""
    spokes: Sequence[SpokeArgs] = ()
    """Spoke VPCs. Default: none."""
    interface_endpoints: Sequence[str] = ()
    """Interface endpoints created in every spoke (service short names, e.g. ``ssm``). Default: none."""
    egress_allowed_domains: Sequence[str] = DEFAULT_EGRESS_DOMAINS
    """With inspection: the only domains spokes may reach on the internet over TLS (SNI) and HTTP (Host);
    a leading dot allows subdomains. Everything else is dropped. Default: AWS service endpoints
    (``.amazonaws.com``) and the OS package mirrors of Amazon Linux (``.amazonlinux.com``)."""
    amazon_side_asn: int = 64512
    """BGP ASN of the Transit Gateway. Default: ``64512``."""
    organization_arn: pulumi.Input[str] | None = None
    """Share the Transit Gateway with this organization through RAM; ``None`` does not share. Default:
    ``None``."""
    sharing_dependencies: Sequence[pulumi.Resource] = ()
    """RAM sharing with the organization, when enabled in the same stack: associating the organization
    with a share fails before it. Default: none (enabled by an earlier stage)."""
    vpc_quota: int = DEFAULT_VPC_QUOTA
    """The network account's VPCs per Region quota in this region (L-F678F1CE). Default: ``5``."""
    default_vpc: bool = True
    """The network account still has its default VPC in this region (it counts against the quota).
    Default: ``True``."""
    region: str = DEFAULT_HOME_REGION
    """Region of the network (interface endpoint service names use it). Default: ``eu-west-3``."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, tags, protection. Default: ``CommonArgs()``."""


def validate_network_args(args: NetworkArgs, key: str = "NetworkArgs") -> NetworkPlan:
    """Validate and plan (pure): overlapping blocks, AZ counts, segments, endpoint names."""
    for i, svc in enumerate(args.interface_endpoints):
        if not svc or not all(c.isalnum() or c in "-." for c in svc):
            raise ConfigError(
                f"{key}.interfaceEndpoints[{i}]", f"{svc!r} is not a service short name", "e.g. ssm"
            )
    for i, domain in enumerate(args.egress_allowed_domains):
        if not domain or " " in domain or "/" in domain:
            raise ConfigError(
                f"{key}.egressAllowedDomains[{i}]", f"{domain!r} is not a domain", "e.g. .amazonaws.com"
            )
    if not (64512 <= args.amazon_side_asn <= 65534 or 4200000000 <= args.amazon_side_asn <= 4294967294):
        raise ConfigError(
            f"{key}.amazonSideAsn", f"{args.amazon_side_asn} is not a private ASN", "use 64512-65534"
        )
    plan = plan_network(
        args.egress_cidr,
        args.spokes,
        az_count=args.az_count,
        inspection_cidr=args.inspection_cidr if args.inspection else None,
        key=key,
    )
    check_vpc_quota(key, len(plan.vpcs), args.vpc_quota, args.default_vpc)
    return plan


PRIVATE_RANGES: tuple[str, ...] = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
"""RFC 1918 blocks blackholed in the prod and nonprod route tables (more specific propagated routes win)."""


def propagation_targets(segment: Segment) -> list[Segment]:
    """Route tables a spoke of ``segment`` propagates into (prod and nonprod stay apart)."""
    if segment is Segment.SHARED:
        return list(Segment)
    return [segment, Segment.SHARED]


@dataclass
class _Vpc:
    plan: VpcPlan
    vpc: aws.ec2.Vpc
    subnets: dict[str, list[aws.ec2.Subnet]]
    route_tables: list[aws.ec2.RouteTable]


class Network(pulumi.ComponentResource):
    """Transit Gateway hub, egress, optional inspection and spoke VPCs."""

    transit_gateway_id: pulumi.Output[str]
    vpc_ids: dict[str, pulumi.Output[str]]
    route_table_ids: dict[str, pulumi.Output[str]]
    flow_log_ids: list[pulumi.Output[str]]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        plan = validate_network_args(args)
        super().__init__("kasbah:aws:Network", name, None, opts)
        self._name = name
        self._args = args
        self._tags = layer_tags({"kasbah:component": "network"}, args.common.tags)
        # Regional AZs only: Local and Wavelength zones the account opted in to are "available" too.
        # https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html
        self._azs = aws.get_availability_zones_output(
            state="available",
            filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.vpc_ids = {}
        self.flow_log_ids = []
        child = pulumi.ResourceOptions(parent=self)

        tgw = aws.ec2transitgateway.TransitGateway(
            child_name(name, "tgw"),
            description=f"{args.common.prefix} hub",
            amazon_side_asn=args.amazon_side_asn,
            default_route_table_association="disable",
            default_route_table_propagation="disable",
            auto_accept_shared_attachments="disable",
            dns_support="enable",
            vpn_ecmp_support="enable",
            tags=self._tags_named(child_name(name, "tgw")),
            opts=child,
        )
        self.transit_gateway_id = tgw.id
        rts = {
            seg: aws.ec2transitgateway.RouteTable(
                child_name(name, "tgw-rt", seg.value),
                transit_gateway_id=tgw.id,
                tags=self._tags_named(child_name(name, "tgw-rt", seg.value)),
                opts=child,
            )
            for seg in Segment
        }
        self.route_table_ids = {seg.value: rt.id for seg, rt in rts.items()}

        spoke_blocks = [str(s.cidr) for s in plan.spokes]
        egress_att = self._egress(plan.egress, tgw, spoke_blocks)
        fw_att = self._inspection(plan.inspection, tgw, spoke_blocks) if plan.inspection is not None else None
        egress_rt: aws.ec2transitgateway.RouteTable | None = None
        if fw_att is None:
            self._associate("egress", egress_att, rts[Segment.SHARED])
        else:
            self._associate("inspection", fw_att, rts[Segment.SHARED])
            # Return traffic from the internet is inspected too: the egress attachment gets its own
            # table, whose routes to the prod and nonprod spokes point at the inspection attachment.
            egress_rt = aws.ec2transitgateway.RouteTable(
                child_name(name, "tgw-rt", "egress"),
                transit_gateway_id=tgw.id,
                tags=self._tags_named(child_name(name, "tgw-rt", "egress")),
                opts=child,
            )
            self.route_table_ids["egress"] = egress_rt.id
            self._associate("egress", egress_att, egress_rt)
        # Default routes: prod and nonprod leave through inspection (when present), shared straight to egress.
        for seg in (Segment.PROD, Segment.NONPROD):
            aws.ec2transitgateway.Route(
                child_name(name, "tgw-default", seg.value),
                destination_cidr_block="0.0.0.0/0",
                transit_gateway_attachment_id=(fw_att or egress_att).id,
                transit_gateway_route_table_id=rts[seg].id,
                opts=child,
            )
            # Private ranges not learned from the segment itself or from shared are dropped, so prod and
            # nonprod cannot reach each other by hairpinning through the egress VPC.
            for block in PRIVATE_RANGES:
                aws.ec2transitgateway.Route(
                    child_name(name, "tgw-blackhole", seg.value, block.replace("/", "-")),
                    destination_cidr_block=block,
                    blackhole=True,
                    transit_gateway_route_table_id=rts[seg].id,
                    opts=child,
                )
        aws.ec2transitgateway.Route(
            child_name(name, "tgw-default", Segment.SHARED.value),
            destination_cidr_block="0.0.0.0/0",
            transit_gateway_attachment_id=egress_att.id,
            transit_gateway_route_table_id=rts[Segment.SHARED].id,
            opts=child,
        )

        for sp in plan.spokes:
            vpc = self._vpc(sp, single_route_table=True)
            att = self._attachment(sp, tgw, vpc, appliance_mode=False)
            for rt in vpc.route_tables:
                aws.ec2.Route(
                    child_name(name, sp.name, "default"),
                    route_table_id=rt.id,
                    destination_cidr_block="0.0.0.0/0",
                    transit_gateway_id=tgw.id,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[att]),
                )
            self._associate(sp.name, att, rts[sp.segment])
            for target in propagation_targets(sp.segment):
                aws.ec2transitgateway.RouteTablePropagation(
                    child_name(name, sp.name, "propagation", target.value),
                    transit_gateway_attachment_id=att.id,
                    transit_gateway_route_table_id=rts[target].id,
                    opts=child,
                )
            self._gateway_endpoints(vpc)
            if args.interface_endpoints:
                self._interface_endpoints(sp, vpc)
            if egress_rt is not None and fw_att is not None:
                if sp.segment is Segment.SHARED:
                    aws.ec2transitgateway.RouteTablePropagation(
                        child_name(name, sp.name, "propagation", "egress"),
                        transit_gateway_attachment_id=att.id,
                        transit_gateway_route_table_id=egress_rt.id,
                        opts=child,
                    )
                else:
                    aws.ec2transitgateway.Route(
                        child_name(name, "tgw-egress-return", sp.name),
                        destination_cidr_block=str(sp.cidr),
                        transit_gateway_attachment_id=fw_att.id,
                        transit_gateway_route_table_id=egress_rt.id,
                        opts=child,
                    )

        if args.organization_arn is not None:
            share = aws.ram.ResourceShare(
                child_name(name, "tgw-share"),
                name=f"{args.common.prefix}-transit-gateway",
                allow_external_principals=False,
                tags=self._tags,
                opts=child,
            )
            aws.ram.ResourceAssociation(
                child_name(name, "tgw-share-resource"),
                resource_arn=tgw.arn,
                resource_share_arn=share.arn,
                opts=child,
            )
            # Sharing with the organization must be enabled first (EnableSharingWithAwsOrganization):
            # https://docs.aws.amazon.com/ram/latest/userguide/getting-started-sharing.html#getting-started-sharing-orgs
            aws.ram.PrincipalAssociation(
                child_name(name, "tgw-share-organization"),
                principal=args.organization_arn,
                resource_share_arn=share.arn,
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.sharing_dependencies)),
            )

        self.register_outputs(
            {
                "transitGatewayId": self.transit_gateway_id,
                "vpcIds": self.vpc_ids,
                "routeTableIds": self.route_table_ids,
                "flowLogIds": self.flow_log_ids,
            }
        )

    # -- helpers --------------------------------------------------------------------------------------

    def _tags_named(self, name: str) -> dict[str, str]:
        return layer_tags(self._tags, {"Name": name})

    def _vpc(self, plan: VpcPlan, single_route_table: bool) -> _Vpc:
        """VPC, subnets, flow logs, emptied default SG and (``single_route_table``) one shared route table."""
        name = child_name(self._name, plan.name)
        child = pulumi.ResourceOptions(parent=self)
        vpc = aws.ec2.Vpc(
            name,
            cidr_block=str(plan.cidr),
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=layer_tags(self._tags_named(name), {"kasbah:segment": plan.segment.value}),
            opts=child,
        )
        self.vpc_ids[plan.name] = vpc.id
        aws.ec2.DefaultSecurityGroup(
            child_name(name, "default-sg"),
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags=self._tags_named(child_name(name, "default-sg-emptied")),
            opts=child,
        )
        flow = aws.ec2.FlowLog(
            child_name(name, "flow-logs"),
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="s3",
            log_destination=self._args.flow_log_bucket_arn,
            max_aggregation_interval=600,
            destination_options={"file_format": "parquet", "per_hour_partition": True},
            tags=self._tags_named(child_name(name, "flow-logs")),
            opts=child,
        )
        self.flow_log_ids.append(flow.id)
        subnets: dict[str, list[aws.ec2.Subnet]] = {}
        for sn in plan.subnets:
            sub_name = child_name(name, sn.tier, sn.zone_index)
            subnets.setdefault(sn.tier, []).append(
                aws.ec2.Subnet(
                    sub_name,
                    vpc_id=vpc.id,
                    cidr_block=str(sn.cidr),
                    availability_zone=self._azs.names[sn.zone_index],
                    map_public_ip_on_launch=False,
                    tags=layer_tags(self._tags_named(sub_name), {"kasbah:tier": sn.tier}),
                    opts=child,
                )
            )
        route_tables: list[aws.ec2.RouteTable] = []
        if single_route_table:
            rt = aws.ec2.RouteTable(
                child_name(name, "rt"),
                vpc_id=vpc.id,
                tags=self._tags_named(child_name(name, "rt")),
                opts=child,
            )
            route_tables.append(rt)
            for tier, subs in subnets.items():
                for i, sub in enumerate(subs):
                    aws.ec2.RouteTableAssociation(
                        child_name(name, "rt", tier, i), subnet_id=sub.id, route_table_id=rt.id, opts=child
                    )
        vpc_state = _Vpc(plan, vpc, subnets, route_tables)
        return vpc_state

    def _gateway_endpoints(self, vpc: _Vpc) -> None:
        for svc in ("s3", "dynamodb"):
            aws.ec2.VpcEndpoint(
                child_name(self._name, vpc.plan.name, "endpoint", svc),
                vpc_id=vpc.vpc.id,
                service_name=f"com.amazonaws.{self._args.region}.{svc}",
                vpc_endpoint_type="Gateway",
                route_table_ids=[rt.id for rt in vpc.route_tables],
                tags=self._tags_named(child_name(self._name, vpc.plan.name, "endpoint", svc)),
                opts=pulumi.ResourceOptions(parent=self),
            )

    def _per_az_route_tables(self, vpc: _Vpc, tier: str) -> list[aws.ec2.RouteTable]:
        out = []
        for i, sub in enumerate(vpc.subnets[tier]):
            rt_name = child_name(self._name, vpc.plan.name, "rt", tier, i)
            rt = aws.ec2.RouteTable(
                rt_name,
                vpc_id=vpc.vpc.id,
                tags=self._tags_named(rt_name),
                opts=pulumi.ResourceOptions(parent=self),
            )
            aws.ec2.RouteTableAssociation(
                child_name(rt_name, "association"),
                subnet_id=sub.id,
                route_table_id=rt.id,
                opts=pulumi.ResourceOptions(parent=self),
            )
            out.append(rt)
        vpc.route_tables.extend(out)
        return out

    def _attachment(
        self, plan: VpcPlan, tgw: aws.ec2transitgateway.TransitGateway, vpc: _Vpc, appliance_mode: bool
    ) -> aws.ec2transitgateway.VpcAttachment:
        att_name = child_name(self._name, plan.name, "attachment")
        return aws.ec2transitgateway.VpcAttachment(
            att_name,
            transit_gateway_id=tgw.id,
            vpc_id=vpc.vpc.id,
            subnet_ids=[s.id for s in vpc.subnets["transit"]],
            appliance_mode_support="enable" if appliance_mode else "disable",
            dns_support="enable",
            transit_gateway_default_route_table_association=False,
            transit_gateway_default_route_table_propagation=False,
            tags=self._tags_named(att_name),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _associate(
        self,
        label: str,
        att: aws.ec2transitgateway.VpcAttachment,
        rt: aws.ec2transitgateway.RouteTable,
    ) -> None:
        aws.ec2transitgateway.RouteTableAssociation(
            child_name(self._name, label, "association"),
            transit_gateway_attachment_id=att.id,
            transit_gateway_route_table_id=rt.id,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _egress(
        self, plan: VpcPlan, tgw: aws.ec2transitgateway.TransitGateway, spoke_blocks: list[str]
    ) -> aws.ec2transitgateway.VpcAttachment:
        name = self._name
        child = pulumi.ResourceOptions(parent=self)
        vpc = self._vpc(plan, single_route_table=False)
        igw = aws.ec2.InternetGateway(
            child_name(name, "egress", "igw"),
            vpc_id=vpc.vpc.id,
            tags=self._tags_named(child_name(name, "egress", "igw")),
            opts=child,
        )
        public_rt = aws.ec2.RouteTable(
            child_name(name, "egress", "rt", "public"),
            vpc_id=vpc.vpc.id,
            tags=self._tags_named(child_name(name, "egress", "rt", "public")),
            opts=child,
        )
        vpc.route_tables.append(public_rt)
        aws.ec2.Route(
            child_name(name, "egress", "public-default"),
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child,
        )
        for i, sub in enumerate(vpc.subnets["public"]):
            aws.ec2.RouteTableAssociation(
                child_name(name, "egress", "rt", "public", i),
                subnet_id=sub.id,
                route_table_id=public_rt.id,
                opts=child,
            )
        att = self._attachment(plan, tgw, vpc, appliance_mode=False)
        for block_index, block in enumerate(spoke_blocks):
            aws.ec2.Route(
                child_name(name, "egress", "public-to-spoke", block_index),
                route_table_id=public_rt.id,
                destination_cidr_block=block,
                transit_gateway_id=tgw.id,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[att]),
            )
        nat_count = {NatStrategy.NONE: 0, NatStrategy.SINGLE: 1, NatStrategy.PER_AZ: plan.az_count}[
            self._args.nat_strategy
        ]
        nats: list[aws.ec2.NatGateway] = []
        for i in range(nat_count):
            eip = aws.ec2.Eip(
                child_name(name, "egress", "nat-eip", i),
                domain="vpc",
                tags=self._tags_named(child_name(name, "egress", "nat-eip", i)),
                opts=child,
            )
            nats.append(
                aws.ec2.NatGateway(
                    child_name(name, "egress", "nat", i),
                    subnet_id=vpc.subnets["public"][i].id,
                    allocation_id=eip.id,
                    connectivity_type="public",
                    tags=self._tags_named(child_name(name, "egress", "nat", i)),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
                )
            )
        for i, rt in enumerate(self._per_az_route_tables(vpc, "transit")):
            if nats:
                aws.ec2.Route(
                    child_name(name, "egress", "transit-default", i),
                    route_table_id=rt.id,
                    destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=nats[min(i, len(nats) - 1)].id,
                    opts=child,
                )
        self._gateway_endpoints(vpc)
        return att

    def _inspection(
        self, plan: VpcPlan, tgw: aws.ec2transitgateway.TransitGateway, spoke_blocks: list[str]
    ) -> aws.ec2transitgateway.VpcAttachment:
        name = self._name
        prefix = self._args.common.prefix
        child = pulumi.ResourceOptions(parent=self)
        vpc = self._vpc(plan, single_route_table=False)
        # Default deny: established flows that no rule passes are dropped (and alerted), and the only
        # rule group passes TLS and HTTP to the allowed domains. HOME_NET is the spokes' ranges, not the
        # inspection VPC's (the default), so that the rules match the spokes' traffic.
        # https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-domain-names.html,
        # https://docs.aws.amazon.com/network-firewall/latest/developerguide/rule-action.html#rule-action-stateful
        domains = aws.networkfirewall.RuleGroup(
            child_name(name, "firewall-domains"),
            name=f"{prefix}-egress-domains",
            type="STATEFUL",
            capacity=100,
            rule_group={
                "rule_variables": {"ip_sets": [{"key": "HOME_NET", "ip_set": {"definitions": spoke_blocks}}]},
                "rules_source": {
                    "rules_source_list": {
                        "generated_rules_type": "ALLOWLIST",
                        "target_types": ["TLS_SNI", "HTTP_HOST"],
                        "targets": list(self._args.egress_allowed_domains),
                    }
                },
                "stateful_rule_options": {"rule_order": "STRICT_ORDER"},
            },
            tags=self._tags,
            opts=child,
        )
        policy = aws.networkfirewall.FirewallPolicy(
            child_name(name, "firewall-policy"),
            name=f"{prefix}-inspection",
            firewall_policy={
                "stateless_default_actions": ["aws:forward_to_sfe"],
                "stateless_fragment_default_actions": ["aws:forward_to_sfe"],
                "stateful_engine_options": {"rule_order": "STRICT_ORDER"},
                "stateful_default_actions": ["aws:drop_established", "aws:alert_established"],
                "stateful_rule_group_references": [{"resource_arn": domains.arn, "priority": 100}],
                "policy_variables": {
                    "rule_variables": [{"key": "HOME_NET", "ip_set": {"definitions": spoke_blocks}}]
                },
            },
            tags=self._tags,
            opts=child,
        )
        firewall = aws.networkfirewall.Firewall(
            child_name(name, "firewall"),
            name=f"{prefix}-inspection",
            vpc_id=vpc.vpc.id,
            firewall_policy_arn=policy.arn,
            subnet_mappings=[{"subnet_id": s.id} for s in vpc.subnets["firewall"]],
            delete_protection=True,
            subnet_change_protection=True,
            firewall_policy_change_protection=False,
            tags=self._tags,
            opts=child,
        )
        aws.networkfirewall.LoggingConfiguration(
            child_name(name, "firewall-logging"),
            firewall_arn=firewall.arn,
            logging_configuration={
                "log_destination_configs": [
                    {
                        "log_destination_type": "S3",
                        "log_type": kind,
                        "log_destination": {
                            "bucketName": pulumi.Output.from_input(self._args.flow_log_bucket_arn).apply(
                                lambda arn: arn.split(":::")[-1]
                            ),
                            "prefix": FIREWALL_LOG_PREFIX,
                        },
                    }
                    for kind in ("ALERT", "FLOW")
                ]
            },
            opts=child,
        )
        att = self._attachment(plan, tgw, vpc, appliance_mode=True)
        # transit subnets -> firewall endpoint of the same AZ; firewall subnets -> back to the TGW.
        states = firewall.firewall_statuses.apply(lambda st: st[0].sync_states if st else [])
        for i, rt in enumerate(self._per_az_route_tables(vpc, "transit")):
            endpoint = pulumi.Output.all(states, self._azs.names).apply(
                lambda a, i=i: next(  # type: ignore[misc]
                    (s.attachments[0].endpoint_id for s in (a[0] or []) if s.availability_zone == a[1][i]), ""
                )
            )
            aws.ec2.Route(
                child_name(name, "inspection", "transit-to-firewall", i),
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                vpc_endpoint_id=endpoint,
                opts=child,
            )
        for i, rt in enumerate(self._per_az_route_tables(vpc, "firewall")):
            aws.ec2.Route(
                child_name(name, "inspection", "firewall-to-tgw", i),
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                transit_gateway_id=tgw.id,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[att]),
            )
        self._gateway_endpoints(vpc)
        return att

    def _interface_endpoints(self, plan: VpcPlan, vpc: _Vpc) -> None:
        name = child_name(self._name, plan.name)
        child = pulumi.ResourceOptions(parent=self)
        sg = aws.ec2.SecurityGroup(
            child_name(name, "endpoints-sg"),
            vpc_id=vpc.vpc.id,
            description="HTTPS from the VPC to interface endpoints",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": 443,
                    "to_port": 443,
                    "cidr_blocks": [str(plan.cidr)],
                    "description": "HTTPS from the VPC",
                }
            ],
            egress=[],
            tags=self._tags_named(child_name(name, "endpoints-sg")),
            opts=child,
        )
        for svc in self._args.interface_endpoints:
            aws.ec2.VpcEndpoint(
                child_name(name, "endpoint", svc),
                vpc_id=vpc.vpc.id,
                service_name=f"com.amazonaws.{self._args.region}.{svc}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[s.id for s in vpc.subnets["private"]],
                security_group_ids=[sg.id],
                tags=self._tags_named(child_name(name, "endpoint", svc)),
                opts=child,
            )
