"""Pass and fail fixtures of the deploy-readiness pack: small programs, one defect (or its fix) each.

The fail fixtures reproduce the AWS defects of issue 11 and the Azure defects of issue 12 as the
components wrote them before the fixes; each pass fixture is the fixed form of the same resources.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pulumi
import pulumi_aws as aws
from pulumi_azure_native import consumption, network, resources

MGMT = "111111111111"
SEC = "333333333333"
LOG = "222222222222"
BUCKET = "kbh-log-archive-0123456789"

Fixture = Callable[[], None]


def _member(name: str, account: str) -> aws.Provider:
    return aws.Provider(
        name,
        region="eu-west-3",
        assume_roles=[{"role_arn": f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"}],
        allowed_account_ids=[account],
    )


def _archive(log: aws.Provider) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
    bucket = aws.s3.Bucket("archive", bucket=BUCKET, opts=pulumi.ResourceOptions(provider=log))
    policy = aws.s3.BucketPolicy(
        "archive-policy",
        bucket=bucket.bucket,
        policy=json.dumps({"Version": "2012-10-17", "Statement": []}),
        opts=pulumi.ResourceOptions(provider=log),
    )
    return bucket, policy


# --- deploy-name-without-dependency ---------------------------------------------------------------------


def trail_with_literal_bucket() -> None:
    """Issue 11, item 3: the trail takes the archive's name as a string computed from the account id."""
    _archive(_member("log", LOG))
    aws.cloudtrail.Trail("trail", name="org-trail", s3_bucket_name=BUCKET, is_organization_trail=True)


def trail_after_bucket_policy() -> None:
    _, policy = _archive(_member("log", LOG))
    aws.cloudtrail.Trail("trail", name="org-trail", s3_bucket_name=policy.bucket, is_organization_trail=True)


def delivery_channel_with_literal_bucket() -> None:
    """Issue 11, item 3: Config's delivery channel, likewise."""
    log = _member("log", LOG)
    _archive(log)
    recorder = aws.cfg.Recorder("recorder", name="rec", role_arn=f"arn:aws:iam::{LOG}:role/rec")
    aws.cfg.DeliveryChannel(
        "channel", name="delivery", s3_bucket_name=BUCKET, opts=pulumi.ResourceOptions(depends_on=[recorder])
    )


# --- deploy-cloud-created-resource ------------------------------------------------------------------------


def guardduty_detector_in_admin_account() -> None:
    """Issue 11, item 1: a detector created in the account just made GuardDuty's delegated administrator."""
    admin = aws.guardduty.OrganizationAdminAccount("gd-admin", admin_account_id=SEC)
    detector = aws.guardduty.Detector(
        "gd", enable=True, opts=pulumi.ResourceOptions(provider=_member("sec", SEC), depends_on=[admin])
    )
    aws.guardduty.OrganizationConfiguration(
        "gd-org",
        detector_id=detector.id,
        auto_enable_organization_members="ALL",
        opts=pulumi.ResourceOptions(provider=_member("sec2", SEC), depends_on=[admin]),
    )


def guardduty_detector_looked_up() -> None:
    admin = aws.guardduty.OrganizationAdminAccount("gd-admin", admin_account_id=SEC)
    sec = _member("sec", SEC)
    detector = aws.guardduty.get_detector_output(
        opts=pulumi.InvokeOutputOptions(provider=sec, depends_on=[admin])
    )
    aws.guardduty.OrganizationConfiguration(
        "gd-org",
        detector_id=detector.id,
        auto_enable_organization_members="ALL",
        opts=pulumi.ResourceOptions(provider=sec, depends_on=[admin]),
    )


def securityhub_account_in_admin_account() -> None:
    """Issue 11, item 1 (same class): Security Hub enabled by hand in the delegated administrator."""
    admin = aws.securityhub.OrganizationAdminAccount("sh-admin", admin_account_id=SEC)
    aws.securityhub.Account(
        "sh", opts=pulumi.ResourceOptions(provider=_member("sec", SEC), depends_on=[admin])
    )


def config_service_linked_role() -> None:
    """Issue 11, item 4: AWSServiceRoleForConfig created unconditionally."""
    aws.iam.ServiceLinkedRole("config-slr", aws_service_name="config.amazonaws.com")


