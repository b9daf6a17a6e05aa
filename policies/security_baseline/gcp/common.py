"""Helpers the GCP domain modules share: IAM members, instance metadata, the class from labels."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kasbah.facts import CLASSIFICATION_TAG, DataClassification
from policies.framework import get, items, lower, need

PUBLIC_MEMBERS = frozenset({"allusers", "allauthenticatedusers"})
"""Principals meaning anyone on the internet (https://cloud.google.com/iam/docs/principals-overview)."""

PROTECTED = frozenset({DataClassification.PERSONAL.value, DataClassification.SENSITIVE.value})


def members(p: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, member) of an IAM member (``member``) or binding (``members``) resource."""
    if "member" in p:
        yield "member", lower(p.get("member"), "member")
    for i, m in enumerate(items(p.get("members"), "members")):
        yield f"members[{i}]", lower(m, f"members[{i}]")


def label_class(p: dict[str, Any]) -> str:
    """The ``data-classification`` label (own labels, else the effective ones), ``""`` when absent."""
    for key in ("labels", "effectiveLabels"):
        labels = p.get(key)
        need(labels, key)
        if isinstance(labels, dict) and labels.get(CLASSIFICATION_TAG) is not None:
            return lower(labels.get(CLASSIFICATION_TAG), f"{key}.{CLASSIFICATION_TAG}")
    return ""


def metadata(p: dict[str, Any]) -> dict[str, Any]:
    """An instance's or template's ``metadata`` map (empty when absent)."""
    value = p.get("metadata")
    need(value, "metadata")
    return value if isinstance(value, dict) else {}


def flag(value: Any, what: str) -> bool | None:
    """A metadata flag (``TRUE``/``true``/``1``): True, False, or None when absent."""
    need(value, what)
    if value is None:
        return None
    return str(value).strip().lower() in ("true", "1", "yes")


def service_account_email(p: dict[str, Any]) -> Any:
    return get(p, "serviceAccount", "email")
