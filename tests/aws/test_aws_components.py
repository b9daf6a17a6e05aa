"""AWS landing-zone components under the offline engine: the security properties a reviewer checks.

Each program is previewed once per module (``preview_program``, no policy packs: the stacks'
policy previews are in test_aws_blueprint.py). Values unknown during preview are compared
through property dependencies (which resource an input comes from).
"""

from __future__ import annotations

import ipaddress
import json
from collections import Counter
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.aws import scp
from components.aws.accounts import member_provider
from components.aws.aws_data import (
    AWS_COMMERCIAL_REGIONS,
    DEFAULT_APPROVED_REGIONS,
    GLOBAL_SERVICE_ACTIONS,
    AccountRole,
    Segment,
)
from components.aws.identity import Identity, IdentityArgs, PermissionSetKind
from components.aws.log_archive import (
    ConfigRecorder,
    ConfigRecorderArgs,
    LogArchive,
    LogArchiveArgs,
    OrganizationTrail,
    OrganizationTrailArgs,
)
from components.aws.network import Network, NetworkArgs
from components.aws.network_plan import NatStrategy, SpokeArgs
from components.aws.organization import AdoptionMode, MemberAccountArgs, Organization, OrganizationArgs
from components.aws.security_baseline import SecurityBaseline, SecurityBaselineArgs
from components.common import CLASSIFICATION_TAG, CommonArgs
from components.errors import ConfigError
from kasbah.engine import PreviewError, PreviewResult, RecordedResource, preview_program
from kasbah.facts import MANAGEMENT_PORTS

MGMT = "111111111111"
LOG = "222222222222"
NET = "444444444444"
SEC = "333333333333"
CONFIG = {"aws:region": "eu-west-3", "kasbah:accountId": MGMT}
ARCHIVE_ARN = "arn:aws:s3:::kbh-log-archive-0123456789"

T_VPC = "aws:ec2/vpc:Vpc"
T_FLOW = "aws:ec2/flowLog:FlowLog"
T_SG = "aws:ec2/securityGroup:SecurityGroup"
T_DSG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
T_ATT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
T_NAT = "aws:ec2/natGateway:NatGateway"
T_POLICY = "aws:organizations/policy:Policy"
T_ATTACH = "aws:organizations/policyAttachment:PolicyAttachment"
T_BUCKET = "aws:s3/bucket:Bucket"
T_BPOL = "aws:s3/bucketPolicy:BucketPolicy"


def only(r: PreviewResult, type_: str, name_part: str = "") -> RecordedResource:
    found = [x for x in r.by_type(type_) if name_part in x.name]
    assert len(found) == 1, f"expected one {type_} named *{name_part}*, got {[x.urn for x in found]}"
    return found[0]


def depends_on(res: RecordedResource, prop: str, target: RecordedResource) -> bool:
    return target.urn in res.property_dependencies.get(prop, [])


# --- Organization --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def greenfield() -> PreviewResult:
    def program() -> None:
        Organization(
            "org",
            OrganizationArgs(
                accounts={
                    AccountRole.LOG_ARCHIVE: MemberAccountArgs("Log Archive", "aws+log@kasbah.ma"),
                    AccountRole.SECURITY_TOOLING: MemberAccountArgs("Security", "aws+sec@kasbah.ma"),
                },
                existing_account_ids={AccountRole.NETWORK: NET},
            ),
        )

    return preview_program(program, config=CONFIG)


@pytest.fixture(scope="module")
def brownfield() -> PreviewResult:
    """An adopted organization in ``check`` mode (nothing imported)."""

    def program() -> None:
        Organization(
            "org",
            OrganizationArgs(
                root_id="r-ab12",
                existing_account_ids={AccountRole.SECURITY_TOOLING: SEC},
                adoption=AdoptionMode.CHECK,
            ),
        )

    # The organization that getOrganization describes offline has the configured root.
    return preview_program(program, config={**CONFIG, "kasbah:organizationRootId": "r-ab12"})


def _root_statements(r: PreviewResult) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in r.by_type(T_POLICY):
        if "-scp-root-" in p.name:
            out.extend(json.loads(p.inputs["content"])["Statement"])
    return out


