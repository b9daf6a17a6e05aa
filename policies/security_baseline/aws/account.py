"""Account-level presence checks for AWS: a landing-zone stack declares the account's controls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import StackValidationArgs


def has_aws_resources(args: StackValidationArgs) -> bool:
    """Whether the stack manages AWS resources (account-level checks apply only then)."""
    return any(r.resource_type.startswith("aws:") for r in args.resources)


def presence(
    types: tuple[str, ...], what: str
) -> Callable[[StackValidationArgs, Callable[[str, Any], None]], None]:
    wanted = set(types)

    def check(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
        if not has_aws_resources(args) or any(r.resource_type in wanted for r in args.resources):
            return
        fail(f"the stack declares no {what}.", None)

    return check


WORKLOAD_NOTE = (
    " A workload stack whose account is covered by the landing zone disables it in "
    "`stacks/<stack>.policy.json`."
)
