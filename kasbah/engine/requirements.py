"""A project's declared Python dependencies, and whether an installed set of distributions satisfies them.

Pure functions (no subprocess, no network): the environment module uses them to decide
whether a project's program may run in Kasbah's own interpreter.

- ``requirements.txt`` (the pip toolchain): one requirement per line, ``#`` comments, ``\\``
  continuations, ``-r``/``--requirement`` includes; options (``--index-url``, ``-c``...) do not
  change what must be installed. Editable, path and URL requirements cannot be checked against
  an installed set: they make the project's requirements unsatisfiable by anything but its own
  environment.
- ``pyproject.toml``: PEP 621 ``[project].dependencies`` (uv, Poetry 2) and uv's default
  ``[dependency-groups].dev``; Poetry's ``[tool.poetry.dependencies]`` and non-optional groups,
  whose constraints (``^1.2``, ``~1.2``, ``1.*``, a bare version) are translated to PEP 440 as
  Poetry defines them (https://python-poetry.org/docs/dependency-specification/).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from kasbah.errors import PreviewError


@dataclass(frozen=True)
class Declared:
    """What a project declares it needs."""

    source: Path | None
    """The file the requirements come from (None: the project declares none)."""
    requirements: tuple[str, ...] = ()
    """PEP 508 requirement strings."""
    uncheckable: tuple[str, ...] = ()
    """Entries that name no checkable distribution (editable installs, paths, URLs, VCS)."""

    @property
    def label(self) -> str:
        return self.source.name if self.source else "no declared requirements"


@dataclass(frozen=True)
class Installed:
    """Distributions installed in an environment: canonical name -> version, and each one's requirements."""

    versions: Mapping[str, str]
    requires: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


_OPTION_WITH_VALUE = re.compile(
    r"^(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|-c|--constraint|--hash|"
    r"--config-settings|--global-option|-Z|--use-feature)\b"
)


def _logical_lines(text: str) -> Iterable[str]:
    pending = ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield pending + line
        pending = ""
    if pending:
        yield pending


def _strip_comment(line: str) -> str:
    if line.lstrip().startswith("#"):
        return ""
    return re.split(r"\s+#", line, maxsplit=1)[0].strip()


