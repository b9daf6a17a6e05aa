"""Same verdict as the real CLI: what the engine registers and what the analyzer receives.

Each test names the mechanism and the pulumi/pulumi (or pulumi-policy) source it follows;
the README's parity table points here. The probe pack (tests/fixtures/packs/probe) reports,
as JSON, what pulumi-policy handed each policy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, PROJECTS

from kasbah.analysis import COMPUTED_DEFAULT
from kasbah.cli import cli, main
from kasbah.engine import PreviewResult, preview, preview_program
from kasbah.errors import PreviewError

PACKS = FIXTURES / "packs"
PROBE = PACKS / "probe"


def probe(result: PreviewResult, policy: str) -> dict[str, dict[str, Any]]:
    """``{resource name: what the policy saw}`` from the probe's messages."""
    seen = {}
    for v in result.violations:
        if v.policy == policy:
            data = json.loads(v.message.split("\n", 1)[1])
            seen[data.get("urn", "").rsplit("::", 1)[-1]] = data
    return seen


def named(result: PreviewResult, name: str) -> Any:
    return next(r for r in result.resources if r.name == name)


# --------------------------------------------------------------------------------------------------
# Transforms (source_eval.go: the resource's, its ancestors', then the stack's, before registration)


def test_new_style_transforms_run_before_registration() -> None:
    r = preview(PROJECTS / "transforms", "dev", policy_packs=[])
    for name in ("plain", "own", "store-data"):
        assert named(r, name).inputs["tags"]["stack-transform"] == "yes", name
    assert named(r, "store-data").options["protect"] is True  # the component's transform reaches its child
    assert named(r, "plain").options["protect"] is False
    own = named(r, "own")
    assert own.inputs["forceDestroy"] is True
    assert own.inputs["bucketPrefix"] == "[unknown]"  # unknown stays unknown through a transform
    assert own.property_dependencies["bucketPrefix"] == [named(r, "plain").urn]


# --------------------------------------------------------------------------------------------------
# Remote (multi-language) components


def test_a_remote_component_stops_the_run_by_default() -> None:
    with pytest.raises(PreviewError) as err:
        preview(PROJECTS / "remote_component", "dev", policy_packs=[])
    assert err.value.message.startswith("fixturex:ec2:Vpc 'network' is a multi-language (remote) component")
    assert "--allow-remote-components" in err.value.message


def test_allowing_remote_components_reports_each_as_an_advisory() -> None:
    r = preview(PROJECTS / "remote_component", "dev", policy_packs=[], allow_remote_components=True)
    (advisory,) = r.violations
    assert (advisory.policy, advisory.enforcement) == ("remote-component-not-expanded", "advisory")
    assert advisory.urn.endswith("fixturex:ec2:Vpc::network")
    assert "none of them was analyzed" in advisory.message
    assert named(r, "local").type == "aws:s3/bucket:Bucket"


# --------------------------------------------------------------------------------------------------
# Stack references: an output unknown offline stays unknown everywhere


def test_unknown_stack_reference_outputs_stay_unknown_in_every_input() -> None:
    r = preview(PROJECTS / "stackref_unknown", "app", policy_packs=[])
    assert named(r, "known").inputs["cidrBlock"] == "10.0.0.0/16"
    assert named(r, "unknown").inputs["vpcId"] == "[unknown]"
    assert named(r, "required").inputs["vpcId"] == "[unknown]"
    assert named(r, "whole-map").inputs["vpcId"] in ("[unknown]", "[secret]")
    assert named(r, "token").inputs["value"] == "[secret]"
    text = json.dumps([x.wire for x in r.resources])
    assert "stack-output-unknown" not in text and "kasbah:" not in text
    assert "s3cr3t-token-value" not in json.dumps([x.inputs for x in r.resources])


# --------------------------------------------------------------------------------------------------
# Providers


def test_disable_default_providers_is_honoured() -> None:
    with pytest.raises(PreviewError) as err:
        preview(PROJECTS / "providers_parity", "disabled", policy_packs=[])
    assert err.value.message.startswith(
        "Default provider for 'aws' disabled. 'aws:s3/bucket:Bucket' must use an explicit provider."
    )
    r = preview(PROJECTS / "providers_parity", "disabledall", policy_packs=[])
    assert not any(x.name.startswith("default") for x in r.resources)


def test_a_provider_without_region_is_refused_as_the_provider_refuses_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with pytest.raises(PreviewError) as err:
        preview(PROJECTS / "providers_parity", "noregion", policy_packs=[])
    assert err.value.message.startswith(
        "pulumi:providers:aws resource 'bare' has a problem: missing required configuration key \"aws:region\""
    )
    # The provider reads AWS_REGION as its region: then the invoke is answered for that region.
    monkeypatch.setenv("AWS_REGION", "eu-south-2")
    r = preview(PROJECTS / "providers_parity", "noregion", policy_packs=[])
    assert r.outputs["zones"] == ["eu-south-2a", "eu-south-2b", "eu-south-2c"]


