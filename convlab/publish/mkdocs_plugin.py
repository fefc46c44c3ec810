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

The home page's marker ``<!-- convlab:results-chart -->`` becomes the chart of this build's
results beside the tutorials' (:mod:`convlab.publish.home`), when it has any.

What a page loads (:func:`page_assets`): the lesson pages' stylesheet and the keyboard script
on every page; a widget's script and stylesheet (the explorers', the loader of their data) only
on a page that holds that widget, and nothing render-blocking but Material's stylesheets and
the site's own small one.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

from convlab.publish import (
    assets,
    figures,
    formulas,
    home,
    notebook_html,
    results,
    search_index,
)
from convlab.publish.project import LESSON_LINK, PAGES, Project, page_url

MARKER = "<!-- convlab:lessons -->"
CHART_MARKER = "<!-- convlab:results-chart -->"
# The lesson pages' stylesheet, the convolution explorer (convlab.explorer)
# the digit explorer (convlab.digit_explorer) and the CIFAR-10 explorer (convlab.cifar_explorer)
THEME = Path(__file__).parent / "theme"
THEME_URI = "assets/convlab"
# Each widget's files, loaded only by a page that holds the widget (the text in the page that
# says it does, then its stylesheet and script in the theme folder). Their data comes first:
# widget-data.js puts back what the build moved into scripts beside the page.
WIDGETS = {
    'data-convlab-data="': ((), ("widget-data.js",)),
    'class="conv-explorer"': (("conv-explorer.css",), ("conv-explorer.js",)),
    'class="digit-explorer"': (("digit-explorer.css",), ("digit-explorer.js",)),
    'class="cifar-explorer"': (("cifar-explorer.css",), ("cifar-explorer.js",)),
}
# Material's script bundle and iframe-worker's shim (which must run before it): deferred.
DEFERRED = re.compile(r'(<script src="[^"]*(?:assets/javascripts/bundle\.[0-9a-f]+\.min\.js|'
                      + re.escape(assets.IFRAME_WORKER_FOLDER) + r'/[^"]*)")>')
# Material's copy button sits in a <nav> of its own, one per code block: landmarks with no
# name, repeated (axe-core's landmark-unique). The site's copy of the bundle makes it a <div>.
CODE_NAV = re.compile(r'(\w+)\("nav",\{class:"md-code__nav"\}\)')
# Material's templates that the site overrides (each file says which finding it fixes).
OVERRIDES = THEME / "overrides"
# A relative link in a page's HTML (not "#anchor", not "scheme:", not "/absolute").
RELATIVE = re.compile(r'(?P<attr>\shref)="(?P<url>(?![a-z][a-z0-9+.-]*:|#|/)[^"]*)"')
# Scrollable blocks: reachable with the keyboard (axe's scrollable-region-focusable). In code
# and text output Material's scroller is the <code> in the <pre> (pymdownx.highlight puts an
# empty <span> before it); rich output boxes scroll themselves and are named by what they hold.
CODE_IN_PRE = re.compile(r'(<pre(?=[\s>])[^>]*>(?:<span></span>)?<code)(?=[\s>])'
                         r'(?![^>]*\stabindex=)')
# (kept out of the search index first: data-search-exclude may come before the class)
RICH_OUTPUT = re.compile(r'<div (?:data-search-exclude )?class="convlab-output-html"'
                         r'(?![^>]*\stabindex=)')
# Kept out of the search index (Material's data-search-exclude), which every page loads: what
# code printed or drew (numbers and tick labels find nothing a reader looks for), the lessons'
# code cells (the lesson's .py holds them; their names are in the prose and the API reference)
# and the box that says how the page was built (the same words on every lesson).
OUTPUTS = re.compile(r'<(div|figure) (class="(?:highlight no-copy convlab-output[^"]*'
                     r'|convlab-output-html|convlab-figure|language-python highlight'
                     r'|admonition info convlab-provenance)")')
# The API reference's signatures (mkdocstrings): their names are in its headings already.
SIGNATURE = '<div class="doc-signature'


