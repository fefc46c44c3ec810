"""The code graph: which convlab units a lesson can run, and which edits must re-run it."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from convlab.publish import codegraph
from convlab.publish.codegraph import changed, closure, digest_of

REPO = Path(__file__).resolve().parents[1]

FILES = {
    "__init__.py": '"""A fake convlab."""\n',
    "a.py": '''
        """Module a: what the lessons call."""

        from convlab.b import g
        from . import b
        import convlab.b as bb

        LIMIT = 3
        UNUSED = 4


        def f(x):
            """Add the limit."""
            return g(x) + LIMIT  # the limit matters


        def through_relative(x):
            return b.g(x)


        def through_alias(x):
            return bb.g(x)


        def through_local_import(x):
            from convlab.sub.c import h
            return h(x)


        def spare():
            return UNUSED
        ''',
    "b.py": '''
        """Module b."""

        REGISTRY = {}
        REGISTRY.update(answer=42)


        def g(x):
            return x + 1


        def other(x):
            return x - 1
        ''',
    "sub/__init__.py": "from .c import h\n",
    "sub/c.py": '''
        from ..b import g


        def h(x):
            return g(x) * 2
        ''',
    "r.py": '''
        """Factories by name: make() knows no class, the classes register themselves."""

        KINDS = {}
        KINDS.setdefault("nothing", None)


        def register(cls):
            KINDS[cls.__name__] = cls
            return cls


        def make(kind):
            return KINDS[kind]()
        ''',
    "d.py": '''
        from convlab import r


        @r.register
        class Widget:
            """A widget."""

            def describe(self):
                """Say what it is."""
                return "widget"
        ''',
    "e.py": '''
        class Other:  # never imported by the lessons below
            def describe(self):
                return "other"
        ''',
    "dyn.py": '''
        import importlib

        from convlab import b


        def pick(name):
            return getattr(b, name)(1)


        def fixed():
            return getattr(b, "g")(1), importlib.import_module(f"keras.datasets.{b.g(0)}")


        def helper():
            return 1
        ''',
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A fake ``convlab`` package in ``tmp_path``."""
    package = tmp_path / "convlab"
    for relative, text in FILES.items():
        (package / relative).parent.mkdir(parents=True, exist_ok=True)
        (package / relative).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return package


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def record(root: Path, call: str = "a.f(1)", modules: str = "a") -> dict[str, str]:
    """The units of a lesson importing ``modules`` from convlab and running ``call``."""
    cells = [f"from convlab import {modules}", f"%matplotlib inline\n!ls\nprint({call})"]
    imported = ["convlab", *(f"convlab.{m.strip()}" for m in modules.split(","))]
    result = closure(cells, imported, package=root)
    assert not result.notes
    return result.units


def test_the_closure_holds_what_the_lesson_runs_and_nothing_else(root):
    units = record(root)
    assert list(units) == sorted(units)
    assert {"convlab.a:f", "convlab.a:LIMIT", "convlab.b:g", "convlab.a:<module>",
            "convlab.b:<module>", "convlab:<module>"} <= set(units)
    assert not {"convlab.a:spare", "convlab.a:UNUSED", "convlab.b:other"} & set(units)
    assert units["convlab.a:f"] == digest_of("convlab.a:f", package=root)


def test_comments_and_docstrings_change_nothing(root):
    units = record(root)
    edit(root, "a.py", "# the limit matters", "# a comment\n    # and another")
    edit(root, "a.py", '"""Add the limit."""', '"""Add the limit, documented at length."""')
    edit(root, "a.py", '"""Module a: what the lessons call."""', '"""Rewritten."""')
    edit(root, "b.py", '"""Module b."""\n', "")
    edit(root, "d.py", '"""A widget."""', '"""A better widget."""')
    edit(root, "d.py", '"""Say what it is."""', "# no docstring")
    assert changed(units, package=root) is None
    assert changed(record(root, "r.make('Widget').describe()", "r, d"), package=root) is None


def test_moving_and_reordering_functions_changes_nothing(root):
    units = record(root)
    text = (root / "a.py").read_text(encoding="utf-8")
    head, _, rest = text.partition("def f(x):")
    body, _, tail = rest.partition("def through_relative")
    (root / "a.py").write_text(f"{head}\n\n\ndef through_relative{tail}\n\ndef f(x):{body}")
    assert "def f" in (root / "a.py").read_text() and changed(units, package=root) is None


def test_a_called_function_changed(root):
    units = record(root)
    edit(root, "a.py", "return g(x) + LIMIT", "return g(x) - LIMIT")
    assert changed(units, package=root) == "convlab.a:f changed"


@pytest.mark.parametrize("call", ["a.f(1)", "a.through_relative(1)", "a.through_alias(1)",
                                  "a.through_local_import(1)"])
def test_a_function_called_by_a_called_function_changed(root, call):
    units = record(root, call)
    edit(root, "b.py", "return x + 1", "return x + 2")
    assert changed(units, package=root) == "convlab.b:g changed"


def test_a_function_the_lesson_does_not_reach_changed(root):
    units = record(root)
    edit(root, "a.py", "return UNUSED", "return UNUSED * 2")
    edit(root, "b.py", "return x - 1", "return x - 2")
    assert changed(units, package=root) is None


