"""AWS-style policy documents (IAM, bucket, queue, key policies...): statements and what they grant.

A document is JSON text or an object; keys are matched case-insensitively, as IAM
does. Every reader calls ``need`` on what decides its answer: an unknown statement,
principal or action is Undecided, never a pass.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from policies.framework.unknowns import UNKNOWN_SENTINELS, Undecided, need
from policies.framework.values import as_list, lower


def _norm_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k).lower(): v for k, v in value.items()}
    return value


def statements(document: Any, what: str) -> list[dict[str, Any]]:
    """The statements of a policy document (JSON text or an object), keys lower-cased."""
    need(document, what)
    if document is None or document == "":
        return []
    doc = document
    if isinstance(doc, str):
        if any(s in doc for s in UNKNOWN_SENTINELS):
            raise Undecided(what)
        try:
            doc = json.loads(doc)
        except json.JSONDecodeError:
            return []
    doc = _norm_keys(doc)
    if not isinstance(doc, Mapping):
        return []
    stmts = doc.get("statement")
    need(stmts, what)
    if isinstance(stmts, Mapping):
        stmts = [stmts]
    out: list[dict[str, Any]] = []
    for s in stmts or []:
        need(s, what)
        if isinstance(s, Mapping):
            out.append(_norm_keys(s))
    return out


def effect(stmt: Mapping[str, Any], what: str) -> str:
    """The statement's ``Effect``, lower-cased."""
    return lower(stmt.get("effect"), f"{what} Effect")


def wildcard_principal(stmt: Mapping[str, Any], what: str) -> bool:
    """``Principal: "*"`` or ``{"AWS": "*"}`` (any principal); ``NotPrincipal`` counts as wildcard too."""
    if stmt.get("notprincipal") is not None:
        return True
    principal = stmt.get("principal")
    need(principal, f"{what} Principal")
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        for key, value in principal.items():
            if str(key).lower() != "aws":
                continue
            for v in as_list(value):
                need(v, f"{what} Principal.AWS")
                if v == "*":
                    return True
    return False


BOUNDING_CONDITION_KEYS: Final[frozenset[str]] = frozenset(
    {
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourceowner",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "kms:calleraccount",
    }
)


def bounded(stmt: Mapping[str, Any], what: str) -> bool:
    """Whether a condition limits the statement to an organization, account, source ARN, VPC or endpoint."""
    cond = stmt.get("condition")
    need(cond, f"{what} Condition")
    if not isinstance(cond, Mapping):
        return False
    for operator, clauses in cond.items():
        need(clauses, f"{what} Condition.{operator}")
        if not isinstance(clauses, Mapping):
            continue
        op = str(operator).lower()
        if op.startswith("forany") or "ifexists" in op:
            continue  # ...IfExists and ForAnyValue do not bound a request that lacks the key
        for key, value in clauses.items():
            if str(key).lower() not in BOUNDING_CONDITION_KEYS:
                continue
            values = as_list(value)
            # An unknown value (an ARN or account from another resource) still bounds the statement.
            if values and not any(v == "*" for v in values):
                return True
    return False


def actions(stmt: Mapping[str, Any], what: str) -> list[str]:
    """The statement's ``Action`` entries."""
    value = stmt.get("action")
    need(value, f"{what} Action")
    out: list[str] = []
    for v in as_list(value):
        need(v, f"{what} Action")
        out.append(str(v))
    return out


def resources(stmt: Mapping[str, Any], what: str) -> list[str]:
    """The statement's ``Resource`` entries."""
    value = stmt.get("resource")
    need(value, f"{what} Resource")
    out: list[str] = []
    for v in as_list(value):
        need(v, f"{what} Resource")
        out.append(str(v))
    return out
