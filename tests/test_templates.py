"""``kasbah new``: a blueprint copied as a standalone project, then previewed from a fresh install.

The unit tests copy a small fixture template. The end-to-end test (slow: it builds the wheel once and
installs it with its dependencies into ONE fresh virtual environment) copies every blueprint of the
repository with that environment's ``kasbah new`` to a temporary directory outside the repository and
runs that environment's ``kasbah preview`` on each copy: zero mandatory violations.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import REPO_ROOT, load_schema

from kasbah import __version__, cli
from kasbah.catalog import blueprints
from kasbah.templates import new_project, parse_assignments, requirements_text

TEMPLATE = """\
name: fixture-template
runtime: python
description: A fixture template.
template:
  description: Fixture.
  config:
    aws:region:
      description: Region.
      default: eu-west-3
    kasbah:prefix:
      description: Prefix.
      default: kbh
    kasbah:owner:
      description: Owner (no default).
"""


@pytest.fixture()
def template(tmp_path: Path) -> Path:
    src = tmp_path / "tpl"
    (src / "__pycache__").mkdir(parents=True)
    (src / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (src / "Pulumi.yaml").write_text(TEMPLATE)
    (src / "Pulumi.leftover.yaml").write_text("config: {}\n")
    (src / "__main__.py").write_text("import pulumi\n")
    (src / "requirements.txt").write_text("kasbah\nrequests>=2\n")
    return src


def test_new_copies_substitutes_and_writes_the_stack(template: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out" / "my-proj"
    stack_file = new_project(
        template, dest, config=["owner=team-a", "kasbah:prefix=acme", "aws:region=eu-south-2"]
    )
    assert stack_file == dest / "stacks" / "Pulumi.dev.yaml"
    project = yaml.safe_load((dest / "Pulumi.yaml").read_text())
    assert project["name"] == "my-proj" and project["stackConfigDir"] == "stacks"
    assert "template" not in project
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}
    jsonschema.validate(project, load_schema("pulumi-project.schema.json"))
    assert yaml.safe_load(stack_file.read_text()) == {
        "config": {"aws:region": "eu-south-2", "kasbah:prefix": "acme", "kasbah:owner": "team-a"}
    }
    assert sorted(p.name for p in dest.iterdir()) == [
        ".github",
        ".gitignore",
        "Pulumi.yaml",
        "__main__.py",
        "policies",
        "requirements.txt",
        "stacks",
    ]
    assert sorted(p.name for p in (dest / "stacks").iterdir()) == ["Pulumi.dev.yaml", "dev.policy.json"]
    from kasbah.docs import workflow_templates

    for fname, text in workflow_templates().items():
        assert (dest / ".github" / "workflows" / fname).read_text() == text
    for pack in ("data_residency", "deploy_readiness", "security_baseline"):
        assert (dest / "policies" / pack / "PulumiPolicy.yaml").exists(), pack
    req = (dest / "requirements.txt").read_text().splitlines()
    assert f"kasbah=={__version__}" in req and "requests>=2" in req and "kasbah" not in req, req
    assert any("kasbah @ git+" in line and line.startswith("#") for line in req), req


def test_new_errors_are_one_line(template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "p"
    assert cli.main(["new", str(template), str(dest)]) == 2
    err = capsys.readouterr().err
    assert "no value for kasbah:owner" in err and "--config" in err and "Traceback" not in err, err
    assert not dest.exists()
    assert cli.main(["new", "no-such-blueprint", str(dest)]) == 2
    assert "unknown blueprint 'no-such-blueprint'" in capsys.readouterr().err
    dest.mkdir()
    (dest / "keep").write_text("x")
    assert cli.main(["new", str(template), str(dest), "-c", "owner=x"]) == 2
    assert "not empty" in capsys.readouterr().err
    with pytest.raises(Exception, match="expected key=value"):
        parse_assignments(["novalue"])


def test_bad_stack_names_unknown_keys_and_bad_values_are_refused_before_writing(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "p"
    for stack in ("..", ".hidden", "a/b", "x..y"):
        assert cli.main(["new", str(template), str(dest), "-c", "owner=x", "--stack", stack]) == 2, stack
        assert "a stack name is letters" in capsys.readouterr().err
    assert cli.main(["new", str(template), str(dest), "-c", "owner=x", "-c", "ownr=y"]) == 2
    assert (
        "--config kasbah:ownr: the blueprint has no such key (did you mean kasbah:owner?)"
        in capsys.readouterr().err
    )
    assert not dest.exists()
    # values are checked against the blueprint's settings (a real blueprint: its Settings dataclass)
    assert cli.main(["new", "casablanca-edge", str(dest), "--yes", "-c", "prefix=NO_WAY"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kasbah: error: --config kasbah:prefix: prefix 'NO_WAY'"), err
    assert cli.main(["new", "casablanca-edge", str(dest), "--yes", "-c", "natt=none"]) == 2
    assert "did you mean kasbah:nat?" in capsys.readouterr().err
    assert not dest.exists()


def test_symlinks_in_a_local_template_are_not_followed(template: Path, tmp_path: Path) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("not yours")
    (template / "notes.txt").symlink_to(secret)
    with pytest.raises(Exception, match="symbolic link, which kasbah new does not follow"):
        new_project(template, tmp_path / "p", config=["owner=x"])
    assert not (tmp_path / "p").exists()


def test_prompts_like_pulumi_new_and_secrets_are_never_written(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from kasbah import templates

    text = (
        template / "Pulumi.yaml"
    ).read_text() + "    kasbah:token:\n      description: API token.\n      secret: true\n"
    (template / "Pulumi.yaml").write_text(text)
    monkeypatch.setattr(templates, "stdin_is_terminal", lambda: True)
    dest = tmp_path / "asked"
    # region: default taken (empty answer); prefix: typed; owner: typed; token: typed without echo
    run = CliRunner().invoke(
        cli.cli, ["new", str(template), str(dest)], input="\nacme\nteam-b\ns3cr3t-value\n"
    )
    assert run.exit_code == 0, run.output
    assert "aws:region (Region.) [eu-west-3]:" in run.output and "kasbah:token (API token.):" in run.output
    assert "s3cr3t-value" not in run.output
    stack = (dest / "stacks" / "Pulumi.dev.yaml").read_text()
    assert "s3cr3t-value" not in stack
    assert (
        "kasbah:token is a secret: never written here. Set it with `pulumi config set --secret kasbah:token`."
        in stack
    )
    assert yaml.safe_load(stack)["config"] == {
        "aws:region": "eu-west-3",
        "kasbah:prefix": "acme",
        "kasbah:owner": "team-b",
    }
    assert "pulumi config set --secret kasbah:token -s dev" in run.output
    # --yes takes the defaults without asking (the owner, without a default, must be given)
    run = CliRunner().invoke(
        cli.cli, ["new", str(template), str(tmp_path / "y"), "--yes", "-c", "owner=o", "-c", "token=t"]
    )
    assert run.exit_code == 0 and "[eu-west-3]" not in run.output, run.output
    assert (
        "token" not in yaml.safe_load((tmp_path / "y" / "stacks" / "Pulumi.dev.yaml").read_text())["config"]
    )


def test_the_copied_readme_fits_the_copy(tmp_path: Path) -> None:
    dest = tmp_path / "edge"
    new_project("casablanca-edge", dest, stack="lab")
    text = (dest / "README.md").read_text()
    assert "GENERATED" not in text and "do not edit" not in text
    assert "kasbah preview --stack lab" in text and "edge-dev" not in text
    assert "```mermaid" in text  # the diagram itself stays


def test_requirements_pin_replaces_only_kasbah() -> None:
    text = requirements_text("kasbah\nkasbah-extras==1\n# comment\n", "9.9.9")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == ["kasbah==9.9.9", "kasbah-extras==1"], text


# --------------------------------------------------------------------------------------------------
# End to end, from the built wheel in a fresh virtual environment


def _source_copy(dest: Path) -> Path:
    """The repository's files (tracked and new, not ignored) copied out, so the build leaves no trace."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in files:
        if not raw:
            continue
        rel = Path(raw.decode())
        src = REPO_ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def _run(
    argv: list[str], cwd: Path, env: dict[str, str], timeout: int = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_every_blueprint_copied_from_the_wheel_previews_clean(tmp_path: Path) -> None:
    names = [b.name for b in blueprints(REPO_ROOT)]
    assert names, "no blueprint found under blueprints/"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["KASBAH_QUIET_TRACEBACK"] = "0"

    source = _source_copy(tmp_path / "src")
    wheels = tmp_path / "wheels"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)],
        tmp_path,
        env,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob("kasbah-*.whl")

    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], tmp_path, env)
    assert made.returncode == 0, made.stderr
    bindir = venv / "bin"
    installed = _run(
        [str(bindir / "python"), "-m", "pip", "install", "-q", "--no-compile", str(wheel)], tmp_path, env
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    where = _run(
        [str(bindir / "python"), "-c", "import kasbah; print(kasbah.__file__, kasbah.__version__)"],
        tmp_path,
        env,
    )
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr
    version = where.stdout.split()[1]

    work = tmp_path / "copies"
    for name in names:
        dest = work / name
        made = _run(
            [str(bindir / "kasbah"), "new", name, str(dest), "--name", f"acme-{name}"], work.parent, env
        )
        assert made.returncode == 0, f"kasbah new {name}: {made.stderr[-3000:]}"
        assert f"kasbah=={version}" in (dest / "requirements.txt").read_text().splitlines()
        assert yaml.safe_load((dest / "Pulumi.yaml").read_text())["name"] == f"acme-{name}"
        shown = _run([str(bindir / "kasbah"), "preview", "--stack", "dev", "--format", "json"], dest, env)
        assert shown.returncode == 0, (
            f"kasbah preview of the copy of {name}: {shown.stdout[-3000:]}{shown.stderr[-3000:]}"
        )
        report = json.loads(shown.stdout)
        assert report["summary"]["mandatory"] == 0, [
            v for v in report["violations"] if v["enforcement"] == "mandatory"
        ]
        assert report["project"] == f"acme-{name}" and report["summary"]["resources"] > 1, report["summary"]
        assert {p["name"] for p in report["policy_packs"]}, f"no policy pack ran on the copy of {name}"


# --------------------------------------------------------------------------------------------------
# The copy runs its shipped workflow unchanged


def _guard_holds(condition: str, root: Path, outputs: Path) -> bool:
    """The guards of the shipped workflows (``hashFiles(...)``, the render step's status), evaluated."""
    import re

    if not condition:
        return True
    if condition == "steps.render.outputs.status != '0'":
        return "status=0" not in outputs.read_text()
    for pattern, op in re.findall(r"hashFiles\('([^']+)'\) ([!=]=) ''", condition):
        present = any(root.glob(pattern))
        if (op == "!=") != present:
            return False
    rest = re.sub(r"hashFiles\('[^']+'\) [!=]= ''", "", condition).replace("&&", "").strip()
    assert rest in ("", "always()"), f"guard not evaluated by this test: {condition}"
    return True


def test_the_copy_runs_its_shipped_preview_workflow(tmp_path: Path) -> None:
    """`kasbah new`, then the copy's own preview.yml, step by step: the offline shard (one preview
    per stack, the diff of the base side) and the report (comment, summary, SARIF, annotations).
    Steps that install (the environment already has this Kasbah), use actions, or download
    Microsoft's validator from the npm registry are the ones not run here."""
    dest = tmp_path / "acme-edge"
    new_project("casablanca-edge", dest, stack="lab")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=dest, check=True)
    subprocess.run([*git, "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-qm", "copy"], cwd=dest, check=True)
    base = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=dest, capture_output=True, text=True
    ).stdout.strip()

    workflow = yaml.safe_load((dest / ".github" / "workflows" / "preview.yml").read_text())
    bindir = str(Path(sys.executable).parent)
    outputs, summary = tmp_path / "out", tmp_path / "summary"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")},
        "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
        "SHARD": "1",
        "TOTAL": "1",
        "BASE_SHA": base,
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    ran = []
    for job in ("offline", "report"):
        for step in workflow["jobs"][job]["steps"]:
            run = step.get("run")
            if (
                not run
                or "pip install" in run
                or "npx" in run
                or not _guard_holds(step.get("if", ""), dest, outputs)
            ):
                continue
            proc = subprocess.run(
                ["bash", "-e", "-c", run], cwd=dest, env=env, capture_output=True, text=True, timeout=600
            )
            assert proc.returncode == 0, (
                f"{job}: {step.get('name')}:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
            )
            ran.append(step.get("name"))
    assert ran == [
        "Preview this shard's stacks, once each",
        "Diff against the base branch (only the base side is previewed, the head is the saved report)",
        "Render the comment, the annotations, the job summary and the SARIF",
    ], ran
    assert "status=0" in outputs.read_text()  # the copy's default stack passes
    comment = (dest / "reports" / "comment.md").read_text()
    assert comment.startswith("<!-- kasbah-preview -->\n## Kasbah offline preview")
    assert "| [`lab`](#kasbah-lab) | ✅ passes |" in comment, comment[:1500]
    job_summary = summary.read_text()  # the fleet's Markdown: the table, then the stack folded
    assert job_summary.startswith("## Kasbah offline preview") and "✅ 1 pass" in job_summary
    assert "| [`lab`](#kasbah-lab) | ✅ passes |" in job_summary, job_summary[:1500]
    sarif = json.loads((dest / "reports" / "kasbah.sarif").read_text())
    assert [r["automationDetails"]["id"] for r in sarif["runs"]] == ["kasbah/acme-edge/lab/"]
