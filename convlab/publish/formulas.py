"""TeX in a page's HTML, typeset as MathML when the site is built.

The reader's browser runs no math script: each formula reaches the page as a ``<math>``
element (MathML, which browsers draw natively and screen readers read), with its TeX source in
``alttext``. MathJax does the typesetting under Node.js (``tex2mml.js`` beside this module, one
``node`` process per page for all its formulas; MathJax itself from
:func:`convlab.publish.assets.mathjax`).

Where the TeX is:

* lesson pages (:func:`typeset`): nbconvert leaves the Markdown cells' ``$...$``, ``$$...$$``,
  ``\\(...\\)`` and ``\\[...\\]`` as text (HTML-escaped);
* the other pages (:func:`typeset_arithmatex`): ``pymdownx.arithmatex`` (``generic: true``)
  writes ``<span class="arithmatex">\\(...\\)</span>`` and ``<div class="arithmatex">\\[...\\]
  </div>``; only those are typeset.

Nothing inside ``<pre>``, ``<code>``, ``<script>``, ``<style>``, ``<svg>``, ``<textarea>``,
``<math>`` or an HTML comment is ever read as TeX.

Dollars follow Pandoc's rule, so prices survive: an inline ``$`` opens a formula only when the
next character is not a space, and closes one only when the character before it is not a space
and the one after it is not a digit; ``\\$`` is a literal dollar (written as ``$``). So
"between $5 and $10" stays text, while "$x$" and "$x+1$, " are formulas.

A formula TeX rejects raises :class:`FormulaError`, naming it: the build stops rather than put
raw TeX on a page.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from convlab.publish import assets

SCRIPT = Path(__file__).with_name("tex2mml.js")

# What is never TeX (group "skip"), and tags (group "tag"); the text between them is read.
_MARKUP = re.compile(
    r"(?P<skip><!--.*?-->|<(?P<name>pre|code|script|style|svg|textarea|math)\b[^>]*>.*?"
    r"</(?P=name)\s*>)|(?P<tag><[^>]*>)", re.S | re.I)
# One formula in (HTML-escaped) text: display first, then inline; see the module's docstring.
_FORMULA = re.compile(
    r"(?<!\\)\$\$(?P<dd>.+?)(?<!\\)\$\$"
    r"|(?<!\\)\\\[(?P<bd>.+?)\\\]"
    r"|(?<!\\)\\\((?P<bi>.+?)\\\)"
    r"|(?<![\\$])\$(?=[^\s$])(?P<di>(?:[^$\\]|\\.)+?)(?<=\S)\$(?!\d)", re.S)
_ARITHMATEX = re.compile(
    r'(?P<open><(?P<name>span|div) class="arithmatex">)(?P<tex>.*?)(?P<close></(?P=name)>)',
    re.S)
_INDENT = re.compile(r">\s*\n\s*<")
# A prime on a letter: MathJax's superscript of the prime character, which native MathML draws
# raised twice (the prime is raised already); written as the letter followed by the prime.
_PRIMED = re.compile(r'<msup>(<mi>[^<]*</mi>)<mo data-mjx-alternate="1">(&#x(?:203[234]|2057);)'
                     r'</mo></msup>')
# A sign after an operator or an opening bracket ("[-0.5", "= -a", "\\times -2") is a prefix,
# which native MathML, guessing from position alone, would space as a binary minus.
_SIGN_AFTER_OPERATOR = re.compile(r"<mo(?P<attributes>[^>]*)>(?P<before>[^<]*)</mo>"
                                  r"<mo>(?P<sign>&#x2212;|\+|&#xB1;|&#x2213;)</mo>")
_CLOSERS = {")", "]", "}", "|", "!", "&#x230B;", "&#x2309;", "&#x27E9;", "&#x2016;", "&#x2032;",
            "&#x2033;", "&#x2034;", "&#x2057;"}
_MJX_ATTRIBUTE = re.compile(r'\s(?:data-mjx-[\w-]+|xmlns)="[^"]*"')
_VARIANT_TOKEN = re.compile(r'<(?P<name>mi|mn|mo|mtext)(?P<before>[^>]*?) mathvariant="'
                            r'(?P<variant>[a-z-]+)"(?P<after>[^>]*)>(?P<text>[^<]*)</(?P=name)>')


class FormulaError(ValueError):
    """A formula TeX rejects (or MathJax did not run); the message names the formula."""


def typeset(page_html: str, where: str = "this page") -> str:
    """A lesson page's HTML with every formula in its text typeset as MathML."""
    pieces: list[str | tuple[str, bool]] = []
    start = 0
    for markup in _MARKUP.finditer(page_html):
        pieces.extend(_text(page_html[start:markup.start()], literal_dollars=True))
        pieces.append(markup.group())
        start = markup.end()
    pieces.extend(_text(page_html[start:], literal_dollars=True))
    return _render(pieces, where)


