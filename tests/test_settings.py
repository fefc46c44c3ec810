"""The library's and the build's settings, each read in one place."""

from __future__ import annotations

import os
from pathlib import Path

from convlab import settings
from convlab.publish import settings as build_settings


def test_data_dirs_come_from_the_variable_in_order(monkeypatch):
    monkeypatch.setenv("CONVLAB_DATA_DIR", os.pathsep.join(["/one", "", "~/two"]))
    assert settings.data_dirs() == [Path("/one"), Path("~/two").expanduser()]
    monkeypatch.delenv("CONVLAB_DATA_DIR")
    assert settings.data_dirs() == []


def test_offline_flag_is_set_only_by_a_yes(monkeypatch):
    for value in ("1", "true", "YES", " yes "):
        monkeypatch.setenv("CONVLAB_OFFLINE", value)
        assert settings.offline_flag() == value
    for value in ("", "0", "no"):
        monkeypatch.setenv("CONVLAB_OFFLINE", value)
        assert settings.offline_flag() is None
    monkeypatch.delenv("CONVLAB_OFFLINE")
    assert settings.offline_flag() is None


def test_keras_home_and_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    assert settings.keras_home() is None
    monkeypatch.setenv("KERAS_HOME", "~/k")
    assert settings.keras_home() == Path("~/k").expanduser()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert settings.user_cache_dir() == tmp_path
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert settings.user_cache_dir() == Path.home() / ".cache"


def test_the_lesson_run_environment_is_read_back(monkeypatch, tmp_path):
    env = settings.lesson_run_environment(settings.QUICK_PROFILE, tmp_path)
    for name in (settings.PROFILE_ENV, settings.RUN_DIR_ENV):
        monkeypatch.setenv(name, env[name])
    assert settings.profile() == "quick" and settings.run_dir() == tmp_path
    monkeypatch.delenv(settings.PROFILE_ENV)
    monkeypatch.delenv(settings.RUN_DIR_ENV)
    assert settings.profile() is None and settings.run_dir() is None


def test_run_settings_name_only_what_is_set(monkeypatch):
    for name in settings.RUN_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONVLAB_OFFLINE", "1")
    assert settings.run_settings() == {"CONVLAB_OFFLINE": "1"}


def test_the_build_folders(monkeypatch, tmp_path):
    monkeypatch.delenv("CONVLAB_CACHE_DIR", raising=False)
    assert build_settings.cache_dir(tmp_path) == tmp_path / ".convlab_cache"
    monkeypatch.setenv("CONVLAB_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert build_settings.cache_dir(tmp_path) == tmp_path / "elsewhere"
    monkeypatch.delenv("CONVLAB_ASSETS_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert build_settings.assets_dir() == tmp_path / "convlab" / "assets"
    monkeypatch.setenv("CONVLAB_ASSETS_DIR", str(tmp_path / "assets"))
    assert build_settings.assets_dir() == tmp_path / "assets"


def test_mkdocs_settings(tmp_path):
    mkdocs_yml = tmp_path / "mkdocs.yml"
    mkdocs_yml.write_text("site_name: x\nsite_url: https://a.example/course/\n"
                          "repo_url: https://github.com/a/b\n")
    found = build_settings.mkdocs_settings(mkdocs_yml)
    assert (found.site_url, found.repo_url) == ("https://a.example/course/",
                                                "https://github.com/a/b")
    mkdocs_yml.write_text("site_name: x\n")
    assert build_settings.mkdocs_settings(mkdocs_yml) == build_settings.MkdocsSettings("", "")


def test_mkdocs_settings_know_whether_pages_have_directory_urls(tmp_path):
    mkdocs_yml = tmp_path / "mkdocs.yml"
    mkdocs_yml.write_text("site_name: x\nplugins:\n  - search\n")
    assert build_settings.mkdocs_settings(mkdocs_yml).directory_urls
    mkdocs_yml.write_text("site_name: x\nplugins:\n  - search\n  - offline\n")
    assert not build_settings.mkdocs_settings(mkdocs_yml).directory_urls
    mkdocs_yml.write_text("site_name: x\nplugins:\n  - offline:\n      enabled: false\n")
    assert build_settings.mkdocs_settings(mkdocs_yml).directory_urls
    mkdocs_yml.write_text("site_name: x\nuse_directory_urls: false\n")
    assert not build_settings.mkdocs_settings(mkdocs_yml).directory_urls
