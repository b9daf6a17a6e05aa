"""The residency report as one self-contained HTML page with an inline SVG picture.

The picture shows the data classes (rows) against the locations (columns), grouped by country
(Morocco first). Each cell is coloured by the worst verdict of what it holds (allowed, advisory,
violation; undecided when a value is unknown during preview) and links to the list of the stores
behind it, further down the page. No script, no font, no image, no network access: the page
renders as it is, offline, and prints.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from kasbah.residency.model import UNCLASSIFIED
from kasbah.residency.tables import HEADERS, _cells, _summary

COLOURS = {
    "allowed": "#2e7d32",
    "advisory": "#f9a825",
    "violation": "#c62828",
    "undecided": "#6d6d6d",
}
"""Fill of a cell by verdict (green, amber, red, grey)."""
EMPTY = "#eeeeee"

CELL_W, CELL_H, LABEL_W, HEAD_H, GAP = 150, 46, 120, 66, 8


def cell_id(cls: str, location: str) -> str:
    """The anchor of a cell's store list (stable, URL-safe)."""
    return "cell-" + re.sub(r"[^a-z0-9]+", "-", f"{cls}-{location}".lower()).strip("-")


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _short(name: str, width: int = 25) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def svg(report: Mapping[str, Any]) -> str:
    """The classes x locations picture (inline SVG)."""
    classes: list[str] = list(report["classes"])
    locations: list[dict[str, Any]] = list(report["locations"])
    cells = {(c["class"], c["location"]): c for c in report["matrix"]}
    xs: list[int] = []
    x = LABEL_W
    previous = None
    for loc in locations:
        if previous is not None and loc["country"] != previous:
            x += GAP * 2
        xs.append(x)
        x += CELL_W + GAP
        previous = loc["country"]
    width = max(x, LABEL_W + CELL_W) + GAP
    height = HEAD_H + len(classes) * (CELL_H + GAP) + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        "<title>Data classes against locations, grouped by country</title>",
    ]
    # country bands
    groups: dict[str, list[int]] = {}
    for loc, lx in zip(locations, xs, strict=True):
        groups.setdefault(loc["country"], []).append(lx)
    for country, lxs in groups.items():
        left, right = min(lxs), max(lxs) + CELL_W
        out.append(
            f'<g class="country" data-country="{_e(country)}"><rect x="{left}" y="4" width="{right - left}" '
            f'height="22" rx="4" fill="#37474f"/><text x="{(left + right) / 2}" y="19" fill="#fff" '
            f'text-anchor="middle" font-weight="bold">{_e(country)}</text></g>'
        )
    for loc, lx in zip(locations, xs, strict=True):
        out.append(
            f'<text class="location" x="{lx + CELL_W / 2}" y="{HEAD_H - 24}" text-anchor="middle" font-size="11">'
            f"<title>{_e(loc['name'])} ({_e(loc['cloud'])})</title>{_e(_short(loc['name']))}</text>"
        )
        out.append(
            f'<text x="{lx + CELL_W / 2}" y="{HEAD_H - 10}" text-anchor="middle" fill="#555" font-size="10">'
            f"{_e(loc['cloud'])}</text>"
        )
    for i, cls in enumerate(classes):
        y = HEAD_H + i * (CELL_H + GAP)
        out.append(
            f'<text class="data-class" x="{LABEL_W - 10}" y="{y + CELL_H / 2 + 4}" text-anchor="end" '
            f'font-weight="bold">{_e(cls)}</text>'
        )
        for loc, lx in zip(locations, xs, strict=True):
            cell = cells.get((cls, loc["name"]))
            if cell is None:
                out.append(
                    f'<rect x="{lx}" y="{y}" width="{CELL_W}" height="{CELL_H}" rx="4" fill="{EMPTY}"/>'
                )
                continue
            count = len(cell["stores"])
            label = f"{count} store{'s' if count != 1 else ''}"
            out.append(
                f'<a href="#{cell_id(cls, loc["name"])}"><rect class="cell" data-class="{_e(cls)}" '
                f'data-location="{_e(loc["name"])}" data-verdict="{_e(cell["verdict"])}" data-stores="{count}" '
                f'x="{lx}" y="{y}" width="{CELL_W}" height="{CELL_H}" rx="4" fill="{COLOURS[cell["verdict"]]}">'
                f"<title>{_e(cls)} data in {_e(loc['name'])}: {_e(cell['verdict'])} ({label})</title></rect>"
                f'<text x="{lx + CELL_W / 2}" y="{y + CELL_H / 2 + 4}" text-anchor="middle" fill="#fff">'
                f"{_e(cell['verdict'])} · {label}</text></a>"
            )
    ly = height - 22
    lx = LABEL_W
    for verdict, colour in COLOURS.items():
        out.append(
            f'<rect x="{lx}" y="{ly}" width="14" height="14" rx="2" fill="{colour}"/>'
            f'<text x="{lx + 20}" y="{ly + 12}">{verdict}</text>'
        )
        lx += 110
    out.append("</svg>")
    return "\n".join(out)


