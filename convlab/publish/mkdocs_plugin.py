"""The ``convlab`` mkdocs plugin: the site's navigation and the home page's table of lessons.

Both come from the lessons themselves (their file order, titles and first paragraphs), so
adding, renaming or renumbering a lesson needs no edit anywhere else. In ``mkdocs.yml``::

    plugins:
      - convlab

Navigation: Home, then the lessons in order, then the other pages of ``docs/`` (when
``mkdocs.yml`` gives no ``nav`` of its own). The marker ``<!-- convlab:lessons -->`` in a
page is replaced by a table of the lessons.

Lesson pages: mkdocs-jupyter's HTML is rewritten into the site's own vocabulary
(:mod:`convlab.publish.notebook_html`), its images written beside it as files
(:mod:`convlab.publish.figures`).

Formulas, on every page, are typeset at build time as MathML (:mod:`convlab.publish.formulas`,
MathJax under Node.js, fetched from npm once per machine): pages load no math script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from convlab.publish import assets, figures, formulas, notebook_html
from convlab.publish.project import LESSON_LINK, Project

MARKER = "<!-- convlab:lessons -->"
# The lesson pages' stylesheet, the convolution explorer (convlab.explorer)
# and the digit explorer (convlab.digit_explorer)
THEME = Path(__file__).parent / "theme"
THEME_URI = "assets/convlab"
PAGES = "lessons"


def lessons_table(project: Project, page_dir: str = "") -> str:
    """A Markdown table of the lessons: number, linked title, first paragraph."""
    rows = ["| | lesson | what it covers |", "|---|---|---|"]
    for lesson in project.lessons():
        title, summary = lesson.title_and_summary()
        link = f"{page_dir}{PAGES}/{lesson.slug}.ipynb"
        summary = LESSON_LINK.sub(lambda m: f"]({page_dir}{PAGES}/{m.group(1)}.ipynb"
                                            f"{m.group(2) or ''})", summary)
        rows.append(f"| {lesson.number} | [{title}]({link}) | {summary} |")
    return "\n".join(rows)


class ConvlabPlugin(BasePlugin):
    """Generated navigation and table of lessons; tidy lesson pages; formulas as MathML."""

    project: Project

    def on_config(self, config: Any) -> Any:
        """Find the project; make the navigation from the lessons unless mkdocs.yml has one."""
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
        config.extra_css.extend(f"{THEME_URI}/{name}" for name in ("notebook.css",
                                                                    "conv-explorer.css",
                                                                    "digit-explorer.css"))
        config.extra_javascript.extend(ExtraScriptValue(f"{THEME_URI}/{name}")
                                       for name in ("conv-explorer.js", "digit-explorer.js"))
        return config

    def on_page_markdown(self, markdown: str, page: Any, **kwargs: Any) -> str:
        """Replace the lessons marker with the table of lessons."""
        if MARKER not in markdown:
            return markdown
        depth = page.file.src_uri.count("/")
        return markdown.replace(MARKER, lessons_table(self.project, "../" * depth))

    def on_files(self, files: Files, config: Any) -> Files:
        """Add the theme's stylesheet and scripts to the site's files; make sure MathJax is
        there to typeset formulas (fetched the first time), before any page is rendered."""
        try:
            assets.mathjax()
            assets.node()
        except assets.AssetError as err:
            raise PluginError(str(err)) from None
        for path in sorted(THEME.iterdir()):
            if path.is_file():
                files.append(File.generated(config, f"{THEME_URI}/{path.name}",
                                            abs_src_path=str(path)))
        return files

    def on_page_content(self, html: str, page: Any, config: Any, **kwargs: Any) -> str:
        """Rewrite a lesson page's notebook HTML into Material's own markup, its images as
        files beside the page (:mod:`convlab.publish.figures`); typeset every page's formulas
        as MathML (a formula TeX rejects stops the build, naming it)."""
        where = f"docs/{page.file.src_uri}"
        slug = Path(page.file.src_uri).stem
        for lesson in self.project.lessons():
            if page.file.src_uri.endswith(".ipynb") and lesson.slug == slug:
                where = f"{lesson.path.parent.name}/{lesson.path.name}"
        try:
            if not page.file.src_uri.endswith(".ipynb"):
                return formulas.typeset_arithmatex(html, where)
            place = figures.place_for(config.site_dir, page.file.dest_uri)
            tidied = notebook_html.tidy(html, [self.project.root, self.project.root.parent],
                                        place)
            return formulas.typeset(tidied, where)
        except (formulas.FormulaError, figures.FigureError) as err:
            raise PluginError(str(err)) from None

    def on_post_page(self, output: str, page: Any, **kwargs: Any) -> str:
        """Final touches on every page's HTML (no requests to other hosts)."""
        # The header's repository link, without the attribute that makes Material's script ask
        # GitHub's API for stars and the latest release: pages talk to their own host only.
        return output.replace(' data-md-component="source"', "")
