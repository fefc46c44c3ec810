"""What happened to one lesson in a build: the record that the site, results and CLI read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from convlab.publish.profile import Profile
from convlab.publish.project import Lesson
from convlab.publish.reasons import Reason
from convlab.publish.store import Entry


class Source(StrEnum):
    """Where the run a page shows comes from."""

    STORE = "store"  # a full run from the committed store (runs/full/)
    CACHE = "cache"  # a run of the build's profile from the execution cache
    EXECUTED = "executed"  # executed by this build


STORE, CACHE, EXECUTED = Source.STORE, Source.CACHE, Source.EXECUTED


@dataclass(frozen=True)
class Outcome:
    """One lesson's fate in a build."""

    lesson: Lesson
    entry: Entry | None  # None when it failed, or (a choice) when it must run
    source: Source
    profile: Profile  # the profile of the run the page shows
    reason: Reason  # why it ran, or why its run was reused
    error: str | None = None
    differences: tuple[Reason, ...] = ()  # what differs from the run, without making it stale
    store_reason: Reason | None = None  # why the store's full run was not shown (None: it was)

    @property
    def from_cache(self) -> bool:
        """Reused, from the store or the cache, rather than executed now."""
        return self.source != EXECUTED
