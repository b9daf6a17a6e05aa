"""Policy builders: a :class:`PolicyMeta` plus a check becomes a pulumi-policy policy.

- :func:`rule` is the usual resource policy: a dispatch table from each type token it
  checks to a check yielding problems. Its ``validate`` returns at once for any other
  type (a set lookup), before exemptions or inputs are read: pulumi-policy calls every
  resource policy for every resource, so this is what keeps a large pack cheap.
- :func:`srule` is the usual stack policy; :func:`stack_resources` and :func:`related`
  relate the stack's resources through property dependencies (IDs are unknown in preview).
- :func:`resource_policy` and :func:`stack_policy` are the lower level both build on:
  ``check(args, fail)`` with ``fail(message)`` / ``fail(message, resource)``.

Every policy built here is a :class:`KasbahResourcePolicy` or :class:`KasbahStackPolicy`
(real subclasses of pulumi-policy's classes) carrying its :class:`PolicyMeta`. Its
enforcement defaults to mandatory for critical and high severity, advisory otherwise;
its configuration schema always has ``exemptions``; its configuration is checked
(unknown keys, impossible dates) before anything else; a violation message ends with
the remediation; an :class:`~policies.framework.unknowns.Undecided` check is reported as
"could not decide" (an advisory), whatever the policy's enforcement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.framework.exemptions import EXEMPTION_SCHEMA, ConfigCheck, Exemption, note_exempted, today
from policies.framework.meta import PolicyMeta
from policies.framework.unknowns import Undecided, is_unknown, unknown_error
from policies.framework.values import plain, resource_tags

STACK_TYPE: Final = "pulumi:pulumi:Stack"

ResourceCheckFn = Callable[[ResourceValidationArgs, Callable[[str], None]], None]
StackCheckFn = Callable[[StackValidationArgs, Callable[[str, Any], None]], None]


def _policy_fields(meta: PolicyMeta) -> dict[str, Any]:
    """What pulumi-policy's policy classes take from the metadata (name, enforcement, schema, compliance)."""
    framework, tags = meta.compliance()
    return {
        "name": meta.id,
        "description": meta.description,
        "enforcement_level": meta.default_enforcement,
        "config_schema": PolicyConfigSchema(
            properties={"exemptions": EXEMPTION_SCHEMA, **meta.config_properties}
        ),
        "severity": meta.severity,
        "framework": framework,
        "tags": tags,
        "remediation_steps": meta.remediation,
    }


def _report_unless_exempt(
    policy: str, exemptions: list[Exemption], report: ReportViolation, message: str, urn: str, tags: Any
) -> None:
    """Report ``message`` on ``urn`` unless a valid exemption matches (then it is only noted for a
    host that collects exempted findings); an expired one is named."""
    now = today()
    expired: Exemption | None = None
    for ex in exemptions:
        if ex.matches(urn, tags):
            if ex.expires >= now:
                note_exempted(policy, urn, message, ex)
                return
            expired = ex
    if expired is not None:
        message += f" (the {expired.describe()} expired on {expired.expires.isoformat()})"
    report(message, urn)


