"""Every policy pack is self-contained: it runs as the real CLI runs it, from its requirements alone.

``pulumi policy publish`` uploads only the pack directory, and the CLI installs its
``requirements.txt`` into the pack's own virtualenv, then starts it with
``python -u -m pulumi.policy <engine> <pack dir>`` (runpy of the directory: the pack
directory is first on ``sys.path``, the repository is not). This test does the same:

- it builds the ``kasbah`` wheel from a copy of the sources, installs it into a fresh
  virtualenv (the third-party SDKs it depends on are made visible from the test's own
  environment, offline), and checks that every requirement of the pack is satisfied
  there and that the packs import ``policies`` and ``kasbah.facts`` from the wheel;
- it copies each pack directory elsewhere, starts it with ``python -m pulumi.policy``
  and asks the running analyzer for its policies over gRPC (``GetAnalyzerInfo``).

Statically, every module a pack imports is in ``policies.framework``, in the pack's own
package, in ``kasbah.facts``, in the standard library, or in a distribution its
requirements list.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import select
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from kasbah import __version__ as KASBAH_VERSION
from kasbah.analysis import discover_packs, load_pack

REPO = Path(__file__).resolve().parents[2]
PACKS = discover_packs(REPO / "policies")
SOURCES = ("kasbah", "components", "policies", "blueprints", "pyproject.toml", "README.md")


def _pack_id(path: Path) -> str:
    return path.name


def test_every_pack_directory_is_found() -> None:
    assert {p.name for p in PACKS} >= {"data_residency", "security_baseline"}


def _requirements(pack: Path) -> list[Requirement]:
    lines = (pack / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [Requirement(line) for line in (raw.split("#", 1)[0].strip() for raw in lines) if line]


@pytest.mark.parametrize("pack", PACKS, ids=_pack_id)
def test_requirements_pin_the_kasbah_distribution_of_the_pack_version(pack: Path) -> None:
    meta = yaml.safe_load((pack / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert meta["runtime"] == "python" and meta["description"].strip(), meta
    reqs = {r.name: r for r in _requirements(pack)}
    assert str(reqs["kasbah"].specifier) == f"=={meta['version']}", reqs["kasbah"]
    assert meta["version"] == KASBAH_VERSION, "the pack's version is the kasbah version it pins"
    assert str(reqs["pulumi-policy"].specifier) == "==1.21.0", "the engine drives pulumi-policy 1.21.0"
    assert "pulumi" in reqs


def _normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _imports(path: Path) -> set[str]:
    """Modules a file imports (``from m import x`` also yields ``m.x``, in case ``x`` is a submodule)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def _module_file(module: str) -> Path | None:
    base = REPO.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


@pytest.mark.parametrize("pack", PACKS, ids=_pack_id)
def test_requirements_list_everything_the_pack_imports(pack: Path) -> None:
    """Follow the pack's imports through the repository: only allowed modules, third parties listed."""
    allowed_repo = ("policies.framework", f"policies.{pack.name}", "kasbah.facts")
    listed = {_normalize(r.name) for r in _requirements(pack)}
    providers = importlib.metadata.packages_distributions()
    todo = [pack / "__main__.py"]
    seen: set[Path] = set()
    problems: list[str] = []
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in sorted(_imports(path)):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top == "__future__":
                continue
            if top in ("policies", "kasbah", "components", "blueprints"):
                file = _module_file(module)
                if file is None:
                    continue  # ``from m import name``: a name, not a submodule
                if module not in ("policies", "kasbah") and not module.startswith(allowed_repo):
                    problems.append(f"{path.relative_to(REPO)} imports {module}, outside a pack's closure")
                    continue
                todo.append(file)
                continue
            dists = {_normalize(d) for d in providers.get(top, [])}
            if not dists & listed:
                problems.append(
                    f"{path.relative_to(REPO)} imports {top}: {sorted(dists)} not in requirements"
                )
    assert not problems, "\n".join(sorted(set(problems)))
    assert REPO / "kasbah" / "facts.py" in seen and REPO / "policies" / "framework" / "__init__.py" in seen


