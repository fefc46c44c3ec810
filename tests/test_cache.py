"""The execution cache: keys, hits and misses with reasons, atomic writes, sweeping."""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest

from convlab.data import fingerprint
from convlab.profile import load_profile
from convlab.publish import cache as cache_module
from convlab.publish.cache import Cache, key_of, key_parts


def _notebook(text: str = "print(1)") -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(text, execution_count=1)
    return nbformat.v4.new_notebook(cells=[cell])


def test_prose_edits_keep_the_key_code_edits_change_it(tiny_project):
    profile = load_profile(tiny_project.root / "tiny.toml")
    lesson = tiny_project.lesson("01")
    before = key_of(key_parts(lesson, profile))
    lesson.path.write_text(lesson.path.read_text().replace("first tiny lesson", "first lesson"))
    assert key_of(key_parts(lesson, profile)) == before
    lesson.path.write_text(lesson.path.read_text().replace('"steps"', '"step count"'))
    assert key_of(key_parts(lesson, profile)) != before


def test_hit_and_misses_explain_themselves(tmp_path):
    cache = Cache(tmp_path)
    parts = {"code": "a", "versions": {"keras": "3"}, "profile": "p"}
    assert cache.lookup("01_x", "quick", parts) == (None, "not in the cache")
    cache.store("01_x", "quick", parts, _notebook(), {"data": []})
    entry, reason = cache.lookup("01_x", "quick", parts)
    assert reason == "cached" and entry.meta["lesson"] == "01_x"
    assert entry.notebook().cells[0].source == "print(1)"
    for part, words in [("code", "code"), ("profile", "profile")]:
        assert words in cache.lookup("01_x", "quick", {**parts, part: "changed"})[1]
    assert "versions" in cache.lookup("01_x", "quick", {**parts, "versions": {"keras": "4"}})[1]
    assert cache.lookup("01_x", "full", parts)[1] == "not in the cache"  # profiles apart


def test_data_change_invalidates(tmp_path):
    data_file = tmp_path / "d.npz"
    data_file.write_bytes(b"one")
    cache = Cache(tmp_path / "cache")
    parts = {"code": "a", "versions": {}, "profile": "p"}
    record = {"location": str(data_file), "fingerprint": fingerprint(data_file)}
    cache.store("01_x", "quick", parts, _notebook(), {"data": [record]})
    assert cache.lookup("01_x", "quick", parts)[1] == "cached"
    data_file.write_bytes(b"two")
    assert "data changed" in cache.lookup("01_x", "quick", parts)[1]
    data_file.unlink()
    assert "data changed" in cache.lookup("01_x", "quick", parts)[1]


def test_new_entry_replaces_the_old_one(tmp_path):
    cache = Cache(tmp_path)
    parts = {"code": "a", "versions": {}, "profile": "p"}
    cache.store("01_x", "quick", parts, _notebook(), {})
    cache.store("01_x", "quick", {**parts, "code": "c"}, _notebook("print(2)"), {})
    assert len(cache.entries("quick")) == 1
    assert cache.lookup("01_x", "quick", parts)[0] is None


def test_failed_write_leaves_old_entry_and_no_debris(tmp_path, monkeypatch):
    cache = Cache(tmp_path)
    parts = {"code": "a", "versions": {}, "profile": "p"}
    cache.store("01_x", "quick", parts, _notebook(), {})

    def explode(*args, **kwargs):
        raise KeyboardInterrupt  # as if Ctrl-C arrived while writing

    monkeypatch.setattr(cache_module.nbformat, "write", explode)
    with pytest.raises(KeyboardInterrupt):
        cache.store("01_x", "quick", {**parts, "code": "new"}, _notebook(), {})
    assert cache.lookup("01_x", "quick", parts)[1] == "cached"
    assert not list(tmp_path.glob(".tmp-*"))


def test_killed_build_debris_is_swept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / f".tmp-{dead.pid}-abcd").mkdir(parents=True)
    (tmp_path / f".tmp-{os.getpid()}-live").mkdir()  # a build still running: kept
    Cache(tmp_path).sweep()
    assert [p.name for p in tmp_path.glob(".tmp-*")] == [f".tmp-{os.getpid()}-live"]


def test_clear(tmp_path):
    cache = Cache(tmp_path)
    parts = {"code": "a", "versions": {}, "profile": "p"}
    cache.store("01_x", "quick", parts, _notebook(), {})
    cache.store("01_x", "full", parts, _notebook(), {})
    assert cache.clear("quick") == 1 and len(cache.entries()) == 1
    assert cache.clear() == 1 and cache.entries() == []


def test_placeholders_are_part_of_the_code_prose_is_not(tiny_project):
    profile = load_profile(tiny_project.root / "tiny.toml")
    lesson = tiny_project.lesson("01")
    before = key_of(key_parts(lesson, profile))
    lesson.path.write_text(lesson.path.read_text().replace("A share of", "The share is"))
    assert key_of(key_parts(lesson, profile)) == before
    lesson.path.write_text(lesson.path.read_text().replace("{{ steps }}", "{{ steps + 1 }}"))
    assert key_of(key_parts(lesson, profile)) != before


def test_budgets_and_other_lessons_settings_are_not_in_the_key(tiny_project):
    lesson = tiny_project.lesson("01")
    path = tiny_project.root / "tiny.toml"
    before = key_of(key_parts(lesson, load_profile(path)))
    path.write_text(path.read_text().replace("budget_s = 60", "budget_s = 99")
                    + "budget_s = 5\n[lessons.beta]\nbudget_s = 7\n")
    assert key_of(key_parts(lesson, load_profile(path))) == before
    path.write_text(path.read_text().replace("steps = 3", "steps = 4"))
    assert key_of(key_parts(lesson, load_profile(path))) != before


def test_reading_the_cache_deletes_nothing(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    debris = tmp_path / f".tmp-{dead.pid}-abcd"
    debris.mkdir(parents=True)
    cache = Cache(tmp_path)
    cache.lookup("01_x", "quick", {"code": "a", "versions": {}, "profile": "p"})
    cache.entries()
    assert debris.exists(), "only a build sweeps; convlab list and results only read"
