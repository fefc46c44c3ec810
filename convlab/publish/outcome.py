"""What happened to one lesson in a build: the record that the site, results and CLI read."""

from __future__ import annotations

from dataclasses import dataclass

from convlab.publish.profile import Profile
from convlab.publish.project import Lesson
from convlab.publish.store import Entry

STORE = "store"  # a full run from the committed store (runs/full/)
CACHE = "cache"  # a run of the build's profile from the execution cache
EXECUTED = "executed"  # executed by this build


@dataclass(frozen=True)
class Outcome:
    """One lesson's fate in a build."""

    lesson: Lesson
    entry: Entry | None  # None when it failed
    source: str  # STORE, CACHE or EXECUTED
    profile: Profile  # the profile of the run the page shows
    reason: str  # why it ran ("its code changed", ...), or why its run was reused
    error: str | None = None
    differences: tuple[str, ...] = ()  # what differs from the run, without making it stale
    store_reason: str = ""  # why the store's full run was not shown ("" when it was, or unused)

    @property
    def from_cache(self) -> bool:
        """Reused, from the store or the cache, rather than executed now."""
        return self.source != EXECUTED
