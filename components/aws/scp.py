"""Service control policies as pure data: guardrail statements, merging, and AWS's limits.

AWS allows at most 5 SCPs attached directly to a target (root, OU or account),
``FullAWSAccess`` included, and 5,120 characters per policy document. Guardrails
are built as individual statements, then packed (in order, first fit) into as
few documents as the character limit allows; :func:`plan_policies` raises a
:class:`ConfigError` when a target would need more than the 4 free slots.

Every deny carries an ``ArnNotLike aws:PrincipalArn`` exemption for the
deployment role(s) so that the guardrails never block Kasbah itself. SCPs never
apply to the management account, so statements attached to the root bind
member accounts only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from components.aws.aws_data import GLOBAL_SERVICE_ACTIONS, PROTECTED_ROLE_ACTIONS, PROTECTED_SECURITY_ACTIONS
from components.errors import ConfigError

MAX_SCPS_PER_TARGET = 5
"""AWS quota: SCPs attached directly to one root, OU or account (``FullAWSAccess`` included)."""

MAX_SCP_CHARS = 5120
"""AWS quota: characters in one SCP document."""

FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
"""The AWS-managed allow-all SCP, attached to every target by AWS."""

Statement = dict[str, Any]


def exemption_condition(role_names: Sequence[str], partition: str = "aws") -> dict[str, Any]:
    """The condition that exempts the deployment role(s) in every account."""
    arns = role_arns(role_names, partition)
    return {"ArnNotLike": {"aws:PrincipalArn": arns if len(arns) != 1 else arns[0]}}


def _with_exemption(condition: Mapping[str, Any] | None, exempt: Mapping[str, Any] | None) -> dict[str, Any]:
    merged: dict[str, Any] = {op: dict(body) for op, body in (condition or {}).items()}
    for op, body in (exempt or {}).items():
        merged.setdefault(op, {}).update(body)
    return merged


def deny(
    sid: str,
    *,
    actions: Sequence[str] | None = None,
    not_actions: Sequence[str] | None = None,
    condition: Mapping[str, Any] | None = None,
    exempt: Mapping[str, Any] | None = None,
    resources: Sequence[str] | None = None,
) -> Statement:
    """One ``Deny`` statement (on every resource unless given), with the deployment-role exemption."""
    if (actions is None) == (not_actions is None):
        raise ValueError("give exactly one of actions and not_actions")
    stmt: Statement = {"Sid": sid, "Effect": "Deny"}
    if actions is not None:
        stmt["Action"] = list(actions) if len(actions) != 1 else actions[0]
    else:
        stmt["NotAction"] = list(not_actions or ())
    stmt["Resource"] = "*" if not resources else (list(resources) if len(resources) != 1 else resources[0])
    cond = _with_exemption(condition, exempt)
    if cond:
        stmt["Condition"] = cond
    return stmt


def deny_leave_organization(exempt: Mapping[str, Any] | None) -> Statement:
    return deny("DenyLeaveOrganization", actions=["organizations:LeaveOrganization"], exempt=exempt)


def deny_security_service_changes(exempt: Mapping[str, Any] | None) -> list[Statement]:
    """One statement per protected service: CloudTrail, Config, GuardDuty, Security Hub, Access Analyzer."""
    out: list[Statement] = []
    for service, actions in PROTECTED_SECURITY_ACTIONS.items():
        sid = "Protect" + "".join(p.capitalize() for p in service.split("-"))
        out.append(deny(sid, actions=actions, exempt=exempt))
    return out


def deny_outside_regions(
    approved_regions: Sequence[str],
    exempt: Mapping[str, Any] | None,
    global_actions: Sequence[str] = GLOBAL_SERVICE_ACTIONS,
) -> Statement:
    """Deny every action outside the approved regions, except the global services' actions."""
    return deny(
        "DenyOutsideApprovedRegions",
        not_actions=global_actions,
        condition={"StringNotEquals": {"aws:RequestedRegion": sorted(approved_regions)}},
        exempt=exempt,
    )


def deny_root_user(partition: str = "aws") -> Statement:
    """Deny every action by the root user of member accounts (the management account is never bound).

    Sessions opened through centralized root access (``sts:AssumeRoot`` from the management account
    or the IAM delegated administrator) carry ``aws:AssumedRoot`` and stay allowed, so that a locked
    bucket or queue policy can still be fixed:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-assumedroot
    """
    return deny(
        "DenyRootUser",
        actions=["*"],
        condition={
            "StringLike": {"aws:PrincipalArn": f"arn:{partition}:iam::*:root"},
            "Null": {"aws:AssumedRoot": "true"},
        },
    )


def role_arns(role_names: Sequence[str], partition: str = "aws") -> list[str]:
    return [f"arn:{partition}:iam::*:role/{name}" for name in role_names]


def deny_exempt_role_changes(
    role_names: Sequence[str], exempt: Mapping[str, Any] | None, partition: str = "aws"
) -> Statement:
    """Deny changing (or creating) the exempted roles to everyone but those roles.

    Without it, every exemption is a bypass: an account administrator rewrites the exempted role's
    trust policy, assumes it and is no longer bound by any guardrail.
    """
    return deny(
        "ProtectExemptRoles",
        actions=PROTECTED_ROLE_ACTIONS,
        exempt=exempt,
        resources=role_arns(role_names, partition),
    )


