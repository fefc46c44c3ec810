"""The ``convlab`` mkdocs plugin: the site's navigation and the home page's table of lessons.

Both come from the lessons themselves (their file order, titles and first paragraphs), so
adding, renaming or renumbering a lesson needs no edit anywhere else. In ``mkdocs.yml``::

    plugins:
      - convlab

Navigation: Home, then the lessons in order, then the other pages of ``docs/`` (when
``mkdocs.yml`` gives no ``nav`` of its own). The marker ``<!-- convlab:lessons -->`` in a
page is replaced by a table of the lessons.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.plugins import BasePlugin

from convlab.publish.project import Project

MARKER = "<!-- convlab:lessons -->"
PAGES = "lessons"


def lessons_table(project: Project, page_dir: str = "") -> str:
    """A Markdown table of the lessons: number, linked title, first paragraph."""
    rows = ["| | lesson | what it covers |", "|---|---|---|"]
    for lesson in project.lessons():
        title, summary = lesson.title_and_summary()
        link = f"{page_dir}{PAGES}/{lesson.slug}.ipynb"
        rows.append(f"| {lesson.number} | [{title}]({link}) | {summary} |")
    return "\n".join(rows)


class ConvlabPlugin(BasePlugin):
    """Generated navigation and table of lessons."""

    project: Project

    def on_config(self, config: Any) -> Any:
        self.project = Project(Path(config.config_file_path).resolve().parent)
        if config.nav is None:
            lessons = []
            for lesson in self.project.lessons():
                title, _ = lesson.title_and_summary()
                lessons.append({f"{lesson.number}. {title}": f"{PAGES}/{lesson.slug}.ipynb"})
            docs = Path(config.docs_dir)
            others = sorted(p.relative_to(docs).as_posix() for p in docs.glob("*.md")
                            if p.name != "index.md")
            config.nav = [{"Home": "index.md"}, {"Lessons": lessons}, *others]
        return config

    def on_page_markdown(self, markdown: str, page: Any, **kwargs: Any) -> str:
        if MARKER not in markdown:
            return markdown
        depth = page.file.src_uri.count("/")
        return markdown.replace(MARKER, lessons_table(self.project, "../" * depth))
