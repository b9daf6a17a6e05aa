"""Pure logic of the AWS landing zone: CIDR planning, SCPs and their limits, validation, naming."""

from __future__ import annotations

import ipaddress
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.aws import scp
from components.aws.aws_data import (
    AWS_COMMERCIAL_REGIONS,
    DEFAULT_APPROVED_REGIONS,
    GLOBAL_SERVICE_ACTIONS,
    PROTECTED_SECURITY_ACTIONS,
    Segment,
)
from components.aws.network_plan import SpokeArgs, plan_network
from components.aws.validate import (
    bucket_name,
    validate_account_id,
    validate_email,
    validate_regions,
)
from components.errors import ConfigError

DEPLOY = "arn:aws:iam::222222222222:role/KasbahDeploy"
USER = "arn:aws:iam::222222222222:role/Developer"


# --- CIDR planning -----------------------------------------------------------------------------------


@st.composite
def spoke_sets(draw: st.DrawFn) -> tuple[str, list[SpokeArgs]]:
    prefix = draw(st.integers(min_value=16, max_value=22))
    count = draw(st.integers(min_value=1, max_value=12))
    pool = list(ipaddress.IPv4Network("10.0.0.0/8").subnets(new_prefix=prefix))
    idx = draw(st.lists(st.integers(0, 2**12 - 1), min_size=count + 1, max_size=count + 1, unique=True))
    blocks = [pool[i % len(pool)] for i in idx]
    if len(set(blocks)) != len(blocks):
        blocks = pool[: count + 1]
    spokes = [
        SpokeArgs(
            name=f"s{i}",
            cidr=str(b),
            segment=draw(st.sampled_from(list(Segment))),
            az_count=draw(st.integers(1, 3)),
        )
        for i, b in enumerate(blocks[1:])
    ]
    return str(blocks[0]), spokes


@settings(max_examples=60, deadline=None)
@given(spoke_sets(), st.integers(1, 3))
def test_planned_spokes_never_overlap_and_subnets_fit(case: tuple[str, list[SpokeArgs]], azs: int) -> None:
    egress, spokes = case
    plan = plan_network(egress, spokes, az_count=azs)
    vpcs = plan.vpcs
    for i, a in enumerate(vpcs):
        for b in vpcs[i + 1 :]:
            assert not a.cidr.overlaps(b.cidr), f"{a.name} {a.cidr} overlaps {b.name} {b.cidr}"
        assert len(a.subnets) == 2 * a.az_count, a.name
        for s in a.subnets:
            assert s.cidr.subnet_of(a.cidr), f"{a.name}: {s.cidr} outside {a.cidr}"
        for j, s in enumerate(a.subnets):
            for t in a.subnets[j + 1 :]:
                assert not s.cidr.overlaps(t.cidr), f"{a.name}: {s.cidr} overlaps {t.cidr}"
        assert {s.zone_index for s in a.subnets} == set(range(a.az_count)), a.name


@settings(max_examples=60, deadline=None)
@given(st.integers(8, 24), st.integers(0, 255), st.integers(9, 28))
def test_overlapping_spokes_are_refused_naming_both(prefix_a: int, offset: int, prefix_b: int) -> None:
    a = ipaddress.IPv4Network(f"10.{offset}.0.0/16").supernet(new_prefix=min(prefix_a, 16))
    b = next(a.subnets(new_prefix=max(prefix_b, a.prefixlen))) if prefix_b >= a.prefixlen else a
    spokes = [SpokeArgs("alpha", str(a), az_count=1), SpokeArgs("beta", str(b), az_count=1)]
    with pytest.raises(ConfigError) as err:
        plan_network("192.168.0.0/20", spokes, az_count=1, key="kasbah:network")
    assert err.value.key == "kasbah:network.spokes[0].cidr and kasbah:network.spokes[1].cidr"
    assert "'alpha'" in str(err.value) and "'beta'" in str(err.value)


def test_spoke_overlapping_the_hub_is_refused() -> None:
    with pytest.raises(ConfigError) as err:
        plan_network("10.0.0.0/16", [SpokeArgs("app", "10.0.128.0/20")], key="kasbah:network")
    assert err.value.key == "kasbah:network.egressCidr and kasbah:network.spokes[0].cidr"


