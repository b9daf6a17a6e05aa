"""A test evaluator of Azure Policy rules (the ``if`` part), enough to check the library's rules on
sample resources: logical operators, ``field`` and ``value`` conditions, ``count`` (field and value),
the condition operators, aliases of ``[*]`` arrays, and ARM functions (components.azure.arm_expressions).

Semantics follow https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule:
a ``field`` condition on a ``[*]`` alias outside ``count`` holds only when every member meets it;
``count`` counts the members whose ``where`` holds; aliases are the resource type followed by the
property path, ``properties`` being implied.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from components.azure import arm_expressions as arm

_OPS = (
    "equals",
    "notEquals",
    "in",
    "notIn",
    "like",
    "notLike",
    "contains",
    "notContains",
    "exists",
    "greater",
    "greaterOrEquals",
    "less",
    "lessOrEquals",
    "containsKey",
    "notContainsKey",
)


class Resource:
    """An ARM resource body (``type``, ``name``, ``location``, ``tags``, ``properties``)."""

    def __init__(self, body: Mapping[str, Any]) -> None:
        self.body = dict(body)

    @property
    def type(self) -> str:
        return str(self.body["type"])


def _walk(node: Any, parts: list[str]) -> list[Any]:
    """Values at ``parts`` below ``node`` (``properties`` implied; ``[*]`` fans out)."""
    if not parts:
        return [node]
    head, rest = parts[0], parts[1:]
    star = head.endswith("[*]")
    key = head[:-3] if star else head
    if isinstance(node, Mapping):
        if key in node:
            value = node[key]
        elif isinstance(node.get("properties"), Mapping) and key in node["properties"]:
            value = node["properties"][key]
        else:
            return []
    else:
        return []
    if star:
        if not isinstance(value, list):
            return []
        return [v for item in value for v in _walk(item, rest)]
    return _walk(value, rest)


def _alias_parts(alias: str, rtype: str) -> list[str] | None:
    if alias.lower().startswith(rtype.lower() + "/") or alias.lower().startswith(rtype.lower() + "["):
        tail = alias[len(rtype) :]
        tail = tail[1:] if tail.startswith("/") else tail
        return [p for p in tail.replace(".", "/").split("/") if p]
    return None


class Evaluator:
    def __init__(self, parameters: Mapping[str, Any], resource: Resource) -> None:
        self.params = dict(parameters)
        self.res = resource
        self.scopes: list[tuple[str | None, Any, str | None]] = []
        """Stack of count scopes: (name or field alias, current value, field alias)."""

    # ---- values
    def field(self, alias: str) -> tuple[list[Any], bool]:
        """(values, is_array_alias) of a field; an alias of the current count's array resolves to its member."""
        low = alias.lower()
        if low in ("type", "name", "location", "kind", "id"):
            return ([self.res.body.get(low)] if low in self.res.body else []), False
        if low.startswith("tags["):
            key = alias[5:-1].strip("'")
            tags = self.res.body.get("tags") or {}
            return ([tags[key]] if key in tags else []), False
        for _name, current, field_alias in reversed(self.scopes):
            if field_alias and low.startswith(field_alias.lower()):
                rest = alias[len(field_alias) :].lstrip(".").lstrip("/")
                parts = [p for p in rest.replace(".", "/").split("/") if p]
                vals = _walk(current, parts) if parts else [current]
                return vals, any(p.endswith("[*]") for p in parts)
        parts = _alias_parts(alias, self.res.type)
        if parts is None:
            parent = self.res.type.rsplit("/", 1)[0]
            parts = _alias_parts(alias, parent)
            if parts is None:
                return [], False
            # A child type's alias read on the parent's shape is not what Azure does: no value.
            return [], False
        vals = _walk(self.res.body, parts)
        return vals, any(p.endswith("[*]") for p in parts)

    def _ctx(self) -> arm.Context:
        def field(alias: str) -> Any:
            vals, array = self.field(alias)
            if array:
                return vals
            return vals[0] if vals else None

        def current(name: str | None) -> Any:
            for n, value, field_alias in reversed(self.scopes):
                if name is None or n == name or (field_alias and field_alias.lower() == str(name).lower()):
                    return value
                if field_alias and str(name).lower().startswith(field_alias.lower()):
                    rest = str(name)[len(field_alias) :].lstrip(".").lstrip("/")
                    parts = [p for p in rest.replace(".", "/").split("/") if p]
                    vals = _walk(value, parts)
                    if any(p.endswith("[*]") for p in parts):
                        return vals
                    return vals[0] if vals else None
            raise arm.Unsupported(f"current({name!r})")

        return arm.Context(parameters=self.params, field=field, current=current)

    def value(self, raw: Any) -> Any:
        if isinstance(raw, str):
            return arm.evaluate(raw, self._ctx())
        if isinstance(raw, list):
            return [self.value(x) for x in raw]
        return raw

    # ---- conditions
    def holds(self, cond: Mapping[str, Any]) -> bool:
        if "allOf" in cond:
            return all(self.holds(c) for c in cond["allOf"])
        if "anyOf" in cond:
            return any(self.holds(c) for c in cond["anyOf"])
        if "not" in cond:
            return not self.holds(cond["not"])
        op = next(o for o in _OPS if o in cond)
        target = self.value(cond[op])
        if "count" in cond:
            return _compare(op, self.count(cond["count"]), target)
        if "field" in cond:
            vals, array = self.field(str(self.value(cond["field"])))
            if array:
                return all(_compare(op, v, target) for v in vals)
            if op == "exists":
                return (len(vals) > 0 and vals[0] is not None) == _truthy(target)
            return _compare(op, vals[0] if vals else None, target)
        return _compare(op, self.value(cond["value"]), target)

    def count(self, spec: Mapping[str, Any]) -> int:
        where = spec.get("where")
        if "field" in spec:
            alias = str(spec["field"])
            vals, _ = self.field(alias)
            items, name = vals, None
        else:
            items = self.value(spec["value"])
            alias, name = None, spec.get("name")
            if not isinstance(items, list):
                return 0
        n = 0
        for item in items:
            self.scopes.append((name, item, alias))
            try:
                if where is None or self.holds(where):
                    n += 1
            finally:
                self.scopes.pop()
        return n