def lessons_table(project: Project, page_dir: str = "") -> str:
    """A Markdown table of the lessons: number, linked title, first paragraph."""
    rows = ["| no. | lesson | what it covers |", "|---|---|---|"]
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
        # Every page: the lesson pages' stylesheet and the keyboard script (deferred); the
        # widgets' files only where a widget is (on_post_page).
        config.extra_css.append(f"{THEME_URI}/notebook.css")
        keyboard = ExtraScriptValue(f"{THEME_URI}/keyboard.js")
        keyboard.defer = True
        config.extra_javascript.append(keyboard)
        # Material's offline plugin (listed after this one) makes search work from disk with
        # iframe-worker's shim, which it would load from unpkg.com: the site serves its own.
        polyfills = config.extra.setdefault("polyfills", [])
        shim = f"{assets.IFRAME_WORKER_FOLDER}/{assets.IFRAME_WORKER_ENTRY}"
        if shim not in polyfills:
            polyfills.append(shim)
        # Overridden partials of Material's (convlab/publish/theme/overrides/), before its own.
        config.theme.dirs.insert(0, str(OVERRIDES))
        return config

    def on_page_markdown(self, markdown: str, page: Any, **kwargs: Any) -> str:
        """Replace the lessons marker with the table of lessons."""
        if MARKER not in markdown:
            return markdown
        depth = page.file.src_uri.count("/")
        table = lessons_table(self.project, "../" * depth)
        return markdown.replace(MARKER, f'<div class="convlab-lessons" markdown>\n\n{table}'
                                        "\n\n</div>")

    def on_files(self, files: Files, config: Any) -> Files:
        """Add the theme's stylesheets and scripts and iframe-worker's shim to the site's files;
        make sure MathJax is there to typeset formulas (fetched the first time), before any
        page is rendered."""
        try:
            assets.mathjax()
            assets.node()
            shim = assets.iframe_worker()
        except assets.AssetError as err:
            raise PluginError(str(err)) from None
        theme = {f"{THEME_URI}/{p.name}": p for p in sorted(THEME.iterdir()) if p.is_file()}
        vendored = assets.site_files(shim, assets.IFRAME_WORKER_FOLDER)
        for uri, path in {**theme, **vendored}.items():
            files.append(File.generated(config, uri, abs_src_path=str(path)))
        return files

    def on_page_content(self, html: str, page: Any, config: Any, **kwargs: Any) -> str:
        """Rewrite a lesson page's notebook HTML into Material's own markup, its images as
        files beside the page (:mod:`convlab.publish.figures`), its links for pages without
        directory URLs; keep what finds nothing out of the search index; typeset every
        page's formulas as MathML (a formula TeX rejects stops the build, naming it)."""
        src_uri = page.file.src_uri
        try:
            if not src_uri.endswith(".ipynb"):
                if src_uri == results.PAGE_NAME:
                    html = inline_chart(html, Path(config.docs_dir) / results.CHART_NAME)
                if CHART_MARKER in html:  # (a comment: Markdown passes it through)
                    chart = home.load_chart(config.docs_dir)
                    html = html.replace(CHART_MARKER, chart and
                                        f'<figure class="convlab-figure">{chart}</figure>' or "")
                return formulas.typeset_arithmatex(unsearched(html, src_uri), f"docs/{src_uri}")
            lesson = self.project.lesson(Path(src_uri).stem)
            place = figures.place_for(config.site_dir, page.file.dest_uri)
            tidied = notebook_html.tidy(html, [self.project.root, self.project.root.parent],
                                        place)
            # (use_directory_urls as the offline plugin left it: its on_config runs after
            # this one's)
            if not config.use_directory_urls:
                tidied = file_links(tidied, src_uri)
            where = f"{lesson.path.parent.name}/{lesson.path.name}"
            return formulas.typeset(unsearched(tidied, src_uri), where)
        except (formulas.FormulaError, figures.FigureError) as err:
            raise PluginError(str(err)) from None

    def on_post_build(self, config: Any, **kwargs: Any) -> None:
        """Trim the search index the search plugin wrote (before the offline plugin turns it
        into a script): the words without their markup (:mod:`convlab.publish.search_index`);
        give code blocks' copy buttons no landmark of their own (:data:`CODE_NAV`)."""
        search_index.trim(config.site_dir)
        for bundle in (Path(config.site_dir) / "assets" / "javascripts").glob("bundle.*.min.js"):
            text = bundle.read_text(encoding="utf-8")
            bundle.write_text(CODE_NAV.sub(r'\1("div",{class:"md-code__nav"})', text),
                              encoding="utf-8")

    def on_post_page(self, output: str, page: Any, **kwargs: Any) -> str:
        """Final touches on every page's HTML (no requests to other hosts; keyboard access;
        widgets' files only where used, nothing render-blocking that need not be)."""
        # The header's repository link, without the attribute that makes Material's script ask
        # GitHub's API for stars and the latest release: pages talk to their own host only.
        output = output.replace(' data-md-component="source"', "")
        return page_assets(focusable_blocks(output), page.url)


