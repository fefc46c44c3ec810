"""The course's results in one place: ``results.json``, the results page, and build comparison.

``results.json`` (in ``site/``, written at every build) has this shape, version
``SCHEMA``; a reader of it should check ``schema`` first::

    {"schema": "convlab-results/1", "profile": "quick", "profile_description": "...",
     "built_at": "2026-11-23 05:40 UTC", "build_seconds": 41.2,
     "lessons": [{"lesson": "02_dense_baseline", "slug": "dense_baseline", "title": "...",
                  "profile": "full", "source": "store", "seconds": 38.1,
                  "from_cache": true, "executed_at": "...",
                  "hardware": "...", "commit": "abc1234", "data": ["CIFAR-10 (...)"],
                  "overrides": {"epochs": 2},
                  "results": [{"name": "test_accuracy", "value": 0.37, "fmt": "{:.1%}",
                               "quantity": "fraction", "better": "higher",
                               "reference": 0.47, "reference_name": "dense_baseline..."}],
                  "expectations": [{"name": "...", "rule": "...", "status": "passed",
                                    "value": 0.37}],
                  "claims": [{"name": "cnn_beats_dense", "statement": "...",
                              "status": "holds", "evidence": "..."}]}]}

A site mixes runs: each lesson's ``profile`` is that of the run its page shows, and its
``source`` says where the run came from: ``store`` (the committed full runs, ``runs/full/``),
``cache`` (this checkout's execution cache) or ``executed`` (this build). The top-level
``profile`` is the one the build executed with. ``value`` and ``reference`` are plain
numbers (accuracies as fractions); ``fmt`` says how the
course prints them; ``status`` is ``passed`` or ``skipped`` (a failed expectation fails the
build, so none is ever published). A claim's ``status`` is ``holds`` or ``not shown`` (by a
short run: a full run whose claim does not hold fails the build); see :mod:`convlab.claims`.

A result's ``quantity`` (``fraction``, ``count``, ``number`` or ``seconds``) and ``better``
(``higher``, ``lower`` or ``null``: any move is suspect) are recorded with it by
:func:`convlab.report.record`; this module reads them and never guesses from a result's name
or format. They were added within schema ``convlab-results/1``: in a file (or a stored run)
from before, a result without them reads as quantity ``number`` with no direction
(:func:`quantity`, :func:`better`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from convlab.publish.outcome import CACHE, EXECUTED, STORE, Outcome
from convlab.publish.profile import Profile
from convlab.publish.store import Entry

SCHEMA = "convlab-results/1"
JSON_NAME = "results.json"
PAGE_NAME = "results.md"
CHART_NAME = "results-accuracy.svg"


class ResultsError(ValueError):
    """A results file that cannot be read or is of another schema."""


def quantity(result: dict[str, Any]) -> str:
    """A result's recorded quantity; ``"number"`` for one recorded before quantities were."""
    return result.get("quantity") or "number"


def better(result: dict[str, Any]) -> str | None:
    """Which way a result improves (``"higher"``, ``"lower"``), or ``None``: any move."""
    return result.get("better")


def lesson_record(outcome: Outcome) -> dict[str, Any]:
    """One lesson's entry of ``results.json``, from its cached run."""
    entry: Entry | None = outcome.entry
    meta = entry.meta if entry else {}
    title, _ = outcome.lesson.title_and_summary()
    return {
        "lesson": outcome.lesson.name,
        "slug": outcome.lesson.slug,
        "title": title,
        "profile": outcome.profile.name,
        "source": outcome.source,
        "seconds": meta.get("seconds"),
        "from_cache": outcome.from_cache,
        "executed_at": meta.get("executed_at"),
        "hardware": meta.get("hardware"),
        "commit": meta.get("commit"),
        "data": [d.get("description", d.get("dataset")) for d in meta.get("data", [])],
        "overrides": meta.get("profile_values", {}),
        "results": [{"name": r.get("name"), "value": r.get("value"), "fmt": r.get("fmt"),
                     "quantity": quantity(r), "better": better(r),
                     "reference": r.get("reference"), "reference_name": r.get("reference_name")}
                    for r in meta.get("results", [])],
        "expectations": [{k: e.get(k) for k in ("name", "rule", "status", "value")}
                         for e in meta.get("expectations", [])],
        "claims": [{k: c.get(k) for k in ("name", "statement", "status", "evidence")}
                   for c in meta.get("claims", [])],
    }


def collect(outcomes: list[Outcome], profile: Profile, *, built_at: str,
            build_seconds: float | None = None) -> dict[str, Any]:
    """The whole build's results, in ``results.json``'s shape."""
    return {
        "schema": SCHEMA,
        "profile": profile.name,
        "profile_description": profile.description,
        "built_at": built_at,
        "build_seconds": build_seconds,
        "lessons": [lesson_record(o) for o in outcomes if o.entry is not None],
    }


