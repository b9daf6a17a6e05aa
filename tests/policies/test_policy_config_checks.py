"""Policy configuration is never silently ignored: unknown keys, impossible dates, nested typos are refused.

The CLI validates each policy's configuration against ``{"type": "object", "properties": ...}``
(pulumi/pulumi ``pkg/resource/analyzer/config.go``, ``convertSchema``): nested objects refuse
unknown names through ``additionalProperties: false`` in the pack's schema; the top level and
calendar dates are checked by the framework before a policy runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pulumi_policy import ResourceValidationArgs, StackValidationArgs
from pulumi_policy.policy import PolicyResourceOptions

from kasbah.analysis import discover_packs, load_pack
from policies.framework import PolicyConfigError, parse_exemptions
from policies.security_baseline.rules import POLICIES as BASELINE

REPO = Path(__file__).resolve().parents[2]
PACKS = [load_pack(p) for p in discover_packs(REPO / "policies")]
ALL_POLICIES = [(pack.name, policy) for pack in PACKS for policy in pack.policies]
RDS_NOT_PUBLIC = next(p for p in BASELINE if p.name == "aws-rds-not-public")
VPC_FLOW_LOGS = next(p for p in BASELINE if p.name == "aws-vpc-flow-logs")
EXEMPTION = {"urn": "*::db", "reason": "migration window", "expires": "2027-03-31"}


def _resource_args(resource_type: str, config: dict[str, Any]) -> ResourceValidationArgs:
    opts = PolicyResourceOptions(False, [], None, [], None, [], None)
    return ResourceValidationArgs(resource_type, {}, "urn:pulumi:s::p::t::x", "x", opts, None, config)


def _schema_objects(schema: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, dict):
        if schema.get("type") == "object" or "properties" in schema:
            yield path, schema
        for key, value in schema.items():
            yield from _schema_objects(value, f"{path}.{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            yield from _schema_objects(value, f"{path}[{i}]")


@pytest.mark.parametrize(("pack", "policy"), ALL_POLICIES, ids=[f"{k}/{p.name}" for k, p in ALL_POLICIES])
def test_every_object_in_a_config_schema_refuses_unknown_names(pack: str, policy: Any) -> None:
    assert policy.config_schema is not None and "exemptions" in policy.config_schema.properties
    for path, obj in _schema_objects(policy.config_schema.properties, policy.name):
        assert obj.get("additionalProperties") is False, f"{pack}: {path} accepts unknown property names"


def _validate(policy: Any, config: dict[str, Any]) -> None:
    schema = {"type": "object", "properties": policy.config_schema.properties}
    jsonschema.Draft7Validator(schema).validate(config)


def test_a_typo_inside_an_exemption_is_refused_by_the_schema() -> None:
    typo = {**EXEMPTION, "reasn": "a typo beside the real key"}
    with pytest.raises(jsonschema.ValidationError, match="reasn"):
        _validate(RDS_NOT_PUBLIC, {"exemptions": [typo]})


def test_a_typo_in_allowed_locations_is_refused_by_the_schema() -> None:
    residency = next(p for _, p in ALL_POLICIES if p.name == "residency-location")
    with pytest.raises(jsonschema.ValidationError, match="personel"):
        _validate(residency, {"allowedLocations": {"personel": ["eu-west-1"]}})


def test_an_impossible_exemption_date_is_refused_naming_the_key() -> None:
    bad = {**EXEMPTION, "expires": "2027-02-30"}
    with pytest.raises(PolicyConfigError) as err:
        parse_exemptions([EXEMPTION, bad], "aws-rds-not-public")
    assert str(err.value) == (
        "policy aws-rds-not-public: exemptions[1].expires: '2027-02-30' is not a calendar date. "
        "Fix: use an existing date, YYYY-MM-DD."
    )
    # The schema says so too, for hosts that check formats.
    with pytest.raises(jsonschema.ValidationError, match="2027-02-30"):
        schema = {"type": "object", "properties": RDS_NOT_PUBLIC.config_schema.properties}
        jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
            {"exemptions": [bad]}
        )


def test_a_policy_refuses_a_bad_config_even_for_a_type_it_does_not_check() -> None:
    """The config is checked before the type dispatch: a bad date never hides behind an unmatched type."""
    args = _resource_args(
        "random:index/randomPet:RandomPet", {"exemptions": [{**EXEMPTION, "expires": "2027-02-30"}]}
    )
    with pytest.raises(PolicyConfigError, match=r"aws-rds-not-public: exemptions\[0\]\.expires"):
        RDS_NOT_PUBLIC.validate(args, lambda message, urn=None: None)


def test_an_unknown_top_level_key_is_refused_with_a_suggestion() -> None:
    args = _resource_args("aws:rds/instance:Instance", {"exemption": [EXEMPTION], "exemptions": []})
    with pytest.raises(PolicyConfigError) as err:
        RDS_NOT_PUBLIC.validate(args, lambda message, urn=None: None)
    assert err.value.key == "exemption" and "did you mean 'exemptions'?" in str(err.value), err.value


def test_a_stack_policy_checks_its_config_too() -> None:
    args = StackValidationArgs([], {"exemptions": [{**EXEMPTION, "expires": "2027-13-01"}]})
    with pytest.raises(PolicyConfigError, match="'2027-13-01' is not a calendar date"):
        VPC_FLOW_LOGS.validate(args, lambda message, urn=None: None)


def test_policy_specific_keys_are_accepted() -> None:
    args = _resource_args("aws:ec2/securityGroup:SecurityGroup", {"exemptions": [], "adminPorts": [22]})
    sg = next(p for p in BASELINE if p.name == "aws-sg-admin-ports-open")
    assert sg.validate(args, lambda message, urn=None: None) is None


def test_a_bad_exemption_date_stops_kasbah_preview_naming_the_key() -> None:
    from baseline_program import Variant, preview

    config = {"aws-rds-not-public": {"exemptions": [{**EXEMPTION, "expires": "2027-02-30"}]}}
    with pytest.raises(Exception, match=r"aws-rds-not-public: exemptions\[0\]\.expires: '2027-02-30'"):
        preview(Variant(clouds=("aws",)), policy_config=config)
