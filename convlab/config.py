"""Build profiles: how large each lesson's run is, kept apart from the lessons' code.

A profile is a TOML file. The packaged ones live in ``convlab/profiles/``:

* ``quick``: small subsets and one or two epochs; the whole site builds on two CPU cores.
* ``full``: the tutorials' sizes and epochs, for a GPU.

Each has a ``seed``, a default time budget ``budget_s`` (seconds per lesson) and one table per
lesson, ``[lessons.NN_slug]``, holding that lesson's settings (epochs, batch size, ...).
A lesson reads them with :func:`convlab.lesson`, so it never branches on the profile itself.

The active profile is the ``CONVLAB_PROFILE`` environment variable (a packaged name or a path
to a ``.toml`` file), else ``quick``. ``convlab build --profile full`` sets it for the lessons.
"""

from __future__ import annotations

import json
import os
import random
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROFILE_ENV = "CONVLAB_PROFILE"
DEFAULT_PROFILE = "quick"
PROFILES_DIR = Path(__file__).parent / "profiles"
ALL = "all"  # a size setting meaning "every item there is"


class ProfileError(ValueError):
    """An unknown profile, an unreadable profile file, or a setting the profile lacks."""


def available_profiles() -> list[str]:
    """Names of the packaged profiles, sorted."""
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


@dataclass(frozen=True)
class LessonConfig(Mapping[str, Any]):
    """One lesson's settings under one profile; read them as attributes (``cfg.epochs``).

    A size setting written ``"all"`` in the profile reads as ``None`` (no subsetting).
    """

    lesson: str
    profile: str
    description: str  # the profile's one-line description
    seed: int
    budget_s: float
    settings: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        settings = self.__dict__.get("settings", {})
        if name in settings:
            value = settings[name]
            return None if value == ALL else value
        raise AttributeError(
            f"profile {self.profile!r} has no setting {name!r} for lesson {self.lesson!r}; "
            f"add it under [lessons.{self.lesson}] in every profile (convlab/profiles/*.toml)"
        )

    def __getitem__(self, name: str) -> Any:
        if name not in self.settings:
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.settings)

    def __len__(self) -> int:
        return len(self.settings)


@dataclass(frozen=True)
class Profile:
    """A parsed profile file."""

    name: str
    path: Path
    description: str
    seed: int
    budget_s: float
    lessons: dict[str, dict[str, Any]]

    def lesson(self, name: str) -> LessonConfig:
        """Settings of lesson ``name`` (e.g. ``"02_dense_baseline"``); empty if it has none."""
        settings = dict(self.lessons.get(name, {}))
        budget = float(settings.pop("budget_s", self.budget_s))
        return LessonConfig(name, self.name, self.description, self.seed, budget, settings)

    def fingerprint(self, lesson: str) -> str:
        """A stable text of everything in this profile that can change ``lesson``'s results."""
        cfg = self.lesson(lesson)
        return json.dumps(
            {"profile": self.name, "seed": cfg.seed, "settings": cfg.settings}, sort_keys=True
        )


def load_profile(name_or_path: str | os.PathLike[str] | None = None) -> Profile:
    """Read a profile: a packaged name (``quick``, ``full``), a ``.toml`` path, or ``None``
    for the active one (``$CONVLAB_PROFILE``, else ``quick``)."""
    if name_or_path is None:
        name_or_path = os.environ.get(PROFILE_ENV) or DEFAULT_PROFILE
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
        seed=int(raw.get("seed", 0)),
        budget_s=float(raw.get("budget_s", 600)),
        lessons=lessons,
    )


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and (when installed) Keras/TensorFlow's random generators."""
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    try:
        import keras
    except ImportError:  # the data-only parts of the course run without Keras
        return
    keras.utils.set_random_seed(seed)
