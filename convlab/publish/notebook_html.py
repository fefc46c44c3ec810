"""Turn mkdocs-jupyter's HTML for a lesson into HTML that reads like the rest of the site.

mkdocs-jupyter renders a notebook as JupyterLab would show it: prompts, CodeMirror markup,
about 600 KB of inline CSS and scripts per page. :func:`tidy` keeps what the reader needs and
writes it in mkdocs-material's own vocabulary:

* prose (Markdown cells, and Markdown that hidden cells printed) as plain page content;
* code as Material code blocks (``div.highlight > pre > code``: same colours, copy button);
* plain-text output as a lighter code block (``.convlab-output``), stderr marked as such;
* what a terminal library (rich) printed as HTML: Keras's ``model.summary()`` as one compact
  table (:func:`summary_table`: its title as the caption, its totals as the table's foot),
  anything else as one plain-text block per run of such outputs;
* other rich HTML output in a scrolling box, figures in ``.convlab-figure``:
  line art as inline SVG, and given a :class:`~convlab.publish.figures.Place`, PNG and GIF
  images (``data:`` URIs) as files beside the page, loaded lazily
  (:mod:`convlab.publish.figures`);
* no ``<style>`` or ``<script>`` of nbconvert's (the site's stylesheets serve every page;
  formulas are MathML); the one script a page may hold loads a widget's large data from
  beside the page (:func:`~convlab.publish.figures.extract_widget_data`);
* no absolute path of the build machine (:func:`relative_paths`).
"""

from __future__ import annotations

import base64
import html
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from convlab.publish import figures

PLACEHOLDER_ALT = "No description has been provided for this image"
FALLBACK_ALT = "Figure drawn by the code above"
SVG_DATA = "data:image/svg+xml;base64,"
# The lines of a Keras summary after its table: "Total params: 1,792 (7.00 KB)" and the like.
SUMMARY_TOTAL = re.compile(r"^\s*((?:Total|Trainable|Non-trainable|Optimizer) params):\s*(.*?)\s*$")
SUMMARY_TITLE = re.compile(r'^\s*Model: "(.*)"\s*$')
# Pygments' tokens that Material draws in the code's own colour (plain names, whitespace), and
# two neighbouring tokens of one class (no text between them).
UNCOLOURED = re.compile(r'<span class="(?:n|w)">([^<]*)</span>')
NEIGHBOURS = re.compile(r'<span class="([\w ]+)">([^<]*)</span><span class="\1">([^<]*)</span>')
# rich's box drawing: lines of the header (heavy) and of the body (light); separators.
HEADER_LINE, BODY_LINE = "┃", "│"


def tidy(content: str, build_paths: Iterable[Path] = (),
         place: figures.Place | None = None) -> str:
    """The lesson page's body from mkdocs-jupyter's ``content`` (see the module's docstring);
    ``place``: where the page's images go as files (without one they stay ``data:`` URIs)."""
    soup = BeautifulSoup(content, "html.parser")
    notebook = soup.select_one(".jp-Notebook")
    if notebook is None:
        return relative_paths(content, build_paths)
    _code_in_pre(soup)
    images = _Images(place)
    blocks: list[str] = []
    for wrapper in notebook.select(".jp-Cell-inputWrapper, .jp-Cell-outputWrapper"):
        if "jp-Cell-inputWrapper" in wrapper["class"]:
            blocks.extend(_input(wrapper))
        else:
            blocks.extend(_outputs(wrapper, images))
    body = "\n".join(blocks)
    return relative_paths(f'<div class="convlab-notebook">\n{body}\n</div>', build_paths)


def relative_paths(text: str, build_paths: Iterable[Path] = ()) -> str:
    """``text`` with the build machine's folders (the project, Python's prefixes, the home
    folder, the temporary folder) cut from any absolute path that mentions them."""
    folders = {*map(str, build_paths), sys.prefix, sys.base_prefix, os.path.expanduser("~"),
               "/tmp"}
    for folder in sorted((f.rstrip("/") for f in folders if len(f) > 1), key=len, reverse=True):
        text = text.replace(folder + "/", "")
    return text


def _code_in_pre(soup: BeautifulSoup) -> None:
    """Fenced code in Markdown (``div.highlight > pre``) as Material writes it, with a
    ``<code>`` inside the ``<pre>``: Material's styles (and its scrolling) expect one."""
    for pre in soup.select("div.highlight > pre"):
        if pre.find("code", recursive=False) is None:
            code = soup.new_tag("code")
            for child in list(pre.contents):
                code.append(child.extract())
            pre.append(code)


