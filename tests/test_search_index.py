"""convlab.publish.search_index: the index every page loads keeps the words, not the markup."""

import json

from convlab.publish import search_index
from convlab.publish.search_index import INDEX, first_sentence, plain, trim


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


def test_the_api_reference_is_indexed_by_names_and_first_sentences(tmp_path):
    path = tmp_path / INDEX
    path.parent.mkdir()
    long = "<p>Time a call. Warm-up calls are excluded; the median is reported.</p>"
    docs = [{"location": "reference.html#convlab.timing.time_call", "title": "time_call",
             "text": long},
            {"location": "lessons/alpha.html#one", "title": "One", "text": long}]
    path.write_text(json.dumps({"config": {}, "docs": docs}))
    trim(tmp_path)
    reference, lesson = json.loads(path.read_text())["docs"]
    assert reference == {"location": "reference.html#convlab.timing.time_call",
                         "title": "time_call", "text": "Time a call."}
    assert lesson["text"] == "Time a call. Warm-up calls are excluded; the median is reported."


def test_first_sentence_stops_at_a_word_within_its_limit():
    assert first_sentence("Shapes: (n, 32, 32, 3) images.") == "Shapes:"
    assert first_sentence("no end mark at all") == "no end mark at all"
    cut = first_sentence("word " * 100, limit=22)
    assert cut == "word word word word ..." and len(cut) <= 22 + 4


def test_a_long_lesson_section_keeps_its_beginning_and_every_word_once():
    text = "A convolution slides a kernel. " * 30 + "Pooling halves the map; the kernel slides."
    squeezed = search_index.distinct_words(text, teaser=60)
    assert squeezed.startswith("A convolution slides a kernel. A convolution slides a")
    assert squeezed.endswith(" … Pooling halves the map")
    words = {w.lower() for w in search_index.WORD.findall(text)}
    assert words == {w.lower() for w in search_index.WORD.findall(squeezed)}, "no word lost"
    assert search_index.distinct_words("short", teaser=60) == "short"
