"""``kasbah graph``: grouping by location and component, collapsing by type, the three formats."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from kasbah import cli
from kasbah.engine import PreviewResult, preview_program
from kasbah.graph import build_graph, render_dot, render_mermaid

CONFIG = {"aws:region": "eu-west-3"}
AZS = ["eu-west-3a", "eu-west-3b", "eu-west-3c"]
SPOKES = 30


class Spoke(pulumi.ComponentResource):
    def __init__(self, name: str, index: int, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kasbah:test:Spoke", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=f"10.{index}.0.0/16", opts=child)
        for i, az in enumerate(AZS):
            aws.ec2.Subnet(
                f"{name}-{az}",
                vpc_id=vpc.id,
                availability_zone=az,
                cidr_block=f"10.{index}.{i}.0/24",
                opts=child,
            )
        aws.ec2.RouteTable(f"{name}-rt", vpc_id=vpc.id, opts=child)
        self.register_outputs({})


class Network(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kasbah:test:Network", name, None, opts)
        for i in range(SPOKES):
            Spoke(f"spoke-{i}", i, opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


def landing_zone() -> None:
    Network("net")
    audit = aws.Provider(
        "audit",
        region="eu-central-1",
        assume_roles=[aws.ProviderAssumeRoleArgs(role_arn="arn:aws:iam::222233334444:role/Deployer")],
    )
    for i in range(4):
        aws.s3.Bucket(f"audit-{i}", opts=pulumi.ResourceOptions(provider=audit))


@pytest.fixture(scope="module")
def result() -> PreviewResult:
    return preview_program(landing_zone, config=CONFIG, project="t", stack="dev")


def test_groups_by_location_then_component_and_collapses_by_type(result: PreviewResult) -> None:
    graph = build_graph(result, max_nodes=None, merge=False)
    custom = [r for r in result.resources if r.custom and not r.type.startswith("pulumi:providers:")]
    assert graph.resources == len(custom) == SPOKES * 5 + 4
    labels = [g.label for g in graph.groups]
    assert labels == ["AWS (stack account) · eu-west-3", "AWS account 222233334444 · eu-central-1"], labels
    home, audit = graph.groups
    assert [n.count for n in audit.nodes.values()] == [4]
    (net,) = home.groups.values()
    assert net.label == "net (Network)"
    assert len(net.groups) == SPOKES
    spoke = next(g for g in net.groups.values() if g.label == "spoke-7 (Spoke)")
    subnets = spoke.nodes["aws:ec2/subnet:Subnet"]
    assert subnets.count == 3 and subnets.zones == set(AZS), subnets
    # a few hundred resources stay a few dozen nodes
    nodes = sum(len(s.nodes) for s in net.groups.values()) + len(audit.nodes)
    assert nodes == SPOKES * 3 + 1, nodes


def test_depth_collapses_nested_components_into_their_ancestor(result: PreviewResult) -> None:
    graph = build_graph(result, depth=1)
    (net,) = graph.groups[0].groups.values()
    assert not net.groups, [g.label for g in net.groups.values()]
    assert net.nodes["aws:ec2/subnet:Subnet"].count == SPOKES * 3
    assert net.nodes["aws:ec2/vpc:Vpc"].count == SPOKES
    assert sum(n.count for n in net.nodes.values()) == SPOKES * 5


def test_edges_follow_dependencies_between_collapsed_nodes(result: PreviewResult) -> None:
    graph = build_graph(result, max_nodes=None, merge=False)
    spoke = next(g for g in graph.groups[0].groups.values())
    one = next(iter(spoke.groups.values()))
    vpc, subnet = one.nodes["aws:ec2/vpc:Vpc"].id, one.nodes["aws:ec2/subnet:Subnet"].id
    assert (vpc, subnet) in graph.edges, graph.edges
    assert len(set(graph.edges)) == len(graph.edges)


def test_identical_sibling_components_merge_into_one_counted_group(result: PreviewResult) -> None:
    graph = build_graph(result)
    (net,) = graph.groups[0].groups.values()
    (spokes,) = net.groups.values()
    assert spokes.copies == SPOKES and spokes.label == f"{SPOKES}\u00d7 Spoke (spoke-0 … spoke-9)", (
        spokes.label
    )
    assert spokes.nodes["aws:ec2/subnet:Subnet"].count == 3  # per copy
    # the 30 copies' edges land on the one kept copy: vpc -> subnet, vpc -> route table
    ids = {t: n.id for t, n in spokes.nodes.items()}
    assert (ids["aws:ec2/vpc:Vpc"], ids["aws:ec2/subnet:Subnet"]) in graph.edges
    nodes = [n.id for g in graph.groups for n in [*g.nodes.values()]]
    assert all(a not in nodes or b not in nodes or a != b for a, b in graph.edges)


def test_depth_is_chosen_by_size_and_types_fold_into_services(result: PreviewResult) -> None:
    from kasbah.graph import _count_nodes

    assert _count_nodes(build_graph(result, max_nodes=None, merge=False).groups) == SPOKES * 3 + 1
    small = build_graph(result, max_nodes=3, merge=False)
    assert _count_nodes(small.groups) <= 3
    # types fold into services before components disappear: the network keeps one ec2 node
    (net,) = small.groups[0].groups.values()
    (ec2,) = net.nodes.values()
    assert ec2.type == "aws:ec2" and ec2.count == SPOKES * 5, ec2
    assert ec2.kinds["aws:ec2/subnet:Subnet"] == SPOKES * 3


def test_redundant_edges_are_dropped(tmp_path: Path) -> None:
    def program() -> None:
        vpc = aws.ec2.Vpc("v", cidr_block="10.0.0.0/16")
        subnet = aws.ec2.Subnet("s", vpc_id=vpc.id, cidr_block="10.0.0.0/24")
        # the route table association depends on the VPC through the subnet too: vpc -> rta is implied
        aws.ec2.RouteTableAssociation("a", subnet_id=subnet.id, route_table_id=vpc.default_route_table_id)

    r = preview_program(program, config=CONFIG)
    graph = build_graph(r)
    ids = {n.type: n.id for g in graph.groups for n in g.nodes.values()}
    vpc, sub, rta = (
        ids[t]
        for t in (
            "aws:ec2/vpc:Vpc",
            "aws:ec2/subnet:Subnet",
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
        )
    )
    assert set(graph.edges) == {(vpc, sub), (sub, rta)}, graph.edges


def test_an_explicit_provider_groups_when_the_account_is_unknown() -> None:
    def program() -> None:
        logs = aws.Provider("logs", region="eu-west-3")
        aws.s3.Bucket("a", opts=pulumi.ResourceOptions(provider=logs))
        aws.s3.Bucket("b")

    graph = build_graph(preview_program(program, config=CONFIG), merge=False)
    assert sorted(g.label for g in graph.groups) == [
        "AWS (stack account) · eu-west-3",
        "AWS provider logs · eu-west-3",
    ]
    # merged, the two identical locations are one group naming both
    (both,) = build_graph(preview_program(program, config=CONFIG)).groups
    assert both.label == "2\u00d7 AWS (stack account) · eu-west-3; AWS provider logs · eu-west-3", both.label


def test_mermaid_and_dot_are_well_formed(result: PreviewResult) -> None:
    graph = build_graph(result, max_nodes=None, merge=False)
    mermaid = render_mermaid(graph)
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart LR"
    assert sum(line.strip().startswith("subgraph ") for line in lines) == sum(
        line.strip() == "end" for line in lines
    )
    assert '["ec2.Subnet \u00d73<br/>eu-west-3a, eu-west-3b, eu-west-3c"]' in mermaid, mermaid[:2000]
    dot = render_dot(graph)
    assert dot.startswith("digraph kasbah {") and dot.count("{") == dot.count("}")
    assert 'label="AWS account 222233334444 · eu-central-1";' in dot
    assert "subgraph cluster_" in dot and " -> " in dot


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "Pulumi.yaml").write_text("name: g\nruntime: python\n")
    (proj / "Pulumi.dev.yaml").write_text(json.dumps({"config": {"aws:region": "eu-west-3"}}))
    (proj / "__main__.py").write_text(
        "import pulumi_aws as aws\n"
        "vpc = aws.ec2.Vpc('v', cidr_block='10.0.0.0/16')\n"
        "aws.ec2.Subnet('s', vpc_id=vpc.id, cidr_block='10.0.0.0/24', availability_zone='eu-west-3a')\n"
    )
    return proj


def test_cli_formats_and_svg_needs_graphviz(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.main(["graph", str(project), "--stack", "dev"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart LR") and "ec2.Subnet<br/>eu-west-3a" in out, out
    assert cli.main(["graph", str(project), "-s", "dev", "-f", "dot"]) == 0
    assert capsys.readouterr().out.startswith("digraph kasbah {")

    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert cli.main(["graph", str(project), "-s", "dev", "-f", "svg"]) == 2
    err = capsys.readouterr().err
    assert "needs Graphviz's `dot` on PATH" in err and "Traceback" not in err, err

    # With a `dot` on PATH the DOT text is piped to `dot -Tsvg` and its output written out.
    fake = empty / "dot"
    fake.write_text(
        '#!/bin/sh\n[ "$1" = "-Tsvg" ] || exit 3\nread first\necho "<svg><!-- $first --></svg>"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    svg = tmp_path / "g.svg"
    assert cli.main(["graph", str(project), "-s", "dev", "-f", "svg", "-o", str(svg)]) == 0, (
        capsys.readouterr()
    )
    assert svg.read_text() == "<svg><!-- digraph kasbah { --></svg>\n"
    assert os.environ["PATH"] == str(empty)
