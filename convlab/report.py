"""Showing a lesson's results in its page: Markdown bound to the run, and comparison tables.

Numbers in lesson prose come from the run that built the page, never typed in:

    report.markdown(f"The network classifies **{acc:.1%}** of the test images correctly.")

In a notebook (and on the built page) this renders as Markdown; run as a script it prints.
"""

from __future__ import annotations

from collections.abc import Sequence

from convlab import records
from convlab.config import load_profile


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def markdown(text: str) -> None:
    """Show ``text`` as Markdown (rendered in notebooks and on the site, printed in scripts)."""
    if _in_notebook():
        from IPython.display import Markdown, display

        display(Markdown(text))
    else:
        print(text)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def compare(
    rows: Sequence[tuple[str, float, float | None]],
    *,
    fmt: str = "{:.1%}",
    reference_label: str = "original tutorial",
) -> None:
    """Show measured values beside the original tutorial's, and record them for the build.

    ``rows`` holds ``(quantity, measured, reference)``; ``reference`` may be ``None``.
    The measured column is headed with the profile that produced it, so a quick-profile
    number is never mistaken for a tutorial-sized run.
    """
    profile = load_profile().name  # the active profile
    table_rows = []
    for quantity, measured, reference in rows:
        records.append(
            "result",
            {"name": quantity, "value": float(measured), "reference": reference, "fmt": fmt},
        )
        ref = "" if reference is None else fmt.format(reference)
        table_rows.append([quantity, fmt.format(measured), ref])
    markdown(markdown_table(["", f"this build ({profile} profile)", reference_label], table_rows))
