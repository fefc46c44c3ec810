"""The course's figures, one module per kind; a lesson imports them all with
``from convlab import viz`` and calls ``viz.plot_history(...)``:

* :mod:`convlab.viz.charts`: numbers as lines and bars (training curves, accuracy against a
  setting, counts per class, the regularisation, architecture and speed comparisons);
* :mod:`convlab.viz.images`: pictures of arrays (image grids, a matrix with its values,
  filters beside their outputs, learned filters, activation maps);
* :mod:`convlab.viz.channels`: one filter's slices summed over the input channels, and a bank
  of filters above the stack of feature maps it makes;
* :mod:`convlab.viz.classifier`: what a trained classifier gets right and wrong;
* :mod:`convlab.viz.animation`: a kernel sliding over an image, as a GIF;
* :mod:`convlab.viz.diagrams`: graphviz's drawing of a model, in the page's colours.

Every figure function returns the ``Figure``, drawn in :mod:`convlab.style`'s palette and
described for screen readers with :func:`convlab.style.describe`; a lesson calls
``plt.show()`` to display it. :func:`confusion_counts` is :mod:`convlab.metrics`'s, here too
because lessons count with it beside the figures.

Importing this package applies the course style (:func:`convlab.style.use`), and this is the
only place that does: every figure drawn in the lesson's process from then on, a lesson's own
``plt.subplots`` figures included, fits the page's column and follows its theme. Code that
wants the style without importing the figures uses :func:`convlab.style.page_style`.
"""

from __future__ import annotations

from convlab import style
from convlab.metrics import confusion_counts
from convlab.viz.animation import sliding_window_animation, sliding_window_gif
from convlab.viz.channels import channel_sum, filter_bank
from convlab.viz.charts import (
    accuracy_curves,
    bar_counts,
    model_comparison,
    plot_history,
    regularisation_bars,
    speed_bars,
)
from convlab.viz.classifier import (
    confidence_histogram,
    confusion_matrix,
    misclassified_gallery,
    per_class_accuracy,
    probability_bars,
)
from convlab.viz.diagrams import show_svg
from convlab.viz.images import activation_grid, filter_grid, filter_rows, image_grid, show_matrix

__all__ = [
    "accuracy_curves", "activation_grid", "bar_counts", "channel_sum", "confidence_histogram",
    "confusion_counts", "confusion_matrix", "filter_bank", "filter_grid", "filter_rows",
    "image_grid",
    "misclassified_gallery", "model_comparison", "per_class_accuracy", "plot_history",
    "probability_bars", "regularisation_bars", "show_matrix", "show_svg",
    "sliding_window_animation", "sliding_window_gif", "speed_bars",
]

# The course style for every figure of the lesson's process (see the docstring above).
style.use()
