"""The stack context the CLI gives policy packs: organization, config, dry run and stack tags.

Stack tags as the CLI computes them for a stack (pulumi/pulumi ``pkg/backend/stack.go``,
``GetEnvironmentTagsForCurrentStack``): ``pulumi:project``, ``pulumi:runtime``,
``pulumi:description`` from Pulumi.yaml; the ``pulumi:tags`` config object; and the git
metadata of the project directory (``vcs:root``, ``vcs:owner``, ``vcs:repo``, ``vcs:kind``
from the ``origin`` remote). Tags set on the backend (``pulumi stack tag set``) cannot be
read offline: pass them with ``--stack-tag KEY=VALUE``.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kasbah.errors import PreviewError
from kasbah.project import Project, StackConfig

DEFAULT_ORGANIZATION = "organization"
"""What the CLI's self-managed backends report as the organization (pulumi-policy's default too)."""

_SSH_REMOTE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>[^/].*)$")


def organization(config: StackConfig) -> str:
    return str(config.values.get("kasbah:organization") or DEFAULT_ORGANIZATION)


def config_tags(config: StackConfig) -> dict[str, str]:
    """``pulumi:tags``: an object of strings, refused otherwise as the CLI refuses it."""
    raw = config.values.get("pulumi:tags")
    if raw is None:
        return {}
    value: Any = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = None
    if not isinstance(value, dict):
        raise PreviewError("pulumi:tags must be an object of strings")
    for name, tag in value.items():
        if not isinstance(tag, str):
            raise PreviewError(f"pulumi:tags[{name}] must be a string")
    return {str(k): str(v) for k, v in value.items()}


def _git(directory: Path, *args: str) -> str:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=directory, capture_output=True, text=True, check=False, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def vcs_tags(directory: Path) -> dict[str, str]:
    """The git metadata the CLI adds (``addGitMetadataToStackTags``); nothing outside a git work tree."""
    root = _git(directory, "rev-parse", "--show-toplevel")
    if not root:
        return {}
    tags: dict[str, str] = {}
    try:
        rel = directory.resolve().relative_to(Path(root).resolve()).as_posix()
        tags["vcs:root"] = rel
    except ValueError:
        pass
    remote = _git(directory, "config", "--get", "remote.origin.url")
    if not remote:
        return tags
    host = path = ""
    match = re.match(r"^(?:https?|ssh)://(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?/(?P<path>.+)$", remote)
    if match is None:
        match = _SSH_REMOTE.match(remote)
    if match is not None:
        host, path = match.group("host"), match.group("path").removesuffix(".git").strip("/")
    parts = path.split("/")
    if host and len(parts) >= 2 and host != "dev.azure.com":
        tags["vcs:owner"], tags["vcs:repo"], tags["vcs:kind"] = parts[0], "/".join(parts[1:]), host
    return tags


def stack_tags(
    project: Project | None, config: StackConfig, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    tags: dict[str, str] = {}
    if project is not None:
        tags["pulumi:project"] = project.name
        tags["pulumi:runtime"] = project.runtime
        if project.description:
            tags["pulumi:description"] = project.description
    tags.update(config_tags(config))
    if project is not None:
        tags.update(vcs_tags(project.dir))
    tags.update(extra or {})
    return tags
