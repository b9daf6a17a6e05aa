"""Policy packs run in-process through pulumi-policy's analyzer, with config reconciled as the CLI does."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest
from conftest import PROJECTS

from kasbah.analysis import load_pack, parse_policy_config, reconcile
from kasbah.engine import preview_program
from kasbah.errors import PreviewError

PACK = PROJECTS / "policy_pack_fixture"
CONFIG = {"aws:region": "eu-west-3"}


def two_buckets() -> None:
    tagged = aws.s3.Bucket("tagged", tags={"owner": "platform", "team": "a"})
    aws.s3.BucketPublicAccessBlock("tagged-pab", bucket=tagged.id, block_public_acls=True)
    aws.s3.Bucket("bare")


def by_policy(result, policy):  # type: ignore[no-untyped-def]
    return sorted(v.urn for v in result.violations if v.policy == policy)


def test_pack_loads_through_its_main_without_starting_a_server() -> None:
    pack = load_pack(PACK)
    assert pack.name == "fixture-pack"
    assert pack.version == "0.3.0"  # PulumiPolicy.yaml's version wins, as with the CLI
    assert [p.name for p in pack.policies] == ["bucket-tag", "bucket-has-pab"]


def test_defaults_initial_config_and_enforcement() -> None:
    r = preview_program(two_buckets, config=CONFIG, policy_packs=[PACK])
    bare = "urn:pulumi:test::test::aws:s3/bucket:Bucket::bare"
    assert by_policy(r, "bucket-tag") == [bare]
    assert by_policy(r, "bucket-has-pab") == [bare]
    levels = {v.policy: v.enforcement for v in r.violations}
    # bucket-tag: the policy's own MANDATORY; bucket-has-pab: the pack's initial config (MANDATORY).
    assert levels == {"bucket-tag": "mandatory", "bucket-has-pab": "mandatory"}
    assert {v.policy: v.severity for v in r.violations} == {"bucket-tag": "high", "bucket-has-pab": "medium"}
    assert r.policy_packs == [("fixture-pack", "0.3.0")]


def test_file_config_applies_all_first_then_per_policy() -> None:
    cfg = {"all": "advisory", "bucket-tag": {"requiredTag": "team", "enforcementLevel": "mandatory"}}
    r = preview_program(two_buckets, config=CONFIG, policy_packs=[PACK], policy_config=cfg)
    levels = {(v.policy, v.urn.rsplit("::", 1)[-1]): v.enforcement for v in r.violations}
    assert levels == {("bucket-tag", "bare"): "mandatory", ("bucket-has-pab", "bare"): "advisory"}


def test_disabled_policy_does_not_run() -> None:
    r = preview_program(
        two_buckets, config=CONFIG, policy_packs=[PACK], policy_config={"bucket-tag": "disabled"}
    )
    assert by_policy(r, "bucket-tag") == []
    assert by_policy(r, "bucket-has-pab") != []


def test_config_is_validated_against_the_policy_schema() -> None:
    with pytest.raises(PreviewError, match="invalid configuration for policy pack fixture-pack: bucket-tag"):
        preview_program(
            two_buckets, config=CONFIG, policy_packs=[PACK], policy_config={"bucket-tag": {"requiredTag": 3}}
        )


def test_bad_enforcement_level_is_refused() -> None:
    with pytest.raises(PreviewError, match="'sometimes' is not a valid enforcement level"):
        parse_policy_config({"bucket-tag": "sometimes"}, "f.json")


def test_reconcile_matches_the_cli_order() -> None:
    pack = load_pack(PACK)
    result = reconcile(pack, parse_policy_config({"all": "disabled", "bucket-tag": "advisory"}, "x"), "x")
    assert result["bucket-tag"] == {"enforcementLevel": "advisory", "properties": {"requiredTag": "owner"}}
    assert result["bucket-has-pab"]["enforcementLevel"] == "disabled"


def test_policy_config_file_beside_the_stack_is_applied(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-3\n")
    (tmp_path / "dev.policy.json").write_text(json.dumps({"bucket-has-pab": "disabled"}))
    (tmp_path / "__main__.py").write_text("import pulumi_aws as aws\naws.s3.Bucket('bare')\n")
    from kasbah.engine import preview

    r = preview(tmp_path, "dev", policy_packs=[PACK])
    assert {v.policy for v in r.violations} == {"bucket-tag"}


def test_unknown_values_are_reported_as_undecided_not_passed() -> None:
    def prog() -> None:
        b = aws.s3.Bucket("b", tags={"owner": "x"})
        aws.s3.Bucket("c", tags={"owner": b.arn})  # unknown tag value during preview

    r = preview_program(
        prog, config=CONFIG, policy_packs=[PACK], policy_config={"bucket-has-pab": "disabled"}
    )
    (undecided,) = r.violations  # bucket "b" passes; bucket "c" cannot be decided, and says so
    assert undecided.urn == "urn:pulumi:test::test::aws:s3/bucket:Bucket::c"
    assert undecided.enforcement == "advisory"
    assert "can't be known during preview" in undecided.message


def test_stack_policy_relates_resources_by_property_dependencies() -> None:
    def prog() -> None:
        b = aws.s3.Bucket("with-pab", tags={"owner": "x"})
        other = aws.s3.Bucket("other", tags={"owner": "x"})
        aws.s3.BucketPublicAccessBlock("pab", bucket=b.id)
        aws.s3.BucketPublicAccessBlock(
            "unrelated", bucket="literal-name", opts=pulumi.ResourceOptions(depends_on=[other])
        )

    r = preview_program(prog, config=CONFIG, policy_packs=[PACK])
    assert by_policy(r, "bucket-has-pab") == ["urn:pulumi:test::test::aws:s3/bucket:Bucket::other"]