def suffixed_service_linked_role() -> None:
    aws.iam.ServiceLinkedRole(
        "asg-slr", aws_service_name="autoscaling.amazonaws.com", custom_suffix="kbh-edge"
    )


def azure_network_watcher() -> None:
    """Issue 12, item 1: NetworkWatcherRG and NetworkWatcher_<region> declared as creates."""
    rg = resources.ResourceGroup("nw-rg", resource_group_name="NetworkWatcherRG", location="francecentral")
    network.NetworkWatcher(
        "nw",
        network_watcher_name="NetworkWatcher_francecentral",
        resource_group_name=rg.name,
        location="francecentral",
    )


def azure_resource_groups_of_the_stack() -> None:
    """The fixed form: only the stack's own groups; the watcher is Azure's and is referred to by id."""
    resources.ResourceGroup("app-rg", resource_group_name="rg-app", location="francecentral")
    pulumi.export(
        "watcher",
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/NetworkWatcherRG/providers/"
        "Microsoft.Network/networkWatchers/NetworkWatcher_francecentral",
    )


# --- deploy-policy-principal-without-dependency -----------------------------------------------------------


def _edge_key_policy(role: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": f"arn:aws:iam::{MGMT}:role/aws-service-role/autoscaling.amazonaws.com/{role}"
                    },
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant"],
                    "Resource": "*",
                },
            ],
        }
    )


def _asg(key: aws.kms.Key, role_arn: pulumi.Input[str] | None = None) -> None:
    lt = aws.ec2.LaunchTemplate(
        "lt",
        block_device_mappings=[
            {"device_name": "/dev/xvda", "ebs": {"encrypted": "true", "kms_key_id": key.arn}}
        ],
    )
    aws.autoscaling.Group(
        "asg",
        min_size=1,
        max_size=1,
        launch_template={"id": lt.id},
        availability_zones=["eu-west-3a"],
        service_linked_role_arn=role_arn,
    )


def key_names_default_autoscaling_role() -> None:
    """Issue 11, item 5: the key names AWSServiceRoleForAutoScaling, which the group creates after it."""
    _asg(aws.kms.Key("key", policy=_edge_key_policy("AWSServiceRoleForAutoScaling")))


def key_names_suffixed_role_it_depends_on() -> None:
    role = aws.iam.ServiceLinkedRole(
        "asg-slr", aws_service_name="autoscaling.amazonaws.com", custom_suffix="edge"
    )
    key = aws.kms.Key(
        "key",
        policy=_edge_key_policy("AWSServiceRoleForAutoScaling_edge"),
        opts=pulumi.ResourceOptions(depends_on=[role]),
    )
    _asg(key, role.arn)


def key_names_stack_role_without_dependency() -> None:
    aws.iam.Role(
        "reader",
        name="siem-reader",
        assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )
    aws.kms.Key(
        "key",
        policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{MGMT}:role/siem-reader"},
                        "Action": "kms:Decrypt",
                        "Resource": "*",
                    }
                ],
            }
        ),
    )


# --- deploy-date-outside-api-window -----------------------------------------------------------------------


def azure_budget_starting(start: str) -> Fixture:
    """Issue 12, item 3: a budget whose start date is a literal (``2026-12-01`` in the component)."""

    def program() -> None:
        consumption.Budget(
            "budget",
            budget_name="budget-lz",
            scope="/subscriptions/00000000-0000-0000-0000-000000000000",
            amount=100,
            category="Cost",
            time_grain="Monthly",
            time_period=consumption.BudgetTimePeriodArgs(start_date=start),
        )

    return program


def aws_budget_ending(end: str) -> Fixture:
    def program() -> None:
        aws.budgets.Budget(
            "budget",
            budget_type="COST",
            limit_amount="100",
            limit_unit="USD",
            time_unit="MONTHLY",
            time_period_start="2026-01-01_00:00",
            time_period_end=end,
        )

    return program


# --- deploy-pair-not-ordered ------------------------------------------------------------------------------


