"""convlab.publish.notebook_html: mkdocs-jupyter's HTML in mkdocs-material's vocabulary."""

from __future__ import annotations

import base64

from convlab.publish.notebook_html import relative_paths, tidy

SVG = '<svg class="convlab-figure" role="img" aria-label="a plot"><title>a plot</title></svg>'
PAGE = f"""<script>clipboard()</script><style>.jp-Cell {{}}</style>
<div class="jupyter-wrapper"><div class="jp-Notebook">
<div class="jp-Cell jp-MarkdownCell"><div class="jp-Cell-inputWrapper"><div class="jp-InputArea">
<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput">
<h2 id="a">A<a class="anchor-link" href="#a">¶</a></h2><p>Math $x$.</p></div></div></div></div>
<div class="jp-Cell jp-CodeCell"><div class="jp-Cell-inputWrapper"><div class="jp-InputArea">
<div class="jp-InputPrompt">In [3]:</div><div class="highlight-ipynb hl-python"><pre><span></span>
<span class="n">print</span>(1)</pre></div>
<div class="clipboard-copy-txt">print(1)</div></div></div>
<div class="jp-Cell-outputWrapper"><div class="jp-OutputArea">
<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain"><pre>epoch 1
</pre></div>
<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain">
<pre>epoch 2 /work/main/x.py
</pre></div>
<div class="jp-RenderedSVG jp-OutputArea-output" data-mime-type="image/svg+xml">
<img src="data:image/svg+xml;base64,{base64.b64encode(SVG.encode()).decode()}"></div>
<div class="jp-RenderedImage jp-OutputArea-output"><img alt="No description has been provided \
for this image" class="" src="data:image/png;base64,AAAA"></div>
</div></div></div></div></div><style>big {{}}</style>"""


def test_tidy_writes_material_markup():
    html = tidy(PAGE, ["/work/main"])
    assert "<script" not in html and "<style" not in html and "In [" not in html
    assert '<a class="headerlink" href="#a" title="Permanent link">¶</a>' in html
    assert '<div class="language-python highlight"><pre><code>' in html
    assert "clipboard-copy-txt" not in html
    assert "<code>epoch 1\nepoch 2 x.py</code>" in html, "one block per stream, no path"
    assert SVG in html, "SVG inline, so currentColor follows the theme"
    assert 'alt="Figure drawn by the code above"' in html
    assert "<p>Math $x$.</p>" in html


def test_relative_paths_cut_the_build_machines_folders():
    assert relative_paths("at /work/main/convlab/viz.py:5", ["/work/main"]) == \
        "at convlab/viz.py:5"


def test_tidy_writes_png_and_gif_images_beside_the_page(tmp_path):
    import io

    from PIL import Image

    from convlab.publish.figures import place_for

    def uri(kind: str) -> str:
        buffer = io.BytesIO()
        Image.new("RGB", (20, 10), (10, 200, 90)).save(buffer, kind)
        return f"data:image/{kind};base64,{base64.b64encode(buffer.getvalue()).decode()}"

    page = PAGE.replace("data:image/png;base64,AAAA", uri("png")).replace(
        "</div></div></div></div></div>",
        '<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output" '
        f'data-mime-type="text/html"><img class="convlab-only-dark" alt="slides" '
        f'style="display: none" src="{uri("gif")}"></div></div></div></div></div></div>', 1)
    html = tidy(page, ["/work/main"], place_for(tmp_path, "lessons/a/index.html"))
    assert "data:image/png" not in html and "data:image/gif" not in html
    assert SVG in html, "line art stays inline SVG"
    assert 'width="10" height="5" alt="Figure drawn by the code above"' in html
    gif = html[html.index("<img", html.index("convlab-output-html")):]
    for attribute in ('alt="slides"', 'class="convlab-only-dark"', 'loading="lazy"',
                      'width="20"', 'height="10"'):
        assert attribute in gif[:gif.index(">")]
    assert 'style="display: none"' not in html, "the site's stylesheet picks the theme's GIF"
    assert len(list((tmp_path / "lessons" / "a" / "figures").iterdir())) == 3


