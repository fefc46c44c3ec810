"""Checked claims: what a lesson's prose says its run shows, declared in code and checked.

A lesson states a claim in its prose in plain words and marks it with ``{{ claim NAME }}``; a
code cell above the prose declares it, next to the numbers it rests on::

    versus = metrics.paired_comparison(cnn_correct, dense_correct)
    claim("cnn_beats_dense", "the CNN labels more shifted digits correctly than the dense "
          "network", holds=versus.winner == "a", evidence=versus.evidence("CNN", "dense"))

and the Markdown cell below::

    On digits moved by 6 pixels the CNN is clearly the better network
    {{ claim cnn_beats_dense }}.

``holds`` is what must be true; ``evidence`` is what this run measured, in words and numbers
("CNN 49.6% against dense 27.3% on the same 10,000 test images; exact McNemar test
p < 0.001"). The page shows a small mark where the prose cites the claim; hovering or focusing
it shows the evidence, and it links to the page's list of claims.

What happens to a claim that does not hold depends on the run (:func:`strict`):

* in a build under the **full** profile it raises :class:`ClaimFailed`: the build fails and
  names the lesson, the claim and its evidence, like a broken expectation;
* in a build under a shorter profile (``quick``: CI and authoring) it is recorded as *not shown
  by this short run*, marked so on the page, and the page carries a banner with the count;
* in a reader's own run (a download, no build) it is printed as *not shown in this run* and
  the notebook goes on, so its last cell can compare the reader's run with the page's
  (:mod:`convlab.compare`).
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass
from enum import StrEnum

from convlab import report, settings


class Status(StrEnum):
    """How a claim came out in a run."""

    HOLDS = "holds"
    NOT_SHOWN = "not shown"  # a short (quick) run, or a reader's run, did not show it


# What a page says of each status, after "this claim": the words the mark and lists use.
WORDS = {Status.HOLDS: "holds in this run",
         Status.NOT_SHOWN: "not shown by this short run"}
SYMBOLS = {Status.HOLDS: "✓", Status.NOT_SHOWN: "–"}


class ClaimFailed(AssertionError):
    """A claim did not hold in a full-profile build."""


class UnknownClaim(KeyError):
    """The prose cites a claim that no code cell above it declared."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


@dataclass(frozen=True)
class Claim:
    """One checked claim: ``statement`` in plain words, and how it came out in this run."""

    name: str  # an identifier, cited in the prose as {{ claim name }}
    statement: str  # the claim in plain words, as a list or a table shows it
    holds: bool
    evidence: str  # what this run measured, in words and numbers
    status: Status


# The claims declared in this process, by name: what marks and the compare cell read.
CLAIMS: dict[str, Claim] = {}


def strict() -> bool:
    """Whether a claim that does not hold fails the run: only in a build under the full
    profile (a reader's own run never stops on a claim)."""
    return settings.run_dir() is not None and report.active_profile() == settings.FULL_PROFILE


def claim(name: str, statement: str, *, holds: bool, evidence: str) -> None:
    """Declare claim ``name``: ``statement`` must hold in this run; ``evidence`` says what the
    run measured. Records it (:data:`CLAIMS`, and the build's records) and, in a reader's own
    run, prints how it came out; raises
    :class:`ClaimFailed` when it does not hold in a full-profile build. Returns nothing, so a
    cell ending in a claim shows only that line."""
    if not name.isidentifier():
        raise ValueError(f"a claim name is a Python identifier like 'cnn_beats_dense', got "
                         f"{name!r}")
    if not isinstance(holds, bool):  # numpy.bool_ included: it would record as an object
        holds = bool(holds)
    status = Status.HOLDS if holds else Status.NOT_SHOWN
    if not holds and strict():
        raise ClaimFailed(f"claim {name!r} does not hold in this full-profile run: "
                          f"{statement}. Evidence: {evidence}")
    made = Claim(name, statement.strip().rstrip("."), holds, evidence.strip().rstrip("."),
                 status)
    CLAIMS[name] = made
    report.append(report.Event.CLAIM, {**asdict(made), "status": str(status)})
    if settings.run_dir() is None:  # a reader's run; in a build the page's marks and list say it
        outcome = "holds" if holds else "not shown by this run"
        print(f"{SYMBOLS[status]} claim {outcome}: {made.statement} ({made.evidence})")


def anchor(name: str) -> str:
    """The id of a claim's entry in the page's list of claims."""
    return f"claim-{name.replace('_', '-')}"


def mark(name: str) -> str:
    """The HTML a ``{{ claim name }}`` in the prose becomes: a small link to the claim's entry
    in the page's list, whose label and hover text give the evidence (in a notebook, where
    no stylesheet hides it, the evidence follows the mark in parentheses)."""
    if name not in CLAIMS:
        declared = ", ".join(sorted(CLAIMS)) or "none yet"
        raise UnknownClaim(f"the prose cites claim {name!r}, but no code cell above it declared "
                           f"it (declared: {declared}); declare it with claim({name!r}, ...)")
    made = CLAIMS[name]
    words = WORDS[made.status]
    text = html.escape(f"{words}: {made.evidence}")
    label = html.escape(f"Checked claim, {words}: {made.evidence}")
    return (f'<a class="convlab-claim" data-status="{made.status.name.lower()}" '
            f'href="#{anchor(name)}" aria-label="{label}">'
            f'<span aria-hidden="true">{SYMBOLS[made.status]}</span>'
            f'<span class="convlab-claim-evidence" aria-hidden="true" data-search-exclude>'
            f'<span class="convlab-claim-paren"> (</span>{text}'
            f'<span class="convlab-claim-paren">)</span></span></a>')
