"""The environment a project's program runs in, resolved and created as Pulumi's Python language host does.

What the Pulumi CLI does (pulumi/pulumi ``sdk/python/cmd/pulumi-language-python/main.go``,
``parseOptions`` and ``Run``; ``sdk/python/toolchain``: ``toolchain.go`` ``ResolveToolchain``,
``pip.go``, ``poetry.go``, ``uv.go``):

- ``runtime.options.toolchain`` is ``pip``, ``poetry`` or ``uv``; when unset, a ``uv.lock`` or a
  ``poetry.lock`` in the program directory or above it selects uv or Poetry, else pip;
- pip: the interpreter of ``runtime.options.virtualenv`` (relative to the project directory), or
  without it the ``python3`` on PATH (``PULUMI_PYTHON_CMD`` overrides); the requirements are
  ``requirements.txt``; a missing virtualenv is created before the run (``python3 -m venv``, ``pip
  install --upgrade pip setuptools wheel``, ``pip install -r requirements.txt``), as ``pulumi install`` does;
- uv: ``virtualenv``, else ``UV_PROJECT_ENVIRONMENT``, else ``.venv``; ``uv sync`` creates it;
- Poetry: Poetry's own environment (``poetry env info --path``); ``poetry install`` creates it;
  the CLI refuses to run without the ``poetry`` (or ``uv``) executable.

Kasbah's rule (README, "Previewing your own project"): the program runs **in Kasbah's own
process** (today's speed) when the environment that would run it is Kasbah's own interpreter,
or is compatible with it:

1. the project's environment exists: it is Kasbah's own (same prefix), or every distribution
   installed in it is installed in Kasbah's environment at the same version, under the same
   Python minor version;
2. it does not exist yet (or the project declares none): Kasbah's environment satisfies every
   requirement the project declares (``requirements.txt`` or ``pyproject.toml``).

Otherwise the program runs **in a child process** of the project's interpreter, creating the
environment first when it is missing; the monitor is served to it over gRPC and the policy
analysis stays in Kasbah's process. ``KASBAH_PROGRAM_PROCESS=child`` forces the child process
(with Kasbah's own interpreter when it is compatible), for benchmarks and tests.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kasbah.engine.requirements import (
    Declared,
    Installed,
    installed_here,
    installed_in,
    parse_pyproject,
    parse_requirements_txt,
    unsatisfied,
)
from kasbah.errors import PreviewError
from kasbah.project import Project

FORCE_CHILD_ENV = "KASBAH_PROGRAM_PROCESS"
"""``child``: run the program in a child process even when it could run in Kasbah's own."""
CACHE_ENV = "KASBAH_ENV_CACHE"
"""Where Kasbah keeps environments it builds for projects that declare none (default: the user cache)."""
_TOOLING = frozenset({"pip", "setuptools", "wheel", "distribute", "pkg-resources"})
"""Distributions a virtual environment carries for itself, not for the program."""
INSTALL_TIMEOUT = 1800.0
INCOMPLETE = ".kasbah-incomplete"
"""Written into an environment Kasbah creates until its requirements are installed: an environment still
carrying it (creation interrupted, e.g. by Ctrl-C or a killed process) is created again, not run."""


class Toolchain(enum.StrEnum):
    PIP = "pip"
    POETRY = "poetry"
    UV = "uv"


@dataclass(frozen=True)
class RuntimeOptions:
    """``runtime.options`` of Pulumi.yaml for the Python runtime."""

    toolchain: Toolchain = Toolchain.PIP
    virtualenv: str | None = None
    """As written in Pulumi.yaml (relative to the project directory), None when not set."""
    typechecker: str | None = None
    detected_by: str = ""
    """The lock file that selected the toolchain when Pulumi.yaml names none (``uv.lock``)."""


@dataclass(frozen=True)
class Host:
    """What the decision depends on, outside the project: Kasbah's own interpreter and the tools on PATH."""

    prefix: Path
    executable: Path
    python_version: str
    installed: Installed
    which: Callable[[str], str | None] = shutil.which
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    @staticmethod
    def current() -> Host:
        return Host(
            prefix=Path(sys.prefix).resolve(),
            executable=Path(sys.executable),
            python_version=".".join(str(v) for v in sys.version_info[:3]),
            installed=_installed_here(),
        )


