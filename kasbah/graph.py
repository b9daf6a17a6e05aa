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

import argparse
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
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
    count: int = 0
    zones: set[str] = field(default_factory=set)


@dataclass
class Group:
    """A location or a component: a cluster holding type nodes and nested groups."""

    id: str
    label: str
    nodes: dict[str, TypeNode] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)


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


def build_graph(result: Any, depth: int | None = None) -> Graph:
    """Group and collapse a preview; ``depth`` keeps at most that many component levels (deeper
    resources are counted in their ancestor at that level)."""
    resources = resources_of(result)
    by_urn = {r.urn: r for r in resources}
    providers = {r.urn: r for r in resources if r.type.startswith(PROVIDER_PREFIX)}
    leaves = [r for r in resources if r.type != STACK_TYPE and not r.type.startswith(PROVIDER_PREFIX)]
    components = {r.urn for r in leaves if r.provider is None and _has_children(r.urn, leaves)}
    custom = [r for r in leaves if r.urn not in components]

    top: dict[tuple[str, str, str], Group] = {}
    counter = {"n": 0}
    node_of: dict[str, str] = {}

    def new_id(prefix: str) -> str:
        counter["n"] += 1
        return f"{prefix}{counter['n']}"

    for res in sorted(custom, key=lambda r: r.urn):
        loc = location_of(res, providers)
        group = top.get(loc)
        if group is None:
            group = top[loc] = Group(new_id("L"), _location_label(*loc))
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
            group = sub
        node = group.nodes.get(res.type)
        if node is None:
            node = group.nodes[res.type] = TypeNode(new_id("N"), res.type)
        node.count += 1
        zone = _zone(res)
        if zone:
            node.zones.add(zone)
        node_of[res.urn] = node.id

    edges: set[tuple[str, str]] = set()
    for res in custom:
        for dep in res.dependencies:
            a, b = node_of.get(dep), node_of.get(res.urn)
            if a and b and a != b:
                edges.add((a, b))
    ordered = [top[k] for k in sorted(top, key=lambda k: (k[0], k[1] != "default", k[1], k[2]))]
    return Graph(ordered, sorted(edges, key=lambda e: (int(e[0][1:]), int(e[1][1:]))), len(custom))


def _has_children(urn: str, resources: list[Res]) -> bool:
    return any(r.parent == urn for r in resources)


TIMES = "\u00d7"


def _node_label(node: TypeNode, sep: str, clean: Any = str) -> str:
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


def cmd_graph(args: argparse.Namespace) -> int:
    from kasbah import engine

    result = engine.preview(
        args.project_dir, args.stack, config_file=args.config_file, policy_packs=[], progress=True
    )
    text = render(result, args.format, args.depth)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def register_cli(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "graph", help="the resource graph of the offline preview (by location and component, counts per type)"
    )
    p.add_argument("project_dir", nargs="?", default=".", help="directory holding Pulumi.yaml (default: .)")
    p.add_argument("--stack", "-s", help="stack name (default: as for `kasbah preview`)")
    p.add_argument(
        "--config-file", help="use this stack config file instead of stackConfigDir/Pulumi.<stack>.yaml"
    )
    p.add_argument("--format", "-f", choices=("mermaid", "dot", "svg"), default="mermaid")
    p.add_argument(
        "--depth", type=int, metavar="N", help="show at most N levels of components (default: all)"
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write the graph here instead of stdout")
    p.set_defaults(func=cmd_graph)


__all__ = ["Graph", "build_graph", "render", "render_dot", "render_mermaid", "render_svg"]
