"""The CLI: exit codes, formats (JSON against the shipped schema, SARIF against the official schema)."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
from conftest import PROJECTS, REPO_ROOT, load_schema

from kasbah.cli import main
from kasbah.report import SCHEMA_PATH

PACK = str(PROJECTS / "policy_pack_fixture")


def write_project(tmp_path, body: str):  # type: ignore[no-untyped-def]
    (tmp_path / "Pulumi.yaml").write_text("name: cli-fixture\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-3\n")
    (tmp_path / "__main__.py").write_text("import pulumi_aws as aws\n" + body)
    return tmp_path


def test_exit_0_when_no_mandatory_violation(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    proj = write_project(
        tmp_path,
        "b = aws.s3.Bucket('ok', tags={'owner': 'me'})\naws.s3.BucketPublicAccessBlock('pab', bucket=b.id)\n",
    )
    assert main(["preview", str(proj), "--stack", "dev", "--policy-pack", PACK]) == 0
    out = capsys.readouterr().out
    assert "2 resources" not in out and "0 mandatory violation(s)" in out
    assert "aws:s3/bucket:Bucket" in out


def test_exit_1_on_mandatory_violation(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    proj = write_project(tmp_path, "aws.s3.Bucket('bare')\n")
    assert main(["preview", str(proj), "--stack", "dev", "--policy-pack", PACK]) == 1
    out = capsys.readouterr().out
    assert "MANDATORY · high · fixture-pack/bucket-tag (1 resource)" in out
    assert "  - aws:s3/bucket:Bucket::bare  __main__.py:2  [aws · stack account · eu-west-3]" in out


def test_exit_2_on_bad_input_with_one_line(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["preview", str(tmp_path), "--stack", "dev"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"kasbah: error: {tmp_path.resolve()}: no Pulumi.yaml here (not a Pulumi project directory)"
    ]


def test_exit_2_program_error_prints_line_then_traceback_tail(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["preview", str(PROJECTS / "program_error"), "--stack", "dev", "--no-policies"]) == 2
    err = capsys.readouterr().err
    first, *rest = err.splitlines()
    assert first.startswith(
        "kasbah: error: the program of project program-error (stack dev) failed: RuntimeError"
    )
    assert any("helper.py" in line for line in rest)
    assert "kasbah/engine/" not in err and "kasbah/analysis.py" not in err


def test_json_report_matches_the_documented_schema(tmp_path) -> None:  # type: ignore[no-untyped-def]
    proj = write_project(tmp_path, "aws.s3.Bucket('bare')\n")
    out = tmp_path / "report.json"
    assert (
        main(["preview", str(proj), "--stack", "dev", "--policy-pack", PACK, "-f", "json", "-o", str(out)])
        == 1
    )
    data = json.loads(out.read_text())
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text()))
    # The stack itself is not counted: every format says the same number of resources.
    assert data["summary"] == {
        "resources": len(data["resources"]) - 1,
        "mandatory": 2,
        "advisory": 0,
        "suppressed": 0,
    }
    assert {v["policy"] for v in data["violations"]} == {"bucket-tag", "bucket-has-pab"}


def test_sarif_is_valid_against_the_official_schema(tmp_path) -> None:  # type: ignore[no-untyped-def]
    proj = write_project(tmp_path, "aws.s3.Bucket('bare')\n")
    out = tmp_path / "report.sarif"
    main(["preview", str(proj), "--stack", "dev", "--policy-pack", PACK, "-f", "sarif", "-o", str(out)])
    sarif = json.loads(out.read_text())
    jsonschema.validate(sarif, load_schema("sarif-schema-2.1.0.json"))
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"fixture-pack.bucket-tag", "fixture-pack.bucket-has-pab"}
    assert all(r["level"] == "error" for r in results)


def test_markdown_report_is_a_pr_comment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    proj = write_project(tmp_path, "aws.s3.Bucket('bare')\n")
    out = tmp_path / "report.md"
    main(["preview", str(proj), "--stack", "dev", "--policy-pack", PACK, "-f", "markdown", "-o", str(out)])
    text = out.read_text()
    assert text.startswith("### Kasbah preview: `dev` (cli-fixture) ❌ blocked")
    assert "❌ **mandatory** · high · `fixture-pack/bucket-tag` · 1 resource" in text
    assert (
        "| `aws:s3/bucket:Bucket::bare` | `__main__.py:2` | aws · stack account · eu-west-3 | missing tag owner |"
        in text
    )


def test_console_script_runs_in_a_subprocess_quietly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    proj = write_project(tmp_path, "aws.s3.Bucket('bare')\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kasbah",
            "preview",
            str(proj),
            "--stack",
            "dev",
            "--policy-pack",
            PACK,
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""  # no progress output when stderr is not a terminal
    assert json.loads(proc.stdout)["summary"]["mandatory"] == 2


def test_list_names_every_blueprint_and_stack_with_a_description(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for bp in sorted(p.parent.name for p in (REPO_ROOT / "blueprints").glob("*/Pulumi.yaml")):
        line = next(line for line in out.splitlines() if line.strip().startswith(bp))
        assert len(line.split(None, 1)) == 2, f"{bp} has no description in `kasbah list`"
    for stack in sorted(
        p.name[len("Pulumi.") : -len(".yaml")] for p in (REPO_ROOT / "stacks").glob("Pulumi.*.yaml")
    ):
        assert f"  {stack} " in out, stack


def test_invokes_lists_the_registry(capsys) -> None:  # type: ignore[no-untyped-def]
    from kasbah.invokes import REGISTRY

    assert main(["invokes"]) == 0
    out = capsys.readouterr().out
    assert sorted(line.split()[0] for line in out.splitlines()) == sorted(REGISTRY)