def test_lesson_links_written_for_directory_urls_follow_pages_without_them():
    from convlab.publish.mkdocs_plugin import file_links

    html = ('<a href="../beta/#x">b</a> <a href="../../downloads/01_a.py" download>d</a> '
            '<a href="../../reference/#convlab.data.load">r</a> <a href="../../">home</a> '
            '<a href="#here">h</a> <a href="https://example.org/a/">e</a> '
            '<img src="data:image/png;base64,AA"> <img src="fig-1.png">')
    assert file_links(html, "lessons/alpha.ipynb") == (
        '<a href="beta.html#x">b</a> <a href="../downloads/01_a.py" download>d</a> '
        '<a href="../reference.html#convlab.data.load">r</a> <a href="../index.html">home</a> '
        '<a href="#here">h</a> <a href="https://example.org/a/">e</a> '
        '<img src="data:image/png;base64,AA"> <img src="fig-1.png">')


def test_scrolling_blocks_are_reachable_with_the_keyboard():
    from convlab.publish.mkdocs_plugin import focusable_blocks

    html = focusable_blocks('<pre><code>x</code></pre><pre class="a"><span></span><code>y'
                            '</code></pre><pre><code tabindex="-1">z</code></pre>'
                            '<div class="convlab-output-html">t</div><code>inline</code>')
    # Material's scroller is the <code> in the <pre>: it takes the focus, the <pre> does not
    assert '<pre><code tabindex="0">x' in html and '<span></span><code tabindex="0">y' in html
    assert 'tabindex="-1">z' in html and "<code>inline</code>" in html and "<pre tab" not in html
    assert 'role="region" aria-label="Output 1 on this page"' in html
    two = focusable_blocks('<div class="convlab-output-html">a</div>'
                           '<div data-search-exclude class="convlab-output-html">b</div>')
    assert 'aria-label="Output 2 on this page">b' in two, "each region's name its own"


def test_widgets_files_only_on_pages_that_hold_the_widget():
    from convlab.publish.mkdocs_plugin import page_assets

    page = "<html><head></head><body>{}</body></html>"
    plain = page_assets(page.format("<p>text</p>"), "lessons/a.html")
    assert plain == page.format("<p>text</p>")
    explorer = page_assets(page.format('<div class="conv-explorer" data-convlab-data="k">'),
                           "lessons/a.html")
    assert ('<link rel="stylesheet" href="../assets/convlab/conv-explorer.css" media="print" '
            "onload=\"this.media='all'\"></head>") in explorer, "not render-blocking"
    assert explorer.index("widget-data.js") < explorer.index("conv-explorer.js")
    assert '<script src="../assets/convlab/conv-explorer.js" defer></script></body>' in explorer
    assert "digit-explorer" not in explorer
    material = page_assets(page.format('<script src="../vendor/iframe-worker/shim/index.js">'
                                       '</script><script src="../assets/javascripts/bundle.'
                                       'a5f9d56c.min.js"></script>'), "lessons/a.html")
    assert material.count(" defer></script>") == 2, "the shim and Material's bundle, deferred"


SUMMARY = [
    'Model: "sequential"\n',
    "┏━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━┓\n"
    "┃ Layer (type)     ┃ Output Shape  ┃ Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━┩\n"
    "│ conv2d (Conv2D)  │ (None, 30,    │     896 │\n"
    "│                  │ 30, 32)       │         │\n"
    "├──────────────────┼───────────────┼─────────┤\n"
    "│ dense (Dense)    │ (None, 10)    │  10,010 │\n"
    "└──────────────────┴───────────────┴─────────┘\n",
    " Total params: 10,906 (42.60 KB)\n",
    " Trainable params: 10,906 (42.60 KB)\n",
]


def test_keras_summary_is_one_table():
    from convlab.publish.notebook_html import console_block, summary_table

    table = summary_table(SUMMARY)
    assert table is not None and table.count("<table") == 1
    assert "<caption>Model: sequential</caption>" in table
    assert '<th scope="col" class="convlab-number">Param #</th>' in table
    assert "<td>(None, 30, 30, 32)</td>" in table, "a cell rich wrapped is one cell"
    assert table.count("<tr>") == 5  # header, two layers, two totals
    assert ('<th scope="row">Total params</th><td colspan="2" class="convlab-number">'
            "10,906 (42.60 KB)</td>") in table
    assert "┃" not in table and "│" not in table
    # other terminal output: one plain block, however many outputs it came in
    block = console_block(["loss 0.5\n", "loss 0.4"])
    assert block.count("<pre>") == 1 and "loss 0.5\nloss 0.4" in block


