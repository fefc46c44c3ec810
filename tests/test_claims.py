"""Checked claims: declared in code, marked in the prose, checked by the build (convlab.claims)."""

from __future__ import annotations

import json

import nbformat
import pytest

from convlab import claims, compare, report
from convlab.publish import placeholders
from convlab.publish.pipeline import BuildFailed, build
from convlab.publish.profile import load_profile

CLAIMS_CELLS = '''
# %%
from convlab.claims import claim

# %%
claim("some_zeros", "some training digits are zeros", holds=share > 0,
      evidence=f"{share:.0%} of them are zeros")
claim("mostly_zeros", "most training digits are zeros", holds=share > 0.5,
      evidence=f"{share:.0%} of them are zeros")

# %% [markdown]
# Some digits are zeros {{ claim some_zeros }}, and most of them are {{ claim mostly_zeros }}.
'''


@pytest.fixture
def fresh_claims(monkeypatch):
    monkeypatch.setattr(claims, "CLAIMS", {})
    monkeypatch.setattr(report, "RESULTS", {})
    monkeypatch.delenv("CONVLAB_RUN_DIR", raising=False)
    monkeypatch.delenv("CONVLAB_PROFILE", raising=False)


def test_a_readers_run_reports_a_claim_that_does_not_hold_and_goes_on(fresh_claims, capsys):
    claims.claim("tie", "A and B tie.", holds=False, evidence="A 50% against B 60%.")
    made = claims.CLAIMS["tie"]
    assert made.status == claims.Status.NOT_SHOWN and made.statement == "A and B tie"
    assert "– claim not shown by this run: A and B tie (A 50% against B 60%)" in \
        capsys.readouterr().out
    mark = claims.mark("tie")
    assert 'href="#claim-tie"' in mark and "not shown by this short run: A 50% against B 60%<" \
        in mark and 'aria-label="Checked claim, not shown' in mark


