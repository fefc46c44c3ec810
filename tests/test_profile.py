"""Profiles: parsing, overrides that may only shrink a lesson's run, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from convlab.publish.profile import ProfileError, available_profiles, load_profile
from convlab.publish.project import Project

REPO = Path(__file__).resolve().parents[1]


def test_packaged_profiles_exist():
    assert {"quick", "full"} <= set(available_profiles())


def test_overrides_and_budgets(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('description = "d"\nbudget_s = 50\n'
                    '[lessons.x]\nepochs = 4\ntrain_size = 100\nbudget_s = 9\n')
    profile = load_profile(path)
    assert profile.name == "mine"
    assert profile.overrides("x") == {"epochs": 4, "train_size": 100}
    assert profile.budget("x") == 9 and profile.budget("other") == 50
    assert profile.overrides("other") == {}


def test_unknown_profile_lists_choices():
    with pytest.raises(ProfileError, match="quick"):
        load_profile("qiuck")


def test_bad_profile_files(tmp_path):
    with pytest.raises(ProfileError, match="does not exist"):
        load_profile(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("budget_s = [")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(broken)


def test_fingerprint_changes_only_with_the_lessons_overrides(tmp_path):
    base = 'budget_s = 1\n[lessons.a]\nepochs = 1\n[lessons.b]\nepochs = 1\n'
    one, two = tmp_path / "p.toml", tmp_path / "q" / "p.toml"
    two.parent.mkdir()
    one.write_text(base)
    two.write_text(base.replace("[lessons.b]\nepochs = 1", "[lessons.b]\nepochs = 5\nbudget_s = 3")
                   .replace("budget_s = 1", "budget_s = 2"))
    a, b = load_profile(one), load_profile(two)
    assert a.fingerprint("a") == b.fingerprint("a")
    assert a.fingerprint("b") != b.fingerprint("b")


def test_a_table_for_no_lesson_is_an_error():
    profile = load_profile("quick")
    with pytest.raises(ProfileError, match="dense_basline, which is not a lesson"):
        profile.__class__(**{**profile.__dict__, "lessons": {"dense_basline": {}}}).check_slugs(
            ["dense_baseline"])


def test_packaged_profiles_only_shrink_parameters_the_lessons_have():
    lessons = Project(REPO).lessons()
    for name in available_profiles():
        profile = load_profile(name)
        profile.check_slugs([lesson.slug for lesson in lessons])
        for lesson in lessons:
            profile.check(lesson.slug, lesson.parameters())


def test_full_profile_runs_every_lesson_as_written():
    full = load_profile("full")
    assert all(full.overrides(lesson.slug) == {} for lesson in Project(REPO).lessons())
