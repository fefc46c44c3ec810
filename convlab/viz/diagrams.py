"""Drawings made elsewhere, shown in the page's colours: graphviz's diagram of a Keras model."""

from __future__ import annotations

from convlab import style


def show_svg(svg: str | bytes, title: str) -> None:
    """Display a drawing made elsewhere (graphviz's SVG, e.g. ``keras.utils.model_to_dot(model,
    show_shapes=True).create_svg()``) in the page's colours, at its own size, titled ``title``
    (:func:`convlab.style.themed_drawing`)."""
    from IPython.display import SVG, display  # a notebook's display, imported when one is shown

    display(SVG(style.themed_drawing(svg, title)))
