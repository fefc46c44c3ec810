"""Which convlab functions a lesson calls, linked to their entries in the API reference.

Read from the lesson's code with :mod:`ast`: ``from convlab import data`` then ``data.load(...)``
is ``convlab.data.load``; ``from convlab.expectations import expect`` then ``expect(...)`` is
``convlab.expectations.expect``. A name a package re-exports is linked where it is defined:
``viz.plot_history`` is ``convlab.viz.charts.plot_history``. mkdocstrings gives each entry of
``reference.md`` the anchor ``#convlab.data.load``, and the build's link check fails if one is
missing.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from pathlib import Path

import nbformat

REFERENCE = "reference"  # docs/reference.md, at <site>/reference/


def used_names(notebook: nbformat.NotebookNode) -> list[str]:
    """Fully qualified convlab functions and classes the code cells use, in first-use order."""
    aliases: dict[str, str] = {}  # local name -> "convlab.data" or "convlab.expectations.expect"
    found: list[str] = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("convlab"):
                for alias in node.names:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                base = aliases.get(node.value.id)
                if base:
                    found.append(f"{base}.{node.attr}")
            elif isinstance(node, ast.Name) and node.id in aliases:
                found.append(aliases[node.id])
    defined = (_defined_at(name) for name in dict.fromkeys(found))
    return list(dict.fromkeys(name for name in defined if name))


@functools.cache
def _module_names(module_name: str) -> tuple[frozenset[str], dict[str, str]]:
    """A module's public functions and classes with docstrings, and the names it imports from
    convlab (local name -> where it comes from), read from its source (not imported: reading
    the source keeps TensorFlow out of the build process)."""
    path = _source(module_name)
    if path is None:
        return frozenset(), {}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    documented = frozenset(node.name for node in tree.body
                           if isinstance(node, ast.FunctionDef | ast.ClassDef)
                           and not node.name.startswith("_") and ast.get_docstring(node))
    imported = {alias.asname or alias.name: f"{node.module}.{alias.name}" for node in tree.body
                if isinstance(node, ast.ImportFrom) and not node.level
                and (node.module or "").startswith("convlab") for alias in node.names}
    return documented, imported


def _source(module_name: str) -> Path | None:
    """The ``.py`` file of a module in an installed package, found without importing any of
    it (``find_spec`` of ``convlab.viz.charts`` would import ``convlab.viz``)."""
    package, *rest = module_name.split(".")
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    if not rest:
        return Path(spec.origin) if spec.origin.endswith(".py") else None
    if not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]).joinpath(*rest)
    return next((p for p in (path.with_name(path.name + ".py"), path / "__init__.py")
                 if p.is_file()), None)


def _defined_at(qualified: str, depth: int = 0) -> str | None:
    """Where a documented convlab function or class is defined, following re-exports
    (``convlab.viz.plot_history`` -> ``convlab.viz.charts.plot_history``); None if nowhere."""
    module_name, _, attr = qualified.rpartition(".")
    documented, imported = _module_names(module_name)
    if attr in documented:
        return qualified
    if attr in imported and depth < 4:
        return _defined_at(imported[attr], depth + 1)
    return None


def reference_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    """A Markdown cell linking each convlab function the lesson uses to its reference entry."""
    names = used_names(notebook)
    if not names:
        return None
    links = ", ".join(f"[`{n.removeprefix('convlab.')}`](../../{REFERENCE}/#{n})" for n in names)
    return nbformat.v4.new_markdown_cell(
        f"**convlab on this page**: {links}. The course's own code, documented in the "
        f"[API reference](../../{REFERENCE}/).",
        metadata={"tags": ["convlab-api-links"]})
