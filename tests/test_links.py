"""The link check: internal links and anchors of a built site."""

from __future__ import annotations

import pytest

from convlab.publish import links, site
from convlab.publish.pipeline import build
from convlab.publish.profile import load_profile


def _page(folder, name, body):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><body>{body}</body></html>")


def test_finds_missing_pages_and_anchors(tmp_path):
    _page(tmp_path, "index.html", '<a href="a/">a</a> <a href="a/#here">ok</a> '
          '<a href="a/#gone">x</a> <a href="b/">b</a> <img src="img/p.png"> '
          '<a href="https://example.org/x">out</a> <a href="#top">self</a>'
          '<a href="/convlab/a/">absolute</a> <a href="https://convlab.github.io/convlab/c/">c</a>')
    _page(tmp_path, "a/index.html", '<h2 id="here">h</h2>')
    broken = {(b.page, b.target, b.problem)
              for b in links.check(tmp_path, "https://convlab.github.io/convlab/")}
    assert broken == {
        ("index.html", "a/#gone", "no anchor #gone"),
        ("index.html", "b/", "no such file"),
        ("index.html", "img/p.png", "no such file"),
        ("index.html", "#top", "no anchor #top"),
        ("index.html", "https://convlab.github.io/convlab/c/", "no such file"),
    }


def test_a_broken_lesson_link_fails_the_build_naming_page_and_target(tiny_project):
    beta = tiny_project.lesson("02")
    beta.path.write_text(beta.path.read_text().replace(
        "The second tiny lesson.", "The second, after [alpha](../alpha/#nowhere)."))
    with pytest.raises(site.SiteError, match=r"lessons/beta.html: alpha.html#nowhere "
                                             r"\(no anchor #nowhere\)"):
        build(tiny_project, load_profile(tiny_project.root / "tiny.toml"))