STYLE = """
body { font-family: sans-serif; margin: 2em; color: #212121; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eceff1; }
.verdict-allowed { color: #2e7d32; font-weight: bold; }
.verdict-advisory { color: #9a6700; font-weight: bold; }
.verdict-violation { color: #c62828; font-weight: bold; }
.verdict-undecided { color: #6d6d6d; font-weight: bold; }
section.cell { margin: 0.5em 0; }
code { font-size: 12px; }
"""


def render_html(report: Mapping[str, Any]) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Kasbah: where each class of data lives</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Where each class of data lives, and where it is copied</h1>",
        f"<p>{_e(_summary(report))}</p>",
        '<figure id="picture">',
        svg(report),
        "<figcaption>Data classes against locations, grouped by country. A cell links to the stores behind "
        "it.</figcaption></figure>",
    ]
    for cls in report["classes"]:
        rows = [r for r in report["rows"] if r["class"] == cls]
        title = "Unclassified stores" if cls == UNCLASSIFIED else f"Class {cls}"
        parts.append(f'<h2 id="class-{_e(cls)}">{_e(title)} ({len(rows)})</h2>')
        if not rows:
            parts.append("<p>No store.</p>")
            continue
        parts.append("<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in HEADERS) + "</tr>")
        for row in rows:
            cells = _cells(row)
            cells[8] = f'<span class="verdict-{_e(row["verdict"])}">{_e(row["verdict"])}</span>'
            parts.append(
                "<tr>" + "".join(f"<td>{c if i == 8 else _e(c)}</td>" for i, c in enumerate(cells)) + "</tr>"
            )
        parts.append("</table>")
    parts.append("<h2>The stores behind each cell</h2>")
    for cell in report["matrix"]:
        parts.append(
            f'<section class="cell" id="{cell_id(cell["class"], cell["location"])}" data-class="{_e(cell["class"])}" '
            f'data-location="{_e(cell["location"])}" data-verdict="{_e(cell["verdict"])}">'
            f"<h3>{_e(cell['class'])} in {_e(cell['location'])} ({_e(cell['country'])}): "
            f'<span class="verdict-{_e(cell["verdict"])}">{_e(cell["verdict"])}</span></h3><ul>'
            + "".join(f'<li><code class="store">{_e(urn)}</code></li>' for urn in cell["stores"])
            + "</ul></section>"
        )
    parts.append("<h2>Transfers abroad to declare to the CNDP (Law 09-08, art. 43-44)</h2>")
    if report["transfers"]:
        parts.append(
            "<table><tr><th>stack</th><th>store</th><th>what</th><th>location</th><th>country</th></tr>"
        )
        parts += [
            f"<tr><td>{_e(t['stack'])}</td><td><code>{_e(t['urn'])}</code></td><td>{_e(t['what'])}</td>"
            f"<td>{_e(t['location'])}</td><td>{_e(t['country'])}</td></tr>"
            for t in report["transfers"]
        ]
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
