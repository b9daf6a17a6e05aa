"""Building blocks of the security-baseline pack: typed dispatch, plain props, unknowns, documents.

Performance: pulumi-policy calls every resource policy's ``validate`` for every
resource. :func:`rule` builds a policy whose ``validate`` first looks the
resource type up in the policy's dispatch table and returns at once when the
type is not one it checks, before any exemption parsing or property access.

Unknowns: a check works on a plain copy of the inputs (:func:`plain`), where a
value not known until apply is still pulumi's sentinel string. A check reads
only what it needs and calls :func:`need` on a value that decides the outcome:
an unknown there raises :class:`policies.common.Undecided`, which the policy
reports as "could not decide". A presence check ("a key id is set") treats an
unknown value as present: the input was given, only its value is pending.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.common import (
    UNKNOWN_SENTINELS,
    PolicyMeta,
    Reference,
    Undecided,
    is_unknown,
    resource_policy,
    stack_policy,
)

CLASSIFICATION_TAG = "data-classification"
PERSONAL_CLASSES = frozenset({"personal", "sensitive"})


unknown = is_unknown
"""Whether a value is one of the engine's unknown sentinels (``policies.common.is_unknown``)."""


def plain(value: Any) -> Any:
    """A plain dict/list copy of pulumi-policy's proxies; unknown sentinels are kept as strings."""
    if isinstance(value, Mapping):
        target = value["__target"] if _is_proxy(value) else value
        return {k: plain(v) for k, v in target.items()}
    if isinstance(value, list | tuple) or _is_list_proxy(value):
        target = value["__target"] if _is_list_proxy(value) else value
        return [plain(v) for v in target]
    return value


def _is_proxy(value: Any) -> bool:
    return type(value).__name__ in ("_DictProxy", "_DictSecretsProxy")


def _is_list_proxy(value: Any) -> bool:
    return type(value).__name__ in ("_ListProxy", "_ListSecretsProxy")


def need(value: Any, what: str) -> Any:
    """``value`` itself, or Undecided when it is unknown during preview."""
    if unknown(value):
        raise Undecided(what)
    return value


def get(props: Any, *path: str | int) -> Any:
    """``props[a][b]...`` or ``None`` when a step is missing; an unknown step yields the sentinel."""
    cur = props
    for step in path:
        if unknown(cur):
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
    need(value, what)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def lower(value: Any, what: str) -> str:
    need(value, what)
    return "" if value is None else str(value).lower()


# --------------------------------------------------------------------------------------------------
# Tags, classification, production


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


def classification(props: Mapping[str, Any]) -> str:
    """The resource's ``data-classification`` tag value (lower case), or ``""``."""
    value = tag(props, CLASSIFICATION_TAG)
    return "" if value is None else str(value).strip().lower()


def holds_personal_data(props: Mapping[str, Any]) -> bool:
    return classification(props) in PERSONAL_CLASSES


PROD_VALUES = frozenset({"prod", "production"})


def is_production(props: Mapping[str, Any], config: Mapping[str, Any], stack_tags: Mapping[str, Any]) -> bool:
    """Production: the policy config says so, the stack's ``environment`` tag, or the resource's tag."""
    if config.get("production") is True:
        return True
    if str(stack_tags.get("environment", "")).lower() in PROD_VALUES:
        return True
    return str(tag(props, "environment") or "").lower() in PROD_VALUES


# --------------------------------------------------------------------------------------------------
# Policy documents (IAM and resource policies)


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


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def effect(stmt: Mapping[str, Any], what: str) -> str:
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


