"""The site's search index, trimmed: what every page loads, kept small.

Material's search plugin writes ``search/search_index.json`` with each section's text as HTML
(``<p>``, ``<code>``, ``<li>``...), and every page of the site loads it (the offline plugin
turns it into ``search_index.js`` after this step). The markup finds nothing a reader types, so
:func:`trim` keeps the words only: the index loses about a tenth of its bytes, and results
show the same words. The API reference, a third of the words of the whole site, is indexed by
its headings (each function's and module's name) and the first sentence under each: what a
reader searching for a name needs to find the entry, which then reads in full on the page.
What a page marks ``data-search-exclude`` (outputs, code cells, API signatures: see
:mod:`convlab.publish.mkdocs_plugin`) never reaches the index at all.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

INDEX = Path("search") / "search_index.json"
REFERENCE = "reference.html"  # the API reference: indexed by names and first sentences
TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")
SENTENCE_END = re.compile(r"(?<=[.:;!?])\s")


def first_sentence(text: str, limit: int = 200) -> str:
    """The first sentence of plain ``text`` (up to ``.``, ``:``, ``;``, ``!`` or ``?`` and a
    space), at most ``limit`` characters, cut at a word."""
    sentence = SENTENCE_END.split(text, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0] + " ..."


def plain(text: str) -> str:
    """``text`` (a section's HTML) as its words: tags dropped, entities decoded, spaces
    collapsed. ``"<p>A <code>Conv2D</code> layer</p>"`` -> ``"A Conv2D layer"``."""
    return SPACE.sub(" ", html.unescape(TAG.sub(" ", text))).strip()


def trim(site_dir: str | Path) -> int:
    """Rewrite the search index of the site in ``site_dir`` with plain text; its new size in
    bytes (0 when the site has no index: search is off)."""
    path = Path(site_dir) / INDEX
    if not path.is_file():
        return 0
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index.get("docs", []):
        doc["text"] = plain(doc.get("text", ""))
        if doc.get("location", "").split("#")[0] == REFERENCE:
            doc["text"] = first_sentence(doc["text"])
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    partial = path.with_suffix(".json.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)  # whole or not at all
    return len(text.encode("utf-8"))