def test_region_deny_scp_denies_every_other_region_and_exempts_exactly_the_global_list(
    brownfield: PreviewResult,
) -> None:
    stmts = _root_statements(brownfield)
    region = [s for s in stmts if s["Sid"] == "DenyOutsideApprovedRegions"]
    assert len(region) == 1, [p.urn for p in brownfield.by_type(T_POLICY)]
    deny = region[0]
    assert sorted(deny["NotAction"]) == sorted(GLOBAL_SERVICE_ACTIONS), "exemptions differ from the data list"
    assert "Action" not in deny
    for name in AWS_COMMERCIAL_REGIONS:
        ctx = {"aws:RequestedRegion": name, "aws:PrincipalArn": f"arn:aws:iam::{SEC}:role/Dev"}
        assert scp.statement_denies(deny, "ec2:RunInstances", ctx) is (
            name not in DEFAULT_APPROVED_REGIONS
        ), name
        for action in GLOBAL_SERVICE_ACTIONS:
            probe = action.replace("*", "AnyAction")
            assert not scp.statement_denies(deny, probe, ctx), f"{action} denied in {name}"
        exempt = {
            "aws:RequestedRegion": name,
            "aws:PrincipalArn": f"arn:aws:iam::{SEC}:role/OrganizationAccountAccessRole",
        }
        assert not scp.statement_denies(deny, "ec2:RunInstances", exempt), name


def test_scps_respect_both_aws_limits_and_land_on_the_right_targets(brownfield: PreviewResult) -> None:
    for p in brownfield.by_type(T_POLICY):
        assert len(p.inputs["content"]) <= scp.MAX_SCP_CHARS, p.urn
        assert p.inputs["type"] == "SERVICE_CONTROL_POLICY", p.urn
    per_target: Counter[str] = Counter()
    for a in brownfield.by_type(T_ATTACH):
        target = a.inputs["targetId"]
        key = target if target != "[unknown]" else ",".join(a.property_dependencies.get("targetId", []))
        per_target[key] += 1
    assert per_target, "no SCP attached"
    assert all(n <= scp.MAX_SCPS_PER_TARGET - 1 for n in per_target.values()), per_target
    assert per_target["r-ab12"] >= 1, "the baseline is not attached at the root"
    suspended = only(brownfield, "aws:organizations/organizationalUnit:OrganizationalUnit", "suspended")
    quarantine = [a for a in brownfield.by_type(T_ATTACH) if depends_on(a, "targetId", suspended)]
    assert len(quarantine) == 1, suspended.urn
    sids = {s["Sid"] for s in _root_statements(brownfield)}
    assert {
        "DenyLeaveOrganization",
        "ProtectCloudtrail",
        "ProtectConfig",
        "ProtectGuardduty",
        "ProtectSecurityhub",
        "ProtectAccessAnalyzer",
        "DenyRootUser",
        "DenyS3AccountPublicAccessChanges",
    } <= sids


def test_brownfield_check_mode_adopts_the_root_and_creates_no_organization(brownfield: PreviewResult) -> None:
    assert not brownfield.by_type("aws:organizations/organization:Organization")
    assert not brownfield.by_type("aws:organizations/account:Account")
    top = [
        o
        for o in brownfield.by_type("aws:organizations/organizationalUnit:OrganizationalUnit")
        if o.inputs["parentId"] == "r-ab12"
    ]
    assert {o.inputs["name"] for o in top} == {
        "Security",
        "Infrastructure",
        "Workloads",
        "Sandbox",
        "Suspended",
    }
    admins = {
        a.inputs["servicePrincipal"]
        for a in brownfield.by_type("aws:organizations/delegatedAdministrator:DelegatedAdministrator")
    }
    assert admins == {"access-analyzer.amazonaws.com", "config.amazonaws.com"}
    regions = {
        g.inputs["region"]
        for g in brownfield.by_type("aws:guardduty/organizationAdminAccount:OrganizationAdminAccount")
    }
    assert regions == set(DEFAULT_APPROVED_REGIONS)


