"""`kasbah preview` over a corpus of real Pulumi Python projects (e.g. the official examples).

Run: `.venv/bin/python benchmarks/bench_programs.py DIR [--no-policies] [--only NAME ...]`, where DIR holds
the projects (each a directory with a Pulumi.yaml, at any depth). Figures, not a timed test.

The official examples, as the figures in benchmarks/README.md were taken (their code is not copied
into this repository):

    git -C <mirror of github.com/pulumi/examples> archive HEAD $(git -C <mirror> ls-tree -d HEAD --name-only \\
        | grep -E '^(aws|azure)-py') | tar -x -C /tmp/examples
    .venv/bin/python benchmarks/bench_programs.py /tmp/examples

Which projects: Python projects whose declared dependencies (requirements.txt, or pyproject.toml) name
only pulumi, pulumi-aws, pulumi-azure-native, pulumi-random, pulumi-awsx or pulumi-docker, besides the
Pulumi SDK's own dependencies (e.g. grpcio, typing-extensions) and the type checker Pulumi.yaml names.

Each project is previewed as a new user would preview it: a stack file `Pulumi.kasbah-bench.yaml` is
written beside Pulumi.yaml (the region eu-west-3 or francecentral, the template's defaults, and a
placeholder for each value the program requires: `secure:` for secrets), then `kasbah preview` runs in a
fresh process with the default packs. A project "previews offline" when it exits 0 or 1 (1: mandatory
violations); exit 2 is a failure, whose one line is printed. Environments the projects declare are
created in place on the first run (as `pulumi install` does): run twice to see both costs.

`--child-cost STACK ...` instead previews existing stacks of one project (e.g. the repository's own:
`bench_programs.py . --child-cost aws-dev azure-dev`) in Kasbah's own process and in a child process
(`KASBAH_PROGRAM_PROCESS=child`), and prints what the separate environment costs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

ALLOWED = {"pulumi", "pulumi-aws", "pulumi-azure-native", "pulumi-random", "pulumi-awsx", "pulumi-docker"}
STACK = "kasbah-bench"
REGIONS = {"aws": ("aws:region", "eu-west-3"), "azure": ("azure-native:location", "francecentral")}
KASBAH = Path(sys.executable).with_name("kasbah")


def sdk_dependencies() -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in metadata.requires("pulumi") or []}


def declared_names(project: Path) -> list[str]:
    names: list[str] = []
    req = project / "requirements.txt"
    if req.is_file():
        for line in req.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if not line or line.startswith("-"):
                continue
            try:
                names.append(canonicalize_name(Requirement(line).name))
            except InvalidRequirement:
                names.append(line)
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        data = tomllib.loads(pyproject.read_text())
        names += [
            canonicalize_name(Requirement(r).name) for r in data.get("project", {}).get("dependencies", [])
        ]
        poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
        names += [canonicalize_name(n) for n in poetry if n.lower() != "python"]
    return names


def selected(project: Path, raw: dict[str, Any], sdk: set[str]) -> tuple[bool, list[str]]:
    options = (raw.get("runtime") or {}).get("options") or {} if isinstance(raw.get("runtime"), dict) else {}
    tools = {str(options["typechecker"])} if options.get("typechecker") else set()
    names = declared_names(project)
    others = sorted({n for n in names if n not in ALLOWED and n not in sdk and n not in tools})
    return bool(names) and not others, others


_REQUIRE = re.compile(
    r"""(int\(\s*|float\(\s*)?(\w+)\.(require|require_secret|require_int|require_bool|require_float|require_object|require_secret_object)\(\s*["']([\w:.-]+)["']"""
)
_CONFIG_NS = re.compile(r"""(\w+)\s*=\s*(?:pulumi\.)?Config\(\s*["']([\w-]+)["']\s*\)""")


def placeholder(key: str, kind: str) -> Any:
    low = key.lower()
    if kind.endswith("int"):
        return 2
    if kind.endswith("bool"):
        return "true"
    if kind.endswith("float"):
        return 1.5
    if kind.endswith("object"):
        return {}
    if "domain" in low:
        return "www.example.com"
    if "ssh" in low or "publickey" in low.replace("_", ""):
        return "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 kasbah@example"
    if "cidr" in low or "address" in low:
        return "10.0.0.0/16"
    if "arn" in low:
        return "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"
    return "kasbah-example"


def stack_name(key: str, known: dict[str, Any]) -> str:
    """A key naming another stack (``companyStack``): the stack of a project previewed before whose name
    contains the key's stem, as a user following the example's README sets it."""
    stem = re.sub(r"_?stack$", "", key, flags=re.I).lower()
    if not stem or stem == key.lower():
        return ""
    return next((name for name in sorted(known) if stem in name.split("/")[1]), "")


def stack_config(project: Path, raw: dict[str, Any], known: dict[str, Any]) -> dict[str, Any]:
    name = str(raw.get("name"))
    config: dict[str, Any] = {}
    cloud = "azure" if "azure" in project.name or "azure" in name else "aws"
    key, value = REGIONS[cloud]
    template = (
        ((raw.get("template") or {}).get("config") or {}) if isinstance(raw.get("template"), dict) else {}
    )
    for k, spec in template.items():
        full = k if ":" in k else f"{name}:{k}"
        spec = spec if isinstance(spec, dict) else {"default": spec}
        if full in (key, "aws:region", "azure-native:location", f"{name}:location"):
            continue
        if "(optional)" in str(spec.get("description") or "") and "default" not in spec:
            continue  # a new user leaves an optional setting unset
        if spec.get("secret"):
            config[full] = {"secure": "v1:offline-placeholder"}
        elif "default" in spec:
            config[full] = spec["default"]
        else:
            config[full] = stack_name(k, known) or placeholder(k, "")
    for source in project.rglob("*.py"):
        if "venv" in source.parts or ".venv" in source.parts:
            continue
        text = source.read_text(errors="replace")
        namespaces = dict(_CONFIG_NS.findall(text))
        for cast, var, kind, k in _REQUIRE.findall(text):
            kind = f"{kind}_{cast.strip(' (')}" if cast else kind
            full = k if ":" in k else f"{namespaces.get(var, name)}:{k}"
            if full in config or full == key:
                continue
            config[full] = (
                {"secure": "v1:offline-placeholder"}
                if "secret" in kind
                else stack_name(k, known) or placeholder(k, kind)
            )
    config[key] = value
    if cloud == "azure":
        config[f"{name}:location"] = value
    return dict(sorted(config.items()))


@dataclass
class Outcome:
    name: str
    code: int
    seconds: float
    environment: str
    summary: str
    error: str
    outputs: dict[str, Any]


def run(project: Path, packs: bool, timeout: float, stack_outputs: Path) -> Outcome:
    raw = yaml.safe_load((project / "Pulumi.yaml").read_text())
    stack_dir = project / str(raw.get("stackConfigDir") or ".")
    known = json.loads(stack_outputs.read_text()) if stack_outputs.exists() else {}
    config = stack_config(project, raw, known)
    (stack_dir / f"Pulumi.{STACK}.yaml").write_text(yaml.safe_dump({"config": config}))
    report = project / ".kasbah-bench.json"
    report.unlink(missing_ok=True)
    cmd = [str(KASBAH), "preview", str(project), "--stack", STACK, "--timeout", str(timeout)]
    cmd += ["--format", "json", "--output", str(report), "--stack-outputs", str(stack_outputs)]
    if not packs:
        cmd.append("--no-policies")
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    data = json.loads(report.read_text()) if report.exists() else {}
    summary = data.get("summary") or {}
    line = (
        f"{summary.get('resources', 0)} resources, {summary.get('mandatory', 0)} mandatory, "
        f"{summary.get('advisory', 0)} advisory"
        if data
        else ""
    )
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("kasbah: error:")]
    error = (
        errors[0].removeprefix("kasbah: error: ")
        if errors
        else (proc.stderr.strip().splitlines() or [""])[-1]
    )
    return Outcome(
        project.name,
        proc.returncode,
        seconds,
        str(data.get("environment", "")),
        line,
        error if proc.returncode not in (0, 1) else "",
        dict(data.get("outputs") or {}),
    )


def timed_preview(project: Path, stack: str, child: bool) -> tuple[float, int, str]:
    """One `kasbah preview --no-policies` of an existing stack: wall seconds, resources, environment."""
    env = {**os.environ, "KASBAH_PROGRAM_PROCESS": "child" if child else ""}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [str(KASBAH), "preview", str(project), "--stack", stack, "--no-policies", "-f", "json"]
        start = time.perf_counter()
        proc = subprocess.run([*cmd, "-o", str(report)], capture_output=True, text=True, env=env, check=False)
        wall = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{stack}: exit {proc.returncode}: {proc.stderr.strip()}")
        data = json.loads(report.read_text())
    return wall, int((data.get("summary") or {}).get("resources", 0)), str(data.get("environment", ""))


def child_cost(project: Path, stacks: list[str]) -> int:
    """The cost of running a program in a separate environment (a child process served over gRPC) instead
    of Kasbah's own process, on existing stacks (e.g. the repository's): each previewed both ways."""
    print(f"# {platform.machine()}, Python {platform.python_version()}, kasbah {metadata.version('kasbah')}")
    print(f"{'stack':<14} {'resources':>9} {'in-process (s)':>15} {'child (s)':>10} {'child cost (s)':>15}")
    for stack in stacks:
        wall_in, count, env_in = timed_preview(project, stack, child=False)
        wall_child, _, env_child = timed_preview(project, stack, child=True)
        assert env_in.startswith("Kasbah's own") and "child process" in env_child, (env_in, env_child)
        print(f"{stack:<14} {count:>9} {wall_in:>15.2f} {wall_child:>10.2f} {wall_child - wall_in:>+15.2f}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--no-policies", action="store_true")
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument(
        "--child-cost",
        nargs="+",
        metavar="STACK",
        help="instead: preview these existing stacks of the project CORPUS in Kasbah's process and in a child "
        "process (KASBAH_PROGRAM_PROCESS=child), and print the cost of the separate environment",
    )
    args = ap.parse_args()
    if args.child_cost:
        return child_cost(args.corpus, args.child_cost)
    sdk = sdk_dependencies()
    projects = sorted(p.parent for p in args.corpus.rglob("Pulumi.yaml") if "venv" not in p.parts)
    print(f"# {platform.machine()}, Python {platform.python_version()}, kasbah {metadata.version('kasbah')}")
    chosen: list[Path] = []
    for project in projects:
        raw = yaml.safe_load((project / "Pulumi.yaml").read_text()) or {}
        runtime = raw.get("runtime")
        if (runtime.get("name") if isinstance(runtime, dict) else runtime) != "python":
            continue
        ok, others = selected(project, raw, sdk)
        rel = project.relative_to(args.corpus).as_posix()
        if not ok:
            print(f"skip  {rel}: needs {', '.join(others) or 'no declared dependency'}")
            continue
        if args.only and not any(o in rel for o in args.only):
            continue
        chosen.append(project)
    outcomes = []
    stack_outputs = args.corpus / ".kasbah-bench-stack-outputs.json"
    stack_outputs.write_text("{}")
    for project in chosen:
        out = run(project, not args.no_policies, args.timeout, stack_outputs)
        if out.code in (0, 1):
            raw = yaml.safe_load((project / "Pulumi.yaml").read_text())
            known = json.loads(stack_outputs.read_text())
            known[f"organization/{raw.get('name')}/{STACK}"] = out.outputs
            stack_outputs.write_text(json.dumps(known))
        out.name = project.relative_to(args.corpus).as_posix()
        outcomes.append(out)
        status = "ok  " if out.code in (0, 1) else "FAIL"
        print(f"{status}  {out.name:<50} exit {out.code}  {out.seconds:6.1f} s  {out.summary or out.error}")
        if out.environment:
            print(f"      environment: {out.environment}")
    passed = [o for o in outcomes if o.code in (0, 1)]
    print()
    print(
        f"{len(passed)} of {len(outcomes)} previewed offline ({100 * len(passed) / max(len(outcomes), 1):.0f}%), "
        f"{sum(o.seconds for o in outcomes):.0f} s in all"
    )
    in_process = [o for o in passed if o.environment.startswith("Kasbah's own")]
    print(
        f"{len(in_process)} ran in Kasbah's own environment, {len(passed) - len(in_process)} in the project's own"
    )
    for o in outcomes:
        if o.code not in (0, 1):
            print(f"failure: {o.name}: exit {o.code}: {o.error}")
    print(json.dumps({"previewed": len(passed), "total": len(outcomes)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
