"""``kasbah graph``: the resource graph of an offline preview, readable at landing-zone scale.

Resources are grouped, outermost first, by location (cloud, AWS account or Azure
subscription, region; taken from each resource's provider and its own
``location``), then by component (nested as the components are). Inside a
component, resources of one type collapse into one node that shows the count and
the availability zones they sit in, so a landing zone of a few hundred resources
stays a few dozen nodes. Edges are the dependencies between collapsed nodes.

Formats: Mermaid (for Markdown), Graphviz DOT, and SVG (rendered by Graphviz's
``dot``, which must be on PATH).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kasbah.engine import clouds
from kasbah.engine.model import PROVIDER_PREFIX, STACK_TYPE
from kasbah.errors import PreviewError


@dataclass(frozen=True)
class Res:
    """The parts of a previewed resource the graph needs."""

    urn: str
    type: str
    name: str
    parent: str | None
    provider: str | None
    inputs: Mapping[str, Any]
    dependencies: tuple[str, ...] = ()


@dataclass
class TypeNode:
    id: str
    type: str
    """A type token, or with service-level nodes a package and module (``aws:ec2``)."""
    count: int = 0
    zones: set[str] = field(default_factory=set)
    kinds: dict[str, int] = field(default_factory=dict)
    """Service-level nodes: resources per type in the service."""


@dataclass
class Group:
    """A location or a component: a cluster holding type nodes and nested groups."""

    id: str
    label: str
    nodes: dict[str, TypeNode] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    kind: str = ""
    """The component's type token (empty for a location)."""
    copies: int = 1
    """Identical sibling components this group stands for."""


@dataclass
class Graph:
    groups: list[Group]
    edges: list[tuple[str, str]]
    resources: int


def resources_of(result: Any) -> list[Res]:
    """Accept a :class:`kasbah.engine.PreviewResult` or its JSON form."""
    if isinstance(result, Mapping):
        items: Iterable[Any] = result.get("resources") or []
        return [
            Res(
                r["urn"],
                r["type"],
                r["name"],
                r.get("parent"),
                r.get("provider"),
                r.get("inputs") or {},
                tuple(r.get("dependencies") or ()),
            )
            for r in items
        ]
    return [
        Res(r.urn, r.type, r.name, r.parent, r.provider, r.inputs, tuple(r.dependencies))
        for r in result.resources
    ]


def location_of(res: Res, providers: Mapping[str, Res]) -> tuple[str, str, str]:
    """``(cloud, account or subscription, region)`` of a resource, ``?`` where unknown.

    The cloud and the account come from the engine's cloud registry (the type's package, the
    provider's inputs); the region from the resource's own ``location``/``region``, else its provider's.
    """
    prov = providers.get(res.provider or "")
    pin = prov.inputs if prov else {}
    entry = clouds.cloud_for(res.type)
    cloud = entry.name if entry else clouds.package_of(res.type)
    account = (entry.account_of(pin) if entry else None) or "default"
    region = (
        res.inputs.get("location") or res.inputs.get("region") or pin.get("region") or pin.get("location")
    )
    if not isinstance(region, str) or not region or region == "[unknown]":
        region = "?"
    return cloud, account, region


def _zone(res: Res) -> str | None:
    for key in ("availabilityZone", "availabilityZoneId", "zone"):
        z = res.inputs.get(key)
        if isinstance(z, str) and z and z != "[unknown]":
            return z
    zones = res.inputs.get("zones")
    if isinstance(zones, list) and zones and all(isinstance(z, str) for z in zones):
        return ",".join(zones)
    return None


def _location_label(cloud: str, account: str, region: str) -> str:
    for entry in clouds.CLOUDS:
        if entry.name == cloud:
            return entry.location_label(account, region)
    return f"{cloud} · {region}" if region != "?" else cloud


def short_type(type_: str) -> str:
    """``aws:ec2/subnet:Subnet`` -> ``ec2.Subnet``; ``kasbah:aws:LandingZone`` -> ``LandingZone``."""
    parts = type_.split(":")
    if len(parts) != 3:
        return type_
    module = parts[1].split("/")[0]
    return f"{module}.{parts[2]}" if clouds.cloud_for(type_) is not None else parts[2]


