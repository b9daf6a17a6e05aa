"""The low-latency edge pattern for AWS Wavelength zones (Casablanca by default).

:class:`WavelengthEdge` (``kasbah:aws:WavelengthEdge``) puts latency-critical workloads in one or
more Wavelength zones of the provider's region, with their control plane and data services in
the parent region. Each zone gets its own :class:`EdgeZone` (``kasbah:aws:EdgeZone``): a VPC with
regional public and private subnets in at least two AZs, the zone's subnets (IPv4 only), a
carrier gateway, a zone route table whose default route goes to the carrier gateway and nothing
else, internet and NAT gateways in regional subnets only, interface endpoints in the regional
private subnets, an S3 gateway endpoint on the zone route table, flow logs, a security group
with only the application's ports, a launch template and an Auto Scaling group in the zone,
and optionally an ALB, a fixed carrier IP and a self-managed EKS node group. Several zones are
joined by a Transit Gateway (two zones in one VPC cannot talk).

Validation is two-step: :func:`components.aws.edge_plan.plan_edge` checks everything known
statically before any resource is registered; the zone is then resolved at deploy time with
``aws.get_availability_zone(name=..., all_availability_zones=True)`` and refused when AWS does
not call it a Wavelength zone or puts it in another region than the provider's.

Opting in to a zone group (``aws.ec2.AvailabilityZoneGroup``) is one-way: opting out needs AWS
Support, so the resource is retained on delete.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws.edge_plan import (
    EdgeArgs,
    EdgePlan,
    EdgeZoneArgs,
    ZonePlan,
    check_resolved_zone,
    plan_edge,
    zone_label,
)
from components.aws.iam import service_trust_policy
from components.aws.vpc import VpcBuilder, nat_count, nat_gateway_for
from components.aws.wavelength_data import border_group_of
from components.common import (
    CLASSIFICATION_TAG,
    DataClassification,
    child_name,
    classification_tags,
    layer_tags,
)
from components.errors import ConfigError

__all__ = ["EdgeArgs", "EdgeZone", "EdgeZoneInputs", "WavelengthEdge", "provider_region"]

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
EKS_NODE_IMAGE = "resolve:ssm:/aws/service/eks/optimized-ami/{version}/amazon-linux-2023/x86_64/standard/recommended/image_id"


def provider_region(args: EdgeArgs) -> str | None:
    """The region the pattern is checked against: ``args.region``, else the stack's ``aws:region``."""
    return args.region or pulumi.Config("aws").get("region")


def autoscaling_role_suffix(prefix: str, name: str) -> str:
    """The custom suffix of the edge's own Auto Scaling service-linked role (role names: 64 characters)."""
    return f"{prefix}-{name}"[: 64 - len("AWSServiceRoleForAutoScaling_")]


def autoscaling_role_arn(account: str, partition: str, suffix: str) -> str:
    return (
        f"arn:{partition}:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/"
        f"AWSServiceRoleForAutoScaling_{suffix}"
    )


def key_policy(account: str, partition: str, region: str, slr: str) -> str:
    """KMS key policy: account administration, the edge's Auto Scaling service-linked role (``slr``),
    CloudWatch Logs.

    A key policy that names a principal which does not exist yet is refused
    (MalformedPolicyDocumentException), so the role is created first and the key depends on it:
    https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
    """
    root = f"arn:{partition}:iam::{account}:root"
    use = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministration",
                    "Effect": "Allow",
                    "Principal": {"AWS": root},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "AutoScalingUse",
                    "Effect": "Allow",
                    "Principal": {"AWS": slr},
                    "Action": use,
                    "Resource": "*",
                },
                {
                    "Sid": "AutoScalingGrants",
                    "Effect": "Allow",
                    "Principal": {"AWS": slr},
                    "Action": "kms:CreateGrant",
                    "Resource": "*",
                    "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
                },
                {
                    "Sid": "CloudWatchLogsUse",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                    "Action": use,
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account}:log-group:*"
                        }
                    },
                },
            ],
        }
    )


@dataclass(frozen=True)
class EdgeZoneInputs:
    """Inputs of one :class:`EdgeZone`, built by :class:`WavelengthEdge` (not a user-facing API)."""

    zone: EdgeZoneArgs
    """The zone's own arguments. Default: none (required)."""

    plan: ZonePlan
    """The zone's validated VPC plan. Default: none (required)."""

    edge: EdgeArgs
    """The pattern's arguments (ports, sources, endpoints, ALB, EKS...). Default: none (required)."""

    region: str
    """The provider's region. Default: none (required)."""

    zone_name: pulumi.Output[str]
    """The zone name as checked at deploy time. Default: none (required)."""

    border_group: pulumi.Output[str]
    """The zone's network border group as AWS reports it. Default: none (required)."""

    regional_azs: Sequence[pulumi.Input[str]]
    """Regional AZ names, one per regional subnet index. Default: none (required)."""

    kms_key_arn: pulumi.Output[str]
    """KMS key of the volumes and logs. Default: none (required)."""

    instance_profile_arn: pulumi.Output[str]
    """Instance profile of the edge instances (SSM). Default: none (required)."""

    flow_log_role_arn: pulumi.Output[str]
    """Role VPC Flow Logs assumes. Default: none (required)."""

    autoscaling_role_arn: pulumi.Output[str]
    """The edge's Auto Scaling service-linked role, named in the key policy. Default: none (required)."""

    opt_in: pulumi.Resource
    """The zone group opt-in the zone's resources wait for. Default: none (required)."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of every taggable child. Default: none."""

    eks_cluster_role_arn: pulumi.Output[str] | None = None
    """EKS cluster role (when EKS is enabled). Default: none."""

    eks_node_role_arn: pulumi.Output[str] | None = None
    """EKS node role (when EKS is enabled). Default: none."""

    eks_node_profile_arn: pulumi.Output[str] | None = None
    """EKS node instance profile (when EKS is enabled). Default: none."""


