"""The code graph: which convlab units a lesson can run, and which edits must re-run it."""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from convlab.publish import codegraph
from convlab.publish.codegraph import closure, compare, digest_of

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


@dataclass(frozen=True)
class Run:
    """What a run records: its closure, and the cells and modules it came from."""

    units: dict[str, str]
    cells: list[str]
    imported: list[str]
    notes: tuple[str, ...] = ()


def record(root: Path, call: str = "a.f(1)", modules: str = "a") -> Run:
    """The run of a lesson importing ``modules`` from convlab and running ``call``."""
    cells = [f"from convlab import {modules}", f"%matplotlib inline\n!ls\nprint({call})"]
    imported = ["convlab", *(f"convlab.{m.strip()}" for m in modules.split(","))]
    result = closure(cells, imported, package=root)
    assert not result.notes
    return Run(result.units, cells, imported)


def run_of(cells: list[str], imported: list[str], root: Path) -> Run:
    result = closure(cells, imported, package=root)
    return Run(result.units, cells, imported, tuple(result.notes))


def changed(run: Run, package: Path) -> str | None:
    """How the run's closure differs now, as the build says it; None when it does not."""
    change = compare(run.units, run.cells, run.imported, package, list(run.notes))
    return None if change is None else str(change)


def test_the_closure_holds_what_the_lesson_runs_and_nothing_else(root):
    units = record(root).units
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
    result = run_of(["from convlab.sub import h", "h(1)"], ["convlab.sub"], root)
    assert {"convlab.sub.c:h", "convlab.b:g", "convlab.sub:<module>"} <= set(result.units)
    edit(root, "b.py", "return x + 1", "return x + 2")
    assert changed(result, package=root) == "convlab.b:g changed"


def test_a_method_of_an_object_a_convlab_function_returned(root):
    units = record(root, "r.make('Widget').describe()", "r, d")
    assert "convlab.d:Widget" in units.units and "convlab.e:Other" not in units.units
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
    result = run_of(["from convlab import dyn", "dyn.pick('g')"], ["convlab.dyn"], root)
    assert {"convlab.dyn:*", "convlab.b:*", "convlab.b:other"} <= set(result.units)
    assert list(result.notes) == ["convlab.dyn:pick uses getattr with a computed name, which the "
                            "analysis cannot follow: any change to convlab/b.py or "
                            "convlab/dyn.py re-runs it"]
    for relative, old, new in [("dyn.py", "return 1", "return 2"),
                               ("b.py", "return x - 1", "return x - 3")]:
        edit(root, relative, old, new)
        assert changed(result, package=root).startswith(("convlab.b:* changed",
                                                          "convlab.dyn:* changed"))
        result = run_of(["from convlab import dyn", "dyn.pick('g')"], ["convlab.dyn"], root)


def test_a_constant_getattr_and_an_import_from_another_package_are_followed(root):
    result = closure(["from convlab import dyn", "dyn.fixed()"], ["convlab.dyn"], package=root)
    assert not result.notes and "convlab.b:*" not in result.units
    edit(root, "dyn.py", 'f"keras.datasets.{', 'f"convlab.{')
    assert "import_module() of a module named at run time" in closure(
        ["from convlab import dyn", "dyn.fixed()"], ["convlab.dyn"], package=root).notes[0]


def test_an_unparsable_cell_falls_back_to_the_imported_modules(root):
    result = run_of(["from convlab import a", "def broken(:\n    pass"],
                    ["convlab", "convlab.a"], root)
    assert {"convlab:*", "convlab.a:*", "convlab.a:spare"} <= set(result.units)
    assert len(result.notes) == 1 and "code cell 2 does not parse" in result.notes[0]
    edit(root, "a.py", "return UNUSED", "return UNUSED + 1")
    assert changed(result, package=root).startswith("convlab.a:* changed")


def test_an_import_that_changes_what_a_name_means_changes_the_digest(root):
    (root / "twin.py").write_text("def g(x):\n    return x + 1\n", encoding="utf-8")
    before = digest_of("convlab.a:f", package=root)
    units = record(root)
    edit(root, "a.py", "from convlab.b import g", "from convlab.twin import g")
    assert digest_of("convlab.a:f", package=root) != before
    assert changed(units, package=root) is not None
    assert "convlab.twin:g" in record(root).units


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
    assert not [u for u in result.units if u.startswith("convlab.publish")]
    assert compare(result.units, cells, sorted(imported)) is None


# --- exact in both directions ------------------------------------------------------------


