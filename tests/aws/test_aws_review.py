"""The per-resource documentation review of aws-org, aws-dev, aws-prod and edge-dev (issue 11, follow-up):
each defect it found is pinned here by a test that fails on the code before the fix.

The review itself (every resource type, what was checked, the page relied on) is
docs/aws-resource-review.md; ``test_every_registered_type_was_reviewed`` keeps it complete.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from conftest import REPO_ROOT
from test_aws_issue11 import named, one, reachable, statements

from components.aws.aws_data import (
    CONTROL_TOWER_REGION_DENY_EXEMPTIONS,
    GLOBAL_SERVICE_ACTIONS,
    OPT_IN_REGIONS,
    REGION_DENY_DATA,
    TRUSTED_SERVICE_PRINCIPALS,
)
from components.aws.network_plan import check_vpc_quota
from components.aws.organization import (
    AdoptionMode,
    OrganizationArgs,
    adopted_account,
    check_existing_organization,
    check_organization_identity,
    union_sorted,
    validate_organization_args,
)
from components.aws.security_baseline import (
    BackupArgs,
    SecurityBaselineArgs,
    validate_home_region_for_security_hub,
    validate_security_baseline_args,
)
from components.errors import ConfigError
from kasbah.engine import PreviewError, PreviewResult, RecordedResource, preview

SEC = "333333333333"
LOG = "222222222222"
MEMBERS = {
    "logArchive": LOG,
    "securityTooling": SEC,
    "network": "444444444444",
    "sharedServices": "555555555555",
}


@pytest.fixture(scope="module")
def dev() -> PreviewResult:
    return preview(REPO_ROOT, "aws-dev", policy_packs=[])


@pytest.fixture(scope="module")
def org() -> PreviewResult:
    return preview(REPO_ROOT, "aws-org", policy_packs=[])


@pytest.fixture(scope="module")
def edge() -> PreviewResult:
    return preview(REPO_ROOT, "edge-dev", policy_packs=[])


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> PreviewResult:
    outputs = tmp_path_factory.mktemp("refs") / "outputs.json"
    outputs.write_text(
        json.dumps(
            {
                "organization/kasbah/aws-org": {
                    "organizationId": "o-abc123def4",
                    "organizationArn": "arn:aws:organizations::111111111111:organization/o-abc123def4",
                    "rootId": "r-ab12",
                    "accountIds": MEMBERS,
                }
            }
        )
    )
    return preview(REPO_ROOT, "aws-prod", policy_packs=[], stack_outputs=outputs)


def dev_with(tmp_path: Any, **config: Any) -> PreviewResult:
    """aws-dev with some ``kasbah:`` keys changed."""
    raw = yaml.safe_load((REPO_ROOT / "stacks" / "Pulumi.aws-dev.yaml").read_text())
    raw["config"].update({f"kasbah:{k}": v for k, v in config.items()})
    path = tmp_path / "Pulumi.aws-dev.yaml"
    path.write_text(yaml.safe_dump(raw))
    return preview(REPO_ROOT, "aws-dev", config_file=path, policy_packs=[])


def account_of(res: RecordedResource) -> str:
    """The account label of a resource, from its provider (``management`` or ``account-<role>``)."""
    name = str(res.provider).rsplit("::", 1)[-1]
    return name.removeprefix("account-")


# --- Control Tower's Region deny list --------------------------------------------------------------------


def test_region_deny_exemptions_are_control_towers_list_with_source_and_date() -> None:
    assert REGION_DENY_DATA["source"] == (
        "https://docs.aws.amazon.com/controltower/latest/userguide/primary-region-deny-policy.html"
    )
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", REGION_DENY_DATA["retrieved"])
    # Compared action by action with the page: two were missing, one was not on it.
    assert "license-manager:ListReceivedLicenses" in CONTROL_TOWER_REGION_DENY_EXEMPTIONS
    assert "quicksight:DescribeAccountSubscription" in CONTROL_TOWER_REGION_DENY_EXEMPTIONS
    assert "discovery-marketplace:*" not in CONTROL_TOWER_REGION_DENY_EXEMPTIONS
    assert len(CONTROL_TOWER_REGION_DENY_EXEMPTIONS) == 86 == len(set(CONTROL_TOWER_REGION_DENY_EXEMPTIONS))
    # The narrower KMS exemption stays: key creation is denied outside the approved regions.
    assert "kms:*" not in GLOBAL_SERVICE_ACTIONS and "kms:Decrypt" in GLOBAL_SERVICE_ACTIONS
    assert set(GLOBAL_SERVICE_ACTIONS) >= set(CONTROL_TOWER_REGION_DENY_EXEMPTIONS) - {"kms:*"}


def test_the_deployed_region_deny_scp_carries_the_corrected_list(org: PreviewResult) -> None:
    denies = [
        s
        for p in org.by_type("aws:organizations/policy:Policy")
        for s in json.loads(p.inputs["content"])["Statement"]
        if s["Sid"] == "DenyOutsideApprovedRegions"
    ]
    assert len(denies) == 1
    assert "quicksight:DescribeAccountSubscription" in denies[0]["NotAction"]
    assert "discovery-marketplace:*" not in denies[0]["NotAction"]


# --- opt-in regions ----------------------------------------------------------------------------------------


def test_eu_south_2_is_an_opt_in_region_and_eu_west_3_is_not() -> None:
    assert "eu-south-2" in OPT_IN_REGIONS and "eu-west-3" not in OPT_IN_REGIONS


@pytest.mark.parametrize("stack", ["org", "dev"])
def test_every_account_enables_the_opt_in_approved_region(stack: str, request: pytest.FixtureRequest) -> None:
    r: PreviewResult = request.getfixturevalue(stack)
    regions = r.by_type("aws:account/region:Region")
    by_label = {x.name.removeprefix("org-region-").removesuffix("-eu-south-2"): x for x in regions}
    assert set(by_label) == {"management", *MEMBERS}, [x.name for x in regions]
    for label, x in by_label.items():
        assert x.inputs["regionName"] == "eu-south-2" and x.inputs["enabled"] is True, x.urn
        assert x.options["retainOnDelete"] is True, x.urn
        # The management account cannot name itself (EnableRegion refuses its own AccountId).
        assert ("accountId" in x.inputs) is (label != "management"), x.urn
        organization = one(r, "aws:organizations/organization:Organization")
        assert organization.urn in reachable(r, x), f"{x.urn}: needs trusted access for Account Management"
    assert "account.amazonaws.com" in TRUSTED_SERVICE_PRINCIPALS
    organization = one(r, "aws:organizations/organization:Organization")
    assert "account.amazonaws.com" in organization.inputs["awsServiceAccessPrincipals"]


def test_resources_in_the_opt_in_region_wait_for_its_enablement(dev: PreviewResult) -> None:
    checked = 0
    for res in dev.resources:
        if res.inputs.get("region") != "eu-south-2" or res.type == "aws:account/region:Region":
            continue
        label = account_of(res)
        enablement = one(dev, "aws:account/region:Region", f"org-region-{label}-eu-south-2")
        assert enablement.urn in reachable(dev, res), f"{res.urn} does not wait for {enablement.urn}"
        checked += 1
    assert checked > 50, checked
    # The administrator designations are made by the management account in the administrator's name.
    for t in ("guardduty", "securityhub"):
        designation = one(dev, f"aws:{t}/organizationAdminAccount:OrganizationAdminAccount", "eu-south-2")
        admin = one(dev, "aws:account/region:Region", "org-region-securityTooling-eu-south-2")
        assert admin.urn in reachable(dev, designation), designation.urn
    # Security Hub links the region in the administrator, and its policy applies there to every account.
    agg = one(dev, "aws:securityhub/findingAggregator:FindingAggregator")
    admin = one(dev, "aws:account/region:Region", "org-region-securityTooling-eu-south-2")
    assert admin.urn in reachable(dev, agg), agg.urn
    for assoc in dev.by_type("aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation"):
        for enablement in dev.by_type("aws:account/region:Region"):
            assert enablement.urn in reachable(dev, assoc), f"{assoc.urn} does not wait for {enablement.urn}"


def test_security_hubs_home_region_cannot_be_an_opt_in_region() -> None:
    with pytest.raises(ConfigError) as err:
        validate_home_region_for_security_hub("kasbah:homeRegion", "eu-south-2")
    assert err.value.key == "kasbah:homeRegion"
    validate_home_region_for_security_hub("kasbah:homeRegion", "eu-west-3")
    with pytest.raises(ConfigError):
        validate_security_baseline_args(
            SecurityBaselineArgs(
                account_id=SEC,
                regions=("eu-south-2", "eu-west-3"),
                home_region="eu-south-2",
                security_admin=True,
                organization_root_id="r-ab12",
            )
        )


# --- Security Hub coverage of the management account --------------------------------------------------------


def test_the_management_account_is_associated_with_the_security_hub_policy(dev: PreviewResult) -> None:
    assoc = one(
        dev, "aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation", "-management"
    )
    assert assoc.inputs["targetId"] == "111111111111", assoc.urn
    policy = one(dev, "aws:securityhub/configurationPolicy:ConfigurationPolicy")
    assert policy.urn in assoc.property_dependencies["policyId"], assoc.urn


# --- organization-level ordering ------------------------------------------------------------------------


def test_scps_are_created_after_the_organization(org: PreviewResult) -> None:
    organization = one(org, "aws:organizations/organization:Organization")
    for p in org.by_type("aws:organizations/policy:Policy"):
        assert organization.urn in reachable(org, p), f"{p.urn}: CreatePolicy before the organization exists"


def test_ram_sharing_is_kept_on_destroy_and_the_organization_share_waits_for_it(dev: PreviewResult) -> None:
    sharing = one(dev, "aws:ram/sharingWithOrganization:SharingWithOrganization")
    # Deleting it disables RAM's trusted access for the whole organization (every share, not only Kasbah's).
    assert sharing.options["retainOnDelete"] is True, sharing.urn
    assoc = one(dev, "aws:ram/principalAssociation:PrincipalAssociation")
    assert sharing.urn in reachable(dev, assoc), (
        f"{assoc.urn} associates the organization before sharing is on"
    )


def test_identity_center_policies_are_detached_before_their_assignments(dev: PreviewResult) -> None:
    attachments = dev.by_type("aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment")
    assert attachments
    for att in attachments:
        kind = att.name.removeprefix("identity-ps-").removesuffix("-policy")
        assignments = named(
            dev, "aws:ssoadmin/accountAssignment:AccountAssignment", f"identity-assign-{kind}-"
        )
        assert assignments, att.urn
        for a in assignments:
            assert a.urn in att.dependencies, f"{att.urn} does not depend on {a.urn}"


# --- log destinations ------------------------------------------------------------------------------------


def test_every_bucket_logging_into_the_access_log_bucket_is_allowed_by_its_policy(
    prod: PreviewResult,
) -> None:
    access = one(prod, "aws:s3/bucketPolicy:BucketPolicy", "access-logs-policy")
    allowed = [s for s in statements(access.inputs["policy"]) if s.get("Sid") == "S3ServerAccessLogs"]
    assert len(allowed) == 1
    resources = (
        allowed[0]["Resource"] if isinstance(allowed[0]["Resource"], list) else [allowed[0]["Resource"]]
    )
    sources = allowed[0]["Condition"]["ArnLike"]["aws:SourceArn"]
    sources = sources if isinstance(sources, list) else [sources]
    loggings = prod.by_type("aws:s3/bucketLogging:BucketLogging")
    assert len(loggings) == 2  # the archive and (with Object Lock) the Config bucket
    buckets = {b.urn: b for b in prod.by_type("aws:s3/bucket:Bucket")}
    for logging in loggings:
        (source_urn,) = logging.property_dependencies["bucket"]
        source = buckets[source_urn].inputs["bucket"]
        key = f"{source}/2026-12-02-00-00-00-ABCDEF"
        assert any(re.fullmatch(r.split("/", 1)[1].replace("*", ".*"), key) for r in resources), (
            f"{logging.urn}: the access-log bucket policy refuses {key}"
        )
        assert f"arn:aws:s3:::{source}" in sources, f"{logging.urn}: {source} is not an allowed source"


# --- destroy ---------------------------------------------------------------------------------------------


def test_backup_vaults_of_a_destroyable_stack_delete_their_recovery_points() -> None:
    args = SecurityBaselineArgs(account_id=SEC)
    with pytest.raises(ConfigError) as err:
        validate_security_baseline_args(
            SecurityBaselineArgs(
                account_id=SEC, backup=BackupArgs(force_destroy=True, lock_changeable_days=3)
            )
        )
    assert "forceDestroy" in err.value.key and "lockChangeableDays" in err.value.key
    with pytest.raises(ConfigError) as err:
        validate_security_baseline_args(
            SecurityBaselineArgs(account_id=SEC, backup=BackupArgs(lock_changeable_days=1))
        )
    assert err.value.key.endswith("lockChangeableDays")
    validate_security_baseline_args(args)
    validate_security_baseline_args(
        SecurityBaselineArgs(account_id=SEC, backup=BackupArgs(force_destroy=True, lock_changeable_days=None))
    )


# --- quotas ----------------------------------------------------------------------------------------------


def test_the_network_fits_the_vpc_quota_with_the_default_vpc() -> None:
    with pytest.raises(ConfigError) as err:
        check_vpc_quota("kasbah:network", 5)  # five VPCs and the default VPC, quota 5
    assert err.value.key == "kasbah:network.vpcQuota" and "L-F678F1CE" in str(err.value)
    check_vpc_quota("kasbah:network", 4)
    check_vpc_quota("kasbah:network", 5, quota=5, default_vpc=False)
    check_vpc_quota("kasbah:network", 5, quota=10)


def test_aws_prod_declares_the_raised_vpc_quota(tmp_path: Any) -> None:
    raw = yaml.safe_load((REPO_ROOT / "stacks" / "Pulumi.aws-prod.yaml").read_text())
    assert raw["config"]["kasbah:network"]["vpcQuota"] == 10
    del raw["config"]["kasbah:network"]["vpcQuota"]
    path = tmp_path / "Pulumi.aws-prod.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(PreviewError) as err:
        preview(REPO_ROOT, "aws-prod", config_file=path, policy_packs=[])
    assert "kasbah:network.vpcQuota" in err.value.message


# --- edge ------------------------------------------------------------------------------------------------


def test_edge_flow_logs_wait_for_their_role_policy(edge: PreviewResult) -> None:
    r = edge
    policy = one(r, "aws:iam/rolePolicy:RolePolicy", "flow-logs-policy")
    for flow in r.by_type("aws:ec2/flowLog:FlowLog"):
        assert policy.urn in reachable(r, flow), f"{flow.urn} delivers before its role may write"


# --- brownfield adoption, managed (import) -------------------------------------------------------------------


def test_the_adopted_organization_is_imported_with_its_integrations_completed(dev: PreviewResult) -> None:
    organization = one(dev, "aws:organizations/organization:Organization")
    assert organization.options["import"] == "o-0ffline000"
    # Never deleted by destroy (forgotten), and not protected so that the dev stack can be destroyed.
    assert organization.options["retainOnDelete"] is True and not organization.options["protect"]
    principals = organization.inputs["awsServiceAccessPrincipals"]
    assert set(principals) >= set(TRUSTED_SERVICE_PRINCIPALS)
    assert organization.inputs["enabledPolicyTypes"] == ["SERVICE_CONTROL_POLICY"]
    assert organization.inputs["featureSet"] == "ALL"
    # Everything attached to the root waits for the imported organization (trusted access, policy type).
    for t in (
        "aws:organizations/policyAttachment:PolicyAttachment",
        "aws:organizations/organizationalUnit:OrganizationalUnit",
    ):
        for x in dev.by_type(t):
            assert organization.urn in reachable(dev, x), x.urn
    for x in dev.by_type("aws:organizations/delegatedAdministrator:DelegatedAdministrator"):
        assert organization.urn in reachable(dev, x), x.urn


def test_union_keeps_every_integration_already_enabled() -> None:
    # The imported organization's list is authoritative: what another team enabled must stay enabled.
    assert union_sorted(["controltower.amazonaws.com", "sso.amazonaws.com"], ["ram.amazonaws.com"]) == [
        "controltower.amazonaws.com",
        "ram.amazonaws.com",
        "sso.amazonaws.com",
    ]
    assert union_sorted(None, ["a"]) == ["a"]


def test_adopted_accounts_are_imported_and_moved_into_their_ous(dev: PreviewResult) -> None:
    accounts = {a.options["import"]: a for a in dev.by_type("aws:organizations/account:Account")}
    assert set(accounts) == set(MEMBERS.values())
    expected_ou = {
        LOG: "security",
        SEC: "security",
        "444444444444": "infrastructure",
        "555555555555": "infrastructure",
    }
    for acct_id, a in accounts.items():
        ou = one(
            dev, "aws:organizations/organizationalUnit:OrganizationalUnit", f"org-ou-{expected_ou[acct_id]}"
        )
        assert a.property_dependencies["parentId"] == [ou.urn], f"{a.urn}: parentId is not its OU's id"
        # Retained (deleting removes the account from the organization); name and email are ignored, so that
        # they never force a replacement; the create-only inputs are not set at all.
        assert a.options["retainOnDelete"] is True, a.urn
        assert {"name", "email", "roleName", "iamUserAccessToBilling"} <= set(a.options["ignoreChanges"]), (
            a.urn
        )
        assert "roleName" not in a.inputs and "iamUserAccessToBilling" not in a.inputs, a.urn
    assert dev.outputs["adoptionSteps"] == []


def test_import_needs_the_organization_id() -> None:
    with pytest.raises(ConfigError) as err:
        validate_organization_args(OrganizationArgs(root_id="r-ab12"), key="kasbah:")
    assert err.value.key == "kasbah:organizationId and kasbah:adoption"
    with pytest.raises(ConfigError) as err:
        validate_organization_args(OrganizationArgs(root_id="r-ab12", organization_id="o-1"), key="kasbah:")
    assert err.value.key == "kasbah:organizationId"
    validate_organization_args(OrganizationArgs(root_id="r-ab12", adoption=AdoptionMode.CHECK), key="kasbah:")
    # The credentials' organization must be the configured one (offline, getOrganization answers with it).
    with pytest.raises(ConfigError) as err:
        check_organization_identity(
            "kasbah:organizationRootId", "r-ab12", "o-abcdefghij", "o-otherorg000", ["r-ab12"], "ALL"
        )
    assert err.value.key == "kasbah:organizationId" and "o-otherorg000" in str(err.value)


def test_the_organization_is_checked_before_anything_is_imported() -> None:
    with pytest.raises(ConfigError) as err:
        check_organization_identity("kasbah:organizationRootId", "r-ab12", None, "o-x", ["r-cd34"], "ALL")
    assert "r-cd34" in str(err.value)
    with pytest.raises(ConfigError) as err:
        check_organization_identity(
            "kasbah:organizationRootId", "r-ab12", None, "o-x", ["r-ab12"], "CONSOLIDATED_BILLING"
        )
    assert "enable-all-features" in str(err.value)
    check_organization_identity("kasbah:organizationRootId", "r-ab12", "o-x", "o-x", ["r-ab12"], "ALL")


def test_an_adopted_account_must_be_an_active_member() -> None:
    accounts = [
        {"id": LOG, "name": "Log", "email": "l@example.com", "state": "ACTIVE"},
        {"id": SEC, "state": "SUSPENDED"},
    ]
    assert adopted_account("kasbah:accounts.logArchive.id", LOG, accounts) == ("Log", "l@example.com")
    with pytest.raises(ConfigError) as err:
        adopted_account("kasbah:accounts.securityTooling.id", SEC, accounts)
    assert "SUSPENDED" in str(err.value)
    with pytest.raises(ConfigError) as err:
        adopted_account("kasbah:accounts.network.id", "444444444444", accounts)
    assert err.value.key == "kasbah:accounts.network.id" and "invite" in str(err.value)


def test_check_mode_stays_the_fallback(tmp_path: Any) -> None:
    r = dev_with(tmp_path, adoption="check")
    assert not r.by_type("aws:organizations/organization:Organization")
    assert not r.by_type("aws:organizations/account:Account")
    assert r.outputs["adoptionSteps"]
    with pytest.raises(ConfigError) as err:
        check_existing_organization(
            "k", TRUSTED_SERVICE_PRINCIPALS, ["sso.amazonaws.com"], ["SERVICE_CONTROL_POLICY"]
        )
    assert "--service-principal account.amazonaws.com" in str(err.value) and "kasbah:adoption import" in str(
        err.value
    )


def test_account_wide_settings_are_never_removed_by_destroy_or_replacement(dev: PreviewResult) -> None:
    for t in (
        "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
        "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
        "aws:ebs/encryptionByDefault:EncryptionByDefault",
    ):
        found = dev.by_type(t)
        assert found, t
        for x in found:
            assert x.options["retainOnDelete"] is True, f"{x.urn}: deleting it weakens the account"


def test_an_adopted_recorder_keeps_recording_when_the_stack_is_destroyed(tmp_path: Any) -> None:
    r = dev_with(tmp_path, existingConfigRecorders={"management": "default"})
    for status in named(r, "aws:cfg/recorderStatus:RecorderStatus", "config-management-"):
        assert status.options["retainOnDelete"] is True, f"{status.urn}: destroy stops an adopted recorder"
    for status in named(r, "aws:cfg/recorderStatus:RecorderStatus", "config-network-"):
        assert status.options["retainOnDelete"] is False, status.urn


# --- the review covers every type -------------------------------------------------------------------------


def test_every_registered_type_was_reviewed(
    dev: PreviewResult, org: PreviewResult, prod: PreviewResult
) -> None:
    edge = preview(REPO_ROOT, "edge-dev", policy_packs=[])
    registered = {
        x.type
        for r in (dev, org, prod, edge)
        for x in r.resources
        if not x.type.startswith(("kasbah:", "pulumi:"))
    }
    review = (REPO_ROOT / "docs" / "aws-resource-review.md").read_text()
    reviewed = set(re.findall(r"^\| `(aws:[^`]+)` \|", review, flags=re.M))
    assert registered - reviewed == set(), "types without a row in docs/aws-resource-review.md"
    assert reviewed - registered == set(), "rows for types no stack registers any more"


def test_region_enablement_waits_the_hours_aws_allows(monkeypatch: pytest.MonkeyPatch) -> None:
    # The provider waits for ENABLED for 60 minutes by default; AWS says enabling can take several hours.
    import pulumi
    import pulumi_aws as aws

    from components.aws.organization import Organization
    from kasbah.engine import preview_program

    seen: list[pulumi.CustomTimeouts | None] = []
    real = aws.account.Region

    class Spy(real):  # type: ignore[misc, valid-type]
        def __init__(
            self, name: str, *args: Any, opts: pulumi.ResourceOptions | None = None, **kw: Any
        ) -> None:
            seen.append(opts.custom_timeouts if opts else None)
            super().__init__(name, *args, opts=opts, **kw)

    monkeypatch.setattr(aws.account, "Region", Spy)
    preview_program(lambda: Organization("org", OrganizationArgs()), config={"aws:region": "eu-west-3"})
    assert len(seen) == 1  # the management account (no member account in this organization)
    for timeouts in seen:
        assert timeouts is not None and timeouts.create == "4h", timeouts


def test_guardduty_plans_are_refused_where_guardduty_does_not_offer_them() -> None:
    from components.aws.security_baseline import SRA_GUARDDUTY_FEATURES, GuardDutyFeature

    with pytest.raises(ConfigError) as err:
        validate_security_baseline_args(
            SecurityBaselineArgs(account_id=SEC, regions=("eu-west-3", "ap-east-2"), home_region="eu-west-3")
        )
    assert (
        "guarddutyFeatures" in err.value.key and "regions" in err.value.key and "ap-east-2" in str(err.value)
    )
    # Kasbah's approved regions offer every plan of the SRA default.
    validate_security_baseline_args(
        SecurityBaselineArgs(account_id=SEC, guardduty_features=SRA_GUARDDUTY_FEATURES)
    )
    validate_security_baseline_args(
        SecurityBaselineArgs(
            account_id=SEC,
            regions=("eu-west-3", "ap-east-2"),
            home_region="eu-west-3",
            guardduty_features=(GuardDutyFeature.S3_DATA_EVENTS,),
        )
    )