def test_invokes_of_a_region_less_provider_fail_instead_of_answering_a_default() -> None:
    from kasbah.invokes import InvokeContext, InvokeFailure, answer

    with pytest.raises(InvokeFailure, match='missing required configuration key "aws:region"'):
        answer("aws:index/getRegion:getRegion", {}, InvokeContext(config={}, provider_inputs={}))


def test_explicit_providers_carry_their_version_and_timeouts_are_seconds() -> None:
    r = preview(PROJECTS / "providers_parity", "dev", policy_packs=[PROBE])
    import pulumi_aws

    version = pulumi_aws._utilities.get_version()
    spain = named(r, "spain").inputs
    assert (spain["region"], spain["version"]) == ("eu-south-2", version)
    assert named(r, "timed").options["customTimeouts"] == {"create": 300.0, "delete": 5400.0}
    seen = probe(r, "see")
    assert seen["timed"]["timeouts"] == [300.0, 0.0, 5400.0]
    assert seen["explicit"]["provider"]["props"]["version"] == version


# --------------------------------------------------------------------------------------------------
# What Analyze and AnalyzeStack receive (step_generator.go, analyzer_plugin.go)


@pytest.fixture(scope="module")
def analysed() -> PreviewResult:
    return preview(PROJECTS / "analysis_inputs", "dev", policy_packs=[PROBE])  # the default: as the CLI


def test_read_resources_are_not_analyzed_but_are_in_the_stack(analysed: PreviewResult) -> None:
    assert "existing" not in probe(analysed, "see")
    assert "existing" in probe(analysed, "see-stack")


def test_resource_references_reach_policies_as_the_cli_marshals_them(analysed: PreviewResult) -> None:
    seen = probe(analysed, "see")
    assert seen["attach"]["props"]["role"] == "<unknown>"  # a custom resource: its id (unknown in preview)
    assert seen["by-component"]["props"]["bucket"] == "existing-bucket-name"  # a read resource's id is known


def test_analyze_stack_gets_outputs_of_components_the_stack_and_custom_resources(
    analysed: PreviewResult,
) -> None:
    stack = probe(analysed, "see-stack")
    assert stack["team"]["props"] == {"roleName": "fixed-name", "roleArn": "<unknown>"}
    assert stack["analysis-inputs-dev"]["props"] == {"answer": 42, "teamRole": "<unknown>"}
    shaped = stack["shaped"]["props"]
    assert shaped["tags"] == {"owner": "x"} and shaped["arn"] == "<unknown>"
    assert shaped["region"] == "eu-west-3"  # planned by the provider from its region
    assert "arn" not in probe(analysed, "see")["shaped"]["props"]  # Analyze sees inputs only


def test_by_default_a_stack_policy_sees_computed_outputs_the_program_did_not_set_unknown(
    analysed: PreviewResult,
) -> None:
    """As the CLI sends them (the provider's preview Create plans them): an S3 bucket's inline
    encryption, policy and replication are computed when the program leaves them unset."""
    shaped = probe(analysed, "see-stack")["shaped"]["props"]
    for computed in ("serverSideEncryptionConfiguration", "policy", "replicationConfiguration", "acl"):
        assert shaped[computed] == "<unknown>", computed
    assert "serverSideEncryptionConfiguration" not in probe(analysed, "see")["shaped"]["props"]
    option = next(p for p in cli.commands["preview"].params if p.name == "computed_outputs")
    assert option.default == COMPUTED_DEFAULT == "unknown"


def test_computed_outputs_absent_shows_inputs_in_the_output_shape_without_computed_unknowns() -> None:
    r = preview(PROJECTS / "analysis_inputs", "dev", policy_packs=[PROBE], computed_outputs="absent")
    stack = probe(r, "see-stack")
    assert stack["shaped"]["props"] == {"tags": {"owner": "x"}, "tagsAll": {"owner": "x"}}
    assert stack["team"]["props"] == {"roleName": "fixed-name", "roleArn": "<unknown>"}  # components: outputs
    assert stack["existing"]["props"]["arn"] == "<unknown>"  # read resources: what the read returned


def test_the_stack_context_reaches_policies() -> None:
    r = preview(PROJECTS / "stack_context", "prod", policy_packs=[PROBE], stack_tags={"team": "platform"})
    (ctx,) = probe(r, "context").values()
    assert {k: ctx[k] for k in ("stack", "project", "organization", "dry_run", "region", "env")} == {
        "stack": "prod",
        "project": "stack-context",
        "organization": "acme",
        "dry_run": True,
        "region": "eu-south-2",
        "env": "production",
    }
    tags = ctx["tags"]
    assert tags["environment"] == "production" and tags["cost-center"] == "42"  # pulumi:tags
    assert tags["pulumi:project"] == "stack-context" and tags["pulumi:runtime"] == "python"
    assert tags["team"] == "platform"  # --stack-tag
    assert tags["vcs:root"] == "tests/fixtures/projects/stack_context"


