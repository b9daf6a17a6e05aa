"""Reports at fleet scale and in a terminal: the comment's shortening, rendering from saved JSON,
repeatable --format/--output, --all, colour and progress, and `kasbah list`'s wrapping."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pulumi_aws as aws
import pytest
from conftest import PROJECTS, REPO_ROOT

from kasbah.cli import main
from kasbah.engine import preview_program
from kasbah.report import FleetReport, StackFailure, StackReport, from_result, render_comment, render_fleet
from kasbah.report.comment import size

PACK = str(PROJECTS / "policy_pack_fixture")


def _program() -> None:
    for i in range(3):
        aws.s3.Bucket(f"bare-{i}")


@pytest.fixture(scope="module")
def report() -> StackReport:
    result = preview_program(_program, config={"aws:region": "eu-west-3"}, policy_packs=[PACK], stack="s000")
    return from_result(result, stack_file="stacks/Pulumi.s000.yaml")


def fleet_of(report: StackReport, stacks: int) -> FleetReport:
    return FleetReport([replace(report, stack=f"s{i:03}") for i in range(stacks)])


def test_a_small_fleet_comment_is_whole(report: StackReport) -> None:
    fleet = fleet_of(report, 3)
    text = render_comment(fleet)
    assert "Left out" not in text
    table = [line for line in text.splitlines() if line.startswith("| [`s")]
    assert table == [f"| [`s00{i}`](#kasbah-s00{i}) | ❌ blocked | 6 | 0 | - | - | - |" for i in range(3)]
    assert text.count("<details") == text.count("</details>") == 3


def test_a_fleet_comment_is_shortened_in_python_keeping_tables_and_details_whole(report: StackReport) -> None:
    fleet = fleet_of(report, 400)
    fleet.failures.append(
        StackFailure("zz-broken", "the program of project p (stack zz-broken) failed: KeyError: 'x'")
    )
    full = render_comment(fleet, limit=10**9)
    limit = 65_536
    assert size(full) > limit
    text = render_comment(fleet, limit=limit)
    assert size(text) <= limit
    # the table is whole: a row for every stack, and the failure
    rows = [line for line in text.splitlines() if line.startswith("| [`s") or line.startswith("| `zz")]
    assert len(rows) == 401
    # every details block that is kept is whole, and the note names what was left out
    assert text.count("<details") == text.count("</details>")
    kept = len(re.findall(r"<details open><summary><code>s\d+</code>", text))
    assert 0 < kept < 400
    note = text.rstrip().splitlines()[-1]
    assert note.startswith("_Left out to fit GitHub's comment limit: the violations of `s")
    named = note.count("the violations of `")
    more = re.search(r"and (\d+) more blocks", note)
    assert named + (int(more.group(1)) if more else 0) == 400 - kept
    assert "the error of `zz-broken`" not in note and "KeyError" in text  # failures are kept first


def test_the_table_itself_is_cut_by_whole_rows_when_nothing_else_fits(report: StackReport) -> None:
    text = render_comment(fleet_of(report, 400), limit=4000)
    assert size(text) <= 4000
    assert all(line.count("|") == 8 for line in text.splitlines() if line.startswith("| [`s"))
    assert "rows of the table" in text.rstrip().splitlines()[-1]


def test_every_format_renders_from_the_saved_json(report: StackReport, tmp_path: Path) -> None:
    fleet = FleetReport([report])
    saved = tmp_path / "r.json"
    saved.write_text(render_fleet(fleet, "json"))
    for fmt in ("text", "sarif", "markdown", "github", "json"):
        out = tmp_path / f"again.{fmt}"
        assert main(["render", str(saved), "-f", fmt, "-o", str(out)]) == 0
        assert out.read_text() == render_fleet(fleet, fmt), fmt
    assert main(["render", str(saved), "--exit-code"]) == 1
    bad = tmp_path / "v1.json"
    bad.write_text(json.dumps({"version": 1}))
    assert main(["render", str(bad)]) == 2


def test_one_preview_writes_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = tmp_path / "p"
    proj.mkdir()
    (proj / "Pulumi.yaml").write_text("name: multi\nruntime: python\n")
    (proj / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-3\n")
    (proj / "__main__.py").write_text("import pulumi_aws as aws\naws.s3.Bucket('bare')\n")
    files = {fmt: tmp_path / f"r.{fmt}" for fmt in ("json", "sarif", "markdown", "github")}
    argv = ["preview", str(proj), "-s", "dev", "--policy-pack", PACK]
    for fmt, path in files.items():
        argv += ["--format", fmt, "--output", str(path)]
    assert main([*argv, "--format", "text"]) == 1
    out = capsys.readouterr().out
    assert out.rstrip().endswith("1 resources, 2 mandatory violation(s), 0 advisory") or "2 mandatory" in out
    saved = json.loads(files["json"].read_text())
    assert saved["summary"]["mandatory"] == 2
    assert json.loads(files["sarif"].read_text())["runs"][0]["results"]
    assert files["github"].read_text().startswith("::error file=__main__.py,line=2,")
    # two formats to stdout, or more outputs than formats: one line, exit 2, nothing written
    assert main(["preview", str(proj), "-s", "dev", "-f", "json", "-f", "text"]) == 2
    assert "would both print to stdout" in capsys.readouterr().err
    assert (
        main(["preview", str(proj), "-s", "dev", "-o", str(tmp_path / "a"), "-o", str(tmp_path / "b")]) == 2
    )
    assert "the n-th --output is the file of the n-th --format" in capsys.readouterr().err


def test_all_previews_every_stack_into_one_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = tmp_path / "p"
    proj.mkdir()
    (proj / "Pulumi.yaml").write_text("name: fleet\nruntime: python\n")
    for stack in ("a", "b"):
        (proj / f"Pulumi.{stack}.yaml").write_text("config:\n  aws:region: eu-west-3\n")
    (proj / "Pulumi.broken.yaml").write_text("config:\n  aws:region: [\n")
    (proj / "__main__.py").write_text("import pulumi_aws as aws\naws.s3.Bucket('x', tags={'owner': 'me'})\n")
    out = tmp_path / "all.json"
    code = main(["preview", str(proj), "--all", "--jobs", "2", "--no-policies", "-f", "json", "-o", str(out)])
    assert code == 2  # a stack failed: the fleet's exit code is 2, and its report is still written
    data = json.loads(out.read_text())
    assert data["kind"] == "fleet" and [s["stack"] for s in data["stacks"]] == ["a", "b"]
    assert [f["stack"] for f in data["failures"]] == ["broken"]
    assert "kasbah: error: stack broken:" in capsys.readouterr().err
    # shards split the stacks round robin
    code = main(
        ["preview", str(proj), "--all", "--shard", "2/3", "--no-policies", "-f", "json", "-o", str(out)]
    )
    assert code == 0 and [s["stack"] for s in json.loads(out.read_text())["stacks"]] == ["b"]
    assert main(["preview", str(proj), "--all", "--shard", "4/3"]) == 2
    assert main(["preview", str(proj), "--all", "--stack", "a"]) == 2


def _kasbah(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kasbah", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=300,
    )


def test_colour_follows_color_no_color_and_force_color(tmp_path: Path) -> None:
    proj = tmp_path / "p"
    proj.mkdir()
    (proj / "Pulumi.yaml").write_text("name: colour\nruntime: python\n")
    (proj / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-3\n")
    (proj / "__main__.py").write_text("import pulumi_aws as aws\naws.s3.Bucket('bare')\n")
    base = ["preview", str(proj), "-s", "dev", "--policy-pack", PACK]
    plain = _kasbah(*base, env={"NO_COLOR": "", "FORCE_COLOR": ""})
    assert "\x1b[" not in plain.stdout + plain.stderr and plain.stderr == ""  # a pipe: plain, no progress
    assert "MANDATORY · high · fixture-pack/bucket-tag (1 resource)" in plain.stdout
    forced = _kasbah(*base, "--color", "always", env={"COLUMNS": "100"})
    assert "\x1b[" in forced.stdout  # the rich layout, coloured
    assert "fixture-pack/bucket-tag" in forced.stdout
    assert re.search(r"program.*\d+:\d\d:\d\d", forced.stderr), forced.stderr[-500:]  # phases, elapsed
    assert "policies" in forced.stderr
    widths = [len(re.sub(r"\x1b\[[0-9;]*m", "", line)) for line in forced.stdout.splitlines()]
    assert max(widths) <= 100  # tables fit the terminal
    never = _kasbah(*base, "--color", "never", env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in never.stdout
    env_forced = _kasbah(*base, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[" in env_forced.stdout
    no_color = _kasbah(*base, "--color", "auto", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    colour = re.compile(r"\x1b\[(?:\d+;)*(?:3[0-79]|9[0-7]|38)[;m]")
    assert colour.search(forced.stdout)
    assert not colour.search(no_color.stdout)  # NO_COLOR: no colour, even in the rich layout


def test_list_wraps_descriptions_at_word_boundaries(capsys: pytest.CaptureFixture[str]) -> None:
    from kasbah.catalog import blueprints

    assert main(["list"]) == 0
    out = capsys.readouterr().out
    text = " ".join(out.split())
    for bp in blueprints(REPO_ROOT):
        assert " ".join(bp.description.split()) in text, f"{bp.name}: description cut in `kasbah list`"
    assert all(len(line) <= 100 for line in out.splitlines())


def test_markdown_links_source_lines_at_the_pull_requests_commit(report: StackReport) -> None:
    from kasbah.report import Links

    env = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/infra",
        "GITHUB_SHA": "merge0",
        "KASBAH_SOURCE_SHA": "head1",
    }
    text = render_fleet(FleetReport([report]), "markdown", Links.from_env(env))
    line = report.findings[0].source
    assert line is not None
    assert (
        f"[`{line.file}:{line.line}`](https://github.com/acme/infra/blob/head1/{line.file}#L{line.line})"
        in text
    )
    assert Links.from_env({}).blob == ""  # outside GitHub Actions: plain positions
    # the changes block of the comment links the same way
    from kasbah.diff import diff_previews, render_markdown

    head = report.to_json()
    added = next(r for r in head["resources"] if r.get("source"))
    src = added["source"]
    changes = render_markdown(diff_previews({}, head, "main"), Links.from_env(env))
    assert (
        f"at [`{src['file']}:{src['line']}`](https://github.com/acme/infra/blob/head1/{src['file']}#L{src['line']})"
        in changes
    )
