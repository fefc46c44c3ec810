"""The figures of the regularisation, reference-architecture and GPU-speed lessons."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from convlab import style, viz
from convlab.benchmark import SpeedRow


def test_regularisation_bars_draw_accuracy_and_gap():
    fig = viz.regularisation_bars(["none", "dropout"], [0.5, 0.55], [0.3, 0.1], baseline=0.5)
    assert len(fig.axes) == 2
    assert "2 variants" in style.description(fig)
    with pytest.raises(ValueError, match="same length"):
        viz.regularisation_bars(["none"], [0.5, 0.6], [0.1])
    plt.close("all")


def test_model_comparison_labels_every_model():
    fig = viz.model_comparison(["a", "b"], [1e5, 6e6], [2.0, 30.0], [0.6, 0.8])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("a\n0.10 M") for t in texts) and any("6.00 M" in t for t in texts)
    with pytest.raises(ValueError, match="same length"):
        viz.model_comparison(["a"], [1], [1, 2], [0.5])
    plt.close("all")


def test_block_diagram_draws_boxes_and_the_skip():
    fig = viz.block_diagram(["x", "conv", "add"], skip=(0, 2))
    assert [t.get_text() for t in fig.axes[0].texts if t.get_text()][:3] == ["x", "conv", "add"]
    assert "skip connection from x to add" in style.description(fig)
    with pytest.raises(ValueError, match="skip"):
        viz.block_diagram(["x", "y"], skip=(1, 0))
    with pytest.raises(ValueError, match="no layers"):
        viz.block_diagram([])
    plt.close("all")


def test_speed_bars_show_only_the_devices_measured():
    rows = [SpeedRow("CPU", "Some CPU", b, "float32", 100.0 * b, 1.0, b) for b in (32, 128)]
    fig = viz.speed_bars(rows)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["CPU: Some CPU"]
    assert "GPU" not in style.description(fig)
    rows.append(SpeedRow("GPU", "Some GPU", 32, "float32", 9000.0, 1.0, 32))
    labels = [t.get_text() for t in viz.speed_bars(rows).axes[0].get_legend().get_texts()]
    assert labels == ["CPU: Some CPU", "GPU: Some GPU"]
    with pytest.raises(ValueError, match="no measurements"):
        viz.speed_bars([])
    plt.close("all")
