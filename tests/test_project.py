"""Finding the project and its lessons."""

from __future__ import annotations

import pytest

from convlab.publish.project import Project, ProjectError


def test_find_walks_up_from_a_subfolder(tiny_project):
    assert Project.find(tiny_project.root / "docs").root == tiny_project.root


def test_lessons_in_order_and_only_lesson_files(tiny_project):
    (tiny_project.lessons_dir / "helper.py").write_text("x = 1\n")
    (tiny_project.lessons_dir / "3_short.py").write_text("x = 1\n")
    assert [lesson.name for lesson in tiny_project.lessons()] == ["01_alpha", "02_beta"]


@pytest.mark.parametrize("ref", ["02", "2", "02_beta", "lessons/02_beta.py"])
def test_lesson_by_number_name_or_path(tiny_project, ref):
    assert tiny_project.lesson(ref).name == "02_beta"


def test_unknown_lesson_lists_the_known_ones(tiny_project):
    with pytest.raises(ProjectError, match="01_alpha, 02_beta"):
        tiny_project.lesson("03")


def test_cache_dir_follows_the_environment(tiny_project, monkeypatch, tmp_path):
    assert tiny_project.cache_dir == tiny_project.root / ".convlab_cache"
    monkeypatch.setenv("CONVLAB_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert tiny_project.cache_dir == tmp_path / "elsewhere"


def test_code_digest_ignores_prose_and_trailing_blank_lines(tiny_project):
    lesson = tiny_project.lesson("02")
    before = lesson.code_digest()
    text = lesson.path.read_text().replace("The second tiny lesson.", "Other words.")
    lesson.path.write_text(text + "\n\n\n")
    assert lesson.code_digest() == before
    lesson.path.write_text(text.replace("print(", "x = 0\nprint("))
    assert lesson.code_digest() != before