def typeset_arithmatex(page_html: str, where: str = "this page") -> str:
    """A Markdown page's HTML with pymdownx.arithmatex's formulas typeset as MathML."""
    pieces: list[str | tuple[str, bool]] = []
    start = 0
    for element in _ARITHMATEX.finditer(page_html):
        pieces.append(page_html[start:element.start("tex")])
        pieces.extend(_text(element.group("tex"), literal_dollars=False))
        start = element.end("tex")
    pieces.append(page_html[start:])
    return _render(pieces, where)


def mathml(formulas: Sequence[tuple[str, bool]], where: str = "this page") -> list[str]:
    """Each ``(tex, display)`` as a ``<math>`` element: one Node.js run for them all."""
    if not formulas:
        return []
    try:
        folder = assets.mathjax()
        node = assets.node()
    except assets.AssetError as err:
        raise FormulaError(str(err)) from None
    request = json.dumps([{"tex": tex, "display": display} for tex, display in formulas])
    done = subprocess.run([node, str(SCRIPT), str(folder)], input=request, capture_output=True,
                          text=True, encoding="utf-8")
    if done.returncode != 0:
        raise FormulaError(f"{where}: MathJax (node {SCRIPT.name}) failed:\n"
                           f"{done.stdout}{done.stderr}".rstrip())
    results = json.loads(done.stdout)
    pairs = list(zip(formulas, results, strict=True))
    errors = [f"  {'$$' if display else '$'}{tex}{'$$' if display else '$'}: {result['error']}"
              for (tex, display), result in pairs if "error" in result]
    if errors:
        raise FormulaError(f"{where}: TeX error in {len(errors)} formula(s):\n"
                           + "\n".join(errors))
    return [_tidy(result["mathml"], tex, display)
            for (tex, display), result in pairs]


def _text(text: str, literal_dollars: bool) -> list[str | tuple[str, bool]]:
    """HTML-escaped ``text`` cut into plain text and ``(tex, display)`` formulas."""
    pieces: list[str | tuple[str, bool]] = []
    start = 0
    for found in _FORMULA.finditer(text):
        pieces.append(_literal(text[start:found.start()], literal_dollars))
        kind = found.lastgroup or ""
        pieces.append((html.unescape(found.group(kind)).strip(), kind.endswith("d")))
        start = found.end()
    pieces.append(_literal(text[start:], literal_dollars))
    return pieces


def _literal(text: str, literal_dollars: bool) -> str:
    return text.replace("\\$", "$") if literal_dollars else text


def _render(pieces: list[str | tuple[str, bool]], where: str) -> str:
    formulas = [piece for piece in pieces if isinstance(piece, tuple)]
    typeset_ = iter(mathml(formulas, where))
    return "".join(piece if isinstance(piece, str) else next(typeset_) for piece in pieces)


