"""convlab.publish.search_index: the index every page loads keeps the words, not the markup."""

import json

from convlab.publish.search_index import INDEX, plain, trim


def test_plain_keeps_the_words():
    assert plain("<p>A <code>Conv2D</code> layer&#39;s\n  <em>kernel</em></p>") == \
        "A Conv2D layer's kernel"


def test_trim_rewrites_the_index_in_place(tmp_path):
    path = tmp_path / INDEX
    path.parent.mkdir()
    docs = [{"location": "a.html", "title": "A", "text": "<p>one <code>two</code></p>"}]
    path.write_text(json.dumps({"config": {"lang": ["en"]}, "docs": docs}))
    size = trim(tmp_path)
    index = json.loads(path.read_text())
    assert index["docs"][0]["text"] == "one two" and index["config"] == {"lang": ["en"]}
    assert size == path.stat().st_size
    assert list(path.parent.iterdir()) == [path], "no temporary file left"


def test_a_site_without_search_is_left_alone(tmp_path):
    assert trim(tmp_path) == 0
