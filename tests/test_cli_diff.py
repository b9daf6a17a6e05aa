"""``kasbah diff``: the pure comparison on preview JSON, then the command on real git repositories.

The pure tests preview two inline programs with the offline engine and compare their JSON; the
end-to-end tests build a git repository in a temporary directory holding a small project and a
one-policy pack, commit a base, change the working tree and run ``kasbah diff`` on it.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from kasbah import cli
from kasbah.diff import diff_previews, property_changes, render_markdown, render_text
from kasbah.engine import preview_program

CONFIG = {"aws:region": "eu-west-3"}
T_VPC = "aws:ec2/vpc:Vpc"
T_POLICY = "aws:organizations/policy:Policy"
T_BUCKET = "aws:s3/bucket:Bucket"


def scp(actions: list[str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "DenyRegions", "Effect": "Deny", "Action": "*", "Resource": "*"},
                {"Sid": "DenyLeave", "Effect": "Deny", "Action": actions, "Resource": "*"},
            ],
        }
    )


class Network(pulumi.ComponentResource):
    def __init__(self, name: str, spokes: list[str], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("test:net:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        aws.ec2.Vpc(f"{name}-hub", cidr_block="10.0.0.0/16", opts=child)
        for i, spoke in enumerate(spokes):
            aws.ec2.Vpc(f"{name}-{spoke}", cidr_block=f"10.{i + 1}.0.0/16", opts=child)
        self.register_outputs({})


class Guardrails(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("test:org:Guardrails", name, None, opts)
        self.register_outputs({})


def program(
    spokes: list[str], actions: list[str], logs: bool = True, scp_parent: str = "root"
) -> Callable[[], None]:
    def run() -> None:
        Network("net", spokes)
        holder = Guardrails("guard")
        parent = holder if scp_parent == "guardrails" else None
        aws.organizations.Policy(
            "deny-leave",
            content=scp(actions),
            type="SERVICE_CONTROL_POLICY",
            opts=pulumi.ResourceOptions(parent=parent),
        )
        if logs:
            aws.s3.Bucket("logs", tags={"team": "platform"})
        pulumi.export("spokes", spokes)

    return run


def preview_json(fn: Callable[[], None]) -> dict[str, Any]:
    return preview_program(fn, config=CONFIG, project="t", stack="dev").to_json()


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    return preview_json(program(["a"], ["organizations:LeaveOrganization"]))


def test_added_spoke_is_reported_with_its_inputs(base: dict[str, Any]) -> None:
    head = preview_json(program(["a", "b"], ["organizations:LeaveOrganization"]))
    d = diff_previews(base, head, "main")
    assert [r["name"] for r in d.added] == ["net-b"], d.added
    assert d.added[0]["type"] == T_VPC
    assert not d.removed and not d.renamed and not d.changed, (d.removed, d.renamed, d.changed)
    assert [o.path for o in d.outputs] == ["spokes[1]"]
    text = render_text(d)
    assert "+ aws:ec2/vpc:Vpc  net-b  (under test:net:Network)" in text, text
    assert "cidrBlock: 10.2.0.0/16" in text, text
    assert "1 to add, 0 to change, 0 to delete" in text


def test_changed_scp_statement_shows_the_statement_path_and_values(base: dict[str, Any]) -> None:
    head = preview_json(
        program(["a"], ["organizations:LeaveOrganization", "account:CloseAccount"]),
    )
    d = diff_previews(base, head, "main")
    assert len(d.changed) == 1, d.changed
    change = d.changed[0]
    assert change.type == T_POLICY and change.name == "deny-leave", change.urn
    paths = {p.path: p for p in change.properties}
    # The policy document is a JSON string: compared as a structure, down to the statement's action.
    assert set(paths) == {"content.Statement[1].Action[1]"}, paths
    assert paths["content.Statement[1].Action[1]"].new == "account:CloseAccount"
    assert paths["content.Statement[1].Action[1]"].kind == "added"
    md = render_markdown(d)
    assert "`content.Statement[1].Action[1]`: `(none)` → `account:CloseAccount`" in md, md


def test_removed_resource(base: dict[str, Any]) -> None:
    head = preview_json(program(["a"], ["organizations:LeaveOrganization"], logs=False))
    d = diff_previews(base, head, "main")
    assert [(r["type"], r["name"]) for r in d.removed] == [(T_BUCKET, "logs")], d.removed
    assert not d.added and not d.changed
    assert "- aws:s3/bucket:Bucket  logs" in render_text(d)


def test_renamed_component_is_a_delete_and_create_unless_aliased(base: dict[str, Any]) -> None:
    head = preview_json(program(["a"], ["organizations:LeaveOrganization"], scp_parent="guardrails"))
    d = diff_previews(base, head, "main")
    assert not d.added and not d.removed, (d.added, d.removed)
    assert len(d.renamed) == 1, d.renamed
    rn = d.renamed[0]
    assert rn.type == T_POLICY and rn.name == "deny-leave"
    assert "test:org:Guardrails$" in rn.new_urn and "test:org:Guardrails$" not in rn.old_urn, rn
    text = render_text(d)
    assert "delete and create" in text and "alias" in text, text


def test_secrets_stay_masked_and_values_are_compared_per_property() -> None:
    changes = property_changes(
        {"inputs": {"password": "[secret]", "tags": {"a": "1"}}},
        {"inputs": {"password": "[secret]", "tags": {"a": "2", "b": "3"}}},
    )
    assert [(c.path, c.old, c.new, c.kind) for c in changes] == [
        ("inputs.tags.a", "1", "2", "changed"),
        ("inputs.tags.b", None, "3", "added"),
    ]
    masked = property_changes({"password": "hunter2-old"}, {"password": "[secret]"})
    assert masked[0].new == "[secret]"


def test_a_renamed_resource_keeps_its_violations() -> None:
    old_urn = "urn:pulumi:dev::t::aws:s3/bucket:Bucket::logs"
    new_urn = "urn:pulumi:dev::t::test:x:Holder$aws:s3/bucket:Bucket::logs"

    def preview(urn: str) -> dict[str, Any]:
        res = {"urn": urn, "type": T_BUCKET, "name": "logs", "inputs": {}}
        violation = {
            "pack": "p",
            "policy": "tagged",
            "urn": urn,
            "enforcement": "mandatory",
            "message": f"{urn}: no tag",
        }
        return {"resources": [res], "violations": [violation]}

    d = diff_previews(preview(old_urn), preview(new_urn))
    assert [(r.old_urn, r.new_urn) for r in d.renamed] == [(old_urn, new_urn)]
    assert not d.introduced and not d.fixed, (d.introduced, d.fixed)


def test_violations_introduced_and_fixed() -> None:
    base = {
        "project": "t",
        "stack": "dev",
        "resources": [],
        "violations": [
            {"pack": "p", "policy": "old", "urn": "u1", "enforcement": "mandatory", "message": "x"}
        ],
    }
    head = {
        "project": "t",
        "stack": "dev",
        "resources": [],
        "violations": [
            {"pack": "p", "policy": "new", "urn": "u2", "enforcement": "advisory", "message": "y"}
        ],
    }
    d = diff_previews(base, head, "main")
    assert [v.policy for v in d.introduced] == ["new"]
    assert [v.policy for v in d.fixed] == ["old"]


# --------------------------------------------------------------------------------------------------
# End to end: real git repositories

PACK_MAIN = """
from pulumi_policy import EnforcementLevel, PolicyPack, ReportViolation, ResourceValidationPolicy