_HERE: Installed | None = None


def _installed_here() -> Installed:
    global _HERE
    if _HERE is None:
        _HERE = installed_here()
    return _HERE


class Action(enum.StrEnum):
    IN_PROCESS = "in-process"
    """Kasbah's own interpreter runs the program (no child process)."""
    CHILD = "child"
    """An existing environment's interpreter runs the program in a child process."""
    CREATE = "create"
    """The environment must be created first, then its interpreter runs the program."""


@dataclass(frozen=True)
class Plan:
    """Where a project's program will run, and why (one line for the report)."""

    action: Action
    description: str
    toolchain: Toolchain
    venv: Path | None = None
    """The virtual environment that runs the program (None: Kasbah's own process)."""
    declared: Declared = field(default_factory=lambda: Declared(None))
    notes: tuple[str, ...] = ()
    """Warnings for the person running the preview (e.g. a type checker that is not run offline)."""
    interpreter: Path | None = None
    """The interpreter of a child process when it is not the venv's (Kasbah's own, when forced)."""

    @property
    def python(self) -> Path | None:
        """The interpreter that runs the program in a child process (None: Kasbah's own process)."""
        if self.interpreter is not None:
            return self.interpreter
        return venv_python(self.venv) if self.venv is not None else None


def runtime_options(project: Project) -> RuntimeOptions:
    """``runtime.options`` read and checked as ``parseOptions`` does; a bad value is one exit-2 line."""
    runtime = project.raw.get("runtime")
    options: Any = runtime.get("options") if isinstance(runtime, dict) else None
    where = f"{project.dir / 'Pulumi.yaml'}: runtime.options"
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise PreviewError(f"{where} must be a mapping")
    virtualenv = options.get("virtualenv")
    if virtualenv is not None and not isinstance(virtualenv, str):
        raise PreviewError(f"{where}.virtualenv: virtualenv option must be a string")
    typechecker = options.get("typechecker")
    if typechecker is not None and typechecker not in ("mypy", "pyright"):
        raise PreviewError(f"{where}.typechecker: unsupported typechecker option: {typechecker}")
    raw_tc = options.get("toolchain")
    detected = ""
    if raw_tc is None:
        program_dir = project.main if project.main.is_dir() else project.main.parent
        if _search_up(program_dir, "uv.lock"):
            toolchain, detected = Toolchain.UV, "uv.lock"
        elif _search_up(program_dir, "poetry.lock"):
            toolchain, detected = Toolchain.POETRY, "poetry.lock"
        else:
            toolchain = Toolchain.PIP
    else:
        if not isinstance(raw_tc, str):
            raise PreviewError(f"{where}.toolchain: toolchain option must be a string")
        try:
            toolchain = Toolchain(raw_tc)
        except ValueError:
            raise PreviewError(f"{where}.toolchain: unsupported toolchain option: {raw_tc}") from None
    return RuntimeOptions(toolchain, virtualenv or None, typechecker, detected)


def _search_up(start: Path, name: str) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / name).is_file():
            return directory / name
    return None


def declared_requirements(project: Project, options: RuntimeOptions) -> Declared:
    """What the toolchain installs: ``requirements.txt`` (pip), ``pyproject.toml`` (uv, Poetry)."""
    program_dir = project.main if project.main.is_dir() else project.main.parent
    if options.toolchain is Toolchain.PIP:
        path = program_dir / "requirements.txt"
        return parse_requirements_txt(path) if path.is_file() else Declared(None)
    pyproject = _search_up(program_dir, "pyproject.toml")
    if pyproject is None:
        requirements = program_dir / "requirements.txt"
        return parse_requirements_txt(requirements) if requirements.is_file() else Declared(None)
    return parse_pyproject(pyproject, options.toolchain.value)


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def is_virtualenv(directory: Path) -> bool:
    """``IsVirtualEnv`` (toolchain/pip.go): the directory holds ``bin/python``."""
    return venv_python(directory).is_file()


def _venv_facts(venv: Path) -> tuple[str, Installed]:
    """The Python version (``pyvenv.cfg``) and the distributions of a virtual environment."""
    version = ""
    cfg = venv / "pyvenv.cfg"
    if cfg.is_file():
        for line in cfg.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition("=")
            if key.strip() in ("version", "version_info"):
                version = value.strip()
    site = [*venv.glob("lib/python*/site-packages"), venv / "Lib" / "site-packages"]
    return version, installed_in(site)


