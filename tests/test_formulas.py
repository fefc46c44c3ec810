"""convlab.publish.formulas: TeX in a page's HTML typeset as MathML at build time.

These run the real thing: Node.js and MathJax from npm (cached per user by
convlab.publish.assets after the first fetch). Without node or npm they fail, saying what to
install; they do not skip.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from convlab.publish import formulas
from convlab.publish.formulas import FormulaError, typeset, typeset_arithmatex
from convlab.publish.mkdocs_plugin import ConvlabPlugin


def maths(html: str) -> list[str]:
    return re.findall(r"<math\b.*?</math>", html, re.S)


def test_inline_and_display_formulas_become_mathml_with_their_tex():
    html = typeset("<p>A layer $h = \\tanh(Wx + b)$, so</p>\n"
                   "<p>$$D' = \\left\\lfloor \\frac{D + 2P - N}{S} \\right\\rfloor + 1.$$</p>")
    inline, display = maths(html)
    assert inline.startswith('<math alttext="h = \\tanh(Wx + b)">')
    assert "<mi>tanh</mi>" in inline and 'display="block"' not in inline
    assert 'display="block"' in display and 'tabindex="0"' in display, "focusable: it scrolls"
    assert "alttext=\"D' = \\left\\lfloor \\frac{D + 2P - N}{S} \\right\\rfloor + 1.\"" in display
    assert "<mfrac>" in display
    assert "$" not in html


def test_mathml_is_one_line_without_mathjax_attributes():
    (element,) = maths(typeset("<p>$\\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix}$</p>"))
    assert "\n" not in element and "> <" not in element and ">  " not in element
    assert "data-mjx" not in element and "xmlns" not in element


def test_less_than_and_ampersand_are_escaped_both_ways():
    # nbconvert hands the text over HTML-escaped: MathJax gets "x < y \& z", the page gets
    # the escaped forms back, in the MathML and in alttext.
    (element,) = maths(typeset("<p>$x &lt; y \\&amp; z$</p>"))
    assert 'alttext="x &lt; y \\&amp; z"' in element
    assert "<mo>&lt;</mo>" in element and "&amp;" in element.split(">", 1)[1]


def test_code_and_pre_keep_their_dollars():
    page = ('<p><code>$x$</code></p><pre><code>echo "$HOME" $$ $y$</code></pre>'
            '<div class="highlight"><pre><span>$z$</span></pre></div><!-- $c$ -->'
            '<a title="$t$" href="#">link</a>')
    assert typeset(page) == page


def test_dollar_amounts_stay_text():
    # Pandoc's rule: "$" opens only before a non-space, closes only after a non-space and
    # not before a digit; "\$" is a literal dollar.
    assert typeset("<p>between $5 and $10 a day</p>") == "<p>between $5 and $10 a day</p>"
    assert typeset("<p>costs $ 5, or \\$x\\$</p>") == "<p>costs $ 5, or $x$</p>"
    (element,) = maths(typeset("<p>$5 gets you $n$ images</p>"))
    assert element.startswith('<math alttext="n">')


def test_bracket_delimiters_and_blackboard_letters():
    html = typeset("<p>\\(\\mathbb{R}^m\\) and \\[\\mathbf{W}\\]</p>")
    inline, display = maths(html)
    assert "\u211d" in inline and "mathvariant" not in inline, "ℝ: Unicode's own letter"
    assert "\U0001d416" in display and 'display="block"' in display  # 𝐖


def test_primes_and_signs_drawn_as_tex_would():
    (element,) = maths(typeset("<p>$x' \\in [-0.5, 0.5], (a) - b$</p>"))
    assert "<mrow><mi>x</mi><mo>&#x2032;</mo></mrow>" in element, "prime not raised twice"
    assert '[</mo><mo form="prefix">&#x2212;</mo>' in element
    assert ")</mo><mo>&#x2212;</mo>" in element, "after a closing bracket: binary minus"


def test_a_broken_formula_stops_the_build_naming_it():
    with pytest.raises(FormulaError, match=r"(?s)lessons/x\.py.*\$\\frac\{a\$: Missing close "
                       r"brace.*\$\\nosuchmacro\$: Undefined control sequence"):
        typeset("<p>$\\frac{a$ and $\\nosuchmacro$ and $x$</p>", "lessons/x.py")


def test_arithmatex_elements_of_markdown_pages():
    page = ('<p>Cost $5. <span class="arithmatex">\\(a^2\\)</span></p>\n'
            '<div class="arithmatex">\\[\nb &lt; c\n\\]</div><p>$d$</p>')
    html = typeset_arithmatex(page)
    inline, display = maths(html)
    assert '<span class="arithmatex"><math alttext="a^2">' in html
    assert '<div class="arithmatex"><math alttext="b &lt; c" tabindex="0"' in html
    assert "<p>$d$</p>" in html and "Cost $5." in html, "only arithmatex's own elements"


def test_no_formula_no_node():
    assert formulas.mathml([]) == []
    assert typeset("<p>no maths</p>") == "<p>no maths</p>"


def test_the_plugin_names_the_page_of_a_broken_formula(tmp_path):
    plugin = ConvlabPlugin()
    plugin.project = SimpleNamespace(lessons=lambda: [], root=tmp_path)
    page = SimpleNamespace(file=SimpleNamespace(src_uri="notes.md"))
    broken = '<p><span class="arithmatex">\\(\\frac{a\\)</span></p>'
    with pytest.raises(PluginError, match=r"(?s)docs/notes\.md.*\\frac\{a"):
        plugin.on_page_content(broken, page=page, config=SimpleNamespace(site_dir=str(tmp_path)))


def test_without_node_or_npm_the_error_says_what_to_install(monkeypatch, tmp_path):
    from convlab.publish import assets

    monkeypatch.setattr(assets.shutil, "which", lambda name: None)
    with pytest.raises(assets.AssetError, match=r"apt-get install nodejs npm"):
        assets.node()
    with pytest.raises(assets.AssetError, match=r"apt-get install nodejs npm"):
        assets.mathjax(tmp_path)  # nothing cached there yet
    monkeypatch.setattr(assets, "cache_dir", lambda: tmp_path)
    with pytest.raises(FormulaError, match=r"Node\.js.*apt-get install nodejs npm"):
        typeset("<p>$x$</p>")
