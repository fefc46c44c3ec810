"""convlab: the library behind the convlab course on convolutional neural networks.

Lessons teach with plain Keras and NumPy and import convlab only for what a student should
not have to type:

* :mod:`convlab.viz`: the figures (curves and bars, images and filters, a classifier's
  mistakes, the sliding-window animation, model diagrams), drawn in :mod:`convlab.style`, the
  course's look for the page: its column, palette, themes and alt text;
* :mod:`convlab.data`: the datasets, with where they came from;
* :mod:`convlab.convolution` and :mod:`convlab.explorer`: convolution by hand, in NumPy and in
  the browser;
* :mod:`convlab.training`: a ``model.fit`` callback that keeps the page to one line per epoch
  and measures speed;
* :mod:`convlab.metrics`, :mod:`convlab.report` and :mod:`convlab.expectations`: results
  counted, recorded by name, shown beside the original tutorials' figures
  (:mod:`convlab.references`), and checked.

The build (:mod:`convlab.publish`, the ``convlab`` command) executes the lessons, caches them
and renders the site; no lesson imports it.
"""

from __future__ import annotations

import os

__version__ = "0.1.0"

# TensorFlow's C++ start-up chatter (CPU feature flags, missing CUDA) is noise on a lesson
# page; warnings and errors still show. Set before any lesson imports TensorFlow.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__all__ = ["__version__"]
