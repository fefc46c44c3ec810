"""The site's search index, trimmed: what every page loads, kept small.

Material's search plugin writes ``search/search_index.json`` with each section's text as HTML
(``<p>``, ``<code>``, ``<li>``...), and every page of the site loads it (the offline plugin
turns it into ``search_index.js`` after this step). The markup finds nothing a reader types, so
:func:`trim` keeps the words only: the index loses about a tenth of its bytes, and results
show the same words. The API reference, a third of the words of the whole site, is indexed by
its headings (each function's and module's name) and the first sentence under each: what a
reader searching for a name needs to find the entry, which then reads in full on the page.
Any other page's section longer than :data:`TEASER` characters (lessons, the authoring guide,
the home page) is indexed by its beginning and then
each further word once (:func:`distinct_words`): every word still finds the section, a result
still shows how the section begins, and a long section's repeated words ("the", "network",
"accuracy") are not stored again and again. What a page marks ``data-search-exclude``
(outputs, code cells, API signatures, the lists of checks: see
:mod:`convlab.publish.mkdocs_plugin` and :mod:`convlab.publish.site`) never reaches the index.
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
TEASER = 250  # characters of a long section kept as written
WORD = re.compile(r"[^\W\d_][\w'-]*")


def distinct_words(text: str, teaser: int = TEASER) -> str:
    """``text`` cut after about ``teaser`` characters (at a word), then each word of the rest
    that the kept part and earlier words do not already have (case ignored), after " … "."""
    if len(text) <= teaser:
        return text
    head = text[:teaser].rsplit(" ", 1)[0]
    seen = {w.lower() for w in WORD.findall(head)}
    rest = []
    for word in WORD.findall(text[len(head):]):
        if word.lower() not in seen:
            seen.add(word.lower())
            rest.append(word)
    return f"{head} … {' '.join(rest)}" if rest else head


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
        page = doc.get("location", "").split("#")[0]
        if page == REFERENCE:
            doc["text"] = first_sentence(doc["text"])
        else:
            doc["text"] = distinct_words(doc["text"])
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    partial = path.with_suffix(".json.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)  # whole or not at all
    return len(text.encode("utf-8"))
