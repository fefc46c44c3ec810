"""Turn mkdocs-jupyter's HTML for a lesson into HTML that reads like the rest of the site.

mkdocs-jupyter renders a notebook as JupyterLab would show it: prompts, CodeMirror markup,
about 600 KB of inline CSS and scripts per page. :func:`tidy` keeps what the reader needs and
writes it in mkdocs-material's own vocabulary:

* prose (Markdown cells, and Markdown that hidden cells printed) as plain page content;
* code as Material code blocks (``div.highlight > pre > code``: same colours, copy button);
* plain-text output as a lighter code block (``.convlab-output``), stderr marked as such;
* rich HTML output (Keras's model summary) in a scrolling box, figures in ``.convlab-figure``;
* no ``<style>`` or ``<script>`` (the site's stylesheets serve every page; formulas are MathML);
* no absolute path of the build machine (:func:`relative_paths`).
"""

from __future__ import annotations

import base64
import html
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from bs4 import BeautifulSoup, Tag

PLACEHOLDER_ALT = "No description has been provided for this image"
FALLBACK_ALT = "Figure drawn by the code above"
SVG_DATA = "data:image/svg+xml;base64,"


def tidy(content: str, build_paths: Iterable[Path] = ()) -> str:
    """The lesson page's body from mkdocs-jupyter's ``content`` (see the module's docstring)."""
    soup = BeautifulSoup(content, "html.parser")
    notebook = soup.select_one(".jp-Notebook")
    if notebook is None:
        return relative_paths(content, build_paths)
    _code_in_pre(soup)
    blocks: list[str] = []
    for wrapper in notebook.select(".jp-Cell-inputWrapper, .jp-Cell-outputWrapper"):
        if "jp-Cell-inputWrapper" in wrapper["class"]:
            blocks.extend(_input(wrapper))
        else:
            blocks.extend(_outputs(wrapper))
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
        inner = code.decode_contents()
        return [f'<div class="language-python highlight"><pre><code>{inner}</code></pre></div>']
    prose = wrapper.select_one(".jp-RenderedMarkdown")
    return [_prose(prose)] if prose is not None else []


def _prose(rendered: Tag) -> str:
    """Markdown's HTML, with mkdocs-material's permalink class on heading anchors."""
    for anchor in rendered.select("a.anchor-link"):
        anchor["class"] = ["headerlink"]
        anchor["title"] = "Permanent link"
    return rendered.decode_contents()


def _outputs(wrapper: Tag) -> list[str]:
    """One block per output; consecutive text on the same stream merged into one block."""
    blocks: list[str] = []
    text, stream = "", ""
    for output in wrapper.select(".jp-OutputArea-output"):
        mime = output.get("data-mime-type", "")
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
        blocks.append(_rich(output, mime))
    if text:
        blocks.append(_text_block(text, stream))
    return blocks


def _text_block(text: str, mime: str) -> str:
    kind = " convlab-stderr" if mime.endswith("stderr") else ""
    return (f'<div class="highlight no-copy convlab-output{kind}"><pre><code>'
            f"{html.escape(text.rstrip())}</code></pre></div>")


def _rich(output: Tag, mime: str) -> str:
    classes = output.get("class", [])
    if "jp-RenderedImage" in classes or "jp-RenderedSVG" in classes:
        return f'<figure class="convlab-figure">{"".join(map(_image, output.find_all("img")))}' \
               "</figure>"
    if mime == "text/markdown":
        return _prose(output)
    for pre in output.find_all("pre"):
        pre.attrs.pop("style", None)  # rich's inline font and overflow: the site's own instead
    return f'<div class="convlab-output-html">{output.decode_contents()}</div>'


def _image(image: Tag) -> str:
    """An SVG (nbconvert base64-encodes them into ``<img>``) inline, so that its
    ``currentColor`` follows the page's theme; any other image with alt text."""
    source = image.get("src", "")
    if source.startswith(SVG_DATA):
        return base64.b64decode(source[len(SVG_DATA):]).decode("utf-8")
    if not image.get("alt") or image["alt"] == PLACEHOLDER_ALT:
        image["alt"] = FALLBACK_ALT
    image.attrs.pop("class", None)
    return str(image)