class EdgeZone(pulumi.ComponentResource):
    """One Wavelength zone's VPC, network, endpoints and edge compute (``kasbah:aws:EdgeZone``)."""

    vpc_id: pulumi.Output[str]
    vpc_cidr: str
    zone_subnet_ids: list[pulumi.Output[str]]
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]
    zone_route_table_id: pulumi.Output[str]
    private_route_table_ids: list[pulumi.Output[str]]
    carrier_gateway_id: pulumi.Output[str]
    endpoint_ids: dict[str, pulumi.Output[str]]
    s3_endpoint_id: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    launch_template_id: pulumi.Output[str]
    auto_scaling_group_name: pulumi.Output[str]
    load_balancer_name: pulumi.Output[str] | None
    carrier_ip: pulumi.Output[str] | None
    eks_cluster_name: pulumi.Output[str] | None

    def __init__(self, name: str, inputs: EdgeZoneInputs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kasbah:aws:EdgeZone", name, None, opts)
        self._name = name
        self._in = inputs
        self._child = pulumi.ResourceOptions(parent=self)
        edge, plan = inputs.edge, inputs.plan
        self.vpc_cidr = str(plan.vpc_cidr)
        self._network()
        self._endpoints()
        self._flow_logs()
        self._compute()
        self.eks_cluster_name = self._eks() if edge.eks.enabled else None
        self.carrier_ip = self._carrier_ip() if inputs.zone.fixed_carrier_ip else None
        self.register_outputs(self.outputs())

    # -- helpers -------------------------------------------------------------------------------
    def _tags(self, role: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return layer_tags(self._in.tags, {"Name": child_name(self._name, role)}, extra)

    def _opts(self, **kw: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions.merge(self._child, pulumi.ResourceOptions(**kw))

    # -- network -------------------------------------------------------------------------------
    def _network(self) -> None:
        n, plan, edge = self._name, self._in.plan, self._in.edge
        builder = VpcBuilder(child_name(n, "vpc"), str(plan.vpc_cidr), self._tags("vpc"), parent=self)
        self._vpc = builder.vpc
        self.vpc_id = builder.id
        # Lock down the default security group (no rules).
        builder.lock_default_security_group(
            child_name(n, "default-sg"), self._tags("default-sg"), explicit_empty_rules=False
        )
        public = [
            builder.subnet(
                child_name(n, "public", spec.index),
                str(spec.cidr),
                self._in.regional_azs[spec.index],
                self._tags(f"public-{spec.index}", {"kasbah:tier": "public"}),
            )
            for spec in plan.regional("public")
        ]
        private = [
            builder.subnet(
                child_name(n, "private", spec.index),
                str(spec.cidr),
                self._in.regional_azs[spec.index],
                self._tags(f"private-{spec.index}", {"kasbah:tier": "private"}),
            )
            for spec in plan.regional("private")
        ]
        zone_subnets = [
            builder.subnet(
                child_name(n, "zone", spec.index),
                str(spec.cidr),
                self._in.zone_name,
                self._tags(f"zone-{spec.index}", {"kasbah:tier": "wavelength"}),
                opts=pulumi.ResourceOptions(depends_on=[self._in.opt_in]),
                assign_ipv6_address_on_creation=False,
            )
            for spec in plan.zone_subnets
        ]
        self._public, self._private, self._zone_subnets = public, private, zone_subnets
        self.public_subnet_ids = [s.id for s in public]
        self.private_subnet_ids = [s.id for s in private]
        self.zone_subnet_ids = [s.id for s in zone_subnets]

        # Regional internet access: IGW for the public subnets, NAT for the private ones.
        igw = builder.internet_gateway(child_name(n, "igw"), self._tags("igw"))

        def routed(
            role: str, subnets: list[aws.ec2.Subnet], *qualifier: int, **default_target: Any
        ) -> aws.ec2.RouteTable:
            """A route table ``<role>-rt``, its 0.0.0.0/0 route to ``default_target`` (if any), its subnets."""
            rt = builder.route_table(
                child_name(n, f"{role}-rt", *qualifier),
                self._tags("-".join([f"{role}-rt", *map(str, qualifier)])),
                [
                    (child_name(n, f"{role}-rta", *(qualifier or (i,))), subnet)
                    for i, subnet in enumerate(subnets)
                ],
            )
            if default_target:
                builder.route(child_name(n, f"{role}-default", *qualifier), rt, **default_target)
            return rt

        routed("public", public, gateway_id=igw.id)
        nats = builder.nat_gateways(
            nat_count(edge.nat, len(public)),
            public,
            lambda i: (child_name(n, "nat-eip", i), child_name(n, "nat", i)),
            lambda i: (self._tags(f"nat-eip-{i}"), self._tags(f"nat-{i}")),
            igw,
        )
        private_rts = []
        for i, subnet in enumerate(private):
            nat = nat_gateway_for(nats, i)
            nat_target = {"nat_gateway_id": nat.id} if nat is not None else {}
            private_rts.append(routed("private", [subnet], i, **nat_target))
        self._private_rts = private_rts
        self.private_route_table_ids = [rt.id for rt in private_rts]

        # The zone: carrier gateway, zone route table whose default route goes to it and nothing else.
        cagw = aws.ec2.CarrierGateway(
            child_name(n, "cagw"),
            vpc_id=builder.id,
            tags=self._tags("cagw"),
            opts=self._opts(depends_on=[self._in.opt_in]),
        )
        zone_rt = routed("zone", zone_subnets, carrier_gateway_id=cagw.id)
        self._zone_rt = zone_rt
        self.zone_route_table_id = zone_rt.id
        self.carrier_gateway_id = cagw.id

    def route_to_peers(
        self, transit_gateway_id: pulumi.Input[str], peers: Sequence[str], attachment: pulumi.Resource
    ) -> None:
        """Route the other zones' VPC blocks to the Transit Gateway, from the zone and private route tables."""
        tables = [("zone", self._zone_rt), *((f"private-{i}", rt) for i, rt in enumerate(self._private_rts))]
        for peer in peers:
            label = peer.replace(".", "-").replace("/", "-")
            for role, rt in tables:
                aws.ec2.Route(
                    child_name(self._name, "tgw-route", role, label),
                    route_table_id=rt.id,
                    destination_cidr_block=peer,
                    transit_gateway_id=transit_gateway_id,
                    opts=self._opts(depends_on=[attachment]),
                )

    def attach(self, transit_gateway_id: pulumi.Input[str]) -> aws.ec2transitgateway.VpcAttachment:
        """Attach the VPC to a Transit Gateway through its regional private subnets (not the zone's)."""
        return aws.ec2transitgateway.VpcAttachment(
            child_name(self._name, "tgw-attachment"),
            transit_gateway_id=transit_gateway_id,
            vpc_id=self._vpc.id,
            subnet_ids=self.private_subnet_ids,
            dns_support="enable",
            tags=self._tags("tgw-attachment"),
            opts=self._child,
        )

    # -- endpoints -----------------------------------------------------------------------------
    def _endpoints(self) -> None:
        n, region = self._name, self._in.region
        sg = aws.ec2.SecurityGroup(
            child_name(n, "endpoints-sg"),
            vpc_id=self._vpc.id,
            description="Interface endpoints: HTTPS from inside the VPC only",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": 443,
                    "to_port": 443,
                    "cidr_blocks": [self.vpc_cidr],
                    "description": "HTTPS from the VPC",
                }
            ],
            egress=[],
            tags=self._tags("endpoints-sg"),
            opts=self._child,
        )
        self.endpoint_ids = {}
        for svc in self._in.edge.endpoints:
            ep = aws.ec2.VpcEndpoint(
                child_name(n, "endpoint", svc.replace(".", "-")),
                vpc_id=self._vpc.id,
                service_name=f"com.amazonaws.{region}.{svc}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.private_subnet_ids,
                security_group_ids=[sg.id],
                tags=self._tags(f"endpoint-{svc.replace('.', '-')}"),
                opts=self._child,
            )
            self.endpoint_ids[svc] = ep.id
        s3 = aws.ec2.VpcEndpoint(
            child_name(n, "endpoint", "s3"),
            vpc_id=self._vpc.id,
            service_name=f"com.amazonaws.{region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[self._zone_rt.id, *self.private_route_table_ids],
            tags=self._tags("endpoint-s3"),
            opts=self._child,
        )
        self.s3_endpoint_id = s3.id

    # -- flow logs -----------------------------------------------------------------------------
    def _flow_logs(self) -> None:
        n, edge = self._name, self._in.edge
        group = aws.cloudwatch.LogGroup(
            child_name(n, "flow-logs"),
            name=f"/kasbah/{edge.common.prefix}/edge/{n}/vpc-flow-logs",
            retention_in_days=edge.flow_log_retention_days,
            kms_key_id=self._in.kms_key_arn,
            tags=self._tags("flow-logs", classification_tags(edge.log_classification)),
            opts=self._child,
        )
        aws.ec2.FlowLog(
            child_name(n, "flow-log"),
            vpc_id=self._vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=self._in.flow_log_role_arn,
            max_aggregation_interval=60,
            tags=self._tags("flow-log"),
            opts=self._child,
        )

    # -- compute -------------------------------------------------------------------------------
    def _compute(self) -> None:
        n, edge, zone = self._name, self._in.edge, self._in.zone
        data_tags = classification_tags(zone.data_classification)
        alb_sg: aws.ec2.SecurityGroup | None = None
        if edge.alb.enabled:
            sources = list(edge.app_sources)
            alb_sg = aws.ec2.SecurityGroup(
                child_name(n, "alb-sg"),
                vpc_id=self._vpc.id,
                description="Edge ALB: HTTPS (and HTTP, redirected) from the application's sources",
                ingress=[
                    {
                        "protocol": "tcp",
                        "from_port": 443,
                        "to_port": 443,
                        "cidr_blocks": sources,
                        "description": "HTTPS",
                    },
                    {
                        "protocol": "tcp",
                        "from_port": 80,
                        "to_port": 80,
                        "cidr_blocks": sources,
                        "description": "HTTP redirect",
                    },
                ],
                egress=[
                    {
                        "protocol": "tcp",
                        "from_port": edge.alb.target_port,
                        "to_port": edge.alb.target_port,
                        "cidr_blocks": [self.vpc_cidr],
                        "description": "to the instances",
                    }
                ],
                tags=self._tags("alb-sg"),
                opts=self._child,
            )
            ingress: list[aws.ec2.SecurityGroupIngressArgsDict] = [
                {
                    "protocol": "tcp",
                    "from_port": edge.alb.target_port,
                    "to_port": edge.alb.target_port,
                    "security_groups": [alb_sg.id],
                    "description": "from the edge ALB",
                }
            ]
        else:
            ingress = [
                {
                    "protocol": "tcp",
                    "from_port": p,
                    "to_port": p,
                    "cidr_blocks": list(edge.app_sources),
                    "description": f"app port {p}",
                }
                for p in edge.app_ports
            ]
        sg = aws.ec2.SecurityGroup(
            child_name(n, "app-sg"),
            vpc_id=self._vpc.id,
            description="Edge instances: the application's ports only; no admin port (use SSM)",
            ingress=ingress,
            egress=[
                {
                    "protocol": "-1",
                    "from_port": 0,
                    "to_port": 0,
                    "cidr_blocks": ["0.0.0.0/0"],
                    "description": "outbound",
                }
            ],
            tags=self._tags("app-sg"),
            opts=self._child,
        )
        self.security_group_id = sg.id
        lt = aws.ec2.LaunchTemplate(
            child_name(n, "lt"),
            description=f"Edge instances in {zone.name}",
            image_id=edge.image_id,
            instance_type=zone.instance_type,
            key_name=edge.ssh_key_name,
            iam_instance_profile={"arn": self._in.instance_profile_arn},
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": 1,
                "instance_metadata_tags": "disabled",
            },
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {
                        "volume_type": "gp2",
                        "volume_size": 30,
                        "encrypted": "true",
                        "kms_key_id": self._in.kms_key_arn,
                        "delete_on_termination": "true",
                    },
                }
            ],
            network_interfaces=[
                {
                    "device_index": 0,
                    "associate_carrier_ip_address": "true",
                    "security_groups": [sg.id],
                    "delete_on_termination": "true",
                }
            ],
            tag_specifications=[
                {"resource_type": "instance", "tags": self._tags("instance")},
                {"resource_type": "volume", "tags": self._tags("volume", data_tags)},
            ],
            tags=self._tags("lt", data_tags),
            opts=self._child,
        )
        self.launch_template_id = lt.id
        target_groups: list[pulumi.Output[str]] = []
        self.load_balancer_name = None
        if alb_sg is not None:
            tg, lb = self._alb(alb_sg)
            target_groups = [tg.arn]
            self.load_balancer_name = lb.name
        asg = aws.autoscaling.Group(
            child_name(n, "asg"),
            vpc_zone_identifiers=self.zone_subnet_ids,
            launch_template={"id": lt.id, "version": lt.latest_version.apply(str)},
            min_size=zone.min_size,
            desired_capacity=zone.desired_capacity,
            max_size=zone.max_size,
            health_check_type="ELB" if target_groups else "EC2",
            target_group_arns=target_groups,
            service_linked_role_arn=self._in.autoscaling_role_arn,
            tags=[
                {"key": k, "value": v, "propagate_at_launch": True}
                for k, v in self._tags(
                    "asg", {CLASSIFICATION_TAG: DataClassification(zone.data_classification).value}
                ).items()
            ],
            opts=self._child,
        )
        self.auto_scaling_group_name = asg.name

    def _alb(self, alb_sg: aws.ec2.SecurityGroup) -> tuple[aws.lb.TargetGroup, aws.lb.LoadBalancer]:
        """ALB in the zone subnets: HTTPS with the configured certificate, HTTP only redirects."""
        n, edge = self._name, self._in.edge
        lb = aws.lb.LoadBalancer(
            child_name(n, "alb"),
            load_balancer_type="application",
            internal=False,
            subnets=self.zone_subnet_ids,
            security_groups=[alb_sg.id],
            drop_invalid_header_fields=True,
            enable_deletion_protection=edge.common.protect,
            tags=self._tags("alb"),
            opts=self._child,
        )
        tg = aws.lb.TargetGroup(
            child_name(n, "tg"),
            port=edge.alb.target_port,
            protocol="HTTP",
            target_type="instance",
            vpc_id=self._vpc.id,
            health_check={"path": "/", "protocol": "HTTP", "matcher": "200-399"},
            tags=self._tags("tg"),
            opts=self._child,
        )
        aws.lb.Listener(
            child_name(n, "https"),
            load_balancer_arn=lb.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=edge.alb.certificate_arn,
            default_actions=[{"type": "forward", "target_group_arn": tg.arn}],
            tags=self._tags("https"),
            opts=self._child,
        )
        aws.lb.Listener(
            child_name(n, "http-redirect"),
            load_balancer_arn=lb.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                {
                    "type": "redirect",
                    "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"},
                }
            ],
            tags=self._tags("http-redirect"),
            opts=self._child,
        )
        return tg, lb

    def _carrier_ip(self) -> pulumi.Output[str]:
        """A fixed carrier IP in the zone's network border group (associate it with an instance)."""
        eip = aws.ec2.Eip(
            child_name(self._name, "carrier-ip"),
            domain="vpc",
            network_border_group=self._in.border_group,
            tags=self._tags("carrier-ip"),
            opts=self._opts(depends_on=[self._in.opt_in]),
        )
        return eip.carrier_ip

    # -- EKS -----------------------------------------------------------------------------------
    def _eks(self) -> pulumi.Output[str]:
        """EKS control plane in the region (private subnets), a self-managed node group in the zone."""
        n, edge, eks = self._name, self._in.edge, self._in.edge.eks
        assert self._in.eks_cluster_role_arn is not None
        assert self._in.eks_node_role_arn is not None
        assert self._in.eks_node_profile_arn is not None
        public = bool(eks.public_endpoint_cidrs)
        cluster = aws.eks.Cluster(
            child_name(n, "eks"),
            role_arn=self._in.eks_cluster_role_arn,
            version=eks.version,
            vpc_config={
                "subnet_ids": self.private_subnet_ids,
                "endpoint_private_access": True,
                "endpoint_public_access": public,
                "public_access_cidrs": list(eks.public_endpoint_cidrs) if public else None,
            },
            access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": True},
            encryption_config={"resources": ["secrets"], "provider": {"key_arn": self._in.kms_key_arn}},
            enabled_cluster_log_types=["api", "audit", "authenticator"],
            tags=self._tags("eks"),
            opts=self._child,
        )
        aws.eks.AccessEntry(
            child_name(n, "eks-nodes-access"),
            cluster_name=cluster.name,
            principal_arn=self._in.eks_node_role_arn,
            type="EC2_LINUX",
            tags=self._tags("eks-nodes-access"),
            opts=self._child,
        )
        user_data = pulumi.Output.all(
            cluster.name,
            cluster.endpoint,
            cluster.certificate_authority.data,
            cluster.kubernetes_network_config.service_ipv4_cidr,
        ).apply(lambda v: _nodeadm_user_data(str(v[0]), str(v[1]), str(v[2]), str(v[3])))
        data_tags = classification_tags(self._in.zone.data_classification)
        lt = aws.ec2.LaunchTemplate(
            child_name(n, "eks-nodes-lt"),
            description=f"EKS self-managed nodes in {self._in.zone.name}",
            image_id=EKS_NODE_IMAGE.format(version=eks.version),
            instance_type=eks.node_instance_type,
            key_name=edge.ssh_key_name,
            iam_instance_profile={"arn": self._in.eks_node_profile_arn},
            user_data=user_data,
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": 2,
            },
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {
                        "volume_type": "gp2",
                        "volume_size": 50,
                        "encrypted": "true",
                        "kms_key_id": self._in.kms_key_arn,
                        "delete_on_termination": "true",
                    },
                }
            ],
            network_interfaces=[
                {
                    "device_index": 0,
                    "associate_carrier_ip_address": "true",
                    "security_groups": [cluster.vpc_config.cluster_security_group_id],
                    "delete_on_termination": "true",
                }
            ],
            tag_specifications=[
                {"resource_type": "instance", "tags": self._tags("eks-node")},
                {"resource_type": "volume", "tags": self._tags("eks-node-volume", data_tags)},
            ],
            tags=self._tags("eks-nodes-lt", data_tags),
            opts=self._child,
        )
        node_tags: list[aws.autoscaling.GroupTagArgsDict] = [
            {"key": k, "value": v, "propagate_at_launch": True}
            for k, v in self._tags("eks-nodes", data_tags).items()
        ]
        node_tags.append(
            {"key": cluster.name.apply(_cluster_tag), "value": "owned", "propagate_at_launch": True}
        )
        aws.autoscaling.Group(
            child_name(n, "eks-nodes"),
            vpc_zone_identifiers=self.zone_subnet_ids,
            launch_template={"id": lt.id, "version": lt.latest_version.apply(str)},
            min_size=eks.node_min_size,
            desired_capacity=eks.node_desired_size,
            max_size=eks.node_max_size,
            service_linked_role_arn=self._in.autoscaling_role_arn,
            tags=node_tags,
            opts=self._child,
        )
        return cluster.name

    def outputs(self) -> dict[str, Any]:
        """The zone's outputs (plain dict of Outputs), as exported by the blueprint."""
        out: dict[str, Any] = {
            "vpcId": self.vpc_id,
            "zoneSubnetIds": self.zone_subnet_ids,
            "publicSubnetIds": self.public_subnet_ids,
            "privateSubnetIds": self.private_subnet_ids,
            "zoneRouteTableId": self.zone_route_table_id,
            "privateRouteTableIds": self.private_route_table_ids,
            "carrierGatewayId": self.carrier_gateway_id,
            "endpointIds": {**self.endpoint_ids, "s3": self.s3_endpoint_id},
            "autoScalingGroupName": self.auto_scaling_group_name,
            "launchTemplateId": self.launch_template_id,
        }
        if self.load_balancer_name is not None:
            out["loadBalancerName"] = self.load_balancer_name
        if self.carrier_ip is not None:
            out["carrierIp"] = self.carrier_ip
        if self.eks_cluster_name is not None:
            out["eksClusterName"] = self.eks_cluster_name
        return out