def unsearched(html: str, src_uri: str) -> str:
    """The page at ``src_uri`` with what finds nothing a reader types marked
    ``data-search-exclude`` (Material leaves it out of the search index): a lesson's outputs,
    code cells and provenance box (:data:`OUTPUTS`), the API reference's signatures, and the
    results page's tables of numbers."""
    if src_uri.endswith(".ipynb"):
        return OUTPUTS.sub(r"<\1 data-search-exclude \2", html)
    html = html.replace(SIGNATURE, f"{SIGNATURE[:4]} data-search-exclude{SIGNATURE[4:]}")
    if src_uri == results.PAGE_NAME:
        html = html.replace("<table>", "<table data-search-exclude>")
    return html


def focusable_blocks(html: str) -> str:
    """Every code block and text output (the ``<code>`` in a ``<pre>``, which scrolls sideways)
    and rich output box reachable with the Tab key, so that a keyboard can scroll them; each
    rich output box a region named by its number on the page."""
    html = CODE_IN_PRE.sub(r'\1 tabindex="0"', html)
    count = 0

    def region(match: re.Match[str]) -> str:
        nonlocal count  # each region's name its own (axe-core's landmark-unique)
        count += 1
        return (f'{match[0]} tabindex="0" role="region" '
                f'aria-label="Output {count} on this page"')

    return RICH_OUTPUT.sub(region, html)


def page_assets(html: str, page_url: str) -> str:
    """The page at ``page_url`` (a path in the site) with the scripts and stylesheets of the
    widgets it holds (:data:`WIDGETS`): scripts deferred at the end of the body, stylesheets
    applied once loaded (``media="print"`` until then: not render-blocking; the widgets are
    drawn by their scripts, after that). iframe-worker's shim and Material's bundle, which
    the shim must precede, deferred too (in that order, before the site's own scripts): Chromium
    counted the shim as render-blocking."""
    styles, scripts = [], []
    for marker, (css, js) in WIDGETS.items():
        if marker in html:
            styles += [get_relative_url(f"{THEME_URI}/{name}", page_url) for name in css]
            scripts += [get_relative_url(f"{THEME_URI}/{name}", page_url) for name in js]
    head = "".join(f'<link rel="stylesheet" href="{url}" media="print" '
                   "onload=\"this.media='all'\">" for url in styles)
    body = "".join(f'<script src="{url}" defer></script>' for url in scripts)
    html = html.replace("</head>", f"{head}</head>", 1).replace("</body>", f"{body}</body>", 1)
    return DEFERRED.sub(r"\1 defer>", html)


def inline_chart(html: str, chart: Path) -> str:
    """The results page with its chart's ``<img>`` replaced by the chart's SVG, so that the
    chart's text takes the page's colour (``currentColor`` means nothing in an ``<img>``: in
    the dark theme its text was black on black)."""
    if not chart.is_file():
        return html
    image = re.compile(r'<img [^>]*src="' + re.escape(chart.name) + r'"[^>]*>')
    svg = chart.read_text(encoding="utf-8")
    return image.sub(lambda _: f'<span class="convlab-figure">{svg}</span>', html, count=1)


def file_links(html: str, src_uri: str) -> str:
    """A lesson page's relative links (``href``; images are written beside the real page by
    :mod:`convlab.publish.figures`), written for directory URLs (the page at
    ``lessons/<slug>/``: ``../beta/#x``, ``../../downloads/a.py``), rewritten for the page at
    ``lessons/<slug>.html`` (``beta.html#x``, ``../downloads/a.py``): the site built without
    directory URLs (Material's offline plugin) opens from disk."""
    page = src_uri.rsplit(".", 1)[0]  # lessons/alpha, as a folder under directory URLs
    here = posixpath.dirname(page) or "."

    def rewrite(match: re.Match[str]) -> str:
        url = match["url"]
        path, hash_, anchor = url.partition("#")
        path, query, args = path.partition("?")
        if not path:
            return match[0]
        target = posixpath.normpath(posixpath.join(page, path))
        if target == "." or path.endswith("/"):
            target = page_url("" if target == "." else target, directory_urls=False)
        new = posixpath.relpath(target, here)
        return f'{match["attr"]}="{new}{query}{args}{hash_}{anchor}"'

    return RELATIVE.sub(rewrite, html)