def test_tidy_merges_a_summary_and_names_empty_header_cells():
    cells = "".join(
        '<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output" '
        f'data-mime-type="text/html"><pre>{text}</pre></div>' for text in SUMMARY)
    page = ('<div class="jp-Notebook"><div class="jp-Cell-outputWrapper">'
            f'{cells}<div class="jp-RenderedMarkdown jp-OutputArea-output" '
            'data-mime-type="text/markdown"><table><thead><tr><th></th><th>this run</th>'
            '<th>original tutorial</th></tr></thead></table></div></div></div>')
    html = tidy(page)
    assert html.count("<table") == 2 and html.count("convlab-output-html") == 1
    assert "<th>result</th>" in html and "<th></th>" not in html


def test_checks_are_a_list_of_rules_and_results():
    import nbformat

    from convlab.publish.site import CHECKS_TAG, checks_markdown, present_checks

    meta = {"expectations": [
        {"name": "acc", "rule": "acc at least 20.0% (full profile)", "status": "passed",
         "value": 0.4575},
        {"name": "acc", "rule": "acc at least 15.0% (quick profile)", "status": "skipped",
         "value": 0.4575},
        {"name": "parameters", "rule": "parameters equal to 1,000", "status": "passed",
         "value": 1000.0}],
        "results": [{"name": "acc", "fmt": "{:.1%}"}]}
    listing = checks_markdown(meta)
    assert "- acc at least 20.0% (full profile): **met** (45.8%)" in listing
    assert "- parameters equal to 1,000: **met** (1,000)" in listing
    assert "Not checked here" in listing and "- acc at least 15.0% (quick profile)" in listing
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("Next lesson.\n\n## What this page checks"),
        nbformat.v4.new_code_cell('expect("acc").at_least(0.2)'),
        nbformat.v4.new_markdown_cell("After.")])
    present_checks(notebook, meta)
    assert notebook.cells[1].metadata.tags == [CHECKS_TAG]
    assert "remove-cell" in notebook.cells[2].metadata.tags, "the code is off the page"
    assert "tags" not in notebook.cells[3].metadata
    assert checks_markdown({}) is None


def test_provenance_note_reads_as_one_sentence():
    from convlab.publish.site import _cpu_run_note

    note = _cpu_run_note({"hardware": "AMD EPYC (2 cores, no GPU)", "data": [
        {"description": "CIFAR-10: a subset of the official 50,000 + 10,000.", "subset": True}]})
    assert "50,000 + 10,000; the docs workflow" in note and ".;" not in note


def test_home_chart_pairs_each_measured_accuracy_with_the_tutorials():
    from convlab.publish.home import accuracy_pairs, results_chart

    data = {"lessons": [{"lesson": "02_dense", "title": "Dense", "results": [
        {"name": "test_accuracy", "value": 0.41, "reference": 0.47, "quantity": "fraction"},
        {"name": "seconds", "value": 3.0, "reference": 2.0, "quantity": "seconds"},
        {"name": "train_accuracy", "value": 0.6, "quantity": "fraction"}]}]}
    assert accuracy_pairs(data) == [("02 Dense: test accuracy", 0.41, 0.47)]
    svg = results_chart(data)
    assert svg.startswith("<svg") and "currentColor" in svg and "<title>" in svg
    assert "41.0%" in svg and "47.0%" in svg, "the values, from the results"
    assert results_chart({"lessons": []}) is None


def test_code_keeps_its_colours_in_fewer_elements():
    from convlab.publish.notebook_html import fewer_spans

    code = ('<span></span><span class="n">model</span><span class="o">.</span>'
            '<span class="n">fit</span><span class="p">(</span><span class="p">)</span>'
            '<span class="w"> </span><span class="c1"># a &lt;comment&gt;</span>')
    assert fewer_spans(code) == ('model<span class="o">.</span>fit<span class="p">()</span> '
                                 '<span class="c1"># a &lt;comment&gt;</span>')
