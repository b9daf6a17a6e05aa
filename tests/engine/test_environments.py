"""Where a project's program runs: the toolchain and virtualenv as the language host resolves them, the
rule for running in Kasbah's own process, and the requirements check (pure: no pip, no network)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from kasbah.engine import environments as env
from kasbah.engine.requirements import (
    Declared,
    Installed,
    parse_pyproject,
    parse_requirements_txt,
    poetry_constraint,
    unsatisfied,
)
from kasbah.errors import PreviewError
from kasbah.project import load_project

OURS = Installed(
    {"pulumi": "3.272.0", "pulumi-aws": "7.51.1", "pulumi-azure-native": "3.29.0", "grpcio": "1.85.3"},
    {"pulumi": ("grpcio<2,>=1.68.1", 'debugpy~=1.8; extra == "debug"')},
)


def host(
    tmp: Path, *, tools: dict[str, str] | None = None, environ: dict[str, str] | None = None
) -> env.Host:
    found = tools or {}
    return env.Host(
        prefix=(tmp / "kasbah-venv").resolve(),
        executable=Path(sys.executable),
        python_version="3.11.7",
        installed=OURS,
        which=lambda name: found.get(name),
        environ=environ or {},
    )


def project(tmp: Path, runtime: str = "python", requirements: str | None = None, **files: str) -> Path:
    (tmp / "Pulumi.yaml").write_text(f"name: demo\nruntime: {runtime}\n")
    (tmp / "__main__.py").write_text("")
    if requirements is not None:
        (tmp / "requirements.txt").write_text(requirements)
    for name, text in files.items():
        (tmp / name.replace("__", ".")).write_text(text)
    return tmp


def fake_venv(path: Path, dists: dict[str, str], version: str = "3.11.7") -> Path:
    (path / "bin").mkdir(parents=True)
    (path / "bin" / "python").write_text("")
    (path / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {version}\n")
    site = path / "lib" / "python3.11" / "site-packages"
    for name, ver in dists.items():
        info = site / f"{name.replace('-', '_')}-{ver}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {ver}\n\nbody\n")
    return path


# --- requirements ----------------------------------------------------------------------------------


def test_requirements_txt_follows_includes_and_ignores_comments_and_options(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("pulumi>=3.0,<4  # the SDK\n")
    (tmp_path / "requirements.txt").write_text(
        "# providers\n-r base.txt\n--extra-index-url https://example.org/simple\n"
        "pulumi-aws>=7.0.0,\\\n  <8.0.0\n-e ./local\ngit+https://example.org/x.git\n"
    )
    declared = parse_requirements_txt(tmp_path / "requirements.txt")
    assert declared.requirements == ("pulumi<4,>=3.0", "pulumi-aws<8.0.0,>=7.0.0")
    assert declared.uncheckable == ("-e ./local", "git+https://example.org/x.git")


def test_an_invalid_requirement_is_one_line_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("pulumi>=>3\n")
    with pytest.raises(PreviewError, match=r"requirements.txt: 'pulumi>=>3' is not a valid requirement"):
        parse_requirements_txt(tmp_path / "requirements.txt")


@pytest.mark.parametrize(
    ("poetry", "pep440"),
    [
        ("^3.10", ">=3.10,<4"),
        ("^0.2.3", ">=0.2.3,<0.3"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("~1.2.3", ">=1.2.3,<1.3"),
        ("~1", ">=1,<2"),
        ("1.2.*", "==1.2.*"),
        ("==3.228.0", "==3.228.0"),
        ("3.228.0", "==3.228.0"),
        (">=1.1.369,<2.0.0", ">=1.1.369,<2.0.0"),
        ("*", ""),
    ],
)
def test_poetry_constraints_read_as_poetry_defines_them(poetry: str, pep440: str) -> None:
    assert poetry_constraint(poetry) == pep440


def test_pyproject_dependencies_per_toolchain(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\ndependencies = ["pulumi>=3"]\n[dependency-groups]\ndev = ["pytest"]\n'
        '[tool.poetry.dependencies]\npython = "^3.10"\npulumi-aws = "^7.0"\n'
        'extra = {version = "^1", optional = true}\nlocal = {path = "../lib"}\n'
        '[tool.poetry.group.dev.dependencies]\npyright = ">=1.1"\n'
    )
    assert parse_pyproject(path, "uv").requirements == ("pulumi>=3", "pytest")
    poetry = parse_pyproject(path, "poetry")
    assert poetry.requirements == ("pulumi>=3", "pulumi-aws>=7.0,<8", "pyright>=1.1")
    assert poetry.uncheckable == ("local = {'path': '../lib'}",)


def test_unsatisfied_names_each_requirement_kasbah_does_not_meet() -> None:
    declared = Declared(
        Path("requirements.txt"),
        (
            "pulumi>=3.5.1,<4",
            "pulumi-azure-native>=2.0.0,<3.0.0",
            "pulumi-random>=4.2",
            "legacy-only<1; python_version < '3.8'",
            "pulumi[debug]",
        ),
        ("-e ./lib",),
    )
    assert unsatisfied(declared, OURS, "3.11.7") == [
        "-e ./lib (not checkable)",
        "pulumi-azure-native<3.0.0,>=2.0.0 (installed: 3.29.0)",
        "pulumi-random>=4.2 (not installed)",
        "pulumi[debug]: debugpy~=1.8 (not installed)",
    ]
    assert unsatisfied(Declared(None), OURS, "3.11.7") == []


# --- runtime options -------------------------------------------------------------------------------


def test_runtime_options_are_checked_as_the_language_host_checks_them(tmp_path: Path) -> None:
    proj = project(tmp_path, "{name: python, options: {toolchain: conda}}")
    with pytest.raises(PreviewError, match="unsupported toolchain option: conda"):
        env.runtime_options(load_project(proj))
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: {name: python, options: {virtualenv: 3}}\n")
    with pytest.raises(PreviewError, match="virtualenv option must be a string"):
        env.runtime_options(load_project(proj))


def test_a_lock_file_selects_the_toolchain_when_pulumi_yaml_names_none(tmp_path: Path) -> None:
    proj = project(tmp_path, requirements="pulumi\n")
    assert env.runtime_options(load_project(proj)).toolchain is env.Toolchain.PIP
    (tmp_path / "poetry.lock").write_text("")
    opts = env.runtime_options(load_project(proj))
    assert (opts.toolchain, opts.detected_by) == (env.Toolchain.POETRY, "poetry.lock")
    (tmp_path / "uv.lock").write_text("")
    assert env.runtime_options(load_project(proj)).toolchain is env.Toolchain.UV


# --- the rule: Kasbah's process or the project's environment ---------------------------------------


def test_satisfied_requirements_run_in_kasbahs_process_without_creating_the_virtualenv(
    tmp_path: Path,
) -> None:
    proj = project(
        tmp_path,
        "{name: python, options: {virtualenv: venv}}",
        requirements="pulumi>=3.5.1,<4\npulumi-aws>=7,<8\n",
    )
    plan = env.plan(load_project(proj), host(tmp_path))
    assert plan.action is env.Action.IN_PROCESS
    assert plan.description == (
        "Kasbah's own environment, which satisfies requirements.txt; its virtualenv venv does not exist and is "
        "not needed"
    )
    assert not (tmp_path / "venv").exists()


def test_unsatisfied_requirements_create_the_declared_virtualenv(tmp_path: Path) -> None:
    proj = project(
        tmp_path, "{name: python, options: {virtualenv: venv}}", requirements="pulumi-azure-native>=2,<3\n"
    )
    plan = env.plan(load_project(proj), host(tmp_path))
    assert plan.action is env.Action.CREATE
    assert plan.venv == (tmp_path / "venv").resolve()
    assert (
        "created from requirements.txt (Kasbah's own lacks pulumi-azure-native<3,>=2 (installed: 3.29.0))"
        in (plan.description)
    )


def test_a_virtualenv_whose_creation_was_interrupted_is_created_again_not_run(tmp_path: Path) -> None:
    proj = project(tmp_path, "{name: python, options: {virtualenv: venv}}", requirements="pulumi\n")
    fake_venv(tmp_path / "venv", {"pip": "23.2.1"})
    (tmp_path / "venv" / env.INCOMPLETE).write_text("")
    plan = env.plan(load_project(proj), host(tmp_path))
    assert plan.action is env.Action.CREATE
    assert "created again from requirements.txt (an earlier creation was interrupted)" in plan.description
    (tmp_path / "venv" / env.INCOMPLETE).unlink()
    assert env.plan(load_project(proj), host(tmp_path)).action is env.Action.CHILD


def test_a_project_without_a_virtualenv_gets_one_in_kasbahs_cache_keyed_by_its_requirements(
    tmp_path: Path,
) -> None:
    proj = project(tmp_path, requirements="pulumi-random==4.16.0\n")
    h = host(tmp_path, environ={"KASBAH_ENV_CACHE": str(tmp_path / "cache")})
    plan = env.plan(load_project(proj), h)
    assert plan.action is env.Action.CREATE
    assert plan.venv is not None and plan.venv.parent == tmp_path / "cache"
    assert plan.venv.name.startswith("demo-")
    assert env.plan(load_project(proj), h).venv == plan.venv


def test_an_existing_virtualenv_runs_the_program_unless_it_matches_kasbahs_own(tmp_path: Path) -> None:
    proj = project(tmp_path, "{name: python, options: {virtualenv: venv}}", requirements="pulumi\n")
    fake_venv(tmp_path / "venv", {"pulumi": "3.272.0", "pulumi-aws": "7.51.1", "pip": "23.2.1"})
    same = env.plan(load_project(proj), host(tmp_path))
    assert same.action is env.Action.IN_PROCESS
    assert "holds the same 2 distributions at the same versions" in same.description
    fake_venv(tmp_path / "other", {"pulumi": "3.150.0"})
    (tmp_path / "Pulumi.yaml").write_text(
        "name: demo\nruntime: {name: python, options: {virtualenv: other}}\n"
    )
    other = env.plan(load_project(proj), host(tmp_path))
    assert other.action is env.Action.CHILD
    assert other.python == (tmp_path / "other" / "bin" / "python").resolve()
    assert other.description.endswith("(differs from Kasbah's: pulumi 3.150.0)")


def test_an_existing_virtualenv_of_another_python_minor_runs_in_a_child_process(tmp_path: Path) -> None:
    proj = project(tmp_path, "{name: python, options: {virtualenv: venv}}", requirements="pulumi\n")
    fake_venv(tmp_path / "venv", {"pulumi": "3.272.0"}, version="3.12.4")
    assert env.plan(load_project(proj), host(tmp_path)).action is env.Action.CHILD


def test_kasbahs_own_virtualenv_as_the_projects_runs_in_process(tmp_path: Path) -> None:
    proj = project(
        tmp_path, "{name: python, options: {virtualenv: kasbah-venv}}", requirements="anything-else\n"
    )
    fake_venv(tmp_path / "kasbah-venv", {"anything-else": "1.0"})
    plan = env.plan(load_project(proj), host(tmp_path))
    assert (plan.action, plan.description) == (
        env.Action.IN_PROCESS,
        "Kasbah's own environment, which is the project's virtualenv kasbah-venv",
    )


def test_a_virtualenv_option_naming_a_directory_that_is_no_virtualenv_is_refused(tmp_path: Path) -> None:
    proj = project(tmp_path, "{name: python, options: {virtualenv: venv}}", requirements="pulumi\n")
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "notes.txt").write_text("")
    with pytest.raises(PreviewError, match="doesn't appear to be a virtual environment"):
        env.plan(load_project(proj), host(tmp_path))


def test_forcing_a_child_process_uses_kasbahs_interpreter_when_it_is_compatible(tmp_path: Path) -> None:
    proj = project(tmp_path, requirements="pulumi\n")
    plan = env.plan(load_project(proj), host(tmp_path, environ={"KASBAH_PROGRAM_PROCESS": "child"}))
    assert (plan.action, plan.python) == (env.Action.CHILD, Path(sys.executable))


def test_a_type_checker_is_named_as_not_run_offline(tmp_path: Path) -> None:
    proj = project(tmp_path, "{name: python, options: {typechecker: pyright}}")
    (notes,) = env.plan(load_project(proj), host(tmp_path)).notes
    assert notes.startswith("runtime.options.typechecker pyright is not run offline")


def test_poetry_without_the_poetry_executable_is_one_line_as_the_cli_says(tmp_path: Path) -> None:
    proj = project(
        tmp_path,
        "{name: python, options: {toolchain: poetry}}",
        pyproject__toml='[tool.poetry.dependencies]\npython = "^3.10"\npulumi = "==3.228.0"\n',
    )
    h = host(tmp_path, environ={"KASBAH_ENV_CACHE": str(tmp_path / "cache")})
    plan = env.plan(load_project(proj), h)
    assert plan.action is env.Action.CREATE
    with pytest.raises(PreviewError) as err:
        env.create(load_project(proj), plan, h)
    assert err.value.message == (
        "project demo uses the poetry toolchain, and Kasbah's environment does not satisfy its pyproject.toml: "
        "Could not find `poetry` executable. Fix: install Poetry and make sure it is on your PATH, or set the "
        "toolchain option in Pulumi.yaml to `pip`."
    )


def test_poetry_installs_and_names_its_environment(tmp_path: Path) -> None:
    """``poetry install`` then ``poetry env info --path``, in the program directory (a stand-in poetry records the calls)."""
    (tmp_path / "proj").mkdir()
    proj = project(
        tmp_path / "proj",
        "{name: python, options: {toolchain: poetry}}",
        pyproject__toml='[tool.poetry.dependencies]\npulumi = "==3.228.0"\n',
    )
    log = tmp_path / "calls.log"
    venv = tmp_path / "poetry-env"
    script = tmp_path / "poetry"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$PWD $*" >> {log}\n'
        'if [ "$1" = "install" ]; then mkdir -p ' + f"{venv}/bin && touch {venv}/bin/python; fi\n"
        f'if [ "$1" = "env" ]; then [ -d {venv} ] && echo {venv} || exit 1; fi\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    h = host(tmp_path, tools={"poetry": str(script)})
    plan = env.plan(load_project(proj), h)
    assert plan.action is env.Action.CREATE
    made = env.create(load_project(proj), plan, h)
    assert (made.action, made.venv) == (env.Action.CHILD, venv)
    assert made.description.startswith(
        f"the project's environment {venv} (toolchain poetry), created from"
    ), made.description
    calls = log.read_text().splitlines()
    assert calls == [
        f"{proj} env info --path --no-ansi",
        f"{proj} install --no-ansi",
        f"{proj} env info --path --no-ansi",
    ]
    assert env.plan(load_project(proj), h).action is env.Action.CHILD


def test_the_cache_root_honours_kasbah_env_cache_then_xdg(tmp_path: Path) -> None:
    assert env.cache_root(host(tmp_path, environ={"KASBAH_ENV_CACHE": "/srv/envs"})) == Path("/srv/envs")
    assert env.cache_root(host(tmp_path, environ={"XDG_CACHE_HOME": "/x"})) == Path("/x/kasbah/envs")
    assert os.sep in str(env.cache_root(host(tmp_path)))