def _tidy(element: str, tex: str, display: bool) -> str:
    """MathJax's MathML as the page keeps it: on one line, without MathJax's own attributes;
    primes after their letter, signs that follow an operator marked as prefixes, letters styled
    by ``\\mathbb`` and the like as Unicode's mathematical letters (browsers ignore
    ``mathvariant`` other than ``normal``): what MathJax's own output would have drawn; the TeX
    in ``alttext``; a display formula focusable, since it scrolls sideways when wider than the
    column."""
    element = _PRIMED.sub(r"<mrow>\1<mo>\2</mo></mrow>", _INDENT.sub("><", element.strip()))
    element = _SIGN_AFTER_OPERATOR.sub(_prefix_sign, _MJX_ATTRIBUTE.sub("", element))
    element = _VARIANT_TOKEN.sub(_styled_letters, element)
    alttext = html.escape(" ".join(tex.split()), quote=False).replace('"', "&quot;")
    extra = ' tabindex="0"' if display else ""
    return element.replace("<math", f'<math alttext="{alttext}"{extra}', 1)


def _prefix_sign(pair: re.Match[str]) -> str:
    if pair["before"] in _CLOSERS:
        return pair.group()
    return (f"<mo{pair['attributes']}>{pair['before']}</mo>"
            f"<mo form=\"prefix\">{pair['sign']}</mo>")


# mathvariant: the start of the Unicode names of its letters, the older names where Unicode
# had the letter before it made the block of mathematical letters (ℝ, ℋ, ℭ...).
_VARIANTS: dict[str, tuple[str, ...]] = {
    "bold": ("MATHEMATICAL BOLD",),
    "italic": ("MATHEMATICAL ITALIC",),
    "bold-italic": ("MATHEMATICAL BOLD ITALIC",),
    "double-struck": ("MATHEMATICAL DOUBLE-STRUCK", "DOUBLE-STRUCK"),
    "script": ("MATHEMATICAL SCRIPT", "SCRIPT"),
    "bold-script": ("MATHEMATICAL BOLD SCRIPT",),
    "fraktur": ("MATHEMATICAL FRAKTUR", "BLACK-LETTER"),
    "bold-fraktur": ("MATHEMATICAL BOLD FRAKTUR",),
    "sans-serif": ("MATHEMATICAL SANS-SERIF",),
    "bold-sans-serif": ("MATHEMATICAL SANS-SERIF BOLD",),
    "sans-serif-italic": ("MATHEMATICAL SANS-SERIF ITALIC",),
    "sans-serif-bold-italic": ("MATHEMATICAL SANS-SERIF BOLD ITALIC",),
    "monospace": ("MATHEMATICAL MONOSPACE",),
}
_EXCEPTIONS = {("italic", "h"): "\u210e"}  # PLANCK CONSTANT


def _styled_letters(token: re.Match[str]) -> str:
    """A token element whose ``mathvariant`` Unicode can spell, spelt so and without it."""
    variant, text = token["variant"], html.unescape(token["text"])
    prefixes = _VARIANTS.get(variant)
    if prefixes is None:
        return token.group()
    styled = "".join(_EXCEPTIONS.get((variant, c)) or _styled(c, prefixes) or "\0" for c in text)
    if "\0" in styled:
        return token.group()  # a character Unicode has no such letter for: leave it to CSS
    name = token["name"]
    return f"<{name}{token['before']}{token['after']}>{html.escape(styled, quote=False)}</{name}>"


def _styled(char: str, prefixes: tuple[str, ...]) -> str | None:
    name = unicodedata.name(char, "")
    for plain, short in (("LATIN CAPITAL LETTER ", "CAPITAL "), ("LATIN SMALL LETTER ", "SMALL "),
                         ("GREEK CAPITAL LETTER ", "CAPITAL "), ("GREEK SMALL LETTER ", "SMALL "),
                         ("DIGIT ", "DIGIT ")):
        if name.startswith(plain):
            for prefix in prefixes:
                try:
                    return unicodedata.lookup(f"{prefix} {short}{name.removeprefix(plain)}")
                except KeyError:
                    continue
    return None

