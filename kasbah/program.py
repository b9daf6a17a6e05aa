"""The root project's program: run the blueprint that the stack's ``kasbah:blueprint`` selects."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from kasbah.errors import PreviewError


def run_blueprint(root: Path | None = None) -> None:
    """Run ``blueprints/<kasbah:blueprint>/__main__.py`` as the program (real CLI and offline alike)."""
    import pulumi

    root = root or Path(__file__).resolve().parent.parent
    name = pulumi.Config("kasbah").require("blueprint")
    directory = root / "blueprints" / name
    if not (directory / "__main__.py").exists():
        known = sorted(p.parent.name for p in (root / "blueprints").glob("*/__main__.py"))
        raise PreviewError(
            f"kasbah:blueprint: unknown blueprint {name!r}. Fix: set it to one of {', '.join(known) or '(none)'}."
        )
    sys.path.insert(0, str(directory))
    try:
        runpy.run_path(str(directory / "__main__.py"), run_name="__main__")
    finally:
        if str(directory) in sys.path:
            sys.path.remove(str(directory))
