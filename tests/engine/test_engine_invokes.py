"""The canned invoke registry: answers are pure, deterministic and agree with the stack config."""

from __future__ import annotations

import json

import pytest

from kasbah.invokes import InvokeContext, InvokeFailure, answer, describe

# As the monitor builds it for the default provider: its inputs come from the `aws:` stack config.
CTX = InvokeContext(
    config={"aws:region": "eu-west-3", "kasbah:accountId": "123456789012"},
    provider_inputs={"region": "eu-west-3"},
)


def test_policy_document_renders_iam_json_deterministically() -> None:
    args = {
        "statements": [
            {
                "sid": "TlsOnly",
                "effect": "Deny",
                "actions": ["s3:*"],
                "resources": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                "principals": [{"type": "*", "identifiers": ["*"]}],
                "conditions": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
            }
        ]
    }
    first, second = (
        answer("aws:iam/getPolicyDocument:getPolicyDocument", args, CTX),
        answer("aws:iam/getPolicyDocument:getPolicyDocument", args, CTX),
    )
    assert first == second
    assert json.loads(first["json"])["Statement"] == [
        {
            "Sid": "TlsOnly",
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "Principal": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


def test_zone_answers_follow_the_provider_region() -> None:
    assert answer("aws:index/getAvailabilityZone:getAvailabilityZone", {"name": "eu-west-3b"}, CTX)[
        "zoneType"
    ] == ("availability-zone")
    with pytest.raises(InvokeFailure, match="is not opted in"):
        answer("aws:index/getAvailabilityZone:getAvailabilityZone", {"name": "eu-west-3-cmn-wlz-1a"}, CTX)
    spain = InvokeContext(config=CTX.config, provider_inputs={"region": "eu-south-2"})
    with pytest.raises(InvokeFailure, match="is not in eu-south-2"):
        answer(
            "aws:index/getAvailabilityZone:getAvailabilityZone",
            {"name": "eu-west-3-cmn-wlz-1a", "allAvailabilityZones": True},
            spain,
        )
    assert answer("aws:index/getCallerIdentity:getCallerIdentity", {}, CTX)["accountId"] == "123456789012"


def test_every_answer_is_documented() -> None:
    assert all(doc for _, doc in describe())
