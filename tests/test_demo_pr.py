"""The demo pull request: a public bucket and an open SSH rule, as a reviewer meets them.

A git repository is built from ``tests/fixtures/repos/demo-pr`` (``base/`` on main, ``head/`` as the
pull request), then the shipped workflow's path runs on it: one preview (``kasbah preview --all -f
json``), the diff of the base side (``kasbah diff --all --report``), and ``kasbah render`` to SARIF,
annotations and the PR comment. The SARIF meets GitHub's requirements (``tests/github_sarif.py``)
with each result on the line that created the resource; the annotations sit on the same lines;
the comment groups the results by policy.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import FIXTURES, load_schema
from github_sarif import problems

from kasbah.cli import main
from kasbah.report import schema

DEMO = FIXTURES / "repos" / "demo-pr"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture(scope="module")
def pr(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    repo = tmp_path_factory.mktemp("demo") / "repo"
    shutil.copytree(DEMO / "base", repo)
    subprocess.run([*GIT, "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "base"], cwd=repo, check=True)
    base = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True
    ).stdout.strip()
    shutil.copytree(DEMO / "head", repo, dirs_exist_ok=True)
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "a public site and SSH for the web tier"], cwd=repo, check=True)
    out = repo / "reports"
    out.mkdir()
    report, diff = out / "preview-1.json", out / "diff-1.json"
    codes = {
        "preview": main(["preview", str(repo), "--all", "--jobs", "1", "-f", "json", "-o", str(report)]),
        "diff": main(
            [
                "diff",
                str(repo),
                "--all",
                "--base",
                base,
                "--report",
                str(report),
                "-f",
                "json",
                "-o",
                str(diff),
            ]
        ),
    }
    files = {fmt: out / f"out.{fmt}" for fmt in ("sarif", "github", "comment", "markdown", "text")}
    argv = ["render", str(report), "--diff", str(diff)]
    for fmt, path in files.items():
        argv += ["-f", fmt, "-o", str(path)]
    codes["render"] = main([*argv, "--exit-code"])
    return {
        "repo": repo,
        "codes": codes,
        "report": json.loads(report.read_text()),
        **{fmt: path.read_text() for fmt, path in files.items()},
    }


def test_the_workflow_path_exits_as_the_preview_says(pr: dict[str, Any]) -> None:
    # mandatory violations: the preview, the diff (it introduces them) and the render all say 1
    assert pr["codes"] == {"preview": 1, "diff": 1, "render": 1}
    jsonschema.validate(pr["report"], schema())


def test_sarif_meets_githubs_requirements_with_results_on_the_right_lines(pr: dict[str, Any]) -> None:
    repo = pr["repo"]
    sarif = json.loads(pr["sarif"])
    jsonschema.validate(sarif, load_schema("sarif-schema-2.1.0.json"))
    assert problems(sarif, repo) == []
    (run,) = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    (stack,) = pr["report"]["stacks"]
    assert len(rules) == len(stack["policies"]) > 50  # every policy of the packs, fired or not
    by_rule = {r["ruleId"]: r for r in run["results"] if "suppressions" not in r}
    acl = by_rule["security-baseline.aws-s3-acl-not-public"]
    ssh = by_rule["security-baseline.aws-sg-admin-ports-open"]
    main_py, network_py = repo / "__main__.py", repo / "network.py"
    loc = acl["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "__main__.py"
    assert loc["region"]["startLine"] == line_of(main_py, 'aws.s3.BucketAclV2("site-acl"')
    loc = ssh["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "network.py"
    assert loc["region"]["startLine"] == line_of(network_py, "aws.vpc.SecurityGroupIngressRule(")
    # the component call that created the rule is a related location the message links to
    (related,) = ssh["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == line_of(main_py, 'WebTier("web"')
    assert "[demo:net:WebTier 'web'](1)" in ssh["message"]["text"]
    rule = next(r for r in rules if r["id"] == "security-baseline.aws-sg-admin-ports-open")
    assert rule["properties"]["security-severity"] == "9.5" and "security" in rule["properties"]["tags"]
    assert (
        "Session Manager" in rule["help"]["markdown"]
        and "CIS AWS Foundations Benchmark" in rule["help"]["text"]
    )
    assert rule["helpUri"].endswith("/POLICIES.md#aws-sg-admin-ports-open")
    assert rule["shortDescription"]["text"].startswith("No security-group rule")
    # the exemption of the stack's policy file is a suppression with its reason and expiry
    (suppressed,) = [r for r in run["results"] if "suppressions" in r]
    assert suppressed["ruleId"] == "security-baseline.aws-vpc-flow-logs"
    assert suppressed["suppressions"][0]["justification"].startswith("the demo VPC carries no traffic")
    assert "2999-12-31" in suppressed["suppressions"][0]["justification"]


def test_fingerprints_follow_the_urn_not_the_line(pr: dict[str, Any]) -> None:
    from kasbah.report.sarif import fingerprint

    run = json.loads(pr["sarif"])["runs"][0]
    for res in run["results"]:
        urn = res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        urn = "" if urn.startswith("stack:") else urn
        digest = fingerprint(res["ruleId"], urn)
        assert res["partialFingerprints"]["kasbahUrnPolicy/v1"] == digest
        assert res["partialFingerprints"]["primaryLocationLineHash"] == f"{digest[:16]}:1"


def test_annotations_sit_on_the_same_lines(pr: dict[str, Any]) -> None:
    sarif_lines = {
        (r["ruleId"].replace(".", "/", 1), loc["artifactLocation"]["uri"], loc["region"]["startLine"])
        for r in json.loads(pr["sarif"])["runs"][0]["results"]
        if "suppressions" not in r and r["level"] in ("error", "warning")
        for loc in [r["locations"][0]["physicalLocation"]]
    }
    annotations = set()
    for line in pr["github"].splitlines():
        m = re.match(r"::(error|warning) file=([^,]+),line=(\d+),title=([^:]+?) \(\w+\)::", line)
        assert m, line
        annotations.add((m.group(4).replace("%2C", ","), m.group(2), int(m.group(3))))
    assert annotations == sarif_lines
    assert pr["github"].startswith("::error file=")  # mandatory first: GitHub shows the first ten


def test_the_comment_groups_the_results(pr: dict[str, Any]) -> None:
    comment = pr["comment"]
    assert comment.startswith("<!-- kasbah-preview -->")
    assert "| [`dev`](#kasbah-dev) | ❌ blocked | 2 | 7 | 5 | 0 | 0 |" in comment, comment[:2000]
    heading = re.compile(r"^(❌|⚠️) \*\*(mandatory|advisory)\*\* · \w+ · \[`([^`]+)`\]\(", re.M)
    groups = heading.findall(comment)
    assert [g[2] for g in groups][:2] == [
        "security-baseline/aws-s3-acl-not-public",
        "security-baseline/aws-sg-admin-ports-open",
    ]
    assert len(groups) == len({g[2] for g in groups}), "each policy once"
    assert comment.count("Reach instances through SSM Session Manager") == 1  # the fix, said once
    assert "| `aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::web-ssh` | `network.py:" in comment
    assert "<sub>in demo:net:WebTier 'web' at `__main__.py:" in comment
    assert "changes against" in comment and "Violations introduced" in comment
    # both sides read the stack's per-pack policy file: the exempted flow log is not "fixed"
    assert "5 violation(s) introduced, 0 fixed" in comment and "Violations fixed" not in comment
    ssh_line = line_of(pr["repo"] / "network.py", "aws.vpc.SecurityGroupIngressRule(")
    assert f"| `web-ssh` | 6 properties at `network.py:{ssh_line}` |" in comment  # the diff says where too
    # the SDK's type aliases (aws.s3.Bucket to BucketV2) change no property: not listed
    assert "| `site` | 3 properties at `__main__.py:" in comment and "aliases" not in comment
    assert comment.count("<details") == comment.count("</details>")
    # counts agree across formats
    summary = pr["report"]["stacks"][0]["summary"]
    lines = pr["text"].rstrip().splitlines()
    assert (
        f"{summary['resources']} resources, {summary['mandatory']} mandatory violation(s), "
        f"{summary['advisory']} advisory, {summary['suppressed']} exempted"
    ) in lines
    assert lines[-1] == (
        f"1 stacks (1 blocked, 0 failed): {summary['resources']} resources, "
        f"{summary['mandatory']} mandatory violation(s), {summary['advisory']} advisory"
    )