def _vnets() -> tuple[network.VirtualNetwork, network.VirtualNetwork]:
    rg = "rg-net"
    hub = network.VirtualNetwork(
        "hub", virtual_network_name="vnet-hub", resource_group_name=rg, location="francecentral"
    )
    spoke = network.VirtualNetwork(
        "spoke", virtual_network_name="vnet-spoke", resource_group_name=rg, location="francecentral"
    )
    return hub, spoke


def azure_peering(ordered: bool) -> Fixture:
    """Issue 12, item 2: both sides of a gateway-transit peering created in parallel (``ordered=False``)."""

    def program() -> None:
        hub, spoke = _vnets()
        from_hub = network.VirtualNetworkPeering(
            "from-hub",
            resource_group_name="rg-net",
            virtual_network_name=hub.name,
            remote_virtual_network=network.SubResourceArgs(id=spoke.id),
            allow_gateway_transit=True,
        )
        network.VirtualNetworkPeering(
            "to-hub",
            resource_group_name="rg-net",
            virtual_network_name=spoke.name,
            remote_virtual_network=network.SubResourceArgs(id=hub.id),
            use_remote_gateways=True,
            opts=pulumi.ResourceOptions(depends_on=[from_hub] if ordered else []),
        )

    return program


def securityhub_org_configuration(ordered: bool) -> Fixture:
    """Issue 11, item 2: the organization configuration does not wait for the delegated admin."""

    def program() -> None:
        admin = aws.securityhub.OrganizationAdminAccount("sh-admin", admin_account_id=SEC)
        aws.securityhub.OrganizationConfiguration(
            "sh-org",
            auto_enable=True,
            opts=pulumi.ResourceOptions(provider=_member("sec", SEC), depends_on=[admin] if ordered else []),
        )

    return program


def organization_analyzer(ordered: bool) -> Fixture:
    """Issue 11, item 2: the ORGANIZATION analyzer does not wait for its delegated-admin registration."""

    def program() -> None:
        reg = aws.organizations.DelegatedAdministrator(
            "aa-admin", account_id=SEC, service_principal="access-analyzer.amazonaws.com"
        )
        aws.accessanalyzer.Analyzer(
            "analyzer",
            analyzer_name="org",
            type="ORGANIZATION",
            opts=pulumi.ResourceOptions(provider=_member("sec", SEC), depends_on=[reg] if ordered else []),
        )

    return program


def ram_organization_share(ordered: bool) -> Fixture:
    """Review of issue 11: the Transit Gateway share names the organization before RAM sharing with it is on."""

    def program() -> None:
        sharing = aws.ram.SharingWithOrganization("ram-sharing")
        share = aws.ram.ResourceShare("tgw-share", name="tgw", allow_external_principals=False)
        aws.ram.PrincipalAssociation(
            "tgw-share-organization",
            principal=f"arn:aws:organizations::{MGMT}:organization/o-abcdefghij",
            resource_share_arn=share.arn,
            opts=pulumi.ResourceOptions(depends_on=[sharing] if ordered else []),
        )

    return program


def scp_and_organization(ordered: bool) -> Fixture:
    """Review of issue 11: an SCP created in parallel with the organization it belongs to."""

    def program() -> None:
        org = aws.organizations.Organization(
            "org", feature_set="ALL", enabled_policy_types=["SERVICE_CONTROL_POLICY"]
        )
        aws.organizations.Policy(
            "scp",
            name="guardrails",
            type="SERVICE_CONTROL_POLICY",
            content=json.dumps({"Version": "2012-10-17", "Statement": []}),
            opts=pulumi.ResourceOptions(depends_on=[org] if ordered else []),
        )

    return program


def member_region_and_organization(ordered: bool) -> Fixture:
    """Review of issue 11: a member account's opt-in Region enabled before Account Management's trusted access."""

    def program() -> None:
        org = aws.organizations.Organization(
            "org", feature_set="ALL", aws_service_access_principals=["account.amazonaws.com"]
        )
        aws.account.Region(
            "region-log-eu-south-2",
            region_name="eu-south-2",
            enabled=True,
            account_id=LOG,
            opts=pulumi.ResourceOptions(depends_on=[org] if ordered else []),
        )

    return program