def _truthy(v: Any) -> bool:
    return v is True or str(v).lower() == "true"


def _lower(v: Any) -> Any:
    if isinstance(v, bool):  # an expression's true compares equal to "true"
        return "true" if v else "false"
    return v.lower() if isinstance(v, str) else v


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "equals":
        return bool(_lower(left) == _lower(right))
    if op == "notEquals":
        return bool(_lower(left) != _lower(right))
    if op == "in":
        return _lower(left) in [_lower(r) for r in right]
    if op == "notIn":
        return _lower(left) not in [_lower(r) for r in right]
    if op in ("like", "notLike"):
        hit = left is not None and fnmatch.fnmatchcase(str(left).lower(), str(right).lower())
        return hit if op == "like" else not hit
    if op in ("contains", "notContains"):
        hit = left is not None and str(right).lower() in str(left).lower()
        return hit if op == "contains" else not hit
    if op == "exists":
        return (left is not None) == _truthy(right)
    if op in ("containsKey", "notContainsKey"):
        hit = isinstance(left, Mapping) and right in left
        return hit if op == "containsKey" else not hit
    if left is None:
        return False
    return {
        "greater": left > right,
        "greaterOrEquals": left >= right,
        "less": left < right,
        "lessOrEquals": left <= right,
    }[op]


def denies(rule: Mapping[str, Any], parameters: Mapping[str, Any], resource: Mapping[str, Any]) -> bool:
    """Whether the rule's ``if`` matches ``resource`` (its effect then applies)."""
    return Evaluator(parameters, Resource(resource)).holds(rule["if"])


def defaults(params: Mapping[str, Mapping[str, Any]], given: Mapping[str, Any]) -> dict[str, Any]:
    """A definition's parameter values: its defaults, then ``given``."""
    out = {k: v["defaultValue"] for k, v in params.items() if "defaultValue" in v}
    out.update(given)
    return out