def test_a_constant_changed(root):
    units = record(root)
    edit(root, "a.py", "UNUSED = 4", "UNUSED = 5")
    assert changed(units, package=root) is None
    edit(root, "a.py", "LIMIT = 3", "LIMIT = 30")
    assert changed(units, package=root) == "convlab.a:LIMIT changed"


def test_the_top_level_code_of_an_imported_module_changed(root):
    units = record(root)
    edit(root, "b.py", "answer=42", "answer=43")
    assert changed(units, package=root) == "convlab.b:<module> changed"
    units = record(root, "d", "d")  # importing d runs r's top-level code, though d uses no r unit
    edit(root, "r.py", '"nothing", None', '"nothing", 0')
    assert changed(units, package=root) == "convlab.r:<module> changed"


def test_a_name_a_package_imported_from_a_submodule(root):
    result = closure(["from convlab.sub import h", "h(1)"], ["convlab.sub"], package=root)
    assert {"convlab.sub.c:h", "convlab.b:g", "convlab.sub:<module>"} <= set(result.units)
    edit(root, "b.py", "return x + 1", "return x + 2")
    assert changed(result.units, package=root) == "convlab.b:g changed"


def test_a_method_of_an_object_a_convlab_function_returned(root):
    units = record(root, "r.make('Widget').describe()", "r, d")
    assert "convlab.d:Widget" in units and "convlab.e:Other" not in units  # e is never loaded
    edit(root, "e.py", 'return "other"', 'return "another"')
    assert changed(units, package=root) is None
    edit(root, "d.py", 'return "widget"', 'return "gadget"')
    assert changed(units, package=root) == "convlab.d:Widget changed"


def test_a_used_function_removed_or_moved_to_another_module(root):
    units = record(root, "a.spare()")
    edit(root, "a.py", "def spare():\n    return UNUSED\n", "")
    edit(root, "b.py", "def other", "def spare():\n    return 4\n\n\ndef other")
    assert changed(units, package=root) == "convlab.a:spare was removed"
    (root / "a.py").unlink()
    assert changed(record(root, "b.g(1)", "b"), package=root) is None
    assert digest_of("convlab.a:f", package=root) is None


def test_a_computed_getattr_depends_on_whole_modules(root):
    result = closure(["from convlab import dyn", "dyn.pick('g')"], ["convlab.dyn"], package=root)
    assert {"convlab.dyn:*", "convlab.b:*", "convlab.b:other"} <= set(result.units)
    assert result.notes == ["convlab.dyn:pick uses getattr with a computed name, which the "
                            "analysis cannot follow: any change to convlab/b.py or "
                            "convlab/dyn.py re-runs it"]
    for relative, old, new in [("dyn.py", "return 1", "return 2"),
                               ("b.py", "return x - 1", "return x - 3")]:
        edit(root, relative, old, new)
        assert changed(result.units, package=root) in {"convlab.dyn:* changed",
                                                       "convlab.b:* changed"}
        result = closure(["from convlab import dyn", "dyn.pick('g')"], ["convlab.dyn"],
                         package=root)


def test_a_constant_getattr_and_an_import_from_another_package_are_followed(root):
    result = closure(["from convlab import dyn", "dyn.fixed()"], ["convlab.dyn"], package=root)
    assert not result.notes and "convlab.b:*" not in result.units
    edit(root, "dyn.py", 'f"keras.datasets.{', 'f"convlab.{')
    assert "import_module() of a module named at run time" in closure(
        ["from convlab import dyn", "dyn.fixed()"], ["convlab.dyn"], package=root).notes[0]


def test_an_unparsable_cell_falls_back_to_the_imported_modules(root):
    result = closure(["from convlab import a", "def broken(:\n    pass"],
                     ["convlab", "convlab.a"], package=root)
    assert {"convlab:*", "convlab.a:*", "convlab.a:spare"} <= set(result.units)
    assert len(result.notes) == 1 and "code cell 2 does not parse" in result.notes[0]
    edit(root, "a.py", "return UNUSED", "return UNUSED + 1")
    assert changed(result.units, package=root) == "convlab.a:* changed"


def test_an_import_that_changes_what_a_name_means_changes_the_digest(root):
    (root / "twin.py").write_text("def g(x):\n    return x + 1\n", encoding="utf-8")
    before = digest_of("convlab.a:f", package=root)
    units = record(root)
    edit(root, "a.py", "from convlab.b import g", "from convlab.twin import g")
    assert digest_of("convlab.a:f", package=root) != before
    assert changed(units, package=root) is not None
    assert "convlab.twin:g" in record(root)


def test_the_package_defaults_to_the_installed_convlab(root, monkeypatch):
    monkeypatch.setattr(codegraph, "PACKAGE", root)
    assert digest_of("convlab.a:f") == digest_of("convlab.a:f", package=root) is not None


def test_the_real_convolution_lesson():
    import jupytext

    notebook = jupytext.read(REPO / "lessons" / "03_convolution.py", fmt="py:percent")
    cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    imported = {"convlab"}
    for node in ast.walk(ast.parse("\n".join(cells))):
        if isinstance(node, ast.ImportFrom) and node.module == "convlab":
            imported |= {f"convlab.{alias.name}" for alias in node.names}
    result = closure(cells, sorted(imported))
    assert {"convlab.convolution:conv2d", "convlab.viz.images:filter_rows"} <= set(result.units)
    assert not [u for u in result.units if u.startswith(("convlab.publish", "convlab.cli"))]
    assert changed(result.units) is None