def test_cidr_too_small_for_its_az_count() -> None:
    with pytest.raises(ConfigError) as err:
        plan_network("10.0.0.0/16", [SpokeArgs("tiny", "10.1.0.0/27", az_count=3)], key="kasbah:network")
    assert err.value.key == "kasbah:network.spokes[0].cidr"
    assert "too small" in str(err.value)
    plan_network("10.0.0.0/16", [SpokeArgs("tiny", "10.1.0.0/26", az_count=2)])  # 4 x /28 fits


def test_unknown_segment_and_bad_az_count_and_duplicate_name() -> None:
    with pytest.raises(ConfigError) as err:
        plan_network("10.0.0.0/16", [SpokeArgs("a", "10.1.0.0/16", segment="dmz")])  # type: ignore[arg-type]
    assert err.value.key == "NetworkArgs.spokes[0].segment"
    with pytest.raises(ConfigError) as err:
        plan_network("10.0.0.0/16", [SpokeArgs("a", "10.1.0.0/16", az_count=4)])
    assert err.value.key == "NetworkArgs.spokes[0].azCount"
    with pytest.raises(ConfigError) as err:
        plan_network("10.0.0.0/16", [SpokeArgs("a", "10.1.0.0/16"), SpokeArgs("a", "10.2.0.0/16")])
    assert err.value.key == "NetworkArgs.spokes[0].name and NetworkArgs.spokes[1].name"


def test_inspection_vpc_is_planned_and_checked() -> None:
    plan = plan_network("10.0.0.0/16", [SpokeArgs("a", "10.2.0.0/16")], inspection_cidr="10.1.0.0/16")
    assert plan.inspection is not None and [s.tier for s in plan.inspection.subnets].count("firewall") == 2
    with pytest.raises(ConfigError) as err:
        plan_network("10.0.0.0/16", [], inspection_cidr="10.0.0.0/24")
    assert "inspectionCidr" in err.value.key and "egressCidr" in err.value.key


# --- SCPs ---------------------------------------------------------------------------------------------


def _baseline(regions: tuple[str, ...] = DEFAULT_APPROVED_REGIONS) -> list[scp.Statement]:
    return scp.baseline_statements(regions, ["KasbahDeploy"])


def _denied(statements: list[scp.Statement], action: str, **ctx: str) -> bool:
    return any(scp.statement_denies(s, action, ctx) for s in statements)


def test_region_deny_denies_every_other_region_and_exempts_exactly_the_global_list() -> None:
    stmts = _baseline()
    region_deny = next(s for s in stmts if s["Sid"] == "DenyOutsideApprovedRegions")
    assert region_deny["NotAction"] == list(GLOBAL_SERVICE_ACTIONS)
    assert region_deny["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == sorted(
        DEFAULT_APPROVED_REGIONS
    )
    for region in AWS_COMMERCIAL_REGIONS:
        ctx = {"aws:RequestedRegion": region, "aws:PrincipalArn": USER}
        denied = scp.statement_denies(region_deny, "ec2:RunInstances", ctx)
        assert denied == (region not in DEFAULT_APPROVED_REGIONS), region
        assert not scp.statement_denies(region_deny, "iam:CreateRole", ctx), region
        deploy_ctx = {"aws:RequestedRegion": region, "aws:PrincipalArn": DEPLOY}
        assert not scp.statement_denies(region_deny, "ec2:RunInstances", deploy_ctx), region


def test_guardrails_deny_security_changes_leaving_root_and_s3_pab_but_not_the_deployment_role() -> None:
    stmts = _baseline()
    ctx = {"aws:RequestedRegion": "eu-west-3", "aws:PrincipalArn": USER}
    deploy = {"aws:RequestedRegion": "eu-west-3", "aws:PrincipalArn": DEPLOY}
    actions = ["organizations:LeaveOrganization", "s3:PutAccountPublicAccessBlock"]
    actions += [a for group in PROTECTED_SECURITY_ACTIONS.values() for a in group]
    for action in actions:
        assert _denied(stmts, action, **ctx), action
        assert not _denied(stmts, action, **deploy), action
    for service in (
        "cloudtrail:StopLogging",
        "config:StopConfigurationRecorder",
        "guardduty:DeleteDetector",
        "securityhub:DisableSecurityHub",
        "access-analyzer:DeleteAnalyzer",
    ):
        assert service in actions
    root = {"aws:RequestedRegion": "eu-west-3", "aws:PrincipalArn": "arn:aws:iam::222222222222:root"}
    assert _denied(stmts, "s3:GetObject", **root)
    assert not _denied(stmts, "s3:GetObject", **ctx)