def _input(wrapper: Tag) -> list[str]:
    code = wrapper.select_one(".highlight-ipynb pre")
    if code is not None:
        inner = fewer_spans(code.decode_contents())
        return [f'<div class="language-python highlight"><pre><code>{inner}</code></pre></div>']
    prose = wrapper.select_one(".jp-RenderedMarkdown")
    return [_prose(prose)] if prose is not None else []


def fewer_spans(code: str) -> str:
    """Pygments' highlighted code with the same colours in fewer elements (a lesson page's
    code is most of its DOM): no span around a plain name or whitespace (Material draws names
    in the code's own colour, ``--md-code-hl-name-color``), no empty span, and neighbouring
    spans of one class merged."""
    code = UNCOLOURED.sub(r"\1", code).replace("<span></span>", "")
    merged = NEIGHBOURS.sub(r'<span class="\1">\2\3</span>', code)
    while merged != code:
        code, merged = merged, NEIGHBOURS.sub(r'<span class="\1">\2\3</span>', merged)
    return code


def _prose(rendered: Tag) -> str:
    """Markdown's HTML, with mkdocs-material's permalink class on heading anchors and every
    table's header cells named (:func:`_name_corner`)."""
    for anchor in rendered.select("a.anchor-link"):
        anchor["class"] = ["headerlink"]
        anchor["title"] = "Permanent link"
    for row in rendered.select("table > thead > tr:first-child"):
        _name_corner(row)
    return rendered.decode_contents()


def _name_corner(row: Tag) -> None:
    """A table's header row whose first cell is empty (``convlab.report``'s tables beside the
    tutorials: the column of result names has no heading): "result" over a table of results,
    else an empty ``<td>`` corner (a header cell must name its column)."""
    cells = row.find_all("th")
    if not cells or cells[0].get_text(strip=True):
        return
    if "tutorial" in row.get_text():
        cells[0].string = "result"
    else:
        cells[0].name = "td"


def _outputs(wrapper: Tag, images: _Images) -> list[str]:
    """One block per output; consecutive text on the same stream merged into one block, and
    consecutive terminal output (rich's ``<pre>``: Keras's summary) into one
    (:func:`console_block`)."""
    blocks: list[str] = []
    text, stream = "", ""
    console: list[str] = []
    for output in wrapper.select(".jp-OutputArea-output"):
        mime = output.get("data-mime-type", "")
        printed = _console_text(output, mime)
        if printed is not None:
            if text:
                blocks.append(_text_block(text, stream))
                text = ""
            console.append(printed)
            continue
        if console:
            blocks.append(console_block(console))
            console = []
        if mime in ("text/plain", "application/vnd.jupyter.stderr"):
            pre = output.find("pre")
            piece = pre.get_text() if pre is not None else output.get_text()
            if text and mime != stream:
                blocks.append(_text_block(text, stream))
                text = ""
            text, stream = text + piece, mime
            continue
        if text:
            blocks.append(_text_block(text, stream))
            text = ""
        blocks.append(_rich(output, mime, images))
    if console:
        blocks.append(console_block(console))
    if text:
        blocks.append(_text_block(text, stream))
    return blocks


def _console_text(output: Tag, mime: str) -> str | None:
    """The text of an HTML output that is nothing but one ``<pre>`` of styled text (what rich,
    which Keras prints its summary with, writes in a notebook), else ``None``."""
    if mime != "text/html":
        return None
    pres = output.find_all("pre")
    if len(pres) != 1 or output.find(lambda t: t.name not in ("div", "pre", "span")):
        return None
    if output.get_text().strip() != pres[0].get_text().strip():
        return None
    return pres[0].get_text()


def console_block(texts: list[str]) -> str:
    """Consecutive terminal outputs: a Keras summary as one table (:func:`summary_table`),
    anything else as one plain-text output block."""
    table = summary_table(texts)
    if table is not None:
        return f'<div class="convlab-output-html">{table}</div>'
    return _text_block("".join(t if t.endswith("\n") else t + "\n" for t in texts), "text/plain")


