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

    html = focusable_blocks('<pre><code>x</code></pre><pre class="a">y</pre>'
                            '<pre tabindex="-1">z</pre><div class="convlab-output-html">t</div>')
    assert html.count('tabindex="0"') == 3 and 'tabindex="-1"' in html
    assert 'role="region" aria-label=' in html