BOUNDING_CONDITION_KEYS = frozenset(
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
    value = stmt.get("action")
    need(value, f"{what} Action")
    out = []
    for v in as_list(value):
        need(v, f"{what} Action")
        out.append(str(v))
    return out


def resources(stmt: Mapping[str, Any], what: str) -> list[str]:
    value = stmt.get("resource")
    need(value, f"{what} Resource")
    out = []
    for v in as_list(value):
        need(v, f"{what} Resource")
        out.append(str(v))
    return out


# --------------------------------------------------------------------------------------------------
# Network rules


ADMIN_PORTS_DEFAULT = (22, 3389, 5985, 5986)
ADMIN_PORTS_SCHEMA = {
    "adminPorts": {
        "type": "array",
        "items": {"type": "integer", "minimum": 0, "maximum": 65535},
        "default": list(ADMIN_PORTS_DEFAULT),
        "description": "Remote administration ports (SSH, RDP, WinRM by default).",
    }
}


def admin_ports(config: Mapping[str, Any]) -> tuple[int, ...]:
    ports = config.get("adminPorts")
    if not ports:
        return ADMIN_PORTS_DEFAULT
    return tuple(int(p) for p in ports)


def open_cidr(value: Any, what: str) -> bool:
    """Whether a CIDR or address prefix means "anywhere": any /0 network."""
    need(value, what)
    text = str(value).strip()
    if text in ("*", "0.0.0.0/0", "::/0"):
        return True
    try:
        return ipaddress.ip_network(text, strict=False).prefixlen == 0
    except ValueError:
        return False


INTERNET_PREFIXES = frozenset({"*", "internet", "any", "0.0.0.0/0", "::/0", "0.0.0.0", "::"})


def internet_prefix(value: Any, what: str) -> bool:
    """An NSG source meaning the Internet: ``*``, ``Internet``, ``Any``, ``0.0.0.0/0``, ``::/0``."""
    need(value, what)
    text = str(value).strip().lower()
    return text in INTERNET_PREFIXES or open_cidr(text, what)


@dataclass(frozen=True)
class PortRange:
    low: int
    high: int

    @property
    def all(self) -> bool:
        return self.low <= 1 and self.high >= 65535

    def hits(self, ports: Iterable[int]) -> list[int]:
        return [p for p in ports if self.low <= p <= self.high]

    def __str__(self) -> str:
        if self.all:
            return "all ports"
        return f"port {self.low}" if self.low == self.high else f"ports {self.low}-{self.high}"


ALL_PORTS = PortRange(0, 65535)


def aws_exposure(protocol: Any, from_port: Any, to_port: Any, what: str) -> PortRange | None:
    """The ports an AWS rule opens: ``ALL_PORTS`` for protocol -1/all, ``None`` for ICMP and the like."""
    proto = lower(protocol, f"{what} protocol")
    if proto in ("-1", "all"):
        return ALL_PORTS
    if proto not in ("tcp", "udp", "6", "17"):
        return None
    low = number(from_port, f"{what} fromPort")
    high = number(to_port, f"{what} toPort")
    if low is None and high is None:
        return ALL_PORTS
    low = 0 if low is None or low < 0 else low
    high = 65535 if high is None or high < 0 else high
    return PortRange(int(low), int(high))


def nsg_ranges(single: Any, multiple: Any, what: str) -> list[PortRange]:
    """The destination port ranges of an NSG rule (``*``, ``22``, ``1000-2000``)."""
    out: list[PortRange] = []
    values = [single] if single is not None else []
    values += items(multiple, f"{what} destinationPortRanges")
    for v in values:
        need(v, f"{what} destinationPortRange")
        text = str(v).strip()
        if text in ("*", ""):
            out.append(ALL_PORTS)
            continue
        low, _, high = text.partition("-")
        try:
            out.append(PortRange(int(low), int(high or low)))
        except ValueError:
            continue
    return out


def exposure(
    ports: Callable[[], PortRange | None],
    relevant: Callable[[PortRange], bool],
    sources: Sequence[Any],
    is_open: Callable[[Any, str], bool],
    what: str,
) -> tuple[PortRange, list[str]] | None:
    """Whether an inbound rule exposes relevant ports to the Internet: ``(ports, open sources)`` or None.

    Each side is read only when the other does not already settle the answer: a rule on port 443 with
    an unknown source is decided (not an admin port), as is an unknown port range from 10.0.0.0/8.
    Raises Undecided only when an unknown value could change the outcome.
    """
    try:
        rng = ports()
        port_hit: bool | None = rng is not None and relevant(rng)
    except Undecided as exc:
        rng, port_hit, port_unknown = None, None, exc
    if port_hit is False:
        return None
    opened: list[str] = []
    source_unknown: Undecided | None = None
    for src in sources:
        try:
            if is_open(src, what):
                opened.append(str(src))
        except Undecided as exc:
            source_unknown = exc
    if not opened:
        if source_unknown is None:
            return None
        raise source_unknown
    if port_hit is None:
        raise port_unknown
    assert rng is not None
    return rng, opened


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


# --------------------------------------------------------------------------------------------------
# Building policies


Problems = Iterator[str]
ResourceCheck = Callable[["Ctx"], Iterable[str]]


@dataclass
class Ctx:
    """What a per-type check sees: the plain inputs, the policy config, the stack tags."""

    props: dict[str, Any]
    config: Mapping[str, Any]
    stack_tags: Mapping[str, Any]
    type: str
    name: str


class _TypedResourcePolicy(ResourceValidationPolicy):
    """A resource policy that returns at once for resource types it does not check."""

    _kasbah_types: frozenset[str]

    def validate(self, args: ResourceValidationArgs, report_violation: Any) -> Any:
        if args.resource_type not in self._kasbah_types:
            return None
        return super().validate(args, report_violation)


def meta(
    id: str,
    severity: Severity,
    description: str,
    remediation: str,
    references: Sequence[Reference],
    config: Mapping[str, Any] | None = None,
) -> PolicyMeta:
    return PolicyMeta(
        id=id,
        description=description,
        severity=severity,
        remediation=remediation,
        references=tuple(references),
        config_properties=dict(config or {}),
    )


def rule(m: PolicyMeta, dispatch: Mapping[str, ResourceCheck]) -> ResourceValidationPolicy:
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
        )
        for problem in fn(ctx):
            fail(problem)

    policy = resource_policy(m, check)
    policy.__class__ = _TypedResourcePolicy
    policy._kasbah_types = frozenset(table)
    return policy


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


def srule(
    m: PolicyMeta, check: Callable[[StackValidationArgs, Callable[[str, Any], None]], None]
) -> StackValidationPolicy:
    def wrapped(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
        def fail_res(message: str, res: Any) -> None:
            if res is None:  # a stack-level finding is reported on the stack resource
                res = _stack_resource(args)
            fail(message, res.source if isinstance(res, Res) else res)

        check(args, fail_res)

    return stack_policy(m, wrapped)


@dataclass
class _StackStandIn:
    urn: str
    props: dict[str, Any] = field(default_factory=dict)


STACK_TYPE = "pulumi:pulumi:Stack"


def _stack_resource(args: StackValidationArgs) -> Any:
    for r in args.resources:
        if r.resource_type == STACK_TYPE:
            return r
    return _StackStandIn(urn="")


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
    if unknown(value):
        return None
    if name_prop is not None:
        return [t for t in targets if t.props.get(name_prop) == value]
    return []