def _nodeadm_user_data(cluster: str, endpoint: str, ca: str, cidr: str) -> str:
    """AL2023 ``nodeadm`` NodeConfig joining a self-managed node to the cluster (base64)."""
    doc = (
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="BOUNDARY"\n\n'
        "--BOUNDARY\n"
        "Content-Type: application/node.eks.aws\n\n"
        "apiVersion: node.eks.aws/v1alpha1\n"
        "kind: NodeConfig\n"
        "spec:\n"
        "  cluster:\n"
        f"    name: {cluster}\n"
        f"    apiServerEndpoint: {endpoint}\n"
        f"    certificateAuthority: {ca}\n"
        f"    cidr: {cidr}\n\n"
        "--BOUNDARY--\n"
    )
    return base64.b64encode(doc.encode()).decode()


class WavelengthEdge(pulumi.ComponentResource):
    """The Wavelength edge pattern (``kasbah:aws:WavelengthEdge``): one :class:`EdgeZone` per zone."""

    plan: EdgePlan
    zones: dict[str, EdgeZone]
    transit_gateway_id: pulumi.Output[str] | None
    kms_key_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: EdgeArgs,
        opts: pulumi.ResourceOptions | None = None,
        key_prefix: str = "EdgeArgs.",
    ) -> None:
        # Everything known statically is checked before any resource is registered.
        region = provider_region(args)
        self.plan = plan_edge(args, region, key_prefix)
        region = self.plan.region
        super().__init__("kasbah:aws:WavelengthEdge", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        common = args.common
        tags = layer_tags(
            common.tags, {"kasbah:component": "wavelength-edge", "kasbah:prefix": common.prefix}
        )

        # Deploy-time resolution of each zone; everything in the zone waits for the check.
        provider = aws.get_region_output(opts=invoke).region
        checked: dict[int, pulumi.Output[Any]] = {}
        for zp in self.plan.zones:
            key = f"{key_prefix}zones[{zp.index}].name"
            az = aws.get_availability_zone_output(name=zp.name, all_availability_zones=True, opts=invoke)
            checked[zp.index] = pulumi.Output.all(az, provider).apply(
                functools.partial(_checked, key, zp.name)
            )

        # Opt in to each zone group once (zones sharing a border group share a group). One-way.
        opt_ins: dict[str, aws.ec2.AvailabilityZoneGroup] = {}
        for zp in self.plan.zones:
            group_key = border_group_of(zp.name) or zp.name
            if group_key not in opt_ins:
                opt_ins[group_key] = aws.ec2.AvailabilityZoneGroup(
                    child_name(name, "zone-group", zone_label(group_key)),
                    group_name=checked[zp.index].apply(lambda z: str(z.group_name)),
                    opt_in_status="opted-in",
                    opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
                )

        # Regional AZs: given, or the region's first opt-in-free AZs, resolved at deploy time.
        if args.regional_azs:
            regional_azs: list[pulumi.Input[str]] = list(args.regional_azs)
        else:
            found = aws.get_availability_zones_output(
                state="available",
                filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
                opts=invoke,
            )
            count_key = f"{key_prefix}regionalAzCount"
            regional_azs = [
                found.names.apply(functools.partial(_nth_az, count_key, i))
                for i in range(self.plan.regional_az_count)
            ]

        identity = aws.get_caller_identity_output(opts=invoke)
        partition = aws.get_partition_output(opts=invoke).partition
        # The edge's own Auto Scaling service-linked role, with a custom suffix: the default
        # AWSServiceRoleForAutoScaling may not exist yet in a fresh account (Auto Scaling creates it with
        # the first group, after the key), and creating it fails wherever it does exist. A suffixed role
        # belongs to this stack, exists before the key that names it, and is what the groups use.
        # https://docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-service-linked-role.html
        suffix = autoscaling_role_suffix(common.prefix, name)
        asg_role = aws.iam.ServiceLinkedRole(
            child_name(name, "autoscaling-role"),
            aws_service_name="autoscaling.amazonaws.com",
            custom_suffix=suffix,
            description="Auto Scaling of the Wavelength edge (uses the edge KMS key)",
            tags=tags,
            opts=child,
        )
        asg_role_arn = pulumi.Output.all(identity.account_id, partition, asg_role.id).apply(
            lambda v: autoscaling_role_arn(str(v[0]), str(v[1]), suffix)
        )
        kms_key = aws.kms.Key(
            child_name(name, "kms"),
            description="Wavelength edge: EBS volumes (Auto Scaling), flow logs, EKS secrets",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(identity.account_id, partition).apply(
                lambda v: key_policy(
                    str(v[0]), str(v[1]), region, autoscaling_role_arn(str(v[0]), str(v[1]), suffix)
                )
            ),
            tags=layer_tags(tags, {"Name": child_name(name, "kms")}),
            opts=pulumi.ResourceOptions(parent=self, protect=common.protect, depends_on=[asg_role]),
        )
        aws.kms.Alias(
            child_name(name, "kms-alias"),
            name=f"alias/{common.prefix}-{name}-edge",
            target_key_id=kms_key.key_id,
            opts=child,
        )
        self.kms_key_arn = kms_key.arn

        instance_role = aws.iam.Role(
            child_name(name, "instance-role"),
            assume_role_policy=service_trust_policy("ec2.amazonaws.com"),
            description="Edge instances: SSM Session Manager, no SSH",
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            child_name(name, "instance-ssm"),
            role=instance_role.name,
            policy_arn=partition.apply(lambda p: f"arn:{p}:iam::aws:policy/AmazonSSMManagedInstanceCore"),
            opts=child,
        )
        profile = aws.iam.InstanceProfile(
            child_name(name, "instance-profile"), role=instance_role.name, tags=tags, opts=child
        )

        flow_role = aws.iam.Role(
            child_name(name, "flow-logs-role"),
            assume_role_policy=identity.account_id.apply(
                functools.partial(service_trust_policy, "vpc-flow-logs.amazonaws.com")
            ),
            description="VPC Flow Logs delivery to CloudWatch Logs",
            tags=tags,
            opts=child,
        )
        flow_policy = aws.iam.RolePolicy(
            child_name(name, "flow-logs-policy"),
            role=flow_role.id,
            policy=pulumi.Output.all(identity.account_id, partition).apply(
                lambda v: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "logs:CreateLogStream",
                                    "logs:PutLogEvents",
                                    "logs:DescribeLogGroups",
                                    "logs:DescribeLogStreams",
                                ],
                                "Resource": f"arn:{v[1]}:logs:{region}:{v[0]}:log-group:/kasbah/{common.prefix}/edge/*",
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )

        eks_roles: dict[str, pulumi.Output[str]] = {}
        if args.eks.enabled:
            eks_roles = self._eks_roles(name, partition, tags)

        self.zones = {}
        for zp, zone in zip(self.plan.zones, args.zones, strict=True):
            zone_out = checked[zp.index]
            self.zones[zp.name] = EdgeZone(
                child_name(name, zone_label(zp.name)),
                EdgeZoneInputs(
                    zone=zone,
                    plan=zp,
                    edge=args,
                    region=region,
                    zone_name=zone_out.apply(lambda z: str(z.name)),
                    border_group=zone_out.apply(lambda z: str(z.network_border_group)),
                    regional_azs=regional_azs,
                    kms_key_arn=kms_key.arn,
                    instance_profile_arn=profile.arn,
                    # Taken once the role's policy exists: flow logs deliver with the role's permissions.
                    flow_log_role_arn=pulumi.Output.all(flow_role.arn, flow_policy.id).apply(
                        lambda v: str(v[0])
                    ),
                    autoscaling_role_arn=asg_role_arn,
                    opt_in=opt_ins[border_group_of(zp.name) or zp.name],
                    tags=layer_tags(tags, {"kasbah:wavelength-zone": zp.name}),
                    eks_cluster_role_arn=eks_roles.get("cluster"),
                    eks_node_role_arn=eks_roles.get("node"),
                    eks_node_profile_arn=eks_roles.get("profile"),
                ),
                opts=child,
            )

        # Several zones: one VPC each, joined by a Transit Gateway (the landing zone's when given).
        self.transit_gateway_id = None
        if args.transit_gateway_id or self.plan.needs_transit_gateway:
            tgw_id: pulumi.Output[str]
            if args.transit_gateway_id:
                tgw_id = pulumi.Output.from_input(args.transit_gateway_id)
            else:
                tgw = aws.ec2transitgateway.TransitGateway(
                    child_name(name, "tgw"),
                    description="Joins the Wavelength zone VPCs (two zones in one VPC cannot talk)",
                    auto_accept_shared_attachments="disable",
                    default_route_table_association="enable",
                    default_route_table_propagation="enable",
                    dns_support="enable",
                    tags=layer_tags(tags, {"Name": child_name(name, "tgw")}),
                    opts=child,
                )
                tgw_id = tgw.id
            self.transit_gateway_id = tgw_id
            for zp in self.plan.zones:
                edge_zone = self.zones[zp.name]
                attachment = edge_zone.attach(tgw_id)
                peers = [str(other.vpc_cidr) for other in self.plan.zones if other.index != zp.index]
                edge_zone.route_to_peers(tgw_id, peers, attachment)

        self.register_outputs(self.outputs())

    def _eks_roles(
        self, name: str, partition: pulumi.Output[str], tags: Mapping[str, str]
    ) -> dict[str, pulumi.Output[str]]:
        child = pulumi.ResourceOptions(parent=self)
        cluster_role = aws.iam.Role(
            child_name(name, "eks-cluster-role"),
            assume_role_policy=service_trust_policy("eks.amazonaws.com"),
            tags=dict(tags),
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            child_name(name, "eks-cluster-policy"),
            role=cluster_role.name,
            policy_arn=partition.apply(lambda p: f"arn:{p}:iam::aws:policy/AmazonEKSClusterPolicy"),
            opts=child,
        )
        node_role = aws.iam.Role(
            child_name(name, "eks-node-role"),
            assume_role_policy=service_trust_policy("ec2.amazonaws.com"),
            tags=dict(tags),
            opts=child,
        )
        for policy in (
            "AmazonEKSWorkerNodePolicy",
            "AmazonEKS_CNI_Policy",
            "AmazonEC2ContainerRegistryReadOnly",
            "AmazonSSMManagedInstanceCore",
        ):
            aws.iam.RolePolicyAttachment(
                child_name(name, "eks-node", policy),
                role=node_role.name,
                policy_arn=partition.apply(functools.partial(_managed_policy, policy)),
                opts=child,
            )
        profile = aws.iam.InstanceProfile(
            child_name(name, "eks-node-profile"), role=node_role.name, tags=dict(tags), opts=child
        )
        return {"cluster": cluster_role.arn, "node": node_role.arn, "profile": profile.arn}

    def stack_outputs(self) -> dict[str, Any]:
        """Stack outputs of the casablanca-edge blueprint: one map per kind, keyed by zone name."""
        zones = self.zones.items()
        return {
            "vpcIds": {z: ez.vpc_id for z, ez in zones},
            "zoneSubnetIds": {z: ez.zone_subnet_ids for z, ez in zones},
            "regionalPrivateSubnetIds": {z: ez.private_subnet_ids for z, ez in zones},
            "zoneRouteTableIds": {z: ez.zone_route_table_id for z, ez in zones},
            "carrierGatewayIds": {z: ez.carrier_gateway_id for z, ez in zones},
            "autoScalingGroups": {z: ez.auto_scaling_group_name for z, ez in zones},
            "endpointIds": {z: {**ez.endpoint_ids, "s3": ez.s3_endpoint_id} for z, ez in zones},
            "loadBalancerNames": {
                z: ez.load_balancer_name for z, ez in zones if ez.load_balancer_name is not None
            },
            "carrierIps": {z: ez.carrier_ip for z, ez in zones if ez.carrier_ip is not None},
            "eksClusterNames": {z: ez.eks_cluster_name for z, ez in zones if ez.eks_cluster_name is not None},
            "transitGatewayId": self.transit_gateway_id,
        }

    def outputs(self) -> dict[str, Any]:
        """Outputs per zone name, plus the Transit Gateway id."""
        out: dict[str, Any] = {
            "zones": {z: ez.outputs() for z, ez in self.zones.items()},
            "kmsKeyArn": self.kms_key_arn,
        }
        if self.transit_gateway_id is not None:
            out["transitGatewayId"] = self.transit_gateway_id
        return out


def _nth_az(key: str, i: int, names: Sequence[str]) -> str:
    if i >= len(names):
        raise ConfigError(
            key,
            f"the region has {len(names)} opt-in-free AZ(s), {i + 1} are needed",
            "lower the regional AZ count",
        )
    return str(sorted(names)[i])


def _checked(key: str, requested: str, values: Sequence[Any]) -> Any:
    az, provider = values
    check_resolved_zone(key, requested, str(az.zone_type), str(az.region), str(provider))
    return az


def _managed_policy(policy: str, partition: str) -> str:
    return f"arn:{partition}:iam::aws:policy/{policy}"


def _cluster_tag(cluster: str) -> str:
    return f"kubernetes.io/cluster/{cluster}"