MAX_NODES = 60
"""The default graph's budget: it reads on one screen."""


def _location_key(res: Res, providers: Mapping[str, Res]) -> tuple[str, str, str]:
    """``(cloud, account, region)``; with the account unknown, an explicit provider stands for it
    (``provider:<name>``), so resources deployed through different providers stay apart."""
    cloud, account, region = location_of(res, providers)
    prov = providers.get(res.provider or "")
    if account == "default" and prov is not None and not prov.name.startswith("default"):
        account = f"provider:{prov.name}"
    return cloud, account, region


def _label(cloud: str, account: str, region: str) -> str:
    if account.startswith("provider:"):
        base = _location_label(cloud, "default", region)
        head, sep, tail = base.partition(" · ")
        title = head.split(" (")[0]
        return f"{title} provider {account.removeprefix('provider:')}" + (f"{sep}{tail}" if sep else "")
    return _location_label(cloud, account, region)


def _node_key(type_: str, services: bool) -> str:
    """The node a resource counts in: its type, or with ``services`` its package and module."""
    if not services:
        return type_
    parts = type_.split(":")
    return f"{parts[0]}:{parts[1].split('/')[0]}" if len(parts) == 3 else type_


def _build(
    resources: list[Res], depth: int | None, services: bool = False
) -> tuple[list[Group], dict[str, str], int]:
    by_urn = {r.urn: r for r in resources}
    providers = {r.urn: r for r in resources if r.type.startswith(PROVIDER_PREFIX)}
    leaves = [r for r in resources if r.type != STACK_TYPE and not r.type.startswith(PROVIDER_PREFIX)]
    parents = {r.parent for r in leaves}
    components = {r.urn for r in leaves if r.provider is None and r.urn in parents}
    custom = [r for r in leaves if r.urn not in components]

    top: dict[tuple[str, str, str], Group] = {}
    counter = {"n": 0}
    node_of: dict[str, str] = {}

    def new_id(prefix: str) -> str:
        counter["n"] += 1
        return f"{prefix}{counter['n']}"

    for res in sorted(custom, key=lambda r: r.urn):
        loc = _location_key(res, providers)
        group = top.get(loc)
        if group is None:
            group = top[loc] = Group(new_id("L"), _label(*loc))
        chain: list[Res] = []
        cur = by_urn.get(res.parent or "")
        while cur is not None and cur.type != STACK_TYPE:
            chain.append(cur)
            cur = by_urn.get(cur.parent or "")
        chain.reverse()
        if depth is not None:
            chain = chain[: max(depth, 0)]
        for comp in chain:
            sub = group.groups.get(comp.urn)
            if sub is None:
                sub = group.groups[comp.urn] = Group(new_id("C"), f"{comp.name} ({short_type(comp.type)})")
                sub.kind = comp.type
            group = sub
        key = _node_key(res.type, services)
        node = group.nodes.get(key)
        if node is None:
            node = group.nodes[key] = TypeNode(new_id("N"), key)
        node.count += 1
        if services:
            node.kinds[res.type] = node.kinds.get(res.type, 0) + 1
        zone = _zone(res)
        if zone:
            node.zones.add(zone)
        node_of[res.urn] = node.id
    ordered = [top[k] for k in sorted(top, key=lambda k: (k[0], k[1] != "default", k[1], k[2]))]
    return ordered, node_of, len(custom)


def _signature(group: Group) -> tuple[Any, ...]:
    """What makes two sibling components identical: their type, node types and counts, nested alike."""
    return (
        group.kind,
        tuple(sorted((n.type, n.count) for n in group.nodes.values())),
        tuple(sorted(_signature(g) for g in group.groups.values())),
    )