def test_greenfield_organization_and_accounts(greenfield: PreviewResult) -> None:
    org = only(greenfield, "aws:organizations/organization:Organization")
    assert org.options.get("protect") is True, org.urn
    assert "SERVICE_CONTROL_POLICY" in org.inputs["enabledPolicyTypes"], org.urn
    assert {
        "cloudtrail.amazonaws.com",
        "config.amazonaws.com",
        "guardduty.amazonaws.com",
        "securityhub.amazonaws.com",
        "access-analyzer.amazonaws.com",
        "sso.amazonaws.com",
        "ram.amazonaws.com",
    } <= set(org.inputs["awsServiceAccessPrincipals"]), org.urn
    accounts = greenfield.by_type("aws:organizations/account:Account")
    assert len(accounts) == 2
    for a in accounts:
        assert a.inputs["closeOnDeletion"] is False, a.urn
        assert a.options.get("retainOnDelete") is True, a.urn
    security = only(greenfield, "aws:organizations/organizationalUnit:OrganizationalUnit", "ou-security")
    assert all(depends_on(a, "parentId", security) for a in accounts)


# --- Log archive and trail -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def logging() -> PreviewResult:
    def program() -> None:
        log = aws.Provider(
            "log",
            region="eu-west-3",
            assume_roles=[{"role_arn": f"arn:aws:iam::{LOG}:role/OrganizationAccountAccessRole"}],
        )
        la = LogArchive(
            "la",
            LogArchiveArgs(
                account_id=LOG, organization_id="o-abc123", management_account_id=MGMT, object_lock_days=365
            ),
            opts=pulumi.ResourceOptions(provider=log),
        )
        OrganizationTrail(
            "trail",
            OrganizationTrailArgs(bucket_name=la.bucket_name, kms_key_arn=la.key_arn, account_id=MGMT),
        )
        home = ConfigRecorder(
            "cfg-home",
            ConfigRecorderArgs(
                account_id=LOG, region="eu-west-3", bucket_name=la.config_bucket_name, kms_key_arn=la.key_arn
            ),
            opts=pulumi.ResourceOptions(provider=log),
        )
        ConfigRecorder(
            "cfg-south",
            ConfigRecorderArgs(
                account_id=LOG,
                region="eu-south-2",
                bucket_name=la.config_bucket_name,
                kms_key_arn=la.key_arn,
                role_arn=home.role_arn,
            ),
            opts=pulumi.ResourceOptions(provider=log),
        )

    return preview_program(program, config=CONFIG)


def test_trail_is_multi_region_organization_with_validation_kms_and_logs(logging: PreviewResult) -> None:
    trail = only(logging, "aws:cloudtrail/trail:Trail")
    i = trail.inputs
    assert i["isMultiRegionTrail"] is True, trail.urn
    assert i["isOrganizationTrail"] is True, trail.urn
    assert i["enableLogFileValidation"] is True, trail.urn
    assert i["includeGlobalServiceEvents"] is True, trail.urn
    key = only(logging, "aws:kms/key:Key", "la-key")
    assert depends_on(trail, "kmsKeyId", key), f"{trail.urn}: kmsKeyId does not come from {key.urn}"
    assert i["cloudWatchLogsGroupArn"].startswith(f"arn:aws:logs:eu-west-3:{MGMT}:log-group:"), trail.urn
    group = only(logging, "aws:cloudwatch/logGroup:LogGroup")
    assert group.inputs["retentionInDays"] == 365, group.urn
    assert group.inputs["tags"][CLASSIFICATION_TAG] == "internal", group.urn


def test_archive_bucket_policy_denies_insecure_transport(logging: PreviewResult) -> None:
    for pol in logging.by_type(T_BPOL):
        doc = json.loads(pol.inputs["policy"])
        tls = [
            s
            for s in doc["Statement"]
            if s["Effect"] == "Deny"
            and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        ]
        assert len(tls) == 1, pol.urn
        assert tls[0]["Principal"] == "*" and tls[0]["Action"] == "s3:*", pol.urn
        bucket_arn = tls[0]["Resource"][0]
        assert tls[0]["Resource"] == [bucket_arn, f"{bucket_arn}/*"], pol.urn
    archive_policy = only(logging, T_BPOL, "archive")
    bucket = only(logging, T_BUCKET, "archive")
    assert json.loads(archive_policy.inputs["policy"])["Statement"][0]["Resource"][0] == (
        f"arn:aws:s3:::{bucket.inputs['bucket']}"
    ), archive_policy.urn


