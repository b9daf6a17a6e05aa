"""The stack as a graph, for the deploy-readiness policies: plain inputs, providers and dependency paths.

A resource ``a`` has a dependency path to ``b`` when ``b`` is reachable from ``a`` through the
engine's dependencies (``dependsOn``, and every input that came from another resource's output). A
dependency on a component stands for its descendants, as the SDK expands it. This is exactly what
orders ``a``'s create after ``b``'s in ``pulumi up``; anything else (the same literal string, a parent)
orders nothing.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import StackValidationArgs

from policies.framework import is_unknown


def plain(value: Any) -> Any:
    """A plain dict/list copy of pulumi-policy's proxies; unknown sentinels stay strings."""
    name = type(value).__name__
    if isinstance(value, Mapping):
        target = value["__target"] if name in ("_DictProxy", "_DictSecretsProxy") else value
        return {k: plain(v) for k, v in target.items()}
    if isinstance(value, list | tuple) or name in ("_ListProxy", "_ListSecretsProxy"):
        target = value["__target"] if name in ("_ListProxy", "_ListSecretsProxy") else value
        return [plain(v) for v in target]
    return value


_ACCOUNT_RE = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):")


@dataclass
class Node:
    """One resource of the stack: plain inputs, direct dependency URNs, provider facts."""

    urn: str
    type: str
    name: str
    props: dict[str, Any]
    deps: set[str]
    prop_deps: dict[str, set[str]]
    parent: str | None
    provider: str | None
    account: str | None
    region: str | None
    source: Any = field(repr=False, default=None)


class StackGraph:
    """The resources of one stack validation, with dependency-path queries."""

    def __init__(self, nodes: Iterable[Node]) -> None:
        self.nodes: dict[str, Node] = {n.urn: n for n in nodes}
        self.children: dict[str, list[str]] = {}
        for n in self.nodes.values():
            if n.parent:
                self.children.setdefault(n.parent, []).append(n.urn)
        self._reach: dict[str, frozenset[str]] = {}

    @classmethod
    def of(cls, args: StackValidationArgs) -> StackGraph:
        return cls(_node(r) for r in args.resources)

    def of_type(self, *types: str) -> list[Node]:
        wanted = set(types)
        return [n for n in self.nodes.values() if n.type in wanted]

    def reachable(self, urn: str) -> frozenset[str]:
        """Every URN ``urn`` has a dependency path to (components expanded to their descendants)."""
        cached = self._reach.get(urn)
        if cached is not None:
            return cached
        seen: set[str] = set()
        queue = deque(self._direct(urn))
        while queue:
            cur = queue.popleft()
            if cur in seen:
                continue
            seen.add(cur)
            queue.extend(self._direct(cur))
            queue.extend(self.children.get(cur, ()))
        result = frozenset(seen)
        self._reach[urn] = result
        return result

    def depends(self, a: Node, b: Node) -> bool:
        return b.urn in self.reachable(a.urn)

    def _direct(self, urn: str) -> Iterator[str]:
        node = self.nodes.get(urn)
        if node is None:
            return
        yield from node.deps
        for urns in node.prop_deps.values():
            yield from urns


def _node(r: Any) -> Node:
    props = plain(r.props)
    deps = {d.urn for d in (r.dependencies or [])}
    prop_deps = {k: {d.urn for d in v} for k, v in (r.property_dependencies or {}).items()}
    provider = getattr(r, "provider", None)
    account, region = provider_facts(plain(provider.props) if provider is not None else {})
    parent = getattr(r, "parent", None)
    return Node(
        urn=r.urn,
        type=r.resource_type,
        name=r.name,
        props=props if isinstance(props, dict) else {},
        deps=deps,
        prop_deps=prop_deps,
        parent=parent.urn if parent is not None else None,
        provider=provider.urn if provider is not None else None,
        account=account,
        region=region,
        source=r,
    )


def provider_facts(props: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The account (``allowedAccountIds`` or the assumed role's ARN) and region a provider acts in."""
    account: str | None = None
    props = {k: _json(v) for k, v in props.items()}  # provider inputs of list type travel as JSON strings
    allowed = props.get("allowedAccountIds")
    if (
        isinstance(allowed, list)
        and len(allowed) == 1
        and isinstance(allowed[0], str)
        and allowed[0].isdigit()
    ):
        account = allowed[0]
    roles = props.get("assumeRoles") or props.get("assumeRole")
    if account is None and roles:
        role = roles[0] if isinstance(roles, list) else roles
        match = _ACCOUNT_RE.match(str(role.get("roleArn", ""))) if isinstance(role, dict) else None
        account = match.group(1) if match else None
    region = props.get("region")
    return account, region if isinstance(region, str) and not is_unknown(region) else None


def _json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def region_of(node: Node) -> str | None:
    """The resource's region: its own ``region`` input (pulumi-aws 7), else its provider's."""
    own = node.props.get("region")
    if isinstance(own, str) and own and not is_unknown(own):
        return own
    return node.region


def strings(value: Any, path: str = "", skip: frozenset[str] = frozenset()) -> Iterator[tuple[str, str]]:
    """(top-level property, string) for every known string leaf of an input value."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not path and k in skip:
                continue
            yield from strings(v, path or k, skip)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v, path, skip)
    elif isinstance(value, str) and not is_unknown(value):
        yield path, value