def test_remediations_apply_in_pack_order_and_the_analysis_sees_them() -> None:
    r = preview(PROJECTS / "remediation", "dev", policy_packs=[PACKS / "remediate_a", PACKS / "remediate_b"])
    assert named(r, "untagged").inputs["tags"] == {"owner": "platform", "remediated-by": "ab"}
    assert named(r, "owned").inputs["tags"]["owner"] == "app-team"
    messages = sorted(v.message.split("\n")[1] for v in r.violations if v.policy == "owner-required")
    assert messages == [
        "seen tags: owner=app-team remediated-by=ab",
        "seen tags: owner=platform remediated-by=ab",
    ]
    order = [(x.pack, x.policy) for x in r.remediations if x.urn.endswith("::untagged")]
    assert order == [("remediate-a", "add-owner"), ("remediate-b", "mark")]
    assert r.to_json()["remediations"][0]["properties"] == ["tags"]


# --------------------------------------------------------------------------------------------------
# Policy configuration as the CLI reads it (config.go, analyzer_plugin.go)


def bucket() -> None:
    import pulumi_aws as aws

    aws.s3.Bucket("b")


CONFIG = {"aws:region": "eu-west-3"}


def test_initial_config_without_level_makes_the_policy_advisory() -> None:
    r = preview_program(bucket, config=CONFIG, policy_packs=[PACKS / "initial_config"])
    levels = {v.policy: (v.enforcement, v.message.split("\n")[1]) for v in r.violations}
    # 'tagged' is MANDATORY in code; its initial_config entry sets a key but no level: advisory.
    assert levels["tagged"] == ("advisory", "missing tag team")
    assert levels["tagged-strict"] == ("mandatory", "missing tag owner")  # its entry sets the level


def test_a_config_key_naming_no_policy_without_level_is_refused() -> None:
    with pytest.raises(PreviewError) as err:
        preview_program(
            bucket,
            config=CONFIG,
            policy_packs=[PACKS / "initial_config"],
            policy_config={"taged": {"key": "x"}},
        )
    assert (
        "policy pack initial-config: 'taged' names no policy of the pack and sets no enforcementLevel"
        in err.value.message
    )
    assert "did you mean 'tagged'?" in err.value.message


def test_a_config_key_naming_no_policy_with_a_level_is_accepted_with_a_warning() -> None:
    r = preview_program(
        bucket, config=CONFIG, policy_packs=[PACKS / "initial_config"], policy_config={"taged": "disabled"}
    )
    assert any("'taged' names no policy of any loaded pack" in w for w in r.warnings)


def test_unknown_properties_are_refused_where_the_schema_refuses_them() -> None:
    pack = [PACKS / "strict_schema"]
    typo = {"strict": {"exemptions": [{"urn": "*", "reason": "r", "expires": "2027-01-01", "expiry": "x"}]}}
    with pytest.raises(
        PreviewError, match="Additional properties are not allowed \\('expiry' was unexpected\\)"
    ):
        preview_program(bucket, config=CONFIG, policy_packs=pack, policy_config=typo)
    with pytest.raises(PreviewError, match="'internl' was unexpected"):
        preview_program(
            bucket,
            config=CONFIG,
            policy_packs=pack,
            policy_config={"strict": {"allowedLocations": {"internl": []}}},
        )


def test_policy_pack_config_is_given_per_pack_in_cli_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps({"tagged": {"key": "owner"}}))
    second.write_text(json.dumps({"see": "disabled", "see-stack": "disabled", "context": "disabled"}))
    args = [
        "preview",
        str(PROJECTS / "exits"),
        "-s",
        "ok",
        "--policy-pack",
        str(PACKS / "initial_config"),
        "--policy-pack",
        str(PROBE),
        "--policy-pack-config",
        str(first),
        "--policy-config",
        str(second),
        "-f",
        "json",
    ]
    assert main(args) == 1  # tagged-strict is mandatory on the untagged buckets
    data = json.loads(capsys.readouterr().out)
    assert {v["pack"] for v in data["violations"]} == {"initial-config"}  # the second file disabled the probe
    assert {v["message"].split("\n")[1] for v in data["violations"] if v["policy"] == "tagged"} == {
        "missing tag owner"
    }
    assert main([*args[:-4], "-f", "json"]) == 2  # one config for two packs: the CLI's refusal
    assert 'the number of "--policy-pack-config" flags must match' in capsys.readouterr().err