def test_new_code_in_a_module_the_kernel_never_imported_changes_nothing(root):
    """Build code can change freely: a class with a method the lesson calls on an unknown
    receiver (``describe``), a function and a constant, all in e.py, which it never loads."""
    run = record(root, "r.make('Widget').describe()", "r, d")
    (root / "e.py").write_text(
        (root / "e.py").read_text() + "\n\nclass Fresh:\n    name = 1\n\n"
        "    def describe(self):\n        return 'fresh'\n\n\ndef extra():\n    return 2\n\n\n"
        "LIMIT = 9\n", encoding="utf-8")
    (root / "f.py").write_text("class Brand:\n    def describe(self):\n        return 0\n")
    assert changed(run, package=root) is None


def test_a_new_class_in_a_loaded_module_that_the_lesson_may_reach_re_runs_it(root):
    run = record(root, "r.make('Widget').describe()", "r, d")
    edit(root, "d.py", "@r.register", "class Twin:\n    def describe(self):\n"
         "        return 'twin'\n\n\n@r.register")
    assert changed(run, package=root) == "convlab.d:Twin is new to the code it runs"


def test_a_getattr_with_a_literal_name_is_followed_when_it_is_the_only_use(root):
    edit(root, "dyn.py", "def helper():", "def literal():\n    return getattr(b, \"other\")(1)"
         "\n\n\ndef method(thing):\n    return getattr(thing, \"describe\")()\n\n\n"
         "def helper():")
    run = run_of(["from convlab import dyn, d", "dyn.literal()", "dyn.method(None)"],
                 ["convlab.dyn", "convlab.d"], root)
    assert not run.notes
    assert {"convlab.b:other", "convlab.d:Widget"} <= set(run.units)
    assert "convlab.b:g" not in run.units  # b is read by name, not whole
    edit(root, "b.py", "return x - 1", "return x - 5")
    assert changed(run, package=root) == "convlab.b:other changed"
    run = run_of(run.cells, run.imported, root)
    edit(root, "d.py", 'return "widget"', 'return "gizmo"')
    assert changed(run, package=root) == "convlab.d:Widget changed"


def test_a_class_registered_by_a_decorator_is_run_though_no_name_leads_to_it(root):
    """``r.make("Plain")`` reaches Plain only through the registry its decorator filled."""
    edit(root, "d.py", "@r.register\nclass Widget:", "@r.register\nclass Plain:\n    SIZE = 1"
         "\n\n\n@r.register\nclass Widget:")
    run = record(root, "r.make('Plain')", "r, d")
    assert "convlab.d:Plain" in run.units
    edit(root, "d.py", "SIZE = 1", "SIZE = 2")
    assert changed(run, package=root) == "convlab.d:Plain changed"


def test_a_plain_decorator_files_nothing_away(root):
    edit(root, "b.py", "def other(x):", "@functools.cache\ndef other(x):")
    edit(root, "b.py", '"""Module b."""', '"""Module b."""\n\nimport functools')
    run = record(root, "b.g(1)", "b")
    assert "convlab.b:other" not in run.units
    edit(root, "b.py", "return x - 1", "return x - 7")
    assert changed(run, package=root) is None


def test_a_top_level_assignment_that_calls_something_runs_at_import(root):
    edit(root, "b.py", "REGISTRY.update(answer=42)",
         "REGISTRY.update(answer=42)\nHOOK = REGISTRY.setdefault('hook', len)\nPLAIN = 5")
    run = record(root, "b.g(1)", "b")
    assert "convlab.b:HOOK" in run.units and "convlab.b:PLAIN" not in run.units
    edit(root, "b.py", "setdefault('hook', len)", "setdefault('hook', max)")
    assert changed(run, package=root) == "convlab.b:HOOK changed"


def test_the_closure_is_read_from_the_snapshot_a_run_started_with(root):
    """An edit made during a run is found, and the run's closure is the code it started with."""
    before = codegraph.snapshot(root)
    edit(root, "b.py", "return x + 1", "return x + 2")
    run = closure(["from convlab import a", "a.f(1)"], ["convlab", "convlab.a"], package=root,
                  sources=before)
    assert run.units["convlab.b:g"] != digest_of("convlab.b:g", package=root)
    loaded = {"convlab.a": str(root / "a.py"), "convlab.b": str(root / "b.py")}
    assert codegraph.edited_since(before, loaded, package=root) == ["convlab/b.py"]
    assert codegraph.edited_since(codegraph.snapshot(root), loaded, package=root) == []