def no_public_bucket(args, report_violation: ReportViolation):
    if args.resource_type == "aws:s3/bucket:Bucket" and args.props.get("acl") == "public-read":
        report_violation("bucket is public-read")


PolicyPack(
    name="fixture-pack",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[ResourceValidationPolicy(name="no-public-bucket", description="no public bucket",
                                       validate=no_public_bucket)],
)
"""

PROGRAM = """
import json
import pulumi
import pulumi_aws as aws


class Spoke(pulumi.ComponentResource):
    def __init__(self, name, cidr, opts=None):
        super().__init__("fixture:net:Spoke", name, None, opts)
        aws.ec2.Vpc(f"{{name}}-vpc", cidr_block=cidr, opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({{}})


for i, spoke in enumerate({spokes!r}):
    Spoke(spoke, f"10.{{i}}.0.0/16")
aws.organizations.Policy("guardrails", type="SERVICE_CONTROL_POLICY", content=json.dumps(
    {{"Version": "2012-10-17", "Statement": [{{"Effect": "Deny", "Action": {actions!r}, "Resource": "*"}}]}}))
aws.s3.Bucket("data", acl={acl!r})
if {legacy!r}:
    aws.sqs.Queue("legacy")


class Ops(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("fixture:ops:Ops", name, None, opts)
        self.register_outputs({{}})


ops = Ops("ops") if {moved!r} else None
aws.sns.Topic("alerts", opts=pulumi.ResourceOptions(parent=ops))
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def write_project(
    project: Path,
    spokes: list[str],
    actions: list[str],
    acl: str,
    *,
    legacy: bool = True,
    moved: bool = False,
) -> None:
    text = PROGRAM.format(spokes=spokes, actions=actions, acl=acl, legacy=legacy, moved=moved)
    (project / "__main__.py").write_text(text)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    project = root / "infra"
    pack = root / "pack"
    project.mkdir(parents=True)
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (pack / "__main__.py").write_text(textwrap.dedent(PACK_MAIN))
    (project / "Pulumi.yaml").write_text("name: fixture\nruntime: python\n")
    (project / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-3\n")
    write_project(project, ["spoke-a"], ["organizations:LeaveOrganization"], "public-read")
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".")
    git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "base")
    return root


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_diff_against_a_git_base(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_project(
        repo / "infra",
        ["spoke-a", "spoke-b"],
        ["organizations:LeaveOrganization", "account:CloseAccount"],
        "private",
        legacy=False,
        moved=True,
    )
    argv = [
        "diff",
        str(repo / "infra"),
        "--stack",
        "dev",
        "--base",
        "main",
        "--policy-pack",
        str(repo / "pack"),
    ]
    code, out, err = run_cli([*argv, "--format", "markdown"], capsys)
    assert code == 0, err
    # each added or changed resource says where the program creates it
    assert "| 🟢 add | `fixture:net:Spoke` | `spoke-b` | component at `infra/__main__.py:" in out, out
    assert "| 🟢 add | `aws:ec2/vpc:Vpc` | `spoke-b-vpc` | 2 properties at `infra/__main__.py:" in out, out
    assert "| `guardrails` | at `infra/__main__.py:" in out, out
    assert "`content.Statement[0].Action[1]`: `(none)` → `account:CloseAccount`" in out, out
    assert "`acl`: `public-read` → `private`" in out, out
    assert "| 🔴 delete | `aws:sqs/queue:Queue` | `legacy` | under (stack) |" in out, out
    assert (
        "| ♻️ rename (delete + create) | `aws:sns/topic:Topic` | `alerts` | from (stack) to fixture:ops:Ops"
        in out
    )
    assert "**3 to add, 2 to change, 1 to delete, 1 renamed (delete and create)" in out, out
    assert "**Violations fixed**" in out and "`fixture-pack/no-public-bucket`" in out, out
    # The worktree of the base is gone afterwards.
    listed = subprocess.run(["git", "worktree", "list"], cwd=repo, capture_output=True, text=True).stdout
    assert len(listed.strip().splitlines()) == 1, listed


def test_cli_diff_bad_ref_and_new_stack(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["diff", str(repo / "infra"), "--stack", "dev", "--base", "no-such-ref"], capsys)
    assert code == 2 and "no-such-ref" in err and "Traceback" not in err, err
    (repo / "infra" / "Pulumi.prod.yaml").write_text("config:\n  aws:region: eu-west-3\n")
    argv = [
        "diff",
        str(repo / "infra"),
        "--stack",
        "prod",
        "--base",
        "main",
        "--policy-pack",
        str(repo / "pack"),
    ]
    code, out, err = run_cli(argv, capsys)
    assert code == 1, err  # the new stack's bucket brings mandatory violations: the change introduces them
    assert "stack prod does not exist at main" in out, out
    assert "+ aws:s3/bucket:Bucket  data" in out, out


def test_depends_on_is_compared_as_a_set() -> None:
    a = "urn:pulumi:dev::t::aws:s3/bucket:Bucket::a"
    b = "urn:pulumi:dev::t::x:y:Z$aws:s3/bucket:Bucket::b"
    base = {
        "resources": [{"urn": "u::t::aws:sqs/queue:Queue::q", "type": "q", "options": {"dependsOn": [a]}}]
    }
    head = {
        "resources": [{"urn": "u::t::aws:sqs/queue:Queue::q", "type": "q", "options": {"dependsOn": [b, a]}}]
    }
    (change,) = diff_previews(base, head).changed
    assert [(p.path, p.old, p.new) for p in change.properties] == [
        ("options.dependsOn", None, "aws:s3/bucket:Bucket::b")
    ], change