@pytest.mark.parametrize("pack", PACKS, ids=_pack_id)
def test_pack_directory_shadows_no_module(pack: Path) -> None:
    """The pack directory is first on sys.path under the CLI: its entries must not hide real modules."""
    installed = set(importlib.metadata.packages_distributions())
    clashes = []
    for entry in pack.iterdir():
        name = entry.stem if entry.suffix == ".py" else entry.name
        if entry.suffix not in ("", ".py") or name.startswith(("_", ".")):
            continue
        if name in sys.stdlib_module_names or name in installed:
            clashes.append(name)
    assert not clashes, f"{pack.name}: {clashes} would shadow a module when the CLI runs the pack"


# --------------------------------------------------------------------------------------------------
# The wheel in a fresh virtualenv, and the pack served as the CLI serves it


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding the kasbah wheel built from this checkout (and nothing of the repo)."""
    root = tmp_path_factory.mktemp("standalone")
    src = root / "src"
    src.mkdir()
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, src / name)
    wheels = root / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run(
        [*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(wheels), str(src)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("kasbah-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [*pip, "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    # The SDKs kasbah depends on, from this environment (offline). A path in a .pth file is added to
    # sys.path as is: the .pth files in it (this checkout's editable install) are not processed.
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "sdks.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return python


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "PYTHON"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.mark.parametrize("pack", PACKS, ids=_pack_id)
def test_pack_requirements_are_met_by_the_wheel_alone(pack: Path, fresh_python: Path, tmp_path: Path) -> None:
    copy = tmp_path / pack.name
    shutil.copytree(pack, copy, ignore=shutil.ignore_patterns("__pycache__"))
    probe = textwrap.dedent(
        """
        import importlib.metadata, json, sys
        from packaging.requirements import Requirement
        reqs = [Requirement(l.split("#")[0].strip()) for l in open("requirements.txt") if l.split("#")[0].strip()]
        unmet = [str(r) for r in reqs if importlib.metadata.version(r.name) not in r.specifier]
        import policies.framework, kasbah.facts
        print(json.dumps({"unmet": unmet, "files": [policies.framework.__file__, kasbah.facts.__file__]}))
        """
    )
    out = subprocess.run(
        [str(fresh_python), "-c", probe], cwd=copy, env=_clean_env(), capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-3000:]
    found = json.loads(out.stdout)
    assert found["unmet"] == [], found
    for file in found["files"]:
        assert not Path(file).is_relative_to(REPO), f"{file} comes from the repository, not the wheel"


@pytest.mark.parametrize("pack", PACKS, ids=_pack_id)
def test_pack_serves_its_policies_like_the_real_cli(pack: Path, fresh_python: Path, tmp_path: Path) -> None:
    import grpc
    from google.protobuf import empty_pb2
    from pulumi.runtime.proto import analyzer_pb2_grpc

    copy = tmp_path / pack.name  # as `pulumi policy publish` uploads it: the pack directory alone
    shutil.copytree(pack, copy, ignore=shutil.ignore_patterns("__pycache__"))
    proc = subprocess.Popen(
        [str(fresh_python), "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(copy)],
        cwd=copy,
        env=_clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 90)
        line = proc.stdout.readline().strip() if ready and proc.stdout else ""
        if not line.isdigit():
            proc.kill()
            _, err = proc.communicate(timeout=10)
            raise AssertionError(f"{pack.name} did not start serving: {line!r} {err[-3000:]}")
        with grpc.insecure_channel(f"127.0.0.1:{line}") as channel:
            info = analyzer_pb2_grpc.AnalyzerStub(channel).GetAnalyzerInfo(empty_pb2.Empty(), timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    expected = load_pack(pack)
    assert info.name == expected.name
    assert [p.name for p in info.policies] == [p.name for p in expected.policies]