def test_a_full_profile_build_stops_on_a_claim_that_does_not_hold(fresh_claims, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setenv("CONVLAB_RUN_DIR", str(tmp_path))
    monkeypatch.setenv("CONVLAB_PROFILE", "full")
    assert claims.strict()
    with pytest.raises(claims.ClaimFailed, match=r"'tie' does not hold.*Evidence: p = 0.01"):
        claims.claim("tie", "A and B tie", holds=False, evidence="p = 0.01")
    claims.claim("fine", "this holds", holds=True, evidence="it does")
    [event] = report.read(tmp_path, report.Event.CLAIM)
    assert event["name"] == "fine" and event["status"] == "holds"
    monkeypatch.setenv("CONVLAB_PROFILE", "quick")
    claims.claim("tie", "A and B tie", holds=False, evidence="p = 0.01")
    assert claims.CLAIMS["tie"].status == claims.Status.NOT_SHOWN


def test_bad_names_and_uncited_claims_are_clear_errors(fresh_claims):
    with pytest.raises(ValueError, match="identifier"):
        claims.claim("two words", "x", holds=True, evidence="y")
    claims.claim("known", "x", holds=True, evidence="y")
    with pytest.raises(claims.UnknownClaim, match=r"cites claim 'unknwon'.*declared: known"):
        claims.mark("unknwon")


def test_the_prose_cites_a_claim_by_name():
    [cited, number] = placeholders.find("holds {{ claim cnn_beats_dense }} at {{ acc:.1% }}")
    assert cited.expression.endswith(".mark('cnn_beats_dense')") and cited.spec == ""
    assert (number.expression, number.spec) == ("acc", ".1%")


def test_compare_your_run_sets_the_readers_claims_and_results_beside_the_pages(fresh_claims):
    page = {"profile": "full", "hardware": "a CPU",
            "claims": [{"name": "wins", "statement": "A beats B", "status": "holds",
                        "evidence": "A 60% against B 50%"},
                       {"name": "later", "statement": "C ties D", "status": "holds",
                        "evidence": "p = 0.4"}],
            "results": [{"name": "test_accuracy", "value": 0.6, "fmt": "{:.1%}",
                         "reference": 0.7}]}
    claims.claim("wins", "A beats B", holds=False, evidence="A 48% against B 50%")
    report.record("test_accuracy", 0.48)
    assert compare.claim_rows(page) == [
        ["A beats B", "holds: A 60% against B 50%", "not shown in your run: A 48% against B 50%"],
        ["C ties D", "holds: p = 0.4", "not checked (its cell did not run)"]]
    assert compare.result_rows(page) == [["test accuracy", "60.0%", "48.0%", "70.0%"]]


def _with_claims(project):
    alpha = project.lesson("01")
    alpha.path.write_text(alpha.path.read_text() + CLAIMS_CELLS)


def test_a_short_run_marks_claims_it_does_not_show_and_the_page_says_how_many(tiny_project):
    _with_claims(tiny_project)
    [outcome, _] = build(tiny_project, load_profile(tiny_project.root / "tiny.toml"),
                         mkdocs=False)
    statuses = {c["name"]: c["status"] for c in outcome.entry.meta["claims"]}
    assert statuses == {"some_zeros": "holds", "mostly_zeros": "not shown"}
    page = nbformat.read(tiny_project.docs_dir / "lessons" / "alpha.ipynb", 4)
    text = "\n".join(c.source for c in page.cells)
    assert "1 of its 2 checked claims are <strong>not shown by this short run" in text
    assert 'data-status="holds" href="#claim-some-zeros"' in text
    assert 'data-status="not_shown" href="#claim-mostly-zeros"' in text
    assert '<span id="claim-mostly-zeros"></span>– most training digits are zeros: **not shown ' \
           'by this short run** (10% of them are zeros)' in text
    assert "{{" not in text
    [declared] = [c for c in page.cells if c.cell_type == "code" and "claim(" in c.source]
    assert "remove-cell" in declared.metadata.tags, "a cell of claims only is left off the page"
    listed = json.loads((tiny_project.docs_dir / "results.json").read_text())
    [alpha] = [lesson for lesson in listed["lessons"] if lesson["slug"] == "alpha"]
    assert [c["status"] for c in alpha["claims"]] == ["holds", "not shown"]
    assert "| [Alpha](lessons/alpha.ipynb) | most training digits are zeros | **not shown** |" \
        in (tiny_project.docs_dir / "results.md").read_text()
    download = nbformat.read(tiny_project.docs_dir / "downloads" / "01_alpha.ipynb", 4)
    last = download.cells[-1]
    assert "convlab-compare" in last.metadata.tags and "compare_with_page(" in last.source
    namespace: dict = {}
    exec(last.source.replace("compare_with_page(", "page = (", 1), namespace)  # a plain value
    assert [c["name"] for c in namespace["page"]["claims"]] == ["some_zeros", "mostly_zeros"]


def test_a_claim_that_does_not_hold_fails_a_full_build_naming_lesson_claim_and_evidence(
        tiny_project):
    _with_claims(tiny_project)
    full = tiny_project.root / "full.toml"  # the full profile, for the tiny project's lessons
    full.write_text('description = "no overrides"\n')
    with pytest.raises(BuildFailed) as caught:
        build(tiny_project, load_profile(full), mkdocs=False, use_store=False)
    message = str(caught.value)
    assert "01_alpha" in message and "'mostly_zeros' does not hold" in message
    assert "most training digits are zeros. Evidence: 10% of them are zeros" in message
    assert not list(tiny_project.cache_dir.glob("full/01_alpha/*")), "nothing cached"


def test_a_value_the_run_could_not_measure_reads_as_a_dash_not_nan():
    import math

    import numpy as np

    found = placeholders.find("{{ x:.1% }} {{ y:,.0f }} {{ z:.2f }} {{ w }}")
    namespace = {"x": math.nan, "y": np.float32("nan"), "z": 0.5, "w": "ok"}
    printed = []
    code = placeholders.evaluation_code(found)
    exec(code, {**namespace, "print": lambda *a: printed.append(" ".join(map(str, a)))})
    assert placeholders.parse_values(printed[0], 4) == ["—", "—", "0.50", "ok"]
