"""convlab: the library behind the convlab course on convolutional neural networks.

Lessons start with::

    import convlab
    cfg = convlab.lesson("02_dense_baseline")   # this lesson's settings; seeds every RNG

and use the modules for plumbing: :mod:`convlab.data` (datasets, with their provenance),
:mod:`convlab.training`, :mod:`convlab.viz` and :mod:`convlab.report`. The build tooling
(:mod:`convlab.build`, the ``convlab`` command) runs the lessons and renders the site.
"""

from __future__ import annotations

import os

from convlab.config import LessonConfig, load_profile, seed_everything

__version__ = "0.1.0"

# TensorFlow's C++ start-up chatter (CPU feature flags, missing CUDA) is noise on a lesson
# page; warnings and errors still show. Set before any lesson imports TensorFlow.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def lesson(name: str) -> LessonConfig:
    """Start lesson ``name``: read its settings from the active profile and seed every RNG.

    ``name`` is the lesson file's stem, e.g. ``"02_dense_baseline"``. The returned settings
    read as attributes (``cfg.epochs``); ``cfg.profile`` and ``cfg.seed`` say how it was run.
    """
    cfg = load_profile().lesson(name)
    seed_everything(cfg.seed)
    return cfg


__all__ = ["LessonConfig", "lesson", "load_profile", "seed_everything", "__version__"]
