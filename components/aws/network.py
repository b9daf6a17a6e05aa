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
    DEFAULT_EGRESS_DOMAINS as DEFAULT_EGRESS_DOMAINS,
)
from components.aws.network_plan import (
    NetworkPlan,
    NetworkSpec,
    VpcPlan,
    validate_network,
)
from components.aws.vpc import VpcBuilder, nat_count, nat_gateway_for
from components.common import CommonArgs, child_name, layer_tags


@dataclass(frozen=True, kw_only=True)
class NetworkArgs(NetworkSpec):
    """Inputs of :class:`Network`: its :class:`NetworkSpec` (what the blueprint settings embed) and the
    stack's inputs."""

    flow_log_bucket_arn: pulumi.Input[str]
    """ARN of the archive bucket that receives every VPC's flow logs. Required."""
    organization_arn: pulumi.Input[str] | None = None
    """Share the Transit Gateway with this organization through RAM; ``None`` does not share. Default:
    ``None``."""
    sharing_dependencies: Sequence[pulumi.Resource] = ()
    """RAM sharing with the organization, when enabled in the same stack: associating the organization
    with a share fails before it. Default: none (enabled by an earlier stage)."""
    region: str = DEFAULT_HOME_REGION
    """Region of the network (interface endpoint service names use it). Default: ``eu-west-3``."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, tags, protection. Default: ``CommonArgs()``."""


def validate_network_args(args: NetworkSpec, key: str = "NetworkArgs") -> NetworkPlan:
    """Validate and plan (pure): see :func:`components.aws.network_plan.validate_network`."""
    return validate_network(args, key)


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
    builder: VpcBuilder
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
                vpc.builder.route(
                    child_name(name, sp.name, "default"),
                    rt,
                    opts=pulumi.ResourceOptions(depends_on=[att]),
                    transit_gateway_id=tgw.id,
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
        builder = VpcBuilder(
            name,
            str(plan.cidr),
            layer_tags(self._tags_named(name), {"kasbah:segment": plan.segment.value}),
            parent=self,
        )
        self.vpc_ids[plan.name] = builder.id
        builder.lock_default_security_group(
            child_name(name, "default-sg"),
            self._tags_named(child_name(name, "default-sg-emptied")),
            explicit_empty_rules=True,
        )
        flow = aws.ec2.FlowLog(
            child_name(name, "flow-logs"),
            vpc_id=builder.id,
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
                builder.subnet(
                    sub_name,
                    str(sn.cidr),
                    self._azs.names[sn.zone_index],
                    layer_tags(self._tags_named(sub_name), {"kasbah:tier": sn.tier}),
                )
            )
        route_tables: list[aws.ec2.RouteTable] = []
        if single_route_table:
            route_tables.append(
                builder.route_table(
                    child_name(name, "rt"),
                    self._tags_named(child_name(name, "rt")),
                    [
                        (child_name(name, "rt", tier, i), sub)
                        for tier, subs in subnets.items()
                        for i, sub in enumerate(subs)
                    ],
                )
            )
        return _Vpc(plan, builder, subnets, route_tables)

    def _gateway_endpoints(self, vpc: _Vpc) -> None:
        for svc in ("s3", "dynamodb"):
            aws.ec2.VpcEndpoint(
                child_name(self._name, vpc.plan.name, "endpoint", svc),
                vpc_id=vpc.builder.id,
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
            out.append(
                vpc.builder.route_table(
                    rt_name, self._tags_named(rt_name), [(child_name(rt_name, "association"), sub)]
                )
            )
        vpc.route_tables.extend(out)
        return out

    def _attachment(
        self, plan: VpcPlan, tgw: aws.ec2transitgateway.TransitGateway, vpc: _Vpc, appliance_mode: bool
    ) -> aws.ec2transitgateway.VpcAttachment:
        att_name = child_name(self._name, plan.name, "attachment")
        return aws.ec2transitgateway.VpcAttachment(
            att_name,
            transit_gateway_id=tgw.id,
            vpc_id=vpc.builder.id,
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
        vpc = self._vpc(plan, single_route_table=False)
        builder = vpc.builder
        igw = builder.internet_gateway(
            child_name(name, "egress", "igw"), self._tags_named(child_name(name, "egress", "igw"))
        )
        public_rt = builder.route_table(
            child_name(name, "egress", "rt", "public"),
            self._tags_named(child_name(name, "egress", "rt", "public")),
            [
                (child_name(name, "egress", "rt", "public", i), sub)
                for i, sub in enumerate(vpc.subnets["public"])
            ],
        )
        vpc.route_tables.append(public_rt)
        builder.route(child_name(name, "egress", "public-default"), public_rt, gateway_id=igw.id)
        att = self._attachment(plan, tgw, vpc, appliance_mode=False)
        for block_index, block in enumerate(spoke_blocks):
            builder.route(
                child_name(name, "egress", "public-to-spoke", block_index),
                public_rt,
                block,
                opts=pulumi.ResourceOptions(depends_on=[att]),
                transit_gateway_id=tgw.id,
            )
        nats = builder.nat_gateways(
            nat_count(self._args.nat_strategy, plan.az_count),
            vpc.subnets["public"],
            lambda i: (child_name(name, "egress", "nat-eip", i), child_name(name, "egress", "nat", i)),
            lambda i: (
                self._tags_named(child_name(name, "egress", "nat-eip", i)),
                self._tags_named(child_name(name, "egress", "nat", i)),
            ),
            igw,
            connectivity_type="public",
        )
        for i, rt in enumerate(self._per_az_route_tables(vpc, "transit")):
            nat = nat_gateway_for(nats, i)
            if nat is not None:
                builder.route(child_name(name, "egress", "transit-default", i), rt, nat_gateway_id=nat.id)
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
            vpc_id=vpc.builder.id,
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
            vpc.builder.route(
                child_name(name, "inspection", "transit-to-firewall", i), rt, vpc_endpoint_id=endpoint
            )
        for i, rt in enumerate(self._per_az_route_tables(vpc, "firewall")):
            vpc.builder.route(
                child_name(name, "inspection", "firewall-to-tgw", i),
                rt,
                opts=pulumi.ResourceOptions(depends_on=[att]),
                transit_gateway_id=tgw.id,
            )
        self._gateway_endpoints(vpc)
        return att

    def _interface_endpoints(self, plan: VpcPlan, vpc: _Vpc) -> None:
        name = child_name(self._name, plan.name)
        child = pulumi.ResourceOptions(parent=self)
        sg = aws.ec2.SecurityGroup(
            child_name(name, "endpoints-sg"),
            vpc_id=vpc.builder.id,
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
                vpc_id=vpc.builder.id,
                service_name=f"com.amazonaws.{self._args.region}.{svc}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[s.id for s in vpc.subnets["private"]],
                security_group_ids=[sg.id],
                tags=self._tags_named(child_name(name, "endpoint", svc)),
                opts=child,
            )
