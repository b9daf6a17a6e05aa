"""Reading resource inputs: one :func:`plain` copy of pulumi-policy's proxies, and typed accessors.

pulumi-policy hands a policy its inputs wrapped in unknown-checking proxies that
raise on an unknown value. A check works on :func:`plain` copies instead, where an
unknown value is still the engine's sentinel string, reads only what it needs, and
calls :func:`~policies.framework.unknowns.need` (directly or through the accessors
below) on a value that decides its outcome. A presence check (:func:`present`)
treats an unknown value as present: the input was given, only its value is pending.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from kasbah.facts import CLASSIFICATION_TAG, DataClassification
from policies.framework.unknowns import UNKNOWN, is_unknown, need

_PROXIES: Final = frozenset({"_DictProxy", "_ListProxy", "_DictSecretsProxy", "_ListSecretsProxy"})


def plain(value: Any) -> Any:
    """A plain dict/list copy of a value and of pulumi-policy's proxies in it (unknown sentinels kept)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if type(value).__name__ in _PROXIES:
        return plain(value["__target"])
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [plain(v) for v in value]
    return value


def peek(mapping: Mapping[str, Any], key: str) -> Any:
    """``mapping[key]`` (or None) without tripping pulumi-policy's proxy: an unknown reads as ``UNKNOWN``."""
    try:
        return mapping.get(key)
    except Exception:
        return UNKNOWN


def get(props: Any, *path: str | int) -> Any:
    """``props[a][b]...`` or ``None`` when a step is missing; an unknown step yields the sentinel."""
    cur = props
    for step in path:
        if is_unknown(cur):
            return cur
        if isinstance(step, int):
            if not isinstance(cur, list) or step >= len(cur):
                return None
            cur = cur[step]
        else:
            if not isinstance(cur, Mapping):
                return None
            cur = cur.get(step)
        if cur is None:
            return None
    return cur


def items(value: Any, what: str) -> list[Any]:
    """A list input as a list (``None`` is empty); an unknown list is Undecided."""
    need(value, what)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def as_list(value: Any) -> list[Any]:
    """A scalar-or-list value (IAM ``Action``, ``Resource``...) as a list; ``None`` is empty."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def is_true(value: Any, what: str) -> bool:
    """A boolean input (``"true"`` strings included, as launch templates send them)."""
    need(value, what)
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True


def present(value: Any) -> bool:
    """Whether an input was given (an unknown value counts: it was given, its value is pending)."""
    if value is None:
        return False
    return not (isinstance(value, str | list | dict) and len(value) == 0)


def number(value: Any, what: str) -> float | None:
    """A numeric input as a float; ``None`` when absent or not a number; Undecided when unknown."""
    need(value, what)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def lower(value: Any, what: str) -> str:
    """A string input, lower-cased (``""`` when absent); Undecided when unknown."""
    need(value, what)
    return "" if value is None else str(value).lower()


# --------------------------------------------------------------------------------------------------
# Tags, classification, production


def resource_tags(props: Mapping[str, Any]) -> dict[str, Any]:
    """The tags a resource carries (AWS ``tags`` over ``tagsAll``, Azure ``tags``), unknowns dropped.

    Safe on pulumi-policy's proxies: used to match exemptions by tag.
    """
    merged: dict[str, Any] = {}
    for key in ("tagsAll", "tags"):
        value = peek(props, key)
        if isinstance(value, Mapping):
            for k in value:
                v = peek(value, k)
                if v != UNKNOWN and v is not None:
                    merged[str(k)] = v
    return merged


def tag(props: Mapping[str, Any], key: str) -> Any:
    """One tag's value (``tags`` over ``tagsAll``), or None; Undecided when it may be set but is unknown."""
    value = None
    for source in ("tagsAll", "tags"):
        tags = props.get(source)
        # tagsAll is unknown when the provider's defaultTags are: the tag may come from there.
        need(tags, source)
        if isinstance(tags, Mapping) and key in tags:
            value = need(tags[key], f"{source}.{key}")
    return value


PERSONAL_CLASSES: Final[frozenset[str]] = frozenset(
    {DataClassification.PERSONAL.value, DataClassification.SENSITIVE.value}
)
"""Classes that hold personal data (sensitive data is personal data too)."""


def classification(props: Mapping[str, Any]) -> str:
    """The resource's classification tag value (lower case), or ``""``."""
    value = tag(props, CLASSIFICATION_TAG)
    return "" if value is None else str(value).strip().lower()


def holds_personal_data(props: Mapping[str, Any]) -> bool:
    """Whether the resource is classified personal or sensitive."""
    return classification(props) in PERSONAL_CLASSES


PROD_VALUES: Final[frozenset[str]] = frozenset({"prod", "production"})


def is_production(props: Mapping[str, Any], config: Mapping[str, Any], stack_tags: Mapping[str, Any]) -> bool:
    """Production: the policy config says so, the stack's ``environment`` tag, or the resource's tag."""
    if config.get("production") is True:
        return True
    if str(stack_tags.get("environment", "")).lower() in PROD_VALUES:
        return True
    return str(tag(props, "environment") or "").lower() in PROD_VALUES


def class_from_tags(tags: Iterable[tuple[Any, Any]]) -> str | None:
    """The data class a set of ``(tag name, category name)`` pairs states (vSphere tags), else ``None``.

    The class is the name of a tag whose category is named :data:`kasbah.facts.CLASSIFICATION_TAG`;
    several such tags (a category of cardinality MULTIPLE) give the most restrictive class; an unknown
    name is Undecided. Shared by the residency pack and the baseline so both read the tag the same way.
    """
    order = [c.value for c in DataClassification]
    found: list[str] = []
    for tag_name, category in tags:
        if need(category, "tag category name") != CLASSIFICATION_TAG:
            continue
        found.append(str(need(tag_name, "tag name")))
    valid = [f for f in found if f in order]
    if valid:
        return max(valid, key=order.index)
    return found[0] if found else None
