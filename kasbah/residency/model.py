"""The residency report as data (the JSON format, version 1): rows, transfers, locations, the matrix.

Built from the stacks' views (:mod:`.collect`); every other format renders this model, so the
HTML picture, the tables and the JSON always say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kasbah.facts import HOME_COUNTRY, DataClassification

VERSION = 1
CLASSES: tuple[str, ...] = tuple(c.value for c in DataClassification)
UNCLASSIFIED = "unclassified"
VERDICTS = ("allowed", "advisory", "undecided", "violation")
"""Best to worst: a cell takes the worst verdict of the placements it shows."""


def _worst(values: Iterable[str]) -> str:
    return max(values, key=VERDICTS.index, default="allowed")


def _replica(p: Any) -> dict[str, Any]:
    return {
        "what": p.what,
        "location": p.location,
        "country": p.country,
        "cloud": p.cloud,
        "qualification": p.qualification,
        "verdict": p.verdict.value,
        "basis": p.basis,
    }


def rows_of(views: Sequence[Any]) -> list[dict[str, Any]]:
    """One row per store and location, with the store's copies."""
    rows: list[dict[str, Any]] = []
    for view in views:
        for rec in view.records:
            cls = rec.classification if rec.classification in CLASSES else UNCLASSIFIED
            replicas = [_replica(p) for p in rec.replicas]
            base = {
                "stack": view.stack,
                "urn": rec.urn,
                "name": rec.name,
                "type": rec.type,
                "store": rec.label,
                "class": cls,
                "cloud": rec.cloud,
                "account": view.accounts.get(rec.urn, "stack's own"),
                "classifiedIn": rec.where_classified,
                "replicas": replicas,
            }
            placements = rec.placements or ()
            if not placements:  # a replicator: its data is where its copies land
                rows.append(
                    base
                    | {
                        "location": "-",
                        "country": "-",
                        "qualification": "",
                        "source": rec.note,
                        "placement": "allowed",
                        "verdict": _worst(r["verdict"] for r in replicas),
                        "basis": "copies another store's data (see replicas)",
                    }
                )
            for p in placements:
                rows.append(
                    base
                    | {
                        "location": p.location,
                        "country": p.country,
                        "qualification": p.qualification,
                        "source": p.source,
                        "placement": p.verdict.value,
                        "verdict": _worst([p.verdict.value, *(r["verdict"] for r in replicas)]),
                        "basis": p.basis,
                    }
                )
    return sorted(
        rows, key=lambda r: ((*CLASSES, UNCLASSIFIED).index(r["class"]), r["stack"], r["urn"], r["location"])
    )


def _cells(rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(class, location) -> verdicts and stores: the store's own placement and every copy it makes."""
    cells: dict[tuple[str, str], dict[str, Any]] = {}

    def add(cls: str, location: str, country: str, verdict: str, urn: str) -> None:
        if location == "-":
            return
        cell = cells.setdefault(
            (cls, location),
            {"class": cls, "location": location, "country": country, "verdicts": [], "stores": set()},
        )
        cell["verdicts"].append(verdict)
        cell["stores"].add(urn)

    for row in rows:
        add(row["class"], row["location"], row["country"], row["placement"], row["urn"])
        for rep in row["replicas"]:
            add(row["class"], rep["location"], rep["country"], rep["verdict"], row["urn"])
    return cells


def country_order(country: str) -> tuple[int, str]:
    """Morocco first, then other countries alphabetically, unknown last."""
    return (0 if country == HOME_COUNTRY else 2 if country in ("?", "-") else 1, country)


def locations_of(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        points = [(row["location"], row["country"], row["cloud"], row["qualification"])]
        points += [(r["location"], r["country"], r["cloud"], r["qualification"]) for r in row["replicas"]]
        for name, country, cloud, qual in points:
            if name == "-" or name in seen:
                continue
            seen[name] = {"name": name, "country": country, "cloud": cloud, "qualification": qual}
    return sorted(seen.values(), key=lambda loc: (*country_order(loc["country"]), loc["name"]))


def build(views: Sequence[Any]) -> dict[str, Any]:
    """The report (JSON format version 1)."""
    rows = rows_of(views)
    locations = locations_of(rows)
    order = {loc["name"]: i for i, loc in enumerate(locations)}
    classes = [*CLASSES, *([UNCLASSIFIED] if any(r["class"] == UNCLASSIFIED for r in rows) else [])]
    matrix = [
        {
            "class": cell["class"],
            "location": cell["location"],
            "country": cell["country"],
            "verdict": _worst(cell["verdicts"]),
            "stores": sorted(cell["stores"]),
        }
        for cell in sorted(
            _cells(rows).values(), key=lambda c: (classes.index(c["class"]), order[c["location"]])
        )
    ]
    transfers = [
        {
            "stack": row["stack"],
            "urn": row["urn"],
            "class": row["class"],
            "what": rep["what"] or row["store"],
            "location": rep["location"],
            "country": rep["country"],
            "basis": rep["basis"],
        }
        for row in rows
        for rep in [
            *([{"what": "", **row}] if row["placement"] == "advisory" else []),
            *[r for r in row["replicas"] if r["verdict"] == "advisory"],
        ]
    ]
    return {
        "version": VERSION,
        "stacks": [
            {"stack": v.stack, "project": v.project, "stores": len(v.records), "mandatory": v.mandatory}
            for v in views
        ],
        "classes": classes,
        "locations": locations,
        "rows": rows,
        "transfers": transfers,
        "matrix": matrix,
        "summary": {
            "stores": len({r["urn"] for r in rows}),
            "violations": sum(1 for r in rows if r["verdict"] == "violation"),
            "advisories": sum(1 for r in rows if r["verdict"] == "advisory"),
            "transfers": len(transfers),
        },
    }