def _same_distributions(theirs: Installed, ours: Installed) -> list[str]:
    """Distributions of ``theirs`` that ``ours`` lacks or has at another version."""
    return sorted(
        f"{name} {version}"
        for name, version in theirs.versions.items()
        if name not in _TOOLING and ours.versions.get(name) != version
    )


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _project_venv(project: Project, options: RuntimeOptions, host: Host) -> Path | None:
    """The virtual environment the toolchain would use (None: the ambient interpreter, or Poetry's own)."""
    if options.toolchain is Toolchain.UV:
        if options.virtualenv:
            return (project.dir / options.virtualenv).resolve()
        env = host.environ.get("UV_PROJECT_ENVIRONMENT")
        program_dir = project.main if project.main.is_dir() else project.main.parent
        return (program_dir / (env or ".venv")).resolve()
    if options.toolchain is Toolchain.PIP and options.virtualenv:
        return (project.dir / options.virtualenv).resolve()
    return None


def _poetry_venv(project: Project, host: Host) -> Path | None:
    """Poetry's environment for the project (``poetry env info --path``), None when it has none yet."""
    poetry = host.which("poetry")
    if poetry is None:
        return None
    program_dir = project.main if project.main.is_dir() else project.main.parent
    try:
        proc = subprocess.run(
            [poetry, "env", "info", "--path", "--no-ansi"],
            cwd=program_dir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    path = proc.stdout.strip().splitlines()[-1] if proc.returncode == 0 and proc.stdout.strip() else ""
    return Path(path) if path else None


def _describe_requirements(declared: Declared) -> str:
    return declared.source.name if declared.source else "its (empty) requirements"


def plan(project: Project, host: Host | None = None) -> Plan:
    """Decide where the project's program runs (see the module docstring for the rule). No side effects
    beyond asking Poetry where its environment is."""
    host = host or Host.current()
    options = runtime_options(project)
    declared = declared_requirements(project, options)
    notes: list[str] = []
    if options.typechecker:
        notes.append(
            f"runtime.options.typechecker {options.typechecker} is not run offline (the Pulumi CLI runs it "
            "before the program and fails the preview on type errors)"
        )
    force_child = host.environ.get(FORCE_CHILD_ENV, "") == "child"
    via = f" (toolchain {options.toolchain.value}{f', found {options.detected_by}' if options.detected_by else ''})"
    venv = _project_venv(project, options, host)
    if options.toolchain is Toolchain.POETRY:
        venv = _poetry_venv(project, host)
    if venv is not None and (venv / INCOMPLETE).exists():
        return Plan(
            Action.CREATE,
            f"the project's environment {_display(venv, project)}{via}, created again from "
            f"{_describe_requirements(declared)} (an earlier creation was interrupted), in a child process",
            options.toolchain,
            venv,
            declared,
            tuple(notes),
        )
    if venv is not None and venv.exists() and not is_virtualenv(venv) and any(venv.iterdir()):
        raise PreviewError(
            f"the 'virtualenv' option in Pulumi.yaml is set to {options.virtualenv!r}, but {venv} doesn't appear "
            f"to be a virtual environment. Fix: remove it, or create it: python3 -m venv {venv} && "
            f"{venv_python(venv)} -m pip install -r requirements.txt"
        )
    if venv is not None and is_virtualenv(venv):
        name = _display(venv, project)
        if venv.resolve() == host.prefix:
            return Plan(
                Action.CHILD if force_child else Action.IN_PROCESS,
                f"Kasbah's own environment, which is the project's virtualenv {name}"
                + (f", in a child process ({FORCE_CHILD_ENV}=child)" if force_child else ""),
                options.toolchain,
                venv if force_child else None,
                declared,
                tuple(notes),
            )
        version, theirs = _venv_facts(venv)
        differ = _same_distributions(theirs, host.installed)
        if (
            not differ
            and "pulumi" in theirs.versions
            and _minor(version) == _minor(host.python_version)
            and not force_child
        ):
            return Plan(
                Action.IN_PROCESS,
                f"Kasbah's own environment: the project's virtualenv {name} holds the same "
                f"{len([n for n in theirs.versions if n not in _TOOLING])} distributions at the same versions",
                options.toolchain,
                None,
                declared,
                tuple(notes),
            )
        return Plan(
            Action.CHILD,
            f"the project's environment {name}{via}, in a child process"
            + (
                f" (differs from Kasbah's: {', '.join(differ[:3])}{', ...' if len(differ) > 3 else ''})"
                if differ
                else ""
            ),
            options.toolchain,
            venv,
            declared,
            tuple(notes),
        )
    missing = unsatisfied(declared, host.installed, host.python_version)
    if not missing:
        where = (
            f"; its virtualenv {_display(venv, project)} does not exist and is not needed"
            if venv is not None
            else ""
        )
        if force_child:
            return Plan(
                Action.CHILD,
                f"Kasbah's own interpreter in a child process ({FORCE_CHILD_ENV}=child; it satisfies "
                f"{_describe_requirements(declared)})",
                options.toolchain,
                None,
                declared,
                tuple(notes),
                interpreter=host.executable,
            )
        return Plan(
            Action.IN_PROCESS,
            f"Kasbah's own environment, which satisfies {_describe_requirements(declared)}{where}",
            options.toolchain,
            None,
            declared,
            tuple(notes),
        )
    target = venv or _cached_venv(project, options, declared, host)
    return Plan(
        Action.CREATE,
        f"the project's environment {_display(target, project)}{via}, created from "
        f"{_describe_requirements(declared)} (Kasbah's own lacks {missing[0]}"
        f"{f' and {len(missing) - 1} more' if len(missing) > 1 else ''}), in a child process",
        options.toolchain,
        target,
        declared,
        tuple(notes),
    )


def _display(path: Path, project: Project) -> str:
    try:
        return path.resolve().relative_to(project.dir).as_posix()
    except ValueError:
        return str(path)


def cache_root(host: Host) -> Path:
    configured = host.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    base = host.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kasbah" / "envs"


def _cached_venv(project: Project, options: RuntimeOptions, declared: Declared, host: Host) -> Path:
    """Kasbah's environment for a project that declares no virtualenv of its own (keyed by its requirements)."""
    digest = hashlib.sha256()
    digest.update(f"{host.python_version}\n{options.toolchain.value}\n".encode())
    for req in sorted(declared.requirements):
        digest.update(req.encode() + b"\n")
    return cache_root(host) / f"{re.sub(r'[^A-Za-z0-9_.-]', '-', project.name)}-{digest.hexdigest()[:12]}"


# --------------------------------------------------------------------------------------------------
# Creating an environment


def base_python(host: Host) -> str:
    """The interpreter that creates virtual environments: ``PULUMI_PYTHON_CMD``, else ``python3``, else
    ``python`` on PATH (``CommandPath``, toolchain/pip.go)."""
    configured = host.environ.get("PULUMI_PYTHON_CMD")
    for name in [configured] if configured else ["python3", "python"]:
        found = host.which(name)
        if found:
            return found
    raise PreviewError(
        "failed to locate any of python3, python on your PATH to create the project's environment. "
        "Fix: install Python 3, or set PULUMI_PYTHON_CMD."
    )


def _run(cmd: list[str], cwd: Path, what: str, env: Mapping[str, str] | None = None, fix: str = "") -> None:
    try:
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
            env=dict(env) if env is not None else None,
        )
    except FileNotFoundError:
        raise PreviewError(f"{what}: {cmd[0]} not found") from None
    except subprocess.TimeoutExpired:
        raise PreviewError(f"{what}: did not finish within {INSTALL_TIMEOUT:g} s") from None
    if proc.returncode != 0:
        error = _last_error(proc.stderr or proc.stdout).rstrip(".")
        raise PreviewError(f"{what}: {error}." + (f" {fix}." if fix else ""))


