"""One VPC builder shared by the AWS components that own VPCs (the landing zone's network, the edge).

:class:`VpcBuilder` creates a VPC (DNS support and hostnames on: interface endpoints with private DNS
need both) and its children under one parent component: the default security group locked down,
subnets that never map public IPs, route tables with their default route and subnet associations,
an internet gateway, and NAT gateways placed by :func:`nat_count` and :func:`nat_gateway_for`. The
callers keep their own names and tags (passed in), so moving them onto the builder renamed nothing.

AWS references:
https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html#vpc-dns-support
https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html
https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws.network_plan import NatStrategy


def nat_count(strategy: NatStrategy, az_count: int) -> int:
    """NAT gateways for ``strategy`` in a VPC with ``az_count`` public subnets."""
    return {NatStrategy.NONE: 0, NatStrategy.SINGLE: 1, NatStrategy.PER_AZ: az_count}[strategy]


def nat_gateway_for(nats: Sequence[aws.ec2.NatGateway], index: int) -> aws.ec2.NatGateway | None:
    """The NAT gateway the ``index``-th private route table uses: its AZ's, else the last one."""
    return nats[min(index, len(nats) - 1)] if nats else None


class VpcBuilder:
    """A VPC and its children, parented to ``parent``; every child name and tag set is the caller's."""

    def __init__(
        self,
        name: str,
        cidr: str,
        tags: Mapping[str, str],
        parent: pulumi.Resource,
    ) -> None:
        self._child = pulumi.ResourceOptions(parent=parent)
        self.vpc = aws.ec2.Vpc(
            name,
            cidr_block=cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=dict(tags),
            opts=self._child,
        )
        self.id: pulumi.Output[str] = self.vpc.id

    def _opts(self, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions.merge(self._child, opts) if opts else self._child

    def lock_default_security_group(
        self, name: str, tags: Mapping[str, str], *, explicit_empty_rules: bool
    ) -> aws.ec2.DefaultSecurityGroup:
        """Adopt the VPC's default security group, which removes its rules (nothing may use it).

        ``explicit_empty_rules`` also declares ``ingress=[]`` and ``egress=[]``: the landing zone's
        network was deployed with them and the edge without, so each keeps its inputs unchanged.
        """
        rules: dict[str, Any] = {"ingress": [], "egress": []} if explicit_empty_rules else {}
        return aws.ec2.DefaultSecurityGroup(
            name, vpc_id=self.vpc.id, tags=dict(tags), opts=self._child, **rules
        )

    def subnet(
        self,
        name: str,
        cidr: str,
        availability_zone: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
        **extra: Any,
    ) -> aws.ec2.Subnet:
        """A subnet that never gives its instances public IPs."""
        return aws.ec2.Subnet(
            name,
            vpc_id=self.vpc.id,
            cidr_block=cidr,
            availability_zone=availability_zone,
            map_public_ip_on_launch=False,
            tags=dict(tags),
            opts=self._opts(opts),
            **extra,
        )

    def internet_gateway(self, name: str, tags: Mapping[str, str]) -> aws.ec2.InternetGateway:
        return aws.ec2.InternetGateway(name, vpc_id=self.vpc.id, tags=dict(tags), opts=self._child)

    def route_table(
        self,
        name: str,
        tags: Mapping[str, str],
        associations: Sequence[tuple[str, aws.ec2.Subnet]] = (),
    ) -> aws.ec2.RouteTable:
        """A route table and its ``(association name, subnet)`` associations."""
        rt = aws.ec2.RouteTable(name, vpc_id=self.vpc.id, tags=dict(tags), opts=self._child)
        for assoc_name, subnet in associations:
            aws.ec2.RouteTableAssociation(
                assoc_name, subnet_id=subnet.id, route_table_id=rt.id, opts=self._child
            )
        return rt

    def route(
        self,
        name: str,
        route_table: aws.ec2.RouteTable,
        destination: str = "0.0.0.0/0",
        opts: pulumi.ResourceOptions | None = None,
        **target: Any,
    ) -> aws.ec2.Route:
        """A route of ``route_table`` to ``target`` (``gateway_id=``, ``nat_gateway_id=``...)."""
        return aws.ec2.Route(
            name,
            route_table_id=route_table.id,
            destination_cidr_block=destination,
            opts=self._opts(opts),
            **target,
        )

    def nat_gateways(
        self,
        count: int,
        public_subnets: Sequence[aws.ec2.Subnet],
        names: Callable[[int], tuple[str, str]],
        tags: Callable[[int], tuple[Mapping[str, str], Mapping[str, str]]],
        internet_gateway: aws.ec2.InternetGateway,
        **extra: Any,
    ) -> list[aws.ec2.NatGateway]:
        """``count`` NAT gateways, one per public subnet from the first, each with its Elastic IP.

        ``names(i)`` and ``tags(i)`` give the (Elastic IP, NAT gateway) names and tags. A NAT gateway
        created before the VPC's internet gateway is attached fails, hence the dependency.
        """
        nats = []
        for i in range(count):
            eip_name, nat_name = names(i)
            eip_tags, nat_tags = tags(i)
            eip = aws.ec2.Eip(eip_name, domain="vpc", tags=dict(eip_tags), opts=self._child)
            nats.append(
                aws.ec2.NatGateway(
                    nat_name,
                    subnet_id=public_subnets[i].id,
                    allocation_id=eip.id,
                    tags=dict(nat_tags),
                    opts=self._opts(pulumi.ResourceOptions(depends_on=[internet_gateway])),
                    **extra,
                )
            )
        return nats
