"""Type dispatch: each policy of a pack is handed only the resources of the types it declares.

pulumi-policy's analyzer calls every resource policy for every resource, and every stack
policy on every resource of the stack, turning each resource's properties into proxied
objects once per policy before the policy can look at the type. A Kasbah policy
(``policies.framework``) declares ``types``, a frozenset of the type tokens it reads, and by
construction decides nothing from any other resource:

- a resource policy returns at once for any other type, after checking its configuration;
- a stack policy's check sees only the resources of its types (and the stack resource).

So the analysis may skip the calls that cannot matter, with identical results: a resource is
analyzed only by the resource policies that declare its type (or declare nothing), each stack
policy group is handed only the resources of its types, and the one effect a skipped call
had, refusing a bad configuration, is kept by a probe: before the first analyzed resource, the
resource policies that declare types run once on a resource of no type they read, exactly the
path they would have taken. Stack diagnostics are put back in the pack's policy order.
A policy without ``types`` (any pack's own pulumi-policy classes) sees everything, as before.

``KASBAH_TYPE_DISPATCH=0`` turns the dispatch off (the equivalence tests and the benchmark
compare both).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

_POLICIES: Final = "_PolicyAnalyzerServicer__policies"
"""The analyzer servicer's private list of policies (pulumi-policy is pinned exactly)."""

PROBE_TYPE: Final = "kasbah:internal:TypeDispatchProbe"
"""A type no policy reads: the probe resource's type."""


def enabled() -> bool:
    """Whether the analysis dispatches by type (the default; ``KASBAH_TYPE_DISPATCH=0`` turns it off)."""
    return os.environ.get("KASBAH_TYPE_DISPATCH", "1") != "0"


def declared_types(policy: Any) -> frozenset[str] | None:
    """The type tokens a policy declares it reads, or ``None`` (it reads every type)."""
    types = getattr(policy, "types", None)
    return types if isinstance(types, frozenset) else None


class TypeDispatch:
    """The policy lists one pack's servicer is given, per resource type and per stack-policy group."""

    def __init__(self, servicer: Any, active: bool | None = None) -> None:
        from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

        self.servicer = servicer
        self.active = enabled() if active is None else active
        self.policies: Final[list[Any]] = list(getattr(servicer, _POLICIES))
        self.order: Final = {id(p): i for i, p in enumerate(self.policies)}
        self._resource = [p for p in self.policies if isinstance(p, ResourceValidationPolicy)]
        self._stack = [p for p in self.policies if isinstance(p, StackValidationPolicy)]
        self._by_type: dict[str, list[Any]] = {}
        self.probed = False

    @contextmanager
    def only(self, policies: list[Any]) -> Iterator[None]:
        """The servicer runs only ``policies`` inside the block."""
        setattr(self.servicer, _POLICIES, policies)
        try:
            yield
        finally:
            setattr(self.servicer, _POLICIES, self.policies)

    def for_resource(self, type_: str) -> list[Any]:
        """The policies a resource of ``type_`` is analyzed by, in the pack's order."""
        if not self.active:
            return self.policies
        chosen = self._by_type.get(type_)
        if chosen is None:
            chosen = [p for p in self.policies if _reads(p, type_)]
            self._by_type[type_] = chosen
        return chosen

    def probe_policies(self) -> list[Any]:
        """The resource policies whose configuration the probe checks: those the dispatch may skip."""
        if not self.active or self.probed:
            return []
        self.probed = True
        return [p for p in self._resource if declared_types(p) is not None]

    def stack_groups(self) -> list[tuple[list[Any], frozenset[str] | None]]:
        """Stack policies grouped by the types they read (``None``: every resource), in first-seen order."""
        if not self.active:
            return [(self.policies, None)]
        groups: dict[frozenset[str] | None, list[Any]] = {}
        for policy in self._stack:
            groups.setdefault(declared_types(policy), []).append(policy)
        return [(ps, t) for t, ps in groups.items()]

    def sort_stack_diagnostics(self, diagnostics: Sequence[tuple[Any, Any]]) -> list[Any]:
        """Diagnostics ``(policy, diagnostic)`` back in the pack's policy order (stable within a policy)."""
        by_name = {p.name: self.order[id(p)] for p in self.policies}
        ordered = sorted(enumerate(diagnostics), key=lambda item: (by_name.get(item[1][0], 0), item[0]))
        return [d for _, (_, d) in ordered]


def _reads(policy: Any, type_: str) -> bool:
    types = declared_types(policy)
    return types is None or type_ in types


def probe_request(proto: Any) -> Any:
    """An ``AnalyzeRequest`` for a resource of :data:`PROBE_TYPE` (no property, no provider)."""
    return proto.AnalyzeRequest(
        urn=f"urn:pulumi:probe::probe::{PROBE_TYPE}::probe", type=PROBE_TYPE, name="probe"
    )