def deny_s3_public_access_block_changes(exempt: Mapping[str, Any] | None) -> Statement:
    return deny("DenyS3AccountPublicAccessChanges", actions=["s3:PutAccountPublicAccessBlock"], exempt=exempt)


def quarantine(exempt: Mapping[str, Any] | None) -> Statement:
    """Deny everything to everyone but the deployment role: for the Suspended OU."""
    return deny("QuarantineDenyAll", actions=["*"], exempt=exempt)


def baseline_statements(
    approved_regions: Sequence[str],
    deployment_roles: Sequence[str],
    partition: str = "aws",
    global_actions: Sequence[str] = GLOBAL_SERVICE_ACTIONS,
) -> list[Statement]:
    """The guardrails attached at the organization root, in a stable order."""
    exempt = exemption_condition(deployment_roles, partition)
    return [
        deny_leave_organization(exempt),
        deny_exempt_role_changes(deployment_roles, exempt, partition),
        *deny_security_service_changes(exempt),
        deny_outside_regions(approved_regions, exempt, global_actions),
        deny_root_user(partition),
        deny_s3_public_access_block_changes(exempt),
    ]


def document(statements: Sequence[Statement]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def render(doc: Mapping[str, Any]) -> str:
    """The document as AWS stores it for the size check: compact JSON, keys in given order."""
    return json.dumps(doc, separators=(",", ":"))


def pack_statements(
    key: str, statements: Sequence[Statement], max_chars: int = MAX_SCP_CHARS
) -> list[dict[str, Any]]:
    """Merge statements, in order, into as few documents as fit ``max_chars`` each (first fit).

    Raises a ConfigError naming ``key`` when one statement alone is too large.
    """
    docs: list[list[Statement]] = []
    for stmt in statements:
        alone = len(render(document([stmt])))
        if alone > max_chars:
            raise ConfigError(
                key,
                f"statement {stmt.get('Sid', '?')} is {alone} characters, "
                f"over the {max_chars}-character SCP limit",
                "shorten its action list (for example the global-services list)",
            )
        for bucket in docs:
            if len(render(document([*bucket, stmt]))) <= max_chars:
                bucket.append(stmt)
                break
        else:
            docs.append([stmt])
    return [document(b) for b in docs]


@dataclass(frozen=True)
class PlannedPolicy:
    """One SCP to create and attach: target key, index among the target's documents, content."""

    target: str
    index: int
    content: str
    sids: tuple[str, ...]


def plan_policies(
    guardrails: Mapping[str, Sequence[Statement]],
    max_per_target: int = MAX_SCPS_PER_TARGET,
    max_chars: int = MAX_SCP_CHARS,
    key: str = "kasbah:guardrails",
) -> dict[str, list[PlannedPolicy]]:
    """Pack each target's statements and check the per-target quota (``FullAWSAccess`` takes one slot)."""
    plans: dict[str, list[PlannedPolicy]] = {}
    for target, statements in guardrails.items():
        if not statements:
            plans[target] = []
            continue
        docs = pack_statements(f"{key}.{target}", statements, max_chars)
        free = max_per_target - 1
        if len(docs) > free:
            raise ConfigError(
                f"{key}.{target}",
                f"the guardrails need {len(docs)} SCPs but a target takes at most {max_per_target} "
                f"({free} besides FullAWSAccess)",
                "attach some guardrails to child OUs instead, or drop some statements",
            )
        plans[target] = [
            PlannedPolicy(target, i, render(d), tuple(str(s.get("Sid", "")) for s in d["Statement"]))
            for i, d in enumerate(docs)
        ]
    return plans


def statement_denies(stmt: Mapping[str, Any], action: str, context: Mapping[str, str]) -> bool:
    """A small evaluator of the statements built here (tests and reviewers use it).

    Supports ``Action``/``NotAction`` and ``Resource`` with ``*`` wildcards and the condition
    operators used in this module: StringNotEquals, StringLike, ArnNotLike, Null. The request's
    resource is ``context["resource"]`` (``*`` when absent).
    """
    import fnmatch

    def as_list(v: Any) -> list[str]:
        return [v] if isinstance(v, str) else list(v)

    def match(pattern: str, value: str) -> bool:
        return fnmatch.fnmatchcase(value.lower(), pattern.lower())

    if stmt.get("Effect") != "Deny":
        return False
    if "Action" in stmt:
        if not any(match(p, action) for p in as_list(stmt["Action"])):
            return False
    elif any(match(p, action) for p in as_list(stmt.get("NotAction", []))):
        return False
    resource = context.get("resource", "*")
    if not any(p == "*" or fnmatch.fnmatchcase(resource, p) for p in as_list(stmt.get("Resource", "*"))):
        return False
    for op, body in stmt.get("Condition", {}).items():
        for ckey, expected in body.items():
            value = context.get(ckey)
            values = as_list(expected)
            if op == "StringNotEquals":
                ok = value is None or value not in values
            elif op == "StringLike":
                ok = value is not None and any(fnmatch.fnmatchcase(value, p) for p in values)
            elif op == "ArnNotLike":
                ok = value is None or not any(fnmatch.fnmatchcase(value, p) for p in values)
            elif op == "Null":
                ok = (value is None) == (values[0] == "true")
            else:
                raise ValueError(f"condition operator {op} is not supported by this evaluator")
            if not ok:
                return False
    return True