class KasbahResourcePolicy(ResourceValidationPolicy):
    """A resource policy built from a :class:`PolicyMeta` and a check (see :func:`resource_policy`)."""

    def __init__(self, meta: PolicyMeta, check: ResourceCheckFn, types: Iterable[str] | None = None) -> None:
        super().__init__(**_policy_fields(meta))
        self.meta: Final = meta
        self.types: Final[frozenset[str] | None] = None if types is None else frozenset(types)
        """The type tokens this policy checks (``None``: every type)."""
        self._check = check
        self._config = ConfigCheck(meta.id, meta.config_properties)

    def validate(self, args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        exemptions = self._config(args.get_config())
        if self.types is not None and args.resource_type not in self.types:
            return

        def fail(message: str) -> None:
            _report_unless_exempt(
                self.meta.id,
                exemptions,
                report_violation,
                f"{args.urn}: {message} Fix: {self.meta.remediation}",
                args.urn,
                resource_tags(args.props),
            )

        try:
            self._check(args, fail)
        except Undecided as und:
            raise unknown_error(
                f"{args.urn}: could not decide: {und.what} is unknown during preview"
            ) from None


class KasbahStackPolicy(StackValidationPolicy):
    """A stack policy built from a :class:`PolicyMeta` and a check (see :func:`stack_policy`).

    With ``types``, the check sees only the stack's resources of those types (and the stack
    resource itself): what it decides cannot depend on any other resource, so a host may
    hand it only those (the offline engine does, see ``kasbah.analysis``).
    """

    def __init__(self, meta: PolicyMeta, check: StackCheckFn, types: Iterable[str] | None = None) -> None:
        super().__init__(**_policy_fields(meta))
        self.meta: Final = meta
        self.types: Final[frozenset[str] | None] = None if types is None else frozenset(types) | {STACK_TYPE}
        """The type tokens this policy reads (``None``: every type); the stack's own type is always in."""
        self._check = check
        self._config = ConfigCheck(meta.id, meta.config_properties)

    def validate(self, args: StackValidationArgs, report_violation: ReportViolation) -> None:
        exemptions = self._config(args.get_config())
        if self.types is not None:
            wanted = self.types
            args = StackValidationArgs(
                [r for r in args.resources if r.resource_type in wanted], args.get_config(), args.stack_tags
            )

        def fail(message: str, resource: Any) -> None:
            urn = resource.urn
            _report_unless_exempt(
                self.meta.id,
                exemptions,
                report_violation,
                f"{urn}: {message} Fix: {self.meta.remediation}",
                urn,
                resource_tags(resource.props),
            )

        try:
            self._check(args, fail)
        except Undecided as und:
            raise unknown_error(f"could not decide: {und.what} is unknown during preview") from None


KasbahPolicy = KasbahResourcePolicy | KasbahStackPolicy


def resource_policy(
    meta: PolicyMeta, check: ResourceCheckFn, types: Iterable[str] | None = None
) -> KasbahResourcePolicy:
    """A resource policy run for every resource: ``check(args, fail)``, ``fail(message)`` reports ``args.urn``.

    Exemptions are applied and the remediation appended to the message. A check raises
    :class:`Undecided` when a value it needs is unknown during preview. With ``types``, only
    resources of those types are checked.
    """
    return KasbahResourcePolicy(meta, check, types)


def stack_policy(
    meta: PolicyMeta, check: StackCheckFn, types: Iterable[str] | None = None
) -> KasbahStackPolicy:
    """A stack policy from metadata and a check ``check(args, fail)``; ``fail(message, resource)``."""
    return KasbahStackPolicy(meta, check, types)


def metadata_of(policies: Sequence[Any]) -> list[PolicyMeta]:
    """The :class:`PolicyMeta` of each policy (for POLICIES.md); every policy must be built here."""
    out: list[PolicyMeta] = []
    for p in policies:
        if not isinstance(p, KasbahResourcePolicy | KasbahStackPolicy):
            raise TypeError(f"policy {getattr(p, 'name', p)!r} was not built by policies.framework")
        out.append(p.meta)
    return out


# --------------------------------------------------------------------------------------------------
# Typed resource rules


@dataclass
class Ctx:
    """What a per-type check sees: the plain inputs, the policy config, the stack tags."""

    props: dict[str, Any]
    config: Mapping[str, Any]
    stack_tags: Mapping[str, Any]
    type: str
    name: str
    provider_version: str | None = None
    """The ``version`` of the resource's provider (the plugin version): provider defaults depend on it."""


Problems = Iterator[str]
ResourceCheck = Callable[[Ctx], Iterable[str]]


def with_props(fn: Callable[[dict[str, Any], Ctx], Iterable[str]]) -> ResourceCheck:
    """Adapt a check written as ``fn(props, ctx)`` to the dispatch table's ``check(ctx)``."""
    return lambda ctx: fn(ctx.props, ctx)


def _provider_version(args: ResourceValidationArgs) -> str | None:
    provider = getattr(args, "provider", None)
    props = getattr(provider, "props", None) or {}
    version = props.get("version") if isinstance(props, Mapping) else None
    return version if isinstance(version, str) and version else None


def rule(m: PolicyMeta, dispatch: Mapping[str, ResourceCheck]) -> KasbahResourcePolicy:
    """A resource policy: ``dispatch`` maps each type token checked to a check yielding problems."""
    table = dict(dispatch)

    def check(args: ResourceValidationArgs, fail: Callable[[str], None]) -> None:
        fn = table[args.resource_type]
        ctx = Ctx(
            props=plain(args.props),
            config=args.get_config() or {},
            stack_tags=args.stack_tags or {},
            type=args.resource_type,
            name=args.name,
            provider_version=_provider_version(args),
        )
        for problem in fn(ctx):
            fail(problem)

    return KasbahResourcePolicy(m, check, types=table)


# --------------------------------------------------------------------------------------------------
# Stack rules


@dataclass
class Res:
    """A stack resource with plain inputs."""

    urn: str
    type: str
    name: str
    props: dict[str, Any]
    deps: dict[str, list[str]] = field(default_factory=dict)
    source: Any = None


def stack_resources(args: StackValidationArgs, types: Iterable[str]) -> dict[str, list[Res]]:
    """The stack's resources of the given types, by type, with plain inputs and property-dependency URNs."""
    wanted = set(types)
    out: dict[str, list[Res]] = {t: [] for t in wanted}
    for r in args.resources:
        if r.resource_type not in wanted:
            continue
        deps = {k: [d.urn for d in v] for k, v in (r.property_dependencies or {}).items()}
        out[r.resource_type].append(Res(r.urn, r.resource_type, r.name, plain(r.props), deps, r))
    return out


@dataclass
class _StackStandIn:
    urn: str
    props: dict[str, Any] = field(default_factory=dict)


def _stack_resource(args: StackValidationArgs) -> Any:
    for r in args.resources:
        if r.resource_type == STACK_TYPE:
            return r
    return _StackStandIn(urn="")


def srule(m: PolicyMeta, check: StackCheckFn, *, types: Iterable[str] | None) -> KasbahStackPolicy:
    """A stack policy whose ``fail(message, res)`` takes a :class:`Res`, a resource, or ``None`` (the stack).

    ``types`` lists every type token the check reads (the stack resource is always included), or
    ``None`` when it looks at every resource (presence checks asking "does the stack manage AWS?").
    """

    def wrapped(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
        def fail_res(message: str, res: Any) -> None:
            if res is None:  # a stack-level finding is reported on the stack resource
                res = _stack_resource(args)
            fail(message, res.source if isinstance(res, Res) else res)

        check(args, fail_res)

    return KasbahStackPolicy(m, wrapped, types)


def related(res: Res, prop: str, targets: Sequence[Res], name_prop: str | None = None) -> list[Res] | None:
    """The targets ``res.<prop>`` refers to: through its property dependencies, else by a known name.

    ``None`` when the reference is unknown and carries no dependency (cannot be related in preview).
    """
    urns = set(res.deps.get(prop, []))
    found = [t for t in targets if t.urn in urns]
    if found:
        return found
    value = res.props.get(prop)
    if value is None:
        return []
    if is_unknown(value):
        return None
    if name_prop is not None:
        return [t for t in targets if t.props.get(name_prop) == value]
    return []


@dataclass
class Attachments:
    """Which resources something attached to them names (a vault's lock, a VPC's flow log, a secret's
    rotation), and the attaching resources that could not be related during preview.

    ``attach`` each attaching resource, then ask ``covers`` of each target: a target no attachment names
    is undecidable (not a violation) while some attachment's reference is unknown."""

    covered: set[str] = field(default_factory=set)
    undecided: list[Res] = field(default_factory=list)

    def attach(
        self, res: Res, prop: str, targets: Sequence[Res], name_prop: str | None = None
    ) -> list[Res] | None:
        """The targets ``res.<prop>`` names (see :func:`related`), now covered; ``None`` when undecidable."""
        found = related(res, prop, targets, name_prop)
        if found is None:
            self.undecided.append(res)
        else:
            self.covered.update(t.urn for t in found)
        return found

    def covers(self, target: Res, what: str) -> bool:
        """True when an attachment names ``target``; :class:`Undecided` ("<what> <urn> (for <target>)")
        when none does but some could not be related."""
        if target.urn in self.covered:
            return True
        if self.undecided:
            raise Undecided(f"{what} {self.undecided[0].urn} (for {target.urn})")
        return False


def each(resources: Iterable[Any], body: Callable[[Any], None]) -> None:
    """Run a stack check's ``body`` per resource: one undecidable resource does not hide the others."""
    pending: Undecided | None = None
    for res in resources:
        try:
            body(res)
        except Undecided as exc:
            pending = pending or exc
    if pending is not None:
        raise pending


def collect(findings: Iterable[Callable[[], Iterable[str]]]) -> Iterator[str]:
    """Run each finding; report the decided ones, and Undecided only when nothing was decided against."""
    problems: list[str] = []
    pending: Undecided | None = None
    for f in findings:
        try:
            problems.extend(f())
        except Undecided as exc:
            pending = pending or exc
    if not problems and pending is not None:
        raise pending
    yield from problems
