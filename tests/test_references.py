"""The tutorials' figures, as lessons read them."""

from __future__ import annotations

import pytest

from convlab.references import TUTORIAL, tutorial


def test_tutorial_figures_by_name():
    assert tutorial("cifar10_cnn.test_accuracy") == 0.6954
    assert all(name.count(".") == 1 for name in TUTORIAL)


def test_an_unknown_figure_names_close_ones():
    with pytest.raises(KeyError, match="cifar10_cnn.test_accuracy"):
        tutorial("cifar10_cnn.test_acuracy")