def parse_requirements_txt(path: Path, _seen: frozenset[Path] = frozenset()) -> Declared:
    """The requirements of a ``requirements.txt``, following ``-r`` includes."""
    path = path.resolve()
    if path in _seen:
        return Declared(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PreviewError(f"{path}: cannot read the requirements ({exc})") from None
    reqs: list[str] = []
    uncheckable: list[str] = []
    for raw in _logical_lines(text):
        line = _strip_comment(raw)
        if not line:
            continue
        include = re.match(r"^(-r|--requirement)(\s+|=)(?P<file>\S+)", line)
        if include:
            nested = parse_requirements_txt(path.parent / include.group("file"), _seen | {path})
            reqs.extend(nested.requirements)
            uncheckable.extend(nested.uncheckable)
            continue
        if line.startswith(("-e", "--editable")) or re.match(r"^(\.|/|~|[a-z+]+://|git\+)", line):
            uncheckable.append(line)
            continue
        if line.startswith("-"):
            if not _OPTION_WITH_VALUE.match(line) and not line.startswith("--"):
                uncheckable.append(line)
            continue
        line = re.split(r"\s+--hash", line, maxsplit=1)[0]
        try:
            req = Requirement(line)
        except InvalidRequirement:
            raise PreviewError(
                f"{path}: {line!r} is not a valid requirement. Fix: write it as pip reads it (name[extras] specifier)."
            ) from None
        if req.url:
            uncheckable.append(line)
        else:
            reqs.append(str(req))
    return Declared(path, tuple(reqs), tuple(uncheckable))


def poetry_constraint(constraint: str) -> str:
    """A Poetry version constraint as a PEP 440 specifier (``^1.2`` -> ``>=1.2,<2.0``).

    https://python-poetry.org/docs/dependency-specification/#version-constraints
    """
    parts = [p.strip() for p in re.split(r",|\s+(?=[<>=!~^])", constraint.strip()) if p.strip()]
    if any("||" in p or "|" in p for p in parts):
        raise ValueError(f"alternative constraints ({constraint!r}) are not supported")
    out: list[str] = []
    for part in parts:
        if part in ("*", ""):
            continue
        if part.startswith("^"):
            out.extend(_caret(part[1:]))
        elif part.startswith("~") and not part.startswith("~="):
            out.extend(_tilde(part[1:]))
        elif part[:1].isdigit():
            out.append(f"=={part}")  # a bare version or a wildcard (1.*) is an exact constraint
        else:
            out.append(part)
    return ",".join(out)


def _numbers(version: str) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", version.split("-")[0].split("+")[0])[:3]]


def _caret(version: str) -> list[str]:
    nums = _numbers(version)
    if not nums:
        raise ValueError(f"invalid caret constraint ^{version}")
    upper: list[int]
    for i, n in enumerate(nums):
        if n != 0 or i == len(nums) - 1:
            upper = [*nums[:i], n + 1]
            break
    return [f">={version}", f"<{'.'.join(map(str, upper))}"]


def _tilde(version: str) -> list[str]:
    nums = _numbers(version)
    if not nums:
        raise ValueError(f"invalid tilde constraint ~{version}")
    upper = [nums[0] + 1] if len(nums) == 1 else [nums[0], nums[1] + 1]
    return [f">={version}", f"<{'.'.join(map(str, upper))}"]


def _poetry_requirement(name: str, spec: object) -> str | None:
    """One ``[tool.poetry.dependencies]`` entry as a PEP 508 string; None for path/git/url entries."""
    extras: list[str] = []
    markers = ""
    if isinstance(spec, str):
        version = spec
    elif isinstance(spec, dict):
        if any(k in spec for k in ("path", "git", "url", "file")):
            return None
        if spec.get("optional"):
            return ""
        version = str(spec.get("version", "*"))
        extras = [str(e) for e in spec.get("extras") or []]
        if spec.get("markers"):
            markers = f"; {spec['markers']}"
    else:
        return None
    extra = f"[{','.join(extras)}]" if extras else ""
    return f"{name}{extra}{poetry_constraint(version)}{markers}"


def parse_pyproject(path: Path, toolchain: str) -> Declared:
    """The dependencies ``uv sync`` or ``poetry install`` would install from a ``pyproject.toml``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PreviewError(f"{path}: cannot read the project's dependencies ({exc})") from None
    reqs: list[str] = [str(r) for r in data.get("project", {}).get("dependencies") or []]
    uncheckable: list[str] = []
    if toolchain == "uv":
        reqs += [str(r) for r in (data.get("dependency-groups") or {}).get("dev") or [] if isinstance(r, str)]
    if toolchain == "poetry":
        poetry = data.get("tool", {}).get("poetry", {})
        tables = [poetry.get("dependencies") or {}]
        tables += [
            (group or {}).get("dependencies") or {}
            for group in (poetry.get("group") or {}).values()
            if not (group or {}).get("optional")
        ]
        for table in tables:
            for name, spec in table.items():
                if name.lower() == "python":
                    continue
                try:
                    req = _poetry_requirement(name, spec)
                except ValueError as exc:
                    raise PreviewError(f"{path}: dependency {name}: {exc}") from None
                if req is None:
                    uncheckable.append(f"{name} = {spec!r}")
                elif req:
                    reqs.append(req)
    return Declared(path, tuple(reqs), tuple(uncheckable))


def unsatisfied(declared: Declared, installed: Installed, python_version: str) -> list[str]:
    """The declared requirements an installed set does not satisfy (empty: it satisfies them all).

    A requirement is satisfied when its distribution is installed at a version its specifier
    allows (pre-releases included) and, for each extra it asks for, the extra's own
    requirements are satisfied. Requirements whose markers do not apply are ignored.
    """
    env: dict[str, str] = {k: str(v) for k, v in default_environment().items()}
    env["python_version"] = ".".join(python_version.split(".")[:2])
    env["python_full_version"] = python_version
    missing = [f"{u} (not checkable)" for u in declared.uncheckable]
    for text in declared.requirements:
        problem = _check(Requirement(text), installed, env, set())
        if problem:
            missing.append(problem)
    return missing


def _check(req: Requirement, installed: Installed, env: dict[str, str], seen: set[str]) -> str:
    if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
        return ""
    name = canonicalize_name(req.name)
    if name in seen:
        return ""
    seen.add(name)
    have = installed.versions.get(name)
    if have is None:
        return f"{req} (not installed)"
    try:
        ok = req.specifier.contains(Version(have), prereleases=True) if req.specifier else True
    except InvalidVersion:
        ok = False
    if not ok:
        return f"{req} (installed: {have})"
    for extra in sorted(req.extras):
        for dep_text in installed.requires.get(name, ()):
            dep = Requirement(dep_text)
            if dep.marker is None or not dep.marker.evaluate({**env, "extra": extra}):
                continue
            if dep.marker.evaluate({**env, "extra": ""}):
                continue  # not specific to the extra: installed with the distribution itself
            problem = _check(Requirement(str(dep).split(";")[0]), installed, env, seen)
            if problem:
                return f"{req}: {problem}"
    return ""


def installed_here() -> Installed:
    """The distributions installed in the running interpreter (Kasbah's own environment)."""
    from importlib import metadata

    versions: dict[str, str] = {}
    requires: dict[str, tuple[str, ...]] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if not name:
            continue
        key = canonicalize_name(name)
        if key in versions:
            continue
        versions[key] = dist.version
        requires[key] = tuple(dist.requires or ())
    return Installed(versions, requires)


def installed_in(site_packages: Iterable[Path]) -> Installed:
    """The distributions of a virtual environment, read from its ``*.dist-info`` directories."""
    versions: dict[str, str] = {}
    for directory in site_packages:
        if not directory.is_dir():
            continue
        for info in directory.glob("*.dist-info"):
            meta = info / "METADATA"
            try:
                head = meta.read_text(encoding="utf-8", errors="replace").split("\n\n", 1)[0]
            except OSError:
                continue
            fields = dict(
                line.split(": ", 1) for line in head.splitlines() if ": " in line and not line.startswith(" ")
            )
            if "Name" in fields and "Version" in fields:
                versions.setdefault(canonicalize_name(fields["Name"]), fields["Version"].strip())
    return Installed(versions)