def _merge_siblings(group: Group, alias: dict[str, str]) -> None:
    """Identical sibling components become one group counted ``xN``; ``alias`` maps merged node ids."""
    for sub in group.groups.values():
        _merge_siblings(sub, alias)
    buckets: dict[tuple[Any, ...], list[str]] = {}
    for key, sub in group.groups.items():
        buckets.setdefault(_signature(sub), []).append(key)
    for keys in buckets.values():
        if len(keys) < 2:
            continue
        keep, *rest = sorted(keys, key=lambda k: group.groups[k].label)
        first = group.groups[keep]
        names = [group.groups[k].label.split(" (")[0] for k in [keep, *rest]]
        names_full = [group.groups[k].label for k in rest]
        for k in rest:
            _fold(group.groups.pop(k), first, alias)
        first.copies = len(keys)
        if first.kind:
            first.label = f"{len(keys)}{TIMES} {short_type(first.kind)} ({names[0]} … {names[-1]})"
        else:  # locations: name them all
            first.label = f"{len(keys)}{TIMES} " + "; ".join(
                sorted(group.groups[k].label for k in [keep]) + sorted(names_full)
            )


def _fold(source: Group, into: Group, alias: dict[str, str]) -> None:
    for t, node in source.nodes.items():
        target = into.nodes[t]
        target.zones |= node.zones
        alias[node.id] = target.id
    for sub in source.groups.values():
        twin = next(g for g in into.groups.values() if _signature(g) == _signature(sub) and g is not sub)
        _fold(sub, twin, alias)


def _count_nodes(groups: Iterable[Group]) -> int:
    """Type (or service) nodes in the groups, nested groups included."""
    return sum(len(g.nodes) + _count_nodes(g.groups.values()) for g in groups)


def _max_depth(resources: list[Res]) -> int:
    by_urn = {r.urn: r for r in resources}
    deepest = 0
    for r in resources:
        d, cur = 0, by_urn.get(r.parent or "")
        while cur is not None and cur.type != STACK_TYPE:
            d, cur = d + 1, by_urn.get(cur.parent or "")
        deepest = max(deepest, d)
    return deepest


def _reduced_edges(
    resources: list[Res], node_of: Mapping[str, str], alias: Mapping[str, str]
) -> list[tuple[str, str]]:
    """Dependencies between nodes, without the edges a longer path already implies (networkx's
    transitive reduction, on the condensation when dependencies form a cycle between nodes)."""
    import networkx as nx

    g = nx.DiGraph()
    for res in resources:
        b = node_of.get(res.urn)
        for dep in res.dependencies:
            a = node_of.get(dep)
            if a and b:
                a, b2 = alias.get(a, a), alias.get(b, b)
                if a != b2:
                    g.add_edge(a, b2)
    if g.number_of_edges() == 0:
        return []
    if nx.is_directed_acyclic_graph(g):
        kept = set(nx.transitive_reduction(g).edges())
    else:
        cond = nx.condensation(g)
        red = nx.transitive_reduction(cond)
        members = cond.graph["mapping"]
        kept = {
            (a, b) for a, b in g.edges() if members[a] == members[b] or red.has_edge(members[a], members[b])
        }
    return sorted(kept, key=lambda e: (int(e[0][1:]), int(e[1][1:])))


def build_graph(
    result: Any, depth: int | None = None, *, max_nodes: int | None = MAX_NODES, merge: bool = True
) -> Graph:
    """Group and collapse a preview.

    ``depth`` keeps at most that many component levels (deeper resources are counted in their
    ancestor at that level); None chooses the deepest level whose graph has at most ``max_nodes``
    nodes (all levels when ``max_nodes`` is None). ``merge`` folds identical sibling components
    into one group counted ``xN``. Edges are dependencies between nodes, transitively reduced.
    """
    resources = resources_of(result)
    levels: list[tuple[int | None, bool]]
    if depth is not None:
        levels = [(depth, False)]
    elif max_nodes is None:
        levels = [(None, False)]
    else:  # components collapse level by level, then types into their services
        deepest = _max_depth(resources)
        steps: list[int | None] = list(range(deepest, -1, -1))
        levels = [(d, False) for d in steps] + [(d, True) for d in steps]
    chosen: tuple[list[Group], dict[str, str], int, dict[str, str]] | None = None
    for d, services in levels:
        groups, node_of, count = _build(resources, d, services)
        alias: dict[str, str] = {}
        if merge:
            root = Group("root", "")
            root.groups = {g.id: g for g in groups}
            _merge_siblings(root, alias)  # identical locations too (an account baseline in each region)
            groups = [g for g in groups if g.id in root.groups]
        chosen = (groups, node_of, count, alias)
        if max_nodes is None or depth is not None or _count_nodes(groups) <= max_nodes:
            break
    assert chosen is not None
    groups, node_of, count, alias = chosen
    return Graph(groups, _reduced_edges(resources, node_of, alias), count)


