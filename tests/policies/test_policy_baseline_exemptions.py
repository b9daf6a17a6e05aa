"""Exemptions in the security-baseline pack: active ones suppress, expired ones say so, no expiry is refused."""

from __future__ import annotations

import jsonschema
import pytest
from baseline_program import STACK, Variant, describe, findings, preview, urn_of

from kasbah.errors import PreviewError
from policies.security_baseline.rules import POLICIES

PUBLIC_DB = Variant(overrides={"db": {"publicly_accessible": True}}, clouds=("aws",))


def _exempt(**exemption: str) -> dict[str, dict[str, list[dict[str, str]]]]:
    return {"aws-rds-not-public": {"exemptions": [{"reason": "migration window", **exemption}]}}


def test_without_exemption_the_violation_is_mandatory() -> None:
    got = findings(preview(PUBLIC_DB))
    assert [(v.policy, v.enforcement) for v in got] == [("aws-rds-not-public", "mandatory")], describe(got)


def test_active_urn_exemption_suppresses() -> None:
    got = findings(preview(PUBLIC_DB, policy_config=_exempt(urn="*::db", expires="2999-12-31")))
    assert got == [], describe(got)


def test_exempted_finding_is_recorded_with_reason_and_expiry() -> None:
    """The finding an exemption hides is kept for reports (SARIF suppressions), not reported."""
    result = preview(PUBLIC_DB, policy_config=_exempt(urn="*::db", expires="2999-12-31"))
    assert findings(result) == []
    (ex,) = [e for e in result.exempted if e.policy == "aws-rds-not-public"]
    assert (ex.pack, ex.urn, ex.reason, ex.expires, ex.target) == (
        "security-baseline",
        urn_of(result, "db"),
        "migration window",
        "2999-12-31",
        "urn *::db",
    )
    assert "Fix:" in ex.message


def test_active_tag_exemption_suppresses() -> None:
    got = findings(preview(PUBLIC_DB, policy_config=_exempt(tag="environment=prod", expires="2999-12-31")))
    assert got == [], describe(got)


def test_exemption_of_another_resource_does_not_apply() -> None:
    got = findings(preview(PUBLIC_DB, policy_config=_exempt(urn="*::aurora-1", expires="2999-12-31")))
    assert [v.policy for v in got] == ["aws-rds-not-public"], describe(got)


def test_expired_exemption_stops_applying_and_says_it_expired() -> None:
    result = preview(PUBLIC_DB, policy_config=_exempt(urn="*::db", expires="2020-01-31"))
    got = findings(result)
    assert [(v.policy, v.urn, v.enforcement) for v in got] == [
        ("aws-rds-not-public", urn_of(result, "db"), "mandatory")
    ], describe(got)
    assert "expired on 2020-01-31" in got[0].message
    assert "migration window" in got[0].message


def test_stack_level_finding_can_be_exempted_by_the_stack_urn() -> None:
    variant = Variant(drop=frozenset({"trail"}), clouds=("aws",))
    result = preview(variant)
    assert [(v.policy, v.urn) for v in findings(result)] == [
        ("aws-account-cloudtrail-present", urn_of(result, STACK))
    ]
    config = {
        "aws-account-cloudtrail-present": {
            "exemptions": [
                {
                    "urn": "*pulumi:pulumi:Stack*",
                    "reason": "trail in the log-archive account",
                    "expires": "2999-01-01",
                }
            ]
        }
    }
    assert findings(preview(variant, policy_config=config)) == []


def test_workload_stack_disables_account_level_checks() -> None:
    variant = Variant(drop=frozenset({"trail"}), clouds=("aws",))
    assert findings(preview(variant, policy_config={"aws-account-cloudtrail-present": "disabled"})) == []


@pytest.mark.parametrize("policy", POLICIES, ids=[p.name for p in POLICIES])
def test_exemption_without_expiry_is_refused_by_the_schema(policy: object) -> None:
    schema = {"type": "object", "properties": policy.config_schema.properties}  # type: ignore[attr-defined]
    validator = jsonschema.Draft7Validator(schema)
    good = {"exemptions": [{"urn": "*::db", "reason": "r", "expires": "2030-01-01"}]}
    assert list(validator.iter_errors(good)) == []
    bad = {"exemptions": [{"urn": "*::db", "reason": "r"}]}
    errors = [e.message for e in validator.iter_errors(bad)]
    assert any("'expires' is a required property" in e for e in errors), errors


def test_preview_refuses_an_exemption_without_expiry() -> None:
    config = {"aws-rds-not-public": {"exemptions": [{"urn": "*::db", "reason": "forever"}]}}
    with pytest.raises(PreviewError, match="expires"):
        preview(PUBLIC_DB, policy_config=config)
