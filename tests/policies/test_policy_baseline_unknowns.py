"""Values unknown during preview: a policy that needs one says it could not decide; one it does not need is not read."""

from __future__ import annotations

from typing import Any

import pulumi_aws as aws
import pulumi_azure_native as azure
from baseline_program import PERSONAL, Variant, describe, findings, preview, tls_only_policy, urn_of

UNDECIDED = "could not decide"


def _unknown(created: dict[str, Any], value: Any) -> Any:
    """An output unknown during preview (the key's ARN is computed by the cloud) that resolves to ``value``."""
    return created["key"].arn.apply(lambda _: value)


def _undecided(result: Any, policy: str) -> list[Any]:
    return [v for v in findings(result) if v.policy == policy and UNDECIDED in v.message]


def test_unknown_encryption_flag_is_undecided_not_compliant() -> None:
    def extra(created: dict[str, Any]) -> None:
        aws.ebs.Volume("pending", availability_zone="eu-west-3a", size=8, encrypted=_unknown(created, True))

    result = preview(Variant(extra=extra, clouds=("aws",)))
    got = findings(result)
    assert [(v.policy, v.urn, v.enforcement) for v in got] == [
        ("aws-ebs-encrypted", urn_of(result, "pending"), "advisory")
    ], describe(got)
    assert UNDECIDED in got[0].message and "encrypted" in got[0].message


def test_unknown_bucket_policy_is_undecided_for_both_policies_that_read_it() -> None:
    # The policy text depends on the bucket's ARN, unknown in preview.
    variant = Variant(
        extra=lambda created: aws.s3.BucketPolicy(
            "data-policy-computed",
            bucket=created["data"].id,
            policy=created["data"].arn.apply(lambda arn: tls_only_policy(arn=arn)),
        ),
        drop=frozenset({"data-policy"}),
        clouds=("aws",),
    )
    result = preview(variant)
    got = findings(result)
    assert {v.policy for v in got} == {"aws-resource-policy-not-public", "aws-s3-deny-insecure-transport"}, (
        describe(got)
    )
    assert all(UNDECIDED in v.message and v.enforcement == "advisory" for v in got), describe(got)


def test_unknown_source_on_a_non_admin_port_is_decided() -> None:
    def extra(created: dict[str, Any]) -> None:
        aws.ec2.SecurityGroupRule(
            "https-from-peer",
            type="ingress",
            security_group_id=created["web"].id,
            protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_blocks=[_unknown(created, "0.0.0.0/0")],
        )

    got = findings(preview(Variant(extra=extra, clouds=("aws",))))
    assert got == [], describe(got)


def test_unknown_source_on_an_admin_port_is_undecided() -> None:
    def extra(created: dict[str, Any]) -> None:
        aws.ec2.SecurityGroupRule(
            "ssh-from-peer",
            type="ingress",
            security_group_id=created["web"].id,
            protocol="tcp",
            from_port=22,
            to_port=22,
            cidr_blocks=[_unknown(created, "10.0.0.0/8")],
        )

    result = preview(Variant(extra=extra, clouds=("aws",)))
    got = findings(result)
    assert [(v.policy, v.urn) for v in got] == [
        ("aws-sg-admin-ports-open", urn_of(result, "ssh-from-peer"))
    ], describe(got)
    assert UNDECIDED in got[0].message and got[0].enforcement == "advisory"


def test_unknown_port_from_a_private_range_is_decided() -> None:
    def extra(created: dict[str, Any]) -> None:
        azure.network.SecurityRule(
            "peer-rule",
            resource_group_name=created["rg"].name,
            network_security_group_name=created["app-nsg"].name,
            priority=400,
            direction="Inbound",
            access="Allow",
            protocol="Tcp",
            source_address_prefix="10.1.0.0/16",
            source_port_range="*",
            destination_address_prefix="*",
            destination_port_range=created["sa"].id.apply(lambda _: "22"),
        )

    got = findings(preview(Variant(extra=extra, clouds=("azure",))))
    assert got == [], describe(got)


def test_unknown_classification_is_undecided() -> None:
    def extra(created: dict[str, Any]) -> None:
        aws.sqs.Queue(
            "maybe-personal",
            sqs_managed_sse_enabled=True,
            tags={"data-classification": _unknown(created, "personal")},
        )

    result = preview(Variant(extra=extra, clouds=("aws",)))
    got = findings(result)
    assert [(v.policy, v.urn) for v in got] == [
        ("aws-personal-data-cmk", urn_of(result, "maybe-personal"))
    ], describe(got)
    assert UNDECIDED in got[0].message


