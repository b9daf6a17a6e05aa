"""Providers per account: the management account's, and assume-role providers into member accounts."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws


def role_arn(account_id: pulumi.Input[str], role_name: str, partition: str = "aws") -> pulumi.Output[str]:
    """``arn:aws:iam::<account>:role/<role>``."""
    return pulumi.Output.concat(f"arn:{partition}:iam::", account_id, f":role/{role_name}")


def management_provider(name: str, region: str, tags: Mapping[str, str]) -> aws.Provider:
    """The provider of the stack's own credentials (the management account), with default tags."""
    return aws.Provider(name, region=region, default_tags={"tags": dict(tags)})


def member_provider(
    name: str,
    account_id: pulumi.Input[str],
    role_name: str,
    region: str,
    tags: Mapping[str, str],
    session_name: str,
) -> aws.Provider:
    """A provider that assumes ``role_name`` in ``account_id`` and refuses to act in any other account."""
    return aws.Provider(
        name,
        region=region,
        assume_roles=[{"role_arn": role_arn(account_id, role_name), "session_name": session_name}],
        allowed_account_ids=[account_id],
        default_tags={"tags": dict(tags)},
    )
