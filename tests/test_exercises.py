"""convlab.exercises: the lessons' check cells judge answers without failing or spoiling."""

import numpy as np
import pytest

from convlab.exercises import check, folded_answer, message, verdict


def test_no_answer_yet_asks_for_one_and_hides_the_right_one(capsys):
    assert check("exercise 1", None, 2432) is None   # nothing for the notebook to echo
    printed = capsys.readouterr().out.strip()
    assert "set your answer" in printed
    assert "2432" not in printed and "2,432" not in printed


def test_a_right_number_is_confirmed():
    assert message("exercise 1", 2432, 2432) == "exercise 1: right (2,432)."


def test_a_wrong_number_gets_the_hint_and_not_the_answer():
    said = message("exercise 1", 2400, 2432, hint="count the biases.")
    assert said.endswith("count the biases.") and "2,432" not in said


@pytest.mark.parametrize(("answer", "right", "expected"), [
    ((30, 30, 32), (30, 30, 32), "right"),
    ((30, 30), (30, 30, 32), "wrong"),              # a shape with a missing axis
    ([[0, 1], [2, 3]], np.array([[0, 1], [2, 3]]), "right"),
    ("None", "none", "right"),                       # policy names ignore case
    ("mixed_float16", "none", "wrong"),
    ("seven", 7, "wrong"),                           # not a number: wrong, not an error
    (3, None, "wrong"),                              # the run has no answer to give
])
def test_verdict_compares_shapes_arrays_and_strings(answer, right, expected):
    assert verdict(answer, right) == expected


def test_tolerances_are_relative_and_absolute():
    assert verdict(2.05, 2.0, rtol=0.05) == "right"
    assert verdict(2.2, 2.0, rtol=0.05) == "wrong"
    assert verdict(0.0225, 0.0219, atol=0.001) == "right"
    assert verdict(0.03, 0.0219, atol=0.001) == "wrong"


def test_the_answer_is_folded_with_its_explanation():
    folded = folded_answer("exercise 2", 2432, "weights plus one bias per filter")
    assert folded.startswith('<details class="convlab-answer"><summary>Show the answer to '
                             "exercise 2</summary>")
    assert "**2,432**. weights plus one bias per filter" in folded
    assert "no answer to give" in folded_answer("exercise 3", None)