def test_archive_is_encrypted_versioned_private_locked_and_protected(logging: PreviewResult) -> None:
    bucket = only(logging, T_BUCKET, "archive")
    key = only(logging, "aws:kms/key:Key", "la-key")
    assert bucket.options.get("protect") is True, bucket.urn
    assert key.options.get("protect") is True, key.urn
    assert key.inputs["enableKeyRotation"] is True, key.urn
    assert bucket.inputs["bucket"].startswith("kbh-log-archive-"), bucket.urn
    assert bucket.inputs["tags"][CLASSIFICATION_TAG] == "internal", bucket.urn
    assert bucket.provider is not None and bucket.provider.endswith("::log"), bucket.urn
    sse = only(
        logging,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "archive",
    )
    rule = sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert rule["sseAlgorithm"] == "aws:kms", sse.urn
    assert depends_on(sse, "rules", key), sse.urn
    pab = only(logging, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "archive")
    assert all(
        pab.inputs[f] is True
        for f in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    ), pab.urn
    ver = only(logging, "aws:s3/bucketVersioning:BucketVersioning", "archive")
    assert ver.inputs["versioningConfiguration"]["status"] == "Enabled", ver.urn
    lock = only(logging, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "archive")
    assert lock.inputs["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 365}, lock.urn
    logging_cfg = only(logging, "aws:s3/bucketLogging:BucketLogging", "archive")
    access = only(logging, T_BUCKET, "access-logs")
    assert depends_on(logging_cfg, "targetBucket", access), logging_cfg.urn
    policy = json.loads(key.inputs["policy"])
    services = {s["Principal"].get("Service") for s in policy["Statement"]}
    assert {"cloudtrail.amazonaws.com", "config.amazonaws.com", "delivery.logs.amazonaws.com"} <= services, (
        key.urn
    )


def test_config_records_global_resources_in_the_home_region_only(logging: PreviewResult) -> None:
    recorders = {r.inputs["region"]: r for r in logging.by_type("aws:cfg/recorder:Recorder")}
    assert recorders["eu-west-3"].inputs["recordingGroup"]["includeGlobalResourceTypes"] is True
    assert recorders["eu-south-2"].inputs["recordingGroup"]["includeGlobalResourceTypes"] is False
    for rec in recorders.values():
        assert rec.inputs["recordingGroup"]["allSupported"] is True, rec.urn
    for status in logging.by_type("aws:cfg/recorderStatus:RecorderStatus"):
        assert status.inputs["isEnabled"] is True, status.urn


# --- Network --------------------------------------------------------------------------------------------


SPOKES = [
    SpokeArgs("payments", "10.16.0.0/16", Segment.PROD, 3),
    SpokeArgs("sandbox", "10.32.0.0/20", Segment.NONPROD, 2),
    SpokeArgs("tools", "10.8.0.0/16", Segment.SHARED, 1),
]


def _network(nat: NatStrategy, inspection: bool, endpoints: tuple[str, ...] = ()) -> PreviewResult:
    def program() -> None:
        net = member_provider(
            "network-account", NET, "OrganizationAccountAccessRole", "eu-west-3", {}, "test"
        )
        Network(
            "net",
            NetworkArgs(
                flow_log_bucket_arn=ARCHIVE_ARN,
                inspection=inspection,
                nat_strategy=nat,
                az_count=2,
                spokes=SPOKES,
                interface_endpoints=endpoints,
                organization_arn="arn:aws:organizations::1:o",
                vpc_quota=10,  # five VPCs and the default one: the quota raised beforehand
            ),
            opts=pulumi.ResourceOptions(provider=net),
        )

    return preview_program(program, config=CONFIG)


@pytest.fixture(scope="module")
def network() -> PreviewResult:
    return _network(NatStrategy.PER_AZ, inspection=True, endpoints=("ssm", "kms"))


def test_every_vpc_has_flow_logs_to_the_archive(network: PreviewResult) -> None:
    vpcs = network.by_type(T_VPC)
    assert len(vpcs) == 2 + len(SPOKES)
    flows = network.by_type(T_FLOW)
    for vpc in vpcs:
        mine = [f for f in flows if depends_on(f, "vpcId", vpc)]
        assert len(mine) == 1, f"{vpc.urn} has {len(mine)} flow logs"
        f = mine[0].inputs
        assert f["logDestination"] == ARCHIVE_ARN and f["logDestinationType"] == "s3", mine[0].urn
        assert f["trafficType"] == "ALL", mine[0].urn


def _open_to_world(rule: dict[str, Any]) -> bool:
    return "0.0.0.0/0" in rule.get("cidrBlocks", []) or "::/0" in rule.get("ipv6CidrBlocks", [])


def _covers_admin_port(rule: dict[str, Any]) -> bool:
    if rule.get("protocol") in ("-1", "all"):
        return True
    lo, hi = int(rule.get("fromPort", 0)), int(rule.get("toPort", 65535))
    return any(lo <= p <= hi for p in MANAGEMENT_PORTS)


def test_no_security_group_allows_admin_ports_from_anywhere(network: PreviewResult) -> None:
    groups = network.by_type(T_SG) + network.by_type(T_DSG)
    assert network.by_type(T_SG), "the interface endpoints' security groups are missing"
    for sg in groups:
        for rule in sg.inputs.get("ingress", []):
            assert not (_open_to_world(rule) and _covers_admin_port(rule)), f"{sg.urn}: {rule}"
    for rule in network.by_type("aws:ec2/securityGroupRule:SecurityGroupRule"):
        assert not (
            rule.inputs["type"] == "ingress"
            and _open_to_world(rule.inputs)
            and _covers_admin_port(rule.inputs)
        ), rule.urn


def test_default_security_groups_are_emptied(network: PreviewResult) -> None:
    dsgs = network.by_type(T_DSG)
    for vpc in network.by_type(T_VPC):
        mine = [d for d in dsgs if depends_on(d, "vpcId", vpc)]
        assert len(mine) == 1, vpc.urn
        assert mine[0].inputs.get("ingress", []) == [] and mine[0].inputs.get("egress", []) == [], mine[0].urn


def test_transit_gateway_segments_and_appliance_mode(network: PreviewResult) -> None:
    tgw = only(network, "aws:ec2transitgateway/transitGateway:TransitGateway")
    assert tgw.inputs["defaultRouteTableAssociation"] == "disable", tgw.urn
    assert tgw.inputs["defaultRouteTablePropagation"] == "disable", tgw.urn
    rts = network.by_type("aws:ec2transitgateway/routeTable:RouteTable")
    assert sorted(rt.name.rsplit("-", 1)[-1] for rt in rts) == sorted([*(s.value for s in Segment), "egress"])
    for att in network.by_type(T_ATT):
        expected = "enable" if "inspection" in att.name else "disable"
        assert att.inputs["applianceModeSupport"] == expected, att.urn
        assert att.inputs["transitGatewayDefaultRouteTableAssociation"] is False, att.urn
    rt_by_segment = {rt.name.rsplit("-", 1)[-1]: rt for rt in rts}
    props = network.by_type("aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation")
    payments = only(network, T_ATT, "payments")
    sandbox = only(network, T_ATT, "sandbox")
    into_nonprod = [p for p in props if depends_on(p, "transitGatewayRouteTableId", rt_by_segment["nonprod"])]
    assert not any(depends_on(p, "transitGatewayAttachmentId", payments) for p in into_nonprod), "prod leaks"
    into_prod = [p for p in props if depends_on(p, "transitGatewayRouteTableId", rt_by_segment["prod"])]
    assert not any(depends_on(p, "transitGatewayAttachmentId", sandbox) for p in into_prod), "nonprod leaks"
    routes = network.by_type("aws:ec2transitgateway/route:Route")
    for seg in ("prod", "nonprod"):
        holes = {
            r.inputs["destinationCidrBlock"]
            for r in routes
            if r.inputs.get("blackhole") and depends_on(r, "transitGatewayRouteTableId", rt_by_segment[seg])
        }
        assert holes == {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}, rt_by_segment[seg].urn
    # return traffic from egress to prod/nonprod spokes goes through the firewall
    inspection = only(network, T_ATT, "inspection")
    egress_att = only(network, T_ATT, "egress")
    assoc = [
        a
        for a in network.by_type("aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation")
        if depends_on(a, "transitGatewayAttachmentId", egress_att)
    ]
    assert len(assoc) == 1 and depends_on(assoc[0], "transitGatewayRouteTableId", rt_by_segment["egress"])
    returns = {
        r.inputs["destinationCidrBlock"]: r
        for r in routes
        if depends_on(r, "transitGatewayRouteTableId", rt_by_segment["egress"])
    }
    for spoke in SPOKES:
        if spoke.segment is not Segment.SHARED:
            assert depends_on(returns[spoke.cidr], "transitGatewayAttachmentId", inspection), spoke.name
    fw = only(network, "aws:networkfirewall/firewall:Firewall")
    assert len(fw.inputs["subnetMappings"]) == 2, fw.urn
    share = only(network, "aws:ram/principalAssociation:PrincipalAssociation")
    assert share.inputs["principal"] == "arn:aws:organizations::1:o", share.urn


def test_spokes_get_gateway_and_interface_endpoints_and_subnets_in_their_block(
    network: PreviewResult,
) -> None:
    endpoints = network.by_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    for vpc in network.by_type(T_VPC):
        mine = {e.inputs["serviceName"].rsplit(".", 1)[-1] for e in endpoints if depends_on(e, "vpcId", vpc)}
        assert {"s3", "dynamodb"} <= mine, vpc.urn
        block = ipaddress.ip_network(vpc.inputs["cidrBlock"])
        for sn in network.by_type("aws:ec2/subnet:Subnet"):
            if depends_on(sn, "vpcId", vpc):
                assert ipaddress.ip_network(sn.inputs["cidrBlock"]).subnet_of(block), sn.urn  # type: ignore[arg-type]
        if vpc.name.endswith(("payments", "sandbox", "tools")):
            assert {"ssm", "kms"} <= mine, vpc.urn


@pytest.mark.parametrize(
    ("nat", "expected"), [(NatStrategy.NONE, 0), (NatStrategy.SINGLE, 1), (NatStrategy.PER_AZ, 2)]
)
def test_nat_strategy(nat: NatStrategy, expected: int) -> None:
    r = _network(nat, inspection=False)
    assert len(r.by_type(T_NAT)) == expected, [x.urn for x in r.by_type(T_NAT)]
    assert not r.by_type("aws:networkfirewall/firewall:Firewall")


def test_each_resource_is_in_its_account_and_region(network: PreviewResult) -> None:
    prov = only(network, "pulumi:providers:aws", "network-account")
    assert prov.inputs["region"] == "eu-west-3", prov.urn
    assert f"arn:aws:iam::{NET}:role/OrganizationAccountAccessRole" in json.dumps(prov.inputs), prov.urn
    for res in network.resources:
        if res.custom and not res.type.startswith("pulumi:"):
            assert res.provider is not None and res.provider.startswith(prov.urn), res.urn


# --- Security baseline and identity ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline() -> PreviewResult:
    def program() -> None:
        SecurityBaseline(
            "sec",
            SecurityBaselineArgs(
                account_id=SEC,
                security_admin=True,
                organization_root_id="r-ab12",
                common=CommonArgs(protect=True),
            ),
        )
        SecurityBaseline("log", SecurityBaselineArgs(account_id=LOG))
        Identity(
            "id",
            IdentityArgs(
                instance_arn="arn:aws:sso:::instance/ssoins-0123456789abcdef",
                identity_store_id="d-0123456789",
                account_ids={"network": NET, "logArchive": LOG},
            ),
        )

    return preview_program(program, config=CONFIG)


def test_security_services_in_every_approved_region(baseline: PreviewResult) -> None:
    for t in (
        "aws:accessanalyzer/analyzer:Analyzer",
        "aws:guardduty/organizationConfiguration:OrganizationConfiguration",
    ):
        assert {x.inputs["region"] for x in baseline.by_type(t)} == set(DEFAULT_APPROVED_REGIONS), t
    policy = only(baseline, "aws:securityhub/configurationPolicy:ConfigurationPolicy")
    standards = policy.inputs["configurationPolicy"]["enabledStandardArns"]
    assert any("aws-foundational-security-best-practices" in s for s in standards), policy.urn
    assert any("cis-aws-foundations-benchmark" in s for s in standards), policy.urn
    features = {x.inputs["name"] for x in baseline.by_type("aws:guardduty/detectorFeature:DetectorFeature")}
    assert features == {
        "S3_DATA_EVENTS",
        "EKS_AUDIT_LOGS",
        "EBS_MALWARE_PROTECTION",
        "RDS_LOGIN_EVENTS",
        "LAMBDA_NETWORK_LOGS",
        "RUNTIME_MONITORING",
    }
    ebs = baseline.by_type("aws:ebs/encryptionByDefault:EncryptionByDefault")
    assert len(ebs) == 2 * len(DEFAULT_APPROVED_REGIONS) and all(e.inputs["enabled"] for e in ebs)
    for vault in baseline.by_type("aws:backup/vault:Vault"):
        assert vault.inputs["tags"][CLASSIFICATION_TAG] == "internal", vault.urn
    locks = baseline.by_type("aws:backup/vaultLockConfiguration:VaultLockConfiguration")
    assert len(locks) == len(baseline.by_type("aws:backup/vault:Vault")) == 4
    pab = baseline.by_type("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock")
    assert len(pab) == 2 and all(p.inputs["restrictPublicBuckets"] for p in pab)
    pw = baseline.by_type("aws:iam/accountPasswordPolicy:AccountPasswordPolicy")
    assert all(p.inputs["minimumPasswordLength"] >= 14 for p in pw)


def test_identity_assigns_permission_sets_to_groups_per_account(baseline: PreviewResult) -> None:
    sets = baseline.by_type("aws:ssoadmin/permissionSet:PermissionSet")
    assert len(sets) == len(PermissionSetKind)
    assignments = baseline.by_type("aws:ssoadmin/accountAssignment:AccountAssignment")
    targets = Counter(a.inputs["targetId"] for a in assignments)
    assert targets == {NET: 4, LOG: 3}, targets  # network admin on the network account only
    assert all(a.inputs["principalType"] == "GROUP" for a in assignments)


# --- bad input: refused before anything is registered ----------------------------------------------------


def test_components_refuse_bad_input_before_touching_pulumi() -> None:
    # Called outside any Pulumi program: if a resource were registered first, Pulumi would fail
    # with its own error instead of the ConfigError.
    with pytest.raises(ConfigError) as err:
        Network(
            "n",
            NetworkArgs(
                flow_log_bucket_arn=ARCHIVE_ARN,
                spokes=[SpokeArgs("a", "10.16.0.0/16"), SpokeArgs("b", "10.16.8.0/24")],
            ),
        )
    assert err.value.key == "NetworkArgs.spokes[0].cidr and NetworkArgs.spokes[1].cidr"
    with pytest.raises(ConfigError) as err:
        Organization("o", OrganizationArgs(existing_account_ids={AccountRole.NETWORK: "12345"}))
    assert err.value.key == "OrganizationArgs.existingAccountIds.network"
    with pytest.raises(ConfigError) as err:
        Organization(
            "o", OrganizationArgs(accounts={AccountRole.NETWORK: MemberAccountArgs("N", "not-an-email")})
        )
    assert err.value.key == "OrganizationArgs.accounts.network.email"
    with pytest.raises(ConfigError):
        LogArchive(
            "l",
            LogArchiveArgs(
                account_id=LOG, organization_id="o-1", management_account_id=MGMT, object_lock_days=-1
            ),
        )


def test_bad_input_in_a_program_is_one_line_preview_error() -> None:
    def program() -> None:
        Network(
            "n",
            NetworkArgs(flow_log_bucket_arn=ARCHIVE_ARN, spokes=[SpokeArgs("a", "10.16.0.0/26", az_count=3)]),
        )

    with pytest.raises(PreviewError) as err:
        preview_program(program, config=CONFIG)
    assert "\n" not in err.value.message
    assert "NetworkArgs.spokes[0].cidr" in err.value.message and "too small" in err.value.message