def load(path: Path) -> dict[str, Any]:
    """Read ``results.json``, or the one inside a built ``site/`` folder."""
    path = Path(path)
    if path.is_dir():
        path = path / JSON_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"no results at {path}: give a built site/ folder or a "
                           f"{JSON_NAME}") from None
    except json.JSONDecodeError as err:
        raise ResultsError(f"{path} is not valid JSON: {err}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ResultsError(f"{path} is not a convlab results file of schema {SCHEMA}")
    return data


def show(result: dict[str, Any], value: float | None = None) -> str:
    """A result's value (or ``value``) as the course prints it."""
    value = result["value"] if value is None else value
    try:
        return str(result.get("fmt") or "{:.4g}").format(value)
    except (ValueError, TypeError):
        return str(value)


def difference(result: dict[str, Any]) -> str:
    """Measured minus the tutorial's figure: points for fractions, else a signed number."""
    if result.get("reference") is None:
        return ""
    delta = result["value"] - result["reference"]
    if quantity(result) == "fraction":
        return f"{100 * delta:+.1f} points"
    return f"{delta:+,.4g}"


def table_rows(data: dict[str, Any]) -> list[list[str]]:
    """Rows of lesson, result, measured, tutorial, difference, for every recorded result."""
    rows = []
    for lesson in data["lessons"]:
        for result in lesson["results"]:
            ref = result.get("reference")
            rows.append([lesson["lesson"], result["name"].replace("_", " "), show(result),
                         "" if ref is None else show(result, ref), difference(result)])
    return rows


@dataclass(frozen=True)
class Move:
    """A result that differs between two builds."""

    lesson: str
    name: str
    old: float | None  # None: new in this build
    new: float | None  # None: gone from this build
    fmt: str
    beyond_tolerance: bool
    worse: bool  # in the direction that makes the course look worse

    def describe(self) -> str:
        """``lesson name: old -> new``, flagged when beyond the tolerance."""
        shown = {"fmt": self.fmt}
        old = "absent" if self.old is None else show(shown, self.old)
        new = "absent" if self.new is None else show(shown, self.new)
        flag = " (beyond tolerance, worse)" if self.worse else (
            " (beyond tolerance)" if self.beyond_tolerance else "")
        return f"{self.lesson} {self.name}: {old} -> {new}{flag}"


def _worse(result: dict[str, Any], old: float, new: float) -> bool:
    direction = better(result)
    if direction == "higher":
        return new < old
    if direction == "lower":
        return new > old
    return True  # no direction (a count or a check value): any move is suspect


def compare(old: dict[str, Any], new: dict[str, Any], *, tolerance: float = 0.02) -> list[Move]:
    """Every result that moved between builds ``old`` and ``new``.

    ``tolerance`` is absolute for fractions (0.02 = 2 points of accuracy) and relative for
    other quantities (0.02 = 2%). Quantity and direction are those recorded in ``new``. A
    result missing from ``new`` is a worse move."""
    def by_key(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(lesson["slug"], r["name"]): {**r, "lesson": lesson["lesson"]}
                for lesson in data["lessons"] for r in lesson["results"]}

    before, after = by_key(old), by_key(new)
    moves = []
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        ref = b or a
        assert ref is not None
        if a is None or b is None:
            moves.append(Move(ref["lesson"], key[1], a and a["value"], b and b["value"],
                              ref.get("fmt", ""), True, b is None))
            continue
        if a["value"] == b["value"]:
            continue
        fraction = quantity(b) == "fraction"
        allowed = tolerance if fraction else tolerance * max(abs(a["value"]), 1e-12)
        beyond = abs(b["value"] - a["value"]) > allowed
        moves.append(Move(b["lesson"], key[1], a["value"], b["value"], b.get("fmt", ""), beyond,
                          beyond and _worse(b, a["value"], b["value"])))
    return moves


_SOURCES = {STORE: "stored full run", CACHE: "execution cache", EXECUTED: "this build"}


def page_markdown(data: dict[str, Any], *, chart: bool = False) -> str:
    """The results page: each result beside the tutorial's, then the build report.

    ``chart``: the accuracy chart (:data:`CHART_NAME`) was drawn beside it, so link it."""
    from convlab.report import markdown_table  # the one table writer of the course

    lines = [
        "# Results",
        "",
        "Every number below was measured by running the lessons' own code. Each lesson's "
        "figures come from one run: a full-profile run from the course's store of runs, or a "
        f"run of this build's **{data['profile']}** profile ({data['profile_description']}); "
        f"the tables say which. Built {data['built_at']}. The same data is in "
        f"[`{JSON_NAME}`]({JSON_NAME}) (schema "
        f"`{SCHEMA}`) for scripts and for comparing builds (`convlab results --compare`).",
        "",
    ]
    if chart:
        lines += [f"![Measured accuracy beside the original tutorials' figures]({CHART_NAME})",
                  ""]
    lines += ["## Results beside the original tutorials", ""]
    lines.append(markdown_table(["lesson", "result", "this build", "original tutorial",
                                 "difference"], table_rows(data)))
    claim_rows = [[f"[{lesson['title']}](lessons/{lesson['slug']}.ipynb)", c["statement"],
                   f"**{c['status']}**", c["evidence"]]
                  for lesson in data["lessons"] for c in lesson.get("claims", [])]
    if claim_rows:
        shown = sum(row[2] == "**holds**" for row in claim_rows)
        lines += ["", "## Claims", "",
                  f"Every claim the lessons' prose makes about their runs, checked by the build "
                  f"against the run its page shows: {shown} of {len(claim_rows)} hold; any other "
                  "is *not shown* by a short run (a full run whose claim fails has no page).",
                  "", markdown_table(["lesson", "claim", "status", "evidence"], claim_rows)]
    lines += ["", "## Where they come from", ""]
    rows = []
    for lesson in data["lessons"]:
        link = f"[{lesson['title']}](lessons/{lesson['slug']}.ipynb)"
        overrides = ", ".join(f"{k} = {v}" for k, v in lesson["overrides"].items())
        rows.append([link, lesson.get("profile", "?"), _SOURCES.get(lesson.get("source"), "?"),
                     "; ".join(lesson["data"]) or "none",
                     overrides or "its own (full) values", lesson["hardware"] or ""])
    lines.append(markdown_table(["lesson", "profile", "run", "data", "run size", "hardware"],
                                rows))
    lines += ["", "## Build report", ""]
    rows = []
    for lesson in data["lessons"]:
        checks = lesson["expectations"]
        passed = sum(e["status"] == "passed" for e in checks)
        skipped = sum(e["status"] == "skipped" for e in checks)
        rows.append([lesson["lesson"], f"{lesson['seconds'] or 0:.1f} s",
                     _SOURCES.get(lesson.get("source"), "?"),
                     f"{passed} checked" + (f", {skipped} skipped" if skipped else ""),
                     lesson["executed_at"] or ""])
    lines.append(markdown_table(["lesson", "run time", "this build", "expectations",
                                 "executed at"], rows))
    executed = sum(lesson.get("source") == EXECUTED for lesson in data["lessons"])
    stored = sum(lesson.get("source") == STORE for lesson in data["lessons"])
    lines += ["", f"{executed} of {len(data['lessons'])} lessons executed in this build, "
                  f"{stored} shown from the store of full runs, the others reused from the "
                  "execution cache."]
    return "\n".join(lines) + "\n"


def accuracy_chart(data: dict[str, Any], path: Path) -> bool:
    """Bar chart of measured against reference fractions (accuracies); ``False``, and nothing
    drawn, if no fraction has a reference."""
    pairs = [(f"{lesson['slug']}\n{r['name'].replace('_', ' ')}", r["value"], r["reference"])
             for lesson in data["lessons"] for r in lesson["results"]
             if r.get("reference") is not None and quantity(r) == "fraction"]
    if not pairs:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from convlab import style

    with style.page_style():
        fig, ax = plt.subplots(figsize=(7.5, 0.5 + 0.45 * len(pairs)))
        y = np.arange(len(pairs))
        ax.barh(y + 0.2, [p[1] for p in pairs], 0.4, label="measured (this site's runs)")
        ax.barh(y - 0.2, [p[2] for p in pairs], 0.4, label="original tutorial", alpha=0.6)
        ax.set_yticks(y, [p[0] for p in pairs])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax.set_title("accuracy: measured and reported")
        ax.legend(loc="lower right")
        style.save(fig, path)
    return True


def write(project_docs: Path, data: dict[str, Any]) -> None:
    """Write ``results.json``, the results page and its chart into the docs folder.

    The page links the chart only when one was drawn; a chart of an earlier build is deleted
    when this one has none."""
    (project_docs / JSON_NAME).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    chart = project_docs / CHART_NAME
    drawn = accuracy_chart(data, chart)
    if not drawn:
        chart.unlink(missing_ok=True)
    (project_docs / PAGE_NAME).write_text(page_markdown(data, chart=drawn), encoding="utf-8")