def _last_error(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR:") or "error:" in line.lower()]
    chosen = errors[0] if errors else (lines[-1] if lines else "failed with no output")
    return " ".join(chosen.split())[:400]


def _activated(venv: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """``ActivateVirtualEnv`` (toolchain/toolchain.go): the venv's bin first on PATH, VIRTUAL_ENV set."""
    env = {k: v for k, v in environ.items() if k.upper() not in ("PYTHONHOME", "VIRTUAL_ENV")}
    bin_dir = str(venv_python(venv).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(venv)
    return env


def create(
    project: Project, chosen: Plan, host: Host | None = None, say: Callable[[str], None] | None = None
) -> Plan:
    """Create the planned environment (pip, uv or Poetry, as ``pulumi install`` does); one exit-2 line on failure."""
    host = host or Host.current()
    if chosen.action is not Action.CREATE:
        return chosen
    program_dir = project.main if project.main.is_dir() else project.main.parent
    venv = chosen.venv
    assert venv is not None
    fix = _fix_hint(chosen, project)
    if say is not None:
        say(
            f"kasbah: creating {_display(venv, project)} from {_describe_requirements(chosen.declared)} ({chosen.toolchain.value})..."
        )
    if chosen.toolchain is Toolchain.POETRY:
        poetry = host.which("poetry")
        if poetry is None:
            raise PreviewError(
                f"project {project.name} uses the poetry toolchain, and Kasbah's environment does not satisfy its "
                f"{_describe_requirements(chosen.declared)}: Could not find `poetry` executable. Fix: install "
                "Poetry and make sure it is on your PATH, or set the toolchain option in Pulumi.yaml to `pip`."
            )
        _run(
            [poetry, "install", "--no-ansi"], program_dir, f"poetry install in {program_dir} failed", fix=fix
        )
        found = _poetry_venv(project, host)
        if found is None or not is_virtualenv(found):
            raise PreviewError(f"poetry install in {program_dir} created no environment. {fix}.")
        # Poetry chose where its environment lives: name that one, not the path planned before it existed.
        description = chosen.description.replace(
            f"the project's environment {_display(venv, project)}",
            f"the project's environment {_display(found, project)}",
            1,
        )
        return Plan(Action.CHILD, description, chosen.toolchain, found, chosen.declared, chosen.notes)
    if chosen.toolchain is Toolchain.UV:
        uv = host.which("uv")
        if uv is None:
            raise PreviewError(
                f"project {project.name} uses the uv toolchain, and Kasbah's environment does not satisfy its "
                f"{_describe_requirements(chosen.declared)}: Could not find the `uv` executable. Fix: install uv "
                "(https://docs.astral.sh/uv/) and make sure it is on your PATH, or set the toolchain option to `pip`."
            )
        env = {**host.environ, "UV_PROJECT_ENVIRONMENT": str(venv)}
        _run([uv, "sync"], program_dir, f"uv sync in {program_dir} failed", env, fix)
        return Plan(Action.CHILD, chosen.description, chosen.toolchain, venv, chosen.declared, chosen.notes)
    if (venv / INCOMPLETE).exists():
        shutil.rmtree(venv)
    created_here = not venv.exists()
    try:
        _run(
            [base_python(host), "-m", "venv", str(venv)],
            program_dir,
            f"creating the virtual environment {venv} failed",
        )
        if created_here:
            (venv / INCOMPLETE).write_text("kasbah is installing this environment's requirements\n")
        pip = [
            str(venv_python(venv)),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-compile",
        ]
        env = _activated(venv, host.environ)
        _run(
            [*pip, "--upgrade", "pip", "setuptools", "wheel"],
            program_dir,
            f"updating pip in {venv} failed",
            env,
        )
        if chosen.declared.source is not None:
            _run(
                [*pip, "-r", str(chosen.declared.source)],
                program_dir,
                f"cannot install the requirements of project {project.name} into {_display(venv, project)} "
                f"(pip install -r {chosen.declared.source.name})",
                env,
                fix,
            )
    except BaseException:
        if created_here:
            with contextlib.suppress(OSError):
                shutil.rmtree(venv)
        raise
    (venv / INCOMPLETE).unlink(missing_ok=True)
    return Plan(Action.CHILD, chosen.description, chosen.toolchain, venv, chosen.declared, chosen.notes)


def _fix_hint(chosen: Plan, project: Project) -> str:
    if chosen.toolchain is Toolchain.POETRY:
        return "Fix: run `poetry install` in the project and correct its pyproject.toml"
    if chosen.toolchain is Toolchain.UV:
        return "Fix: run `uv sync` in the project and correct its pyproject.toml"
    return f"Fix: correct {_describe_requirements(chosen.declared)} (or create {_display(chosen.venv or project.dir, project)} yourself)"