def test_quarantine_denies_all_but_the_deployment_role() -> None:
    q = scp.quarantine(scp.exemption_condition(["KasbahDeploy"]))
    assert scp.statement_denies(q, "s3:GetObject", {"aws:PrincipalArn": USER})
    assert not scp.statement_denies(q, "s3:GetObject", {"aws:PrincipalArn": DEPLOY})


def test_baseline_packs_within_both_limits() -> None:
    plans = scp.plan_policies({"root": _baseline(), "suspended": [scp.quarantine(None)]})
    assert 1 <= len(plans["root"]) <= scp.MAX_SCPS_PER_TARGET - 1
    sids = [sid for p in plans["root"] for sid in p.sids]
    assert sorted(sids) == sorted(s["Sid"] for s in _baseline())
    for p in plans["root"]:
        assert len(p.content) <= scp.MAX_SCP_CHARS, p.sids
        json.loads(p.content)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(20, 400), min_size=1, max_size=40), st.integers(600, 5120))
def test_packing_respects_the_character_limit_and_keeps_every_statement(sizes: list[int], limit: int) -> None:
    stmts = [scp.deny(f"S{i}", actions=[f"svc:A{'x' * n}"]) for i, n in enumerate(sizes)]
    docs = scp.pack_statements("k", stmts, max_chars=limit)
    packed = [s for d in docs for s in d["Statement"]]
    assert sorted(packed, key=lambda s: s["Sid"]) == sorted(stmts, key=lambda s: s["Sid"])
    assert all(len(scp.render(d)) <= limit for d in docs)
    # first fit never leaves two documents that would fit in one
    assert len(docs) <= len(stmts)


def test_too_many_policies_for_one_target_is_refused() -> None:
    big = [scp.deny(f"S{i}", actions=[f"svc:{'a' * 2000}"]) for i in range(10)]
    with pytest.raises(ConfigError) as err:
        scp.plan_policies({"root": big})
    assert err.value.key == "kasbah:guardrails.root"
    assert "at most 5" in str(err.value)
    ok = scp.plan_policies({"root": big[:8]})  # 2 per document -> 4 documents + FullAWSAccess = 5
    assert len(ok["root"]) == 4


def test_single_statement_over_the_character_limit_is_refused() -> None:
    with pytest.raises(ConfigError) as err:
        scp.pack_statements("kasbah:guardrails.root", [scp.deny("Huge", actions=[f"s:{'a' * 5200}"])])
    assert "5120" in str(err.value)


# --- validation and naming ----------------------------------------------------------------------------


def test_regions_validation() -> None:
    validate_regions(
        "kasbah:homeRegion", "eu-west-3", "kasbah:approvedRegions", list(DEFAULT_APPROVED_REGIONS)
    )
    with pytest.raises(ConfigError) as err:
        validate_regions("kasbah:homeRegion", "us-east-1", "kasbah:approvedRegions", ["eu-west-3"])
    assert err.value.key == "kasbah:homeRegion and kasbah:approvedRegions"
    with pytest.raises(ConfigError) as err:
        validate_regions("kasbah:homeRegion", "eu-west-3", "kasbah:approvedRegions", ["eu-west-3", "mars-1"])
    assert err.value.key == "kasbah:approvedRegions[1]"


@pytest.mark.parametrize("bad", ["12345678901", "1234567890123", "12345678901a", ""])
def test_bad_account_ids(bad: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate_account_id("kasbah:accountIds.network", bad)
    assert err.value.key == "kasbah:accountIds.network"


@pytest.mark.parametrize("bad", ["aws", "a@b", "@acme.ma", "a b@acme.ma", "x" * 60 + "@acme.ma"])
def test_bad_emails(bad: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate_email("kasbah:accounts.logArchive.email", bad)
    assert err.value.key == "kasbah:accounts.logArchive.email"
    assert validate_email("k", "aws+log@acme.ma") == "aws+log@acme.ma"


@given(st.from_regex(r"\d{12}", fullmatch=True), st.sampled_from(["kbh", "acme", "dsi2"]))
def test_bucket_names_are_deterministic_and_valid(account: str, prefix: str) -> None:
    a = bucket_name(prefix, "log-archive", account)
    assert a == bucket_name(prefix, "log-archive", account)
    assert a.startswith(f"{prefix}-log-archive-") and 3 <= len(a) <= 63 and a == a.lower()
    other = str((int(account) + 1) % 10**12).zfill(12)
    assert bucket_name(prefix, "log-archive", other) != a
