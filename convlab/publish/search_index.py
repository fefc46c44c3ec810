"""The site's search index, trimmed: what every page loads, kept small.

Material's search plugin writes ``search/search_index.json`` with each section's text as HTML
(``<p>``, ``<code>``, ``<li>``...), and every page of the site loads it (the offline plugin
turns it into ``search_index.js`` after this step). The markup finds nothing a reader types, so
:func:`trim` keeps the words only: the index loses about a tenth of its bytes, and results
show the same words. What a page marks ``data-search-exclude`` (outputs, code cells, API
signatures: see :mod:`convlab.publish.mkdocs_plugin`) never reaches the index at all.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

INDEX = Path("search") / "search_index.json"
TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")


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
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    partial = path.with_suffix(".json.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)  # whole or not at all
    return len(text.encode("utf-8"))
