"""What happened to one lesson in a build: the record that the site, results and CLI read."""

from __future__ import annotations

from dataclasses import dataclass

from convlab.publish.cache import Entry
from convlab.publish.project import Lesson


@dataclass(frozen=True)
class Outcome:
    """One lesson's fate in a build."""

    lesson: Lesson
    entry: Entry | None  # None when it failed
    from_cache: bool
    reason: str  # why it ran ("its code changed", ...) or "cached"
    error: str | None = None
