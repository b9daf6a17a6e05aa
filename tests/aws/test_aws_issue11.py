"""Issue 11: each defect of the AWS landing zone that a first ``pulumi up`` would hit (or that deploys
exposed), pinned by a test that fails on the code before the fix.

Most checks run on the ``aws-dev`` stack (brownfield, every stage in one stack) and the ``aws-prod``
stack (Object Lock, inspection), previewed once per module.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any

import pytest
from conftest import REPO_ROOT

from components.aws import scp
from components.aws.aws_data import (
    CONTROL_TOWER_EXECUTION_ROLE,
    CONTROL_TOWER_REGION_DENY_EXEMPTIONS,
    GLOBAL_SERVICE_ACTIONS,
)
from components.aws.edge_plan import validate_zone_name
from components.aws.identity import default_assignments
from components.aws.organization import OrganizationArgs, check_existing_organization, guardrails
from components.aws.security_baseline import SRA_GUARDDUTY_FEATURES, GuardDutyFeature
from components.aws.wavelength_data import border_group_of, is_wavelength_zone_name, parent_region_of
from components.errors import ConfigError
from kasbah import invokes
from kasbah.engine import PreviewResult, RecordedResource, preview

SEC = "333333333333"
LOG = "222222222222"


@pytest.fixture(scope="module")
def dev() -> PreviewResult:
    return preview(REPO_ROOT, "aws-dev", policy_packs=[])


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> PreviewResult:
    # aws-prod with a deployed aws-org (known account ids), as tests/aws/test_aws_blueprint.py does.
    outputs = tmp_path_factory.mktemp("refs") / "outputs.json"
    outputs.write_text(
        json.dumps(
            {
                "organization/kasbah/aws-org": {
                    "organizationId": "o-abc123def4",
                    "organizationArn": "arn:aws:organizations::111111111111:organization/o-abc123def4",
                    "rootId": "r-ab12",
                    "accountIds": {
                        "logArchive": LOG,
                        "securityTooling": SEC,
                        "network": "444444444444",
                        "sharedServices": "555555555555",
                    },
                }
            }
        )
    )
    return preview(REPO_ROOT, "aws-prod", policy_packs=[], stack_outputs=outputs)


def reachable(r: PreviewResult, res: RecordedResource) -> set[str]:
    """Every URN ``res`` has a dependency path to (components stand for their descendants)."""
    seen: set[str] = set()
    queue = deque([*res.dependencies, *(u for us in res.property_dependencies.values() for u in us)])
    while queue:
        urn = queue.popleft()
        if urn in seen:
            continue
        seen.add(urn)
        try:
            node = r.get(urn)
        except KeyError:
            continue
        queue.extend(node.dependencies)
        queue.extend(u for us in node.property_dependencies.values() for u in us)
        queue.extend(c.urn for c in r.children(urn))
    return seen


def named(r: PreviewResult, type_: str, part: str = "") -> list[RecordedResource]:
    return [x for x in r.by_type(type_) if part in x.name]


def one(r: PreviewResult, type_: str, part: str = "") -> RecordedResource:
    found = named(r, type_, part)
    assert len(found) == 1, f"expected one {type_} *{part}*: {[x.urn for x in found]}"
    return found[0]


def statements(doc: str) -> list[dict[str, Any]]:
    return list(json.loads(doc)["Statement"])


# --- 1. GuardDuty detector ----------------------------------------------------------------------------


def test_1_the_delegated_admins_detector_is_looked_up_not_created(dev: PreviewResult) -> None:
    assert not dev.by_type("aws:guardduty/detector:Detector"), "the admin's detector exists already"
    for cfg in dev.by_type("aws:guardduty/organizationConfiguration:OrganizationConfiguration"):
        # The id comes from the lookup (unknown in preview: it waits for the designation), not a resource.
        assert cfg.property_dependencies.get("detectorId") == [], cfg.urn


# --- 2. organization-wide configuration order ------------------------------------------------------------


@pytest.mark.parametrize(
    "type_",
    [
        "aws:guardduty/organizationConfiguration:OrganizationConfiguration",
        "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature",
        "aws:securityhub/organizationConfiguration:OrganizationConfiguration",
        "aws:accessanalyzer/analyzer:Analyzer",
        "aws:cfg/configurationAggregator:ConfigurationAggregator",
    ],
)
def test_2_organization_configurations_wait_for_the_delegated_admin(dev: PreviewResult, type_: str) -> None:
    registrations = {
        x.urn
        for t in (
            "aws:organizations/delegatedAdministrator:DelegatedAdministrator",
            "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount",
            "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount",
        )
        for x in dev.by_type(t)
    }
    for res in dev.by_type(type_):
        missing = registrations - reachable(dev, res)
        assert not missing, f"{res.urn} does not wait for {sorted(missing)}"


# --- 3. trail and delivery channels after the bucket policy -------------------------------------------------


def test_3_trail_channels_flow_logs_and_firewall_logs_wait_for_the_bucket_policy(prod: PreviewResult) -> None:
    archive_policy = one(prod, "aws:s3/bucketPolicy:BucketPolicy", "archive-policy")
    config_policy = one(prod, "aws:s3/bucketPolicy:BucketPolicy", "config-policy")
    trail = one(prod, "aws:cloudtrail/trail:Trail")
    assert archive_policy.urn in trail.property_dependencies["s3BucketName"], trail.urn
    for ch in prod.by_type("aws:cfg/deliveryChannel:DeliveryChannel"):
        assert config_policy.urn in ch.property_dependencies["s3BucketName"], ch.urn
    for fl in prod.by_type("aws:ec2/flowLog:FlowLog"):
        assert archive_policy.urn in reachable(prod, fl), fl.urn
    fw = one(prod, "aws:networkfirewall/loggingConfiguration:LoggingConfiguration")
    assert archive_policy.urn in reachable(prod, fw), fw.urn


# --- 4. Config service-linked role ---------------------------------------------------------------------------


def test_4_recorders_use_a_stack_role_and_the_second_region_waits_for_it(dev: PreviewResult) -> None:
    assert not dev.by_type("aws:iam/serviceLinkedRole:ServiceLinkedRole"), "AWSServiceRoleForConfig may exist"
    for rec in dev.by_type("aws:cfg/recorder:Recorder"):
        label = rec.name.split("-")[1]
        role = one(dev, "aws:iam/role:Role", f"config-{label}-eu-west-3-role")
        assert role.urn in reachable(dev, rec), f"{rec.urn} does not wait for {role.urn}"
        assert "AWSServiceRoleForConfig" not in str(rec.inputs.get("roleArn")), rec.urn


def test_13_an_existing_recorder_is_adopted_by_name_and_kept_on_destroy(tmp_path: Any) -> None:
    import yaml

    from kasbah.engine import preview as run

    raw = yaml.safe_load((REPO_ROOT / "stacks" / "Pulumi.aws-dev.yaml").read_text())
    raw["config"]["kasbah:existingConfigRecorders"] = {"management": "default"}
    path = tmp_path / "Pulumi.aws-dev.yaml"
    path.write_text(yaml.safe_dump(raw))
    r = run(REPO_ROOT, "aws-dev", config_file=path, policy_packs=[])
    for rec in named(r, "aws:cfg/recorder:Recorder", "config-management-"):
        assert rec.inputs["name"] == "default", rec.urn
        assert rec.options["retainOnDelete"] is True, rec.urn
    for rec in named(r, "aws:cfg/recorder:Recorder", "config-network-"):
        assert rec.inputs["name"] == "kbhdev-recorder" and rec.options["retainOnDelete"] is False, rec.urn


# --- 6. Wavelength zone names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "region", "group"),
    [
        ("us-east-1-wl1-bos-wlz-1", "us-east-1", "us-east-1-wl1-bos-wlz-1"),
        ("eu-west-3-cmn-wlz-1a", "eu-west-3", "eu-west-3-cmn-wlz-1"),
        ("ap-northeast-1-wl1-nrt-wlz-1", "ap-northeast-1", "ap-northeast-1-wl1-nrt-wlz-1"),
    ],
)
def test_6_every_documented_zone_name_form_is_accepted(name: str, region: str, group: str) -> None:
    assert is_wavelength_zone_name(name)
    assert parent_region_of(name) == region
    assert border_group_of(name) == group
    validate_zone_name("zones[0].name", name, region)


@pytest.mark.parametrize(
    "name", ["eu-west-3a", "us-west-2-lax-1a", "eu-west-3-cmn-wlz-", "eu-west-3-cmn-wlz-1ab"]
)
def test_6_regional_and_local_zones_are_still_refused(name: str) -> None:
    with pytest.raises(ConfigError):
        validate_zone_name("zones[0].name", name, "eu-west-3")


# --- 7, 10, 11, 13: guardrails --------------------------------------------------------------------------------

ROLE = "arn:aws:iam::444444444444:role/OrganizationAccountAccessRole"
ADMIN = "arn:aws:iam::444444444444:role/AccountAdmin"


def _denied(action: str, principal: str, region: str = "eu-west-3", **extra: str) -> bool:
    stmts = guardrails(OrganizationArgs())["root"]
    ctx = {"aws:PrincipalArn": principal, "aws:RequestedRegion": region, **extra}
    return any(scp.statement_denies(s, action, ctx) for s in stmts)


@pytest.mark.parametrize(
    "action", ["iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRole"]
)
def test_7_nobody_but_the_exempt_role_changes_it(action: str) -> None:
    assert _denied(action, ADMIN, resource=ROLE), f"{action} on the deployment role is not denied"
    assert not _denied(action, ROLE, resource=ROLE), "the role itself must keep managing itself"
    assert not _denied(action, ADMIN, resource="arn:aws:iam::444444444444:role/app"), "other roles stay free"


def test_13_control_towers_execution_role_is_exempt_and_protected() -> None:
    ct = f"arn:aws:iam::444444444444:role/{CONTROL_TOWER_EXECUTION_ROLE}"
    assert not _denied("ec2:RunInstances", ct, region="us-east-1")
    assert _denied("iam:CreateRole", ADMIN, resource=ct)


def test_10_region_deny_exempts_control_towers_list_but_not_key_creation() -> None:
    missing = set(CONTROL_TOWER_REGION_DENY_EXEMPTIONS) - set(GLOBAL_SERVICE_ACTIONS) - {"kms:*"}
    assert not missing, f"global services that would break: {sorted(missing)}"
    assert "kms:*" not in GLOBAL_SERVICE_ACTIONS
    assert _denied("kms:CreateKey", ADMIN, region="us-east-1"), (
        "keys could be created outside approved regions"
    )
    assert _denied("kms:ReplicateKey", ADMIN, region="us-east-1")
    assert not _denied("kms:Decrypt", ADMIN, region="us-east-1"), "global services must still use keys"
    assert not _denied("chime:ListAccounts", ADMIN, region="us-east-1")
    scp.plan_policies(guardrails(OrganizationArgs()))  # still fits AWS's size and count limits


def test_11_deny_root_user_lets_centralized_root_sessions_through() -> None:
    root = "arn:aws:iam::444444444444:root"
    assert _denied("s3:PutBucketPolicy", root)
    assert not any(
        scp.statement_denies(
            s,
            "s3:PutBucketPolicy",
            {"aws:PrincipalArn": root, "aws:AssumedRoot": "true", "aws:RequestedRegion": "eu-west-3"},
        )
        for s in guardrails(OrganizationArgs())["root"]
        if s["Sid"] == "DenyRootUser"
    )


# --- 8. Security Hub coverage ----------------------------------------------------------------------------------


def test_8_security_hub_is_configured_centrally_for_existing_accounts_and_regions(dev: PreviewResult) -> None:
    assert not dev.by_type("aws:securityhub/account:Account"), "enabled by the admin designation already"
    org = one(dev, "aws:securityhub/organizationConfiguration:OrganizationConfiguration")
    assert org.inputs["organizationConfiguration"]["configurationType"] == "CENTRAL", org.urn
    agg = one(dev, "aws:securityhub/findingAggregator:FindingAggregator")
    assert agg.inputs["region"] == "eu-west-3" and agg.inputs["specifiedRegions"] == ["eu-south-2"], agg.urn
    assoc = one(dev, "aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation", "-root")
    assert assoc.inputs["targetId"] == "r-0ffl", f"{assoc.urn}: not associated with the root"
    policy = one(dev, "aws:securityhub/configurationPolicy:ConfigurationPolicy")
    assert policy.inputs["configurationPolicy"]["serviceEnabled"] is True, policy.urn


# --- 9. inspection firewall ----------------------------------------------------------------------------------


def test_9_the_inspection_firewall_drops_by_default_with_home_net_the_spokes(prod: PreviewResult) -> None:
    pol = one(prod, "aws:networkfirewall/firewallPolicy:FirewallPolicy")
    fp = pol.inputs["firewallPolicy"]
    assert "aws:drop_established" in fp["statefulDefaultActions"], pol.urn
    assert fp["statefulRuleGroupReferences"], f"{pol.urn}: no rule group"
    home = fp["policyVariables"]["ruleVariables"][0]
    assert home["key"] == "HOME_NET"
    assert set(home["ipSet"]["definitions"]) == {"10.8.0.0/16", "10.16.0.0/16", "10.17.0.0/16"}, pol.urn


# --- 12. log archive ---------------------------------------------------------------------------------------------


def test_12_security_tooling_can_read_and_decrypt_the_logs(dev: PreviewResult) -> None:
    key = one(dev, "aws:kms/key:Key", "log-archive-key")
    readers = [s for s in statements(key.inputs["policy"]) if s["Sid"] == "ReadersDecrypt"]
    assert readers and f"arn:aws:iam::{SEC}:root" in readers[0]["Principal"]["AWS"], key.urn
    pol = one(dev, "aws:s3/bucketPolicy:BucketPolicy", "archive-policy")
    read = [s for s in statements(pol.inputs["policy"]) if s["Sid"] == "ReadersRead"]
    assert read and "s3:GetObject" in read[0]["Action"], pol.urn


def test_12_cloudtrail_and_access_log_statements_carry_source_conditions(dev: PreviewResult) -> None:
    pol = one(dev, "aws:s3/bucketPolicy:BucketPolicy", "archive-policy")
    trail_arn = "arn:aws:cloudtrail:eu-west-3:111111111111:trail/kbhdev-organization-trail"
    for s in statements(pol.inputs["policy"]):
        principal = s.get("Principal")
        if isinstance(principal, dict) and principal.get("Service") == "cloudtrail.amazonaws.com":
            assert s["Condition"]["StringEquals"]["aws:SourceArn"] == trail_arn, s["Sid"]
    trail = one(dev, "aws:cloudtrail/trail:Trail")
    assert trail.inputs["name"] == "kbhdev-organization-trail"
    access = one(dev, "aws:s3/bucketPolicy:BucketPolicy", "access-logs-policy")
    (logs,) = [s for s in statements(access.inputs["policy"]) if s["Sid"] == "S3ServerAccessLogs"]
    assert logs["Condition"]["StringEquals"]["aws:SourceAccount"] == LOG
    assert logs["Condition"]["ArnLike"]["aws:SourceArn"].startswith("arn:aws:s3:::kbhdev-log-archive-")


def test_12_the_trail_log_group_is_encrypted(dev: PreviewResult) -> None:
    group = one(dev, "aws:cloudwatch/logGroup:LogGroup")
    key = one(dev, "aws:kms/key:Key", "organization-trail-logs-key")
    assert key.urn in group.property_dependencies["kmsKeyId"], group.urn
    (use,) = [s for s in statements(key.inputs["policy"]) if s["Sid"] == "CloudWatchLogsUse"]
    assert use["Principal"]["Service"] == "logs.eu-west-3.amazonaws.com"


def test_every_log_destination_prefix_is_allowed_by_its_bucket_policy(prod: PreviewResult) -> None:
    pol = one(prod, "aws:s3/bucketPolicy:BucketPolicy", "archive-policy")
    writes = [
        r
        for s in statements(pol.inputs["policy"])
        if s["Action"] == "s3:PutObject"
        for r in _list(s["Resource"])
    ]
    fw = one(prod, "aws:networkfirewall/loggingConfiguration:LoggingConfiguration")
    for dest in fw.inputs["loggingConfiguration"]["logDestinationConfigs"]:
        key = f"{dest['logDestination']['prefix']}/AWSLogs/444444444444/network-firewall/alert/x.log.gz"
        assert any(_matches(w.split(":::", 1)[1].split("/", 1)[1], key) for w in writes), key
    for key in ("AWSLogs/444444444444/vpcflowlogs/eu-west-3/x.parquet", "AWSLogs/111111111111/CloudTrail/x"):
        assert any(_matches(w.split(":::", 1)[1].split("/", 1)[1], key) for w in writes), key
    cfg = one(prod, "aws:s3/bucketPolicy:BucketPolicy", "config-policy")
    cwrites = [
        r
        for s in statements(cfg.inputs["policy"])
        if s["Action"] == "s3:PutObject"
        for r in _list(s["Resource"])
    ]
    assert any(_matches(w.split("/", 1)[1], "AWSLogs/444444444444/Config/x") for w in cwrites)
    # Config cannot deliver to an Object Lock bucket: its bucket has none.
    locks = prod.by_type("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert [x.name for x in locks] == ["log-archive-archive-object-lock"]


def _list(v: Any) -> list[str]:
    return [v] if isinstance(v, str) else list(v)


def _matches(pattern: str, key: str) -> bool:
    import fnmatch

    return fnmatch.fnmatchcase(key, pattern)


# --- 13. brownfield ---------------------------------------------------------------------------------------------


def test_13_adopted_accounts_get_their_move_commands_in_check_mode(tmp_path: Any) -> None:
    # The fallback (kasbah:adoption check): nothing imported, the moves are commands to run by hand. The
    # managed path (import) is pinned in tests/aws/test_aws_review.py.
    import yaml

    raw = yaml.safe_load((REPO_ROOT / "stacks" / "Pulumi.aws-dev.yaml").read_text())
    raw["config"]["kasbah:adoption"] = "check"
    path = tmp_path / "Pulumi.aws-dev.yaml"
    path.write_text(yaml.safe_dump(raw))
    r = preview(REPO_ROOT, "aws-dev", config_file=path, policy_packs=[])
    assert not r.by_type("aws:organizations/account:Account")
    text = json.dumps(r.outputs["adoptionSteps"])
    for acct in ("222222222222", "333333333333", "444444444444", "555555555555"):
        assert f"move-account --account-id {acct}" in text or "[unknown]" in text


def test_13_trusted_access_and_scp_type_of_an_adopted_organization_are_checked() -> None:
    with pytest.raises(ConfigError) as err:
        check_existing_organization(
            "kasbah:organizationRootId", ["securityhub.amazonaws.com"], [], ["SERVICE_CONTROL_POLICY"]
        )
    assert "enable-aws-service-access --service-principal securityhub.amazonaws.com" in str(err.value)
    with pytest.raises(ConfigError) as err:
        check_existing_organization("kasbah:organizationRootId", [], [], [])
    assert "enable-policy-type" in str(err.value)
    check_existing_organization("k", ["a"], ["a"], ["SERVICE_CONTROL_POLICY"])


def test_13_sharing_with_the_organization_is_enabled_for_ram(dev: PreviewResult) -> None:
    one(dev, "aws:ram/sharingWithOrganization:SharingWithOrganization")


# --- 14. zone selection ---------------------------------------------------------------------------------------


def test_14_regional_az_selection_filters_on_opt_in_not_required(monkeypatch: pytest.MonkeyPatch) -> None:
    token = "aws:index/getAvailabilityZones:getAvailabilityZones"
    seen: list[dict[str, Any]] = []
    real = invokes.REGISTRY[token]

    def spy(args: Any, ctx: Any) -> dict[str, Any]:
        seen.append(dict(args))
        return real(args, ctx)

    monkeypatch.setitem(invokes.REGISTRY, token, spy)
    preview(REPO_ROOT, "aws-dev", policy_packs=[])
    assert seen
    for args in seen:
        filters = {f["name"]: f["values"] for f in args.get("filters", [])}
        assert filters.get("opt-in-status") == ["opt-in-not-required"], args


# --- 15, 16 --------------------------------------------------------------------------------------------------


def test_15_nothing_is_assigned_on_the_management_account_by_default(dev: PreviewResult) -> None:
    assert "management" not in {
        x for xs in default_assignments(["management", "network"]).values() for x in xs
    }
    targets = {a.inputs["targetId"] for a in dev.by_type("aws:ssoadmin/accountAssignment:AccountAssignment")}
    assert "111111111111" not in targets


def test_16_guardduty_protection_plans_default_to_the_sras(dev: PreviewResult) -> None:
    assert set(SRA_GUARDDUTY_FEATURES) == set(GuardDutyFeature)
    names = {
        f.inputs["name"]
        for f in dev.by_type(
            "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature"
        )
    }
    assert names == {f.value for f in GuardDutyFeature}
    runtime = [
        f
        for f in dev.by_type("aws:guardduty/detectorFeature:DetectorFeature")
        if f.inputs["name"] == "RUNTIME_MONITORING"
    ]
    assert runtime and all(
        {c["name"] for c in f.inputs["additionalConfigurations"]}
        == {"EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"}
        for f in runtime
    )


# --- also: a dev stack can be destroyed and deployed again ------------------------------------------------

RECREATABLE_WHEN_RETAINED = frozenset(
    {
        "aws:organizations/account:Account",  # retained on purpose: accounts are closed by hand
        "aws:organizations/organization:Organization",  # adopted (imported): imported again
        "aws:ec2/availabilityZoneGroup:AvailabilityZoneGroup",  # opting out needs AWS Support
        "aws:account/region:Region",  # disabling a region strands what is in it; enabling again is a no-op
        "aws:ram/sharingWithOrganization:SharingWithOrganization",  # organization-wide; enabling again is a no-op
        # Account-wide singleton settings: never removed by destroy; created again, they overwrite in place.
        "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
        "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
        "aws:ebs/encryptionByDefault:EncryptionByDefault",
    }
)


def test_the_dev_stack_can_be_destroyed_and_deployed_again(dev: PreviewResult) -> None:
    protected = [r.urn for r in dev.resources if r.options.get("protect")]
    assert not protected, f"destroy refuses protected resources: {protected}"
    for bucket in dev.by_type("aws:s3/bucket:Bucket"):
        assert bucket.inputs.get("forceDestroy") is True, f"{bucket.urn}: destroy fails on a non-empty bucket"
    for lock in dev.by_type("aws:backup/vaultLockConfiguration:VaultLockConfiguration"):
        assert lock.inputs.get("changeableForDays") is None, f"{lock.urn}: compliance mode locks the vault"
    for vault in dev.by_type("aws:backup/vault:Vault"):
        assert vault.inputs.get("forceDestroy") is True, f"{vault.urn}: destroy fails on recovery points"
    # A retained resource with a fixed name makes the next deploy fail with "already exists".
    retained = [
        r
        for r in dev.resources
        if r.options.get("retainOnDelete") and r.type not in RECREATABLE_WHEN_RETAINED
    ]
    assert not retained, [r.urn for r in retained]
