"""Profiles: parsing, per-lesson settings, errors, and agreement between quick and full."""

from __future__ import annotations

from pathlib import Path

import pytest

import convlab
from convlab.build.project import Project
from convlab.config import ProfileError, available_profiles, load_profile

REPO = Path(__file__).resolve().parents[1]


def test_packaged_profiles_exist():
    assert {"quick", "full"} <= set(available_profiles())


def test_active_profile_defaults_to_quick_and_follows_env(monkeypatch):
    monkeypatch.delenv("CONVLAB_PROFILE", raising=False)
    assert load_profile().name == "quick"
    monkeypatch.setenv("CONVLAB_PROFILE", "full")
    assert load_profile().name == "full"


def test_lesson_settings_read_as_attributes(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        'description = "d"\nseed = 3\nbudget_s = 50\n'
        '[lessons.07_x]\nepochs = 4\ntrain_size = "all"\nbudget_s = 9\n'
    )
    profile = load_profile(path)
    cfg = profile.lesson("07_x")
    assert (profile.name, cfg.profile, cfg.seed) == ("mine", "mine", 3)
    assert cfg.epochs == 4 and cfg["epochs"] == 4
    assert cfg.train_size is None  # "all" means no subsetting
    assert cfg.budget_s == 9 and "budget_s" not in cfg
    assert profile.lesson("08_other").budget_s == 50  # the profile's default budget


def test_missing_setting_names_lesson_and_fix(tmp_path):
    cfg = load_profile("quick").lesson("02_dense_baseline")
    with pytest.raises(AttributeError, match=r"no setting 'nonexistent'.*\[lessons\.02_dense"):
        cfg.nonexistent  # noqa: B018


def test_unknown_profile_lists_choices():
    with pytest.raises(ProfileError, match="quick"):
        load_profile("qiuck")


def test_bad_profile_files(tmp_path):
    with pytest.raises(ProfileError, match="does not exist"):
        load_profile(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("seed = [")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(broken)


def test_fingerprint_changes_only_with_the_lessons_settings(tmp_path):
    base = 'seed = 1\n[lessons.01_a]\nepochs = 1\n[lessons.02_b]\nepochs = 1\n'
    one, two = tmp_path / "p.toml", tmp_path / "q" / "p.toml"
    two.parent.mkdir()
    one.write_text(base)
    two.write_text(base.replace("[lessons.02_b]\nepochs = 1", "[lessons.02_b]\nepochs = 5"))
    a, b = load_profile(one), load_profile(two)
    assert a.fingerprint("01_a") == b.fingerprint("01_a")
    assert a.fingerprint("02_b") != b.fingerprint("02_b")


def test_every_lesson_has_the_same_settings_in_every_profile():
    profiles = [load_profile(name) for name in available_profiles()]
    for lesson in Project(REPO).lessons():
        keys = [set(p.lesson(lesson.name).settings) for p in profiles]
        assert all(k == keys[0] for k in keys), f"{lesson.name}: settings differ {keys}"
        assert all(lesson.name in p.lessons for p in profiles), f"{lesson.name} lacks a section"


def test_lesson_seeds_every_generator(monkeypatch):
    import random

    import numpy as np

    monkeypatch.delenv("CONVLAB_PROFILE", raising=False)
    cfg = convlab.lesson("01_cifar10_data")
    first = (random.random(), np.random.rand())
    convlab.lesson("01_cifar10_data")
    assert (random.random(), np.random.rand()) == first
    assert cfg.profile == "quick" and cfg.seed == load_profile("quick").seed
