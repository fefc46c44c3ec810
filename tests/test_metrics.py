"""convlab.metrics: counts and standard errors checked against hand-made examples."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convlab import metrics


def test_confusion_counts_rows_are_true_classes():
    counts = metrics.confusion_counts([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], 3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 1]]
    assert metrics.confusion_counts(np.array([[0], [1]]), [0, 1], 3).trace() == 2  # (n, 1) labels
    with pytest.raises(ValueError, match="2 true labels but 3"):
        metrics.confusion_counts([0, 1], [0, 1, 2], 3)
    with pytest.raises(ValueError, match="outside the 3 classes"):
        metrics.confusion_counts([0, 3], [0, 1], 3)


def test_accuracy_per_class_is_the_diagonal_share_of_each_row():
    accuracy = metrics.accuracy_per_class([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], 3)
    assert accuracy[:2].tolist() == [0.5, 2 / 3]
    assert np.isnan(accuracy[2]), "a class with no images has no accuracy"
    counts = metrics.confusion_counts([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], 3)
    reference = np.diag(counts)[:2] / counts.sum(axis=1)[:2]  # the same thing, by hand
    assert np.allclose(accuracy[:2], reference)


def test_standard_error_known_values():
    assert metrics.standard_error(0.6, 500) == pytest.approx(0.021909, abs=1e-6)  # lesson 11's
    assert metrics.standard_error(0.5, 10_000) == pytest.approx(0.005)  # half a point
    assert metrics.standard_error(0.1, 200) == pytest.approx(0.0212132, abs=1e-7)
    assert metrics.standard_error(0.0, 100) == 0.0 and metrics.standard_error(1.0, 100) == 0.0
    assert isinstance(metrics.standard_error(0.6, 500), float)
    errors = metrics.standard_error(np.array([[0.5, 0.9]]), 100)
    assert errors.shape == (1, 2) and np.allclose(errors, [[0.05, 0.03]])


def test_standard_error_refuses_what_is_not_an_accuracy():
    with pytest.raises(ValueError, match="between 0 and 1"):
        metrics.standard_error(66.6, 10_000)  # a percentage, not a fraction
    with pytest.raises(ValueError, match="between 0 and 1"):
        metrics.standard_error(float("nan"), 10_000)
    with pytest.raises(ValueError, match="at least one test image"):
        metrics.standard_error(0.5, 0)


# an accuracy measured on n test images: k of them right
measured = st.integers(1, 1_000_000).flatmap(
    lambda n: st.tuples(st.integers(0, n).map(lambda k: k / n), st.just(n)))


@settings(max_examples=200, deadline=None)
@given(measured)
def test_standard_error_is_largest_at_one_half_and_shrinks_as_one_over_root_n(accuracy):
    p, n = accuracy
    se = metrics.standard_error(p, n)
    assert 0 <= se <= metrics.standard_error(0.5, n) + 1e-15
    assert se == pytest.approx(metrics.standard_error(1 - p, n))  # right and wrong swap
    assert metrics.standard_error(p, 4 * n) == pytest.approx(se / 2)


def test_noise_margin_known_values():
    # two accuracies of 50% on 10,000 images: 2 * sqrt(2) * 0.005, about 1.4 points
    assert metrics.noise_margin(0.5, 0.5, 10_000) == pytest.approx(0.0141421, abs=1e-7)
    se_a, se_b = metrics.standard_error(0.666, 10_000), metrics.standard_error(0.458, 10_000)
    assert metrics.noise_margin(0.666, 0.458, 10_000) == pytest.approx(
        2 * np.sqrt(se_a**2 + se_b**2))
    assert metrics.noise_margin(1.0, 0.0, 50) == 0.0
    margins = metrics.noise_margin(np.array([0.5, 0.9]), 0.5, 100)
    assert margins.shape == (2,) and margins[0] > margins[1]
    with pytest.raises(ValueError, match="between 0 and 1"):
        metrics.noise_margin(0.5, 1.5, 100)


@settings(max_examples=200, deadline=None)
@given(p=st.floats(0, 1), q=st.floats(0, 1), n=st.integers(1, 1_000_000))
def test_noise_margin_is_symmetric_and_exceeds_twice_either_error(p, q, n):
    margin = metrics.noise_margin(p, q, n)
    assert margin == pytest.approx(metrics.noise_margin(q, p, n))
    assert margin >= 2 * max(metrics.standard_error(p, n), metrics.standard_error(q, n)) - 1e-15
    assert margin <= 2 * (metrics.standard_error(p, n) + metrics.standard_error(q, n)) + 1e-15


# --- the paired test ------------------------------------------------------------------------

@pytest.mark.parametrize(("only_a", "only_b", "p"), [
    (0, 0, 1.0),                      # no discordant image: nothing to tell them apart
    (0, 5, 2 / 32),                   # 2 * (1/2)^5
    (1, 9, 2 * (1 + 10) / 1024),      # 2 * (C(10,0) + C(10,1)) / 2^10
    (5, 5, 1.0),
    (3, 4, 1.0),                      # capped at 1
])
def test_mcnemar_against_hand_computed_tables(only_a, only_b, p):
    assert metrics.mcnemar_p_value(only_a, only_b) == pytest.approx(p, rel=1e-12)
    assert metrics.mcnemar_p_value(only_b, only_a) == pytest.approx(p, rel=1e-12)


@settings(deadline=None)  # the first call imports scipy.stats
@given(st.integers(0, 300), st.integers(0, 300))
def test_mcnemar_is_scipys_exact_binomial_test(only_a, only_b):
    from scipy.stats import binomtest

    expected = 1.0 if only_a + only_b == 0 else binomtest(only_a, only_a + only_b, 0.5).pvalue
    assert metrics.mcnemar_p_value(only_a, only_b) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_a_paired_comparison_counts_only_the_images_they_disagree_on():
    a = np.array([1, 1, 1, 0, 0, 1, 1, 0], dtype=bool)
    b = np.array([1, 0, 0, 0, 1, 1, 0, 0], dtype=bool)
    found = metrics.paired_comparison(a, b)
    assert (found.n, found.accuracy_a, found.accuracy_b, found.only_a, found.only_b) == (
        8, 5 / 8, 3 / 8, 3, 1)
    assert found.p_value == pytest.approx(2 * (1 + 4) / 16)
    assert found.tie and found.winner is None, "3 against 1 discordant images is a tie"
    assert "on the same 8 test images" in found.evidence("A", "B")
    with pytest.raises(ValueError, match="same images"):
        metrics.paired_comparison(a, b[:-1])
    with pytest.raises(ValueError, match="whole numbers"):
        metrics.mcnemar_p_value(-1, 2)


def test_a_clear_split_names_the_winner_and_a_narrow_one_is_a_tie():
    right = np.ones(1000, dtype=bool)
    a, b = right.copy(), right.copy()
    b[:40] = False          # B alone wrong on 40 images
    a[40:45] = False        # A alone wrong on 5
    clear = metrics.paired_comparison(a, b)
    assert clear.winner == "a" and not clear.tie
    assert metrics.paired_comparison(b, a).winner == "b"
    assert "p < 0.001" in clear.evidence("A", "B")
    narrow = metrics.paired_comparison(a[35:], b[35:])   # 5 against 5
    assert narrow.tie and "p = 1" in narrow.evidence("A", "B")
