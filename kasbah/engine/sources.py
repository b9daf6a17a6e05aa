"""Where in the program each resource was created: the SDK's stack trace, kept inside the user's repository.

The Python SDK sends a ``stackTrace`` (topmost frame first) and a ``sourcePosition`` with every
``RegisterResource`` and ``ReadResource`` (``pulumi/runtime/resource.py``, ``_get_stack_trace``:
the frames above the concrete resource class's ``__init__``). The Pulumi engine keeps them for
its diagnostics; Kasbah keeps, for each resource, the first frame that lies inside the user's
repository, as a path relative to the repository root and a line:

- the repository root is the nearest directory above the project holding ``.git`` (a folder,
  or a file in a git worktree), else the project directory;
- frames of installed packages (``site-packages``, the interpreter's prefix, a virtualenv inside
  the repository) and of Kasbah's own ``kasbah`` package (the engine, the root program) are
  never the user's, nor are frames without a file (``<string>``, ``<frozen runpy>``).

A resource created in a component's code is therefore placed on the line of the component that
creates it when the component lives in the repository (Kasbah's own), or on the line of the
user's program that calls the component when the component is installed from a package. The
component call is the parent component's own position (see :func:`kasbah.report.model`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from kasbah.engine.model import SourcePosition

KASBAH_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def repository_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding ``.git``; ``start`` itself when there is none."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def _installed_prefixes() -> tuple[str, ...]:
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    return tuple(sorted(str(Path(p).resolve()) + os.sep for p in prefixes if p))


class SourceLocator:
    """Maps the SDK's stack traces to the first frame inside the repository (cached per file URI)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._root_prefix = str(self.root) + os.sep
        self._excluded = (*_installed_prefixes(), str(KASBAH_PACKAGE_DIR) + os.sep)
        self._files: dict[str, str | None] = {}

    def relative(self, uri: str) -> str | None:
        """The repository-relative path of a frame's file URI, or None when it is not the user's."""
        cached = self._files.get(uri, "")
        if cached != "":
            return cached
        rel: str | None = None
        parsed = urlparse(uri)
        if parsed.scheme in ("file", "") and parsed.path:
            path = os.path.realpath(unquote(parsed.path))
            parts = path.split(os.sep)
            if (
                path.startswith(self._root_prefix)
                and not path.startswith(self._excluded)
                and "site-packages" not in parts
                and "dist-packages" not in parts
                and os.path.isfile(path)
            ):
                rel = Path(path).relative_to(self.root).as_posix()
        self._files[uri] = rel
        return rel

    def locate(self, request: Any) -> SourcePosition | None:
        """The first frame of a registration request's stack trace inside the repository."""
        frames = list(request.stackTrace.frames) if request.HasField("stackTrace") else []
        positions = [f.pc for f in frames if f.HasField("pc")]
        if not positions and request.HasField("sourcePosition"):
            positions = [request.sourcePosition]
        for pos in positions:
            if pos.line <= 0 or not pos.uri:
                continue
            rel = self.relative(pos.uri)
            if rel is not None:
                return SourcePosition(rel, int(pos.line))
        return None
