"""docs/azure-resource-review.md covers every resource type azure-dev and azure-prod register, each row
with the page relied on."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REVIEW = REPO / "docs" / "azure-resource-review.md"


def _rows() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in REVIEW.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([^`]+)` \|(.*)\|$", line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def test_every_registered_type_was_reviewed() -> None:
    rows = _rows()
    for stack in ("azure-dev", "azure-prod"):
        counts = json.loads((REPO / "tests" / "snapshots" / f"{stack}.json").read_text())["counts"]
        missing = sorted(t for t in counts if t not in rows)
        assert not missing, (
            f"{stack} registers types docs/azure-resource-review.md does not review: {missing}"
        )


def test_every_row_cites_a_page() -> None:
    for typ, row in _rows().items():
        assert re.search(r"https://(learn\.microsoft\.com|www\.pulumi\.com)/", row), f"{typ}: no page cited"
        what = row.split("|")[0]
        assert re.search(r"\b(fixed|ok|note|new)\b", what), f"{typ}: no result (fixed, ok, note)"
