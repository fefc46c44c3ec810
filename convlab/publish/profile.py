"""Build profiles: how much smaller than its own run a lesson runs in a build.

A lesson owns its recipe (architecture, optimiser, learning rate, batch size) and, in a cell
tagged ``parameters``, the size of its run (training-set size, epochs). Those values are the
full run: what a reader who downloads the lesson gets. A profile may only *shrink* a run, by
giving other values for names of that cell. The packaged profiles live in
``convlab/profiles/``:

* ``quick``: small subsets and one or two epochs; the whole site builds on two CPU cores.
* ``full``: no overrides at all, the lessons' own values (meant for a GPU).

A profile is a TOML file with a ``description``, a default time budget ``budget_s`` (seconds
per lesson) and one table per lesson, named by the lesson's *slug* (its file name without the
number: ``[lessons.dense_baseline]`` for ``lessons/02_dense_baseline.py``), so renumbering a
lesson needs no profile edit. In a table, ``budget_s`` is the lesson's time budget and every
other key overrides the parameter of that name.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from convlab.settings import QUICK_PROFILE

# The profiles' names are convlab.settings' QUICK_PROFILE and FULL_PROFILE (the profile of the
# store of full runs, runs/full/); the files stay with the package's data, convlab/profiles/.
DEFAULT_PROFILE = QUICK_PROFILE
PROFILES_DIR = Path(__file__).parent.parent / "profiles"
BUDGET = "budget_s"


class ProfileError(ValueError):
    """An unknown profile, an unreadable profile file, or an override the lesson lacks."""


def available_profiles() -> list[str]:
    """Names of the packaged profiles, sorted."""
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


@dataclass(frozen=True)
class Profile:
    """A parsed profile file."""

    name: str
    path: Path
    description: str
    budget_s: float  # default seconds a lesson may run
    lessons: dict[str, dict[str, Any]]  # slug -> {parameter: value, "budget_s": seconds}

    def overrides(self, slug: str) -> dict[str, Any]:
        """The parameter values this profile sets for lesson ``slug`` (its budget excluded)."""
        return {k: v for k, v in self.lessons.get(slug, {}).items() if k != BUDGET}

    def budget(self, slug: str) -> float:
        """Seconds lesson ``slug`` may run before the build stops it."""
        return float(self.lessons.get(slug, {}).get(BUDGET, self.budget_s))

    def fingerprint(self, slug: str) -> str:
        """A stable text of what in this profile can change lesson ``slug``'s results.

        Only its overrides: a time budget, another lesson's table or the description never
        re-run a lesson."""
        return json.dumps(self.overrides(slug), sort_keys=True)

    def check(self, slug: str, parameters: list[str]) -> None:
        """Raise :class:`ProfileError` if an override names no parameter of the lesson."""
        unknown = sorted(set(self.overrides(slug)) - set(parameters))
        if unknown:
            have = ", ".join(parameters) or "none (it has no cell tagged parameters)"
            raise ProfileError(
                f"profile {self.name!r} ({self.path}) sets {', '.join(unknown)} for lesson "
                f"{slug!r}, whose parameters cell defines: {have}. A profile may only change "
                "the values of that cell."
            )

    def check_slugs(self, slugs: list[str]) -> None:
        """Raise :class:`ProfileError` for a table that names no lesson (a typo or a rename)."""
        unknown = sorted(set(self.lessons) - set(slugs))
        if unknown:
            raise ProfileError(
                f"profile {self.name!r} ({self.path}) has settings for {', '.join(unknown)}, "
                f"which is not a lesson; lessons are: {', '.join(slugs)}. Tables are named by "
                "the lesson file's name without its number ([lessons.dense_baseline])."
            )


def load_profile(name_or_path: str | os.PathLike[str] = DEFAULT_PROFILE) -> Profile:
    """Read a profile: a packaged name (``quick``, ``full``) or the path of a ``.toml`` file."""
    text = str(name_or_path)
    if text.endswith(".toml"):
        path = Path(text).expanduser().resolve()
    else:
        path = PROFILES_DIR / f"{text}.toml"
        if not path.is_file():
            raise ProfileError(
                f"unknown profile {text!r}: choose one of {', '.join(available_profiles())} "
                f"or give the path of a .toml profile file"
            )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"profile file {path} does not exist") from None
    except tomllib.TOMLDecodeError as err:
        raise ProfileError(f"profile file {path} is not valid TOML: {err}") from None
    lessons = raw.get("lessons", {})
    if not isinstance(lessons, dict) or not all(isinstance(v, dict) for v in lessons.values()):
        raise ProfileError(f"profile file {path}: [lessons.NAME] entries must be tables")
    return Profile(
        name=path.stem,
        path=path,
        description=str(raw.get("description", "")),
        budget_s=float(raw.get(BUDGET, 600)),
        lessons=lessons,
    )