def summary_table(texts: list[str]) -> str | None:
    """Keras's ``model.summary()`` (its title, its box-drawn table, its totals, as rich printed
    them) as one HTML table: the title as caption, one row per layer (a cell drawn over several
    lines joined), the totals in the table's foot; ``None`` when ``texts`` is not a summary."""
    title, header, rows, totals = "", [], [], []
    row: list[list[str]] | None = None
    for line in "".join(t if t.endswith("\n") else t + "\n" for t in texts).splitlines():
        if not line.strip():
            continue
        if (found := SUMMARY_TITLE.match(line)) and not header:
            title = found[1]
        elif (found := SUMMARY_TOTAL.match(line)):
            totals.append((found[1], found[2]))
        elif line.lstrip().startswith(HEADER_LINE):
            cells = [c.strip() for c in line.strip().strip(HEADER_LINE).split(HEADER_LINE)]
            header = cells if not header else [" ".join(filter(None, p))
                                               for p in zip(header, cells, strict=False)]
        elif line.lstrip().startswith(BODY_LINE):
            cells = [c.strip() for c in line.strip().strip(BODY_LINE).split(BODY_LINE)]
            if row is None:
                row = [[c] for c in cells]
                rows.append(row)
            else:  # a cell that rich wrapped onto the next line
                for parts, cell in zip(row, cells, strict=False):
                    parts.append(cell)
        elif set(line.strip()) <= set("┏┳┓┡╇┩├┼┤└┴┘━─╋┃│ "):
            row = None  # a rule: the next body line starts a row
        else:
            return None
    if not header or not rows:
        return None
    e = html.escape
    width = len(header)
    numeric = ["Param" in name for name in header]
    head = "".join(f'<th scope="col"{_numeric(n)}>{e(name)}</th>'
                   for name, n in zip(header, numeric, strict=False))
    body = "".join(
        "<tr>" + "".join(f"<td{_numeric(n)}>{e(' '.join(filter(None, parts)))}</td>"
                         for parts, n in zip(cells, numeric, strict=False)) + "</tr>"
        for cells in rows)
    span = f' colspan="{width - 1}"' if width > 2 else ""  # a total under shape and count
    foot = "".join(f'<tr><th scope="row">{e(name)}</th>'
                   f'<td{span} class="convlab-number">{e(value)}</td></tr>'
                   for name, value in totals)
    caption = f"<caption>Model: {e(title)}</caption>" if title else ""
    return (f'<table class="convlab-summary">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody>" + (f"<tfoot>{foot}</tfoot>" if foot else "") + "</table>")


def _numeric(numeric: bool) -> str:
    return ' class="convlab-number"' if numeric else ""


def _text_block(text: str, mime: str) -> str:
    kind = " convlab-stderr" if mime.endswith("stderr") else ""
    return (f'<div class="highlight no-copy convlab-output{kind}"><pre><code>'
            f"{html.escape(text.rstrip())}</code></pre></div>")


def _rich(output: Tag, mime: str, images: _Images) -> str:
    classes = output.get("class", [])
    if "jp-RenderedImage" in classes or "jp-RenderedSVG" in classes:
        tags = "".join(images.image(img) for img in output.find_all("img"))
        return f'<figure class="convlab-figure">{tags}</figure>'
    if mime == "text/markdown":
        return _prose(output)
    for pre in output.find_all("pre"):
        pre.attrs.pop("style", None)  # rich's inline font and overflow: the site's own instead
    for img in output.find_all("img"):  # HTML's own images (the animation's GIFs)
        if images.place is not None and figures.is_data_image(img.get("src", "")):
            img.replace_with(BeautifulSoup(images.image(img), "html.parser"))
    if images.place is not None:  # a widget's large data: a script beside the page
        for element in output.find_all(True):
            moved = figures.extract_widget_data(element.attrs, images.place)
            if moved is not None:
                # deferred: it runs before the widgets' deferred scripts, in page order
                tag = moved[0].replace("<script ", "<script defer ", 1)
                element.insert_before(BeautifulSoup(tag, "html.parser"))
    return f'<div class="convlab-output-html">{output.decode_contents()}</div>'


class _Images:
    """A page's images, in order: the first loads at once, the others when scrolled to."""

    def __init__(self, place: figures.Place | None) -> None:
        self.place = place
        self.count = 0

    def image(self, image: Tag) -> str:
        """An SVG (nbconvert base64-encodes them into ``<img>``) inline, so that its
        ``currentColor`` follows the page's theme, or, when large, as a file per theme; a PNG
        or GIF as files beside the page (given a place); any other image as it is; each with
        alt text."""
        source = image.get("src", "")
        if source.startswith(SVG_DATA):
            svg = base64.b64decode(source[len(SVG_DATA):]).decode("utf-8")
            files = None if self.place is None else figures.extract_svg(
                svg, self.place, eager=self.count == 0)
            if files is not None:
                self.count += 1
            return files or svg
        if not image.get("alt") or image["alt"] == PLACEHOLDER_ALT:
            image["alt"] = FALLBACK_ALT
        if self.place is not None and figures.is_data_image(source):
            classes = " ".join(c for c in image.get("class", []) if c.startswith("convlab-"))
            self.count += 1
            return figures.extract(source, image["alt"], self.place, classes=classes,
                                   eager=self.count == 1)
        image.attrs.pop("class", None)
        return str(image)
