"""Why a lesson runs, or why its earlier run is shown: a value the build decides by, with a
sentence for people.

The build never reads a reason's words back: code asks :attr:`Reason.why`, people read
:attr:`Reason.text` (``str(reason)``), and :attr:`Reason.subject` names what the reason is
about (a convlab unit, a file, a package, a dataset), for tools that list it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Why(StrEnum):
    """The kinds of reason."""

    # An earlier run is shown.
    CURRENT = "current"  # nothing it used changed
    # There is no run to show.
    ABSENT = "absent"  # no entry at all
    CORRUPT = "corrupt"  # an entry whose files do not match its manifest
    # A run no longer holds (stale).
    OTHER_PROFILE = "other-profile"  # the entry is a run of another profile
    SCHEMA = "schema"  # made by a convlab whose manifests differ
    CODE = "code"  # the lesson's code cells or placeholders
    PROFILE_VALUES = "profile-values"  # the values the profile sets
    CONVLAB = "convlab"  # the convlab code it ran
    FILE = "file"  # a file it read (a benchmark result, a stored run, a file it opened)
    PACKAGE = "package"  # a third-party package's version (strict only)
    DATA = "data"  # where its data come from, or their contents (strict only)
    MACHINE = "machine"  # another machine, for a run that timed code (strict only)
    # Asked for.
    FORCED = "forced"  # --force, or `convlab run`
    NO_STORE = "no-store"  # --no-store


@dataclass(frozen=True)
class Reason:
    """One reason: its kind, a sentence, and what it is about."""

    why: Why
    text: str
    subject: str = ""

    def __str__(self) -> str:
        return self.text

    def as_dict(self) -> dict[str, str]:
        """``{"why", "text", "subject"}``, for JSON."""
        return {"why": str(self.why), "text": self.text, "subject": self.subject}


CURRENT = Reason(Why.CURRENT, "its full run is stored and nothing it used changed")
FORCED = Reason(Why.FORCED, "asked to run it")
NO_STORE = Reason(Why.NO_STORE, "the store of full runs is not used (--no-store)")