def _has_children(urn: str, resources: list[Res]) -> bool:
    return any(r.parent == urn for r in resources)


TIMES = "\u00d7"


def _node_label(node: TypeNode, sep: str, clean: Any = str) -> str:
    if node.kinds:
        top = sorted(node.kinds.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = ", ".join(f"{short_type(t).split('.')[-1]} {TIMES}{n}" for t, n in top[:3])
        more = f", +{len(top) - 3} types" if len(top) > 3 else ""
        service = node.type.split(":")[-1]
        return sep.join(str(clean(p)) for p in [f"{service} {TIMES}{node.count}", shown + more])
    label = f"{short_type(node.type)} {TIMES}{node.count}" if node.count > 1 else short_type(node.type)
    parts = [label, ", ".join(sorted(node.zones))] if node.zones else [label]
    return sep.join(str(clean(p)) for p in parts)


def _clean(text: str) -> str:
    """Text safe inside a quoted Mermaid label."""
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def render_mermaid(graph: Graph) -> str:
    lines = ["flowchart LR"]

    def emit(group: Group, depth: int) -> None:
        pad = "  " * depth
        lines.append(f'{pad}subgraph {group.id}["{_clean(group.label)}"]')
        for node in sorted(group.nodes.values(), key=lambda n: n.type):
            lines.append(f'{pad}  {node.id}["{_node_label(node, "<br/>", _clean)}"]')
        for sub in sorted(group.groups.values(), key=lambda g: g.label):
            emit(sub, depth + 1)
        lines.append(f"{pad}end")

    for g in graph.groups:
        emit(g, 1)
    lines += [f"  {a} --> {b}" for a, b in graph.edges]
    return "\n".join(lines) + "\n"


def render_dot(graph: Graph) -> str:
    lines = [
        "digraph kasbah {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f5f0e6", fontname="Helvetica"];',
        '  graph [fontname="Helvetica", style=rounded];',
    ]

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def emit(group: Group, depth: int) -> None:
        pad = "  " * depth
        lines.append(f"{pad}subgraph cluster_{group.id} {{")
        lines.append(f"{pad}  label={q(group.label)};")
        for node in sorted(group.nodes.values(), key=lambda n: n.type):
            lines.append(f"{pad}  {node.id} [label={q(_node_label(node, chr(10)))}];")
        for sub in sorted(group.groups.values(), key=lambda g: g.label):
            emit(sub, depth + 1)
        lines.append(f"{pad}}}")

    for g in graph.groups:
        emit(g, 1)
    lines += [f"  {a} -> {b};" for a, b in graph.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(graph: Graph) -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise PreviewError(
            "--format svg needs Graphviz's `dot` on PATH (apt-get install graphviz, brew install graphviz);"
            " or use --format dot / mermaid"
        )
    proc = subprocess.run(
        [dot, "-Tsvg"], input=render_dot(graph), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise PreviewError(f"dot -Tsvg failed: {(proc.stderr.strip().splitlines() or ['no message'])[-1]}")
    return proc.stdout


def render(result: Any, fmt: str, depth: int | None = None) -> str:
    graph = build_graph(result, depth)
    if fmt == "dot":
        return render_dot(graph)
    if fmt == "svg":
        return render_svg(graph)
    return render_mermaid(graph)


def run_graph(
    project_dir: str,
    stack: str | None,
    config_file: str | None,
    fmt: str,
    depth: int | None,
    output: str | None,
) -> int:
    """``kasbah graph``: preview without policies, then draw."""
    from kasbah import engine
    from kasbah.cli import check_output, write_text

    check_output(output)
    result = engine.preview(project_dir, stack, config_file=config_file, policy_packs=[], progress=True)
    write_text(render(result, fmt, depth), output)
    return 0


__all__ = ["Graph", "build_graph", "render", "render_dot", "render_mermaid", "render_svg"]