def test_unknown_key_id_counts_as_given() -> None:
    """A KMS key ARN computed at apply is a key that was given: presence checks are decided."""

    def extra(created: dict[str, Any]) -> None:
        aws.sqs.Queue("personal-queue", kms_master_key_id=created["key"].arn, tags=PERSONAL)

    assert findings(preview(Variant(extra=extra, clouds=("aws",)))) == []


def test_an_undecidable_bucket_does_not_hide_a_decided_violation() -> None:
    variant = Variant(
        extra=lambda created: aws.s3.BucketPolicy(
            "data-policy-computed",
            bucket=created["data"].id,
            policy=created["data"].arn.apply(lambda arn: tls_only_policy(arn=arn)),
        ),
        drop=frozenset({"data-policy", "logs-policy"}),
        clouds=("aws",),
    )
    result = preview(variant)
    got = [v for v in findings(result) if v.policy == "aws-s3-deny-insecure-transport"]
    decided = [(v.urn, v.enforcement) for v in got if UNDECIDED not in v.message]
    assert decided == [(urn_of(result, "logs"), "advisory")], describe(got)
    assert any(UNDECIDED in v.message for v in got), describe(got)


def test_unknown_setting_read_by_require_is_undecided() -> None:
    """An input a settings rule reads (here the load balancer's header handling) is undecided when unknown."""

    def extra(created: dict[str, Any]) -> None:
        aws.lb.LoadBalancer(
            "pending-alb",
            load_balancer_type="application",
            subnets=["subnet-1"],
            drop_invalid_header_fields=_unknown(created, True),
            access_logs={"bucket": "kasbah-platform-logs", "enabled": True},
        )

    result = preview(Variant(extra=extra, clouds=("aws",)))
    got = findings(result)
    assert [(v.policy, v.urn) for v in got] == [
        ("aws-lb-drop-invalid-headers", urn_of(result, "pending-alb"))
    ], describe(got)
    assert UNDECIDED in got[0].message and "dropInvalidHeaderFields" in got[0].message


def test_an_arn_computed_at_apply_counts_as_given() -> None:
    """A WAF web ACL or log group ARN known only after apply is set: presence rules decide, and pass."""

    def extra(created: dict[str, Any]) -> None:
        aws.apigatewayv2.Stage(
            "pending-stage",
            api_id="api-1",
            name="dev",
            access_log_settings={"destination_arn": created["key"].arn, "format": "$context.requestId"},
        )

    assert findings(preview(Variant(extra=extra, clouds=("aws",)))) == []


def test_unknown_azure_setting_is_undecided() -> None:
    def extra(created: dict[str, Any]) -> None:
        azure.eventhub.Namespace(
            "pending-hub",
            resource_group_name=created["rg"].name,
            sku={"name": "Standard"},
            disable_local_auth=True,
            minimum_tls_version=created["sa"].id.apply(lambda _: "1.2"),
            public_network_access="Disabled",
        )

    result = preview(Variant(extra=extra, clouds=("azure",)))
    got = findings(result)
    assert [(v.policy, v.urn) for v in got] == [
        ("azure-eventhub-min-tls12", urn_of(result, "pending-hub"))
    ], describe(got)
    assert UNDECIDED in got[0].message


def test_program_set_reads_unknowns_without_a_dependency_as_unset() -> None:
    """The CLI sends an unset computed output unknown; one the program set from another resource carries a dependency."""
    from policies.framework import UNKNOWN, program_set

    props = {
        "region": UNKNOWN,  # computed by the provider
        "publication": {"published": UNKNOWN, "authenticationMethod": "BASIC"},
        "zones": ["a", UNKNOWN],
        "kmsKeyId": UNKNOWN,  # set from a key's ARN
        "name": "fixed",
    }
    got = program_set(props, {"kmsKeyId": ["urn:pulumi:s::p::aws:kms/key:Key::k"]})
    assert got == {
        "publication": {"authenticationMethod": "BASIC"},
        "zones": ["a"],
        "kmsKeyId": UNKNOWN,
        "name": "fixed",
    }
