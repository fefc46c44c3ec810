"""Which convlab functions a lesson calls, linked to their entries in the API reference.

Read from the lesson's code with :mod:`ast`: ``from convlab import data`` then ``data.load(...)``
is ``convlab.data.load``; ``from convlab.expectations import expect`` then ``expect(...)`` is
``convlab.expectations.expect``. mkdocstrings gives each entry of ``reference.md`` the anchor
``#convlab.data.load``, and the build's link check fails if one is missing.
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
    documented = [_documented_home(name) for name in dict.fromkeys(found)]
    return list(dict.fromkeys(name for name in documented if name))


@functools.cache
def _top_level(module_name: str) -> tuple[frozenset[str], dict[str, str]]:
    """A module's public functions and classes with docstrings, and the convlab names it
    imports at its top level (local name to qualified name), read from its source (not
    imported: reading the source keeps TensorFlow out of the build process)."""
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        return frozenset(), {}
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return frozenset(), {}
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    documented = frozenset(node.name for node in tree.body
                           if isinstance(node, ast.FunctionDef | ast.ClassDef)
                           and not node.name.startswith("_") and ast.get_docstring(node))
    imported = {alias.asname or alias.name: f"{node.module}.{alias.name}" for node in tree.body
                if isinstance(node, ast.ImportFrom) and not node.level
                and (node.module or "").startswith("convlab.") for alias in node.names}
    return documented, imported


def _documented_home(qualified: str, hops: int = 3) -> str | None:
    """Where ``qualified`` is defined and documented, following a module's re-export of a
    name defined elsewhere (``convlab.references.stored_run`` is
    ``convlab.stored_runs.stored_run``); ``None`` if nowhere."""
    module_name, _, attr = qualified.rpartition(".")
    documented, imported = _top_level(module_name)
    if attr in documented:
        return qualified
    if attr in imported and hops:
        return _documented_home(imported[attr], hops - 1)
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
