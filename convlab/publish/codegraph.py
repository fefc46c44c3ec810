"""Which convlab code each lesson can run, so a change re-runs only the lessons it touches.

A *unit* is one top-level part of a convlab module, named ``"<module>:<name>"``: a function
(``convlab.viz.charts:plot_history``), a whole class, the statements binding a module-level name
(``convlab.style:INK``), and ``"<module>:<module>"``: the rest of the top level (imports,
top-level calls, ``if`` blocks), which runs when the module is imported. A unit's digest hashes
its statements (no line numbers, comments or docstrings) and the units its names resolve to.
A lesson's :func:`closure` is the units its cells reach, directly or through other units.

Read with :mod:`ast`; what it cannot follow is handled coarsely, never ignored:

* ``x.name`` on a receiver that is no convlab name (``log.plot()``) reaches every class defining
  ``name`` in the modules the lesson loaded; ``getattr(x, "name")`` with a literal name reads
  like ``x.name``;
* a computed ``getattr``, ``globals()``, ``eval`` or ``import_module`` reaches whole modules
  (the pseudo-unit ``"<module>:*"``), and the closure's notes say why;
* code that runs when a module is imported belongs to the module's top level: a top-level
  assignment whose value calls something (``HANDLERS = register(...)``) and a definition under
  a decorator that is not known to be plain (``@registry.add``: it may file the class in a
  table that no name leads to) are reached by the module's ``"<module>"`` unit, so they are in
  the closure of every lesson that imported the module.

Staleness compares closures, not single units (:func:`compare`): the closure a run recorded
against the closure the same code cells and imported modules reach now. A unit's digest covers
only its own statements and the names they resolve to, so a class added to a module that the
lesson's kernel never imported changes nothing, while one added to a loaded module whose
attribute the lesson reads joins the closure and re-runs it.

A run's closure is computed from the package's files as they were when it started
(:func:`snapshot`), so an edit made while a lesson runs is never recorded as the code it ran
(:func:`edited_since` finds such edits).
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import convlab

PACKAGE = Path(convlab.__file__).resolve().parent
TOP = "<module>"  # the unit of a module's other top-level code
WHOLE = "*"  # the pseudo-unit of a whole module; in an attribute index, every class
_FUNCTION = ast.FunctionDef | ast.AsyncFunctionDef
_ATTRIBUTE_CALLS = ("getattr", "setattr", "hasattr", "delattr", "vars")
# Decorators that only wrap or describe what they decorate, filing it nowhere.
PLAIN_DECORATORS = frozenset({
    "property", "staticmethod", "classmethod", "dataclass", "cache", "lru_cache",
    "cached_property", "wraps", "contextmanager", "total_ordering", "overload",
    "abstractmethod", "unique", "final", "runtime_checkable", "singledispatch",
})
_Refs = tuple[set[str], set[str], list[str]]  # resolved units, classes by attribute, reasons


@dataclass(frozen=True)
class Closure:
    """The units a lesson can run (name to digest, sorted) and why parts of it are coarse."""

    units: dict[str, str]
    notes: list[str] = field(default_factory=list)


class ChangeKind(StrEnum):
    """How a unit of a recorded closure differs now."""

    CHANGED = "changed"  # its statements or what its names resolve to
    REMOVED = "removed"  # it no longer exists
    DROPPED = "dropped"  # it exists, but the lesson no longer reaches it
    ADDED = "added"  # the lesson now reaches it (a new class in a loaded module, say)


@dataclass(frozen=True)
class Change:
    """The first difference between a recorded closure and today's; ``note`` is the
    closure's note about that unit, where the analysis was coarse."""

    unit: str  # "<module>:<name>"
    kind: ChangeKind
    note: str = ""

    def __str__(self) -> str:
        text = {ChangeKind.CHANGED: f"{self.unit} changed",
                ChangeKind.REMOVED: f"{self.unit} was removed",
                ChangeKind.DROPPED: f"{self.unit} is no longer part of the code it runs",
                ChangeKind.ADDED: f"{self.unit} is new to the code it runs"}[self.kind]
        return text + (f" ({self.note})" if self.note else "")


# The package's source files: path relative to the package folder -> bytes.
Sources = dict[str, bytes]


@dataclass(frozen=True)
class _Module:
    name: str
    init: bool  # a package's __init__.py
    tree: ast.Module  # docstrings removed
    units: dict[str, list[ast.stmt]]
    names: dict[str, set[str]]  # name -> dotted convlab targets (empty: bound, but not convlab)
    attrs: dict[str, set[str]]  # attribute name -> the module's classes defining it
    on_import: set[str]  # units whose statements do more than define: run at import


_PARSED: dict[tuple[Path, str], tuple[str, _Module]] = {}


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _assigned(stmt: ast.stmt) -> list[str] | None:
    """The names an ``Assign``/``AnnAssign`` binds, or None (not one, or not only names)."""
    if not isinstance(stmt, ast.Assign | ast.AnnAssign):
        return None
    found, todo = [], list(stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
    while todo:
        target = todo.pop()
        if isinstance(target, ast.Name):
            found.append(target.id)
        elif isinstance(target, ast.Tuple | ast.List | ast.Starred):
            todo += [target.value] if isinstance(target, ast.Starred) else target.elts
        else:
            return None
    return found


def _absolute(node: ast.ImportFrom, here: str | None, init: bool) -> str:
    """The module a ``from ... import`` reads from, relative imports made absolute."""
    if not node.level:
        return node.module or ""
    parts = here.split(".") if here else []
    keep = len(parts) - node.level + int(init)
    if keep <= 0:
        return ""
    return ".".join([*parts[:keep], *([node.module] if node.module else [])])


def _bindings(nodes: list[ast.AST], here: str | None, init: bool, root: str) -> dict[str, set[str]]:
    """Names bound by the imports among ``nodes``, each to its convlab target (or to none)."""
    names: dict[str, set[str]] = {}
    for node in nodes:
        pairs = []  # import convlab.viz as v: v is convlab.viz; import convlab.viz: convlab
        if isinstance(node, ast.Import):
            pairs = [(a.asname or a.name.split(".")[0], a.name if a.asname else
                      a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, here, init)
            pairs = [(a.asname or a.name, f"{base}.{a.name}") for a in node.names if a.name != "*"]
        for local, target in pairs:
            inside = target == root or target.startswith(root + ".")
            names.setdefault(local, set()).update([target] if inside else [])
    return names


def _decorator_name(node: ast.expr) -> str:
    """``dataclass`` for ``@dataclass(frozen=True)``, ``cache`` for ``@functools.cache``."""
    node = node.func if isinstance(node, ast.Call) else node
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _runs_on_import(stmt: ast.stmt) -> bool:
    """Whether a definition or assignment does more than bind a name when its module is
    imported: a call in an assigned value, or a decorator that may file the definition away."""
    if isinstance(stmt, ast.ClassDef | _FUNCTION):
        return any(_decorator_name(d) not in PLAIN_DECORATORS for d in stmt.decorator_list)
    value = getattr(stmt, "value", None)
    return value is not None and any(isinstance(n, ast.Call) for n in ast.walk(value))


def _parse(path: Path, name: str, source: bytes) -> _Module:
    """One module's units and names, parsed once per version of its text."""
    stamp = hashlib.sha256(source).hexdigest()  # not the mtime: two quick edits can share one
    if (cached := _PARSED.get((path, name))) and cached[0] == stamp:
        return cached[1]
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):  # as if empty: its units are "removed", its lessons re-run
        tree = ast.Module(body=[], type_ignores=[])
    for node in ast.walk(tree):
        if (isinstance(node, ast.Module | ast.ClassDef | _FUNCTION) and node.body
                and isinstance(node.body[0], ast.Expr) and _is_text(node.body[0].value)):
            node.body = node.body[1:]
    units: dict[str, list[ast.stmt]] = {TOP: []}
    attrs: dict[str, set[str]] = {}
    on_import: set[str] = set()
    for stmt in tree.body:
        bound = [stmt.name] if isinstance(stmt, ast.ClassDef | _FUNCTION) else _assigned(stmt)
        for unit in bound if bound is not None else [TOP]:
            units.setdefault(unit, []).append(stmt)
            if unit != TOP and _runs_on_import(stmt):
                on_import.add(unit)
        if isinstance(stmt, ast.ClassDef):  # methods, class attributes, self.<attribute>s
            defined = {n for s in stmt.body for n in ([s.name] if isinstance(
                s, ast.ClassDef | _FUNCTION) else _assigned(s) or [])}
            defined |= {n.attr for n in ast.walk(stmt) if isinstance(n, ast.Attribute)
                        and isinstance(n.ctx, ast.Store) and isinstance(n.value, ast.Name)
                        and n.value.id == "self"}
            for attr in defined | {WHOLE}:
                attrs.setdefault(attr, set()).add(stmt.name)
    init = path.name == "__init__.py"
    names = _bindings(list(ast.walk(tree)), name, init, name.split(".")[0])
    for local in units.keys() - {TOP}:
        names.setdefault(local, set()).add(f"{name}.{local}")
    _PARSED[(path, name)] = (stamp, _Module(name, init, tree, units, names, attrs, on_import))
    return _PARSED[(path, name)][1]


def _chain(node: ast.AST) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None when it does not start with a name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    return [node.id, *parts] if isinstance(node, ast.Name) else None


def _literal_attribute(node: ast.AST) -> tuple[ast.expr, str] | None:
    """``(x, "name")`` for ``getattr(x, "name")`` (``hasattr``, ``setattr``, ``delattr``
    too); None for anything else."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in _ATTRIBUTE_CALLS and len(node.args) >= 2
            and _is_text(node.args[1])):
        return None
    return node.args[0], node.args[1].value  # type: ignore[attr-defined]


class _Package:
    """Every module under one package folder, parsed, for the questions of one call."""

    def __init__(self, root: Path, sources: Sources | None = None) -> None:
        self.root = root
        sources = snapshot(root) if sources is None else sources
        self.files: dict[str, Path] = {}  # convlab.publish -> <root>/publish/__init__.py
        for relative in sorted(sources):
            parts = Path(relative).with_suffix("").parts
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            self.files[".".join((root.name, *parts))] = root / relative
        self.modules = {name: _parse(path, name, sources[path.relative_to(root).as_posix()])
                        for name, path in self.files.items()}
        self.attrs: dict[str, set[str]] = {}  # attribute -> every class unit defining it
        for name, module in self.modules.items():
            for attr, classes in module.attrs.items():
                self.attrs.setdefault(attr, set()).update(f"{name}:{c}" for c in classes)
        self._refs: dict[str, _Refs] = {}

    def resolve(self, dotted: str, depth: int = 0) -> set[str]:
        """The units a dotted convlab name means: ``convlab.viz.f.x`` -> ``convlab.viz:f``."""
        parts = dotted.split(".")
        i = next((i for i in range(len(parts), 0, -1) if ".".join(parts[:i]) in self.files), 0)
        module, rest = ".".join(parts[:i]), parts[i:]
        if not i:
            return set()
        if not rest or rest[0] in self.modules[module].units:
            return {f"{module}:{rest[0] if rest else TOP}"}
        followed = set()  # a name the module imported: follow it to where it came from
        for target in self.modules[module].names.get(rest[0], set()) if depth < 8 else set():
            followed |= self.resolve(".".join([target, *rest[1:]]), depth + 1)
        return followed or {f"{module}:{TOP}"}

    def refs(self, unit: str) -> _Refs:
        """A unit's references (``"<module>:*"``: every unit of the module)."""
        if unit not in self._refs:
            name, _, part = unit.rpartition(":")
            module = self.modules[name]
            if part == WHOLE:
                self._refs[unit] = {f"{name}:{u}" for u in module.units}, set(), []
            else:
                static, maybe, reasons = self.scan(module.units[part], module.names, unit,
                                                   {name}, module)
                if part == TOP:  # what runs at import, though no name may lead to it
                    static |= {f"{name}:{u}" for u in module.on_import}
                self._refs[unit] = static, maybe, reasons
        return self._refs[unit]

    def scan(self, stmts: list[ast.stmt], names: dict[str, set[str]], who: str,
             own: set[str], module: _Module | None) -> _Refs:
        """What statements refer to, read against ``names``; ``own``: the modules whose names
        ``globals()`` would hand over."""
        here, init = (module.name, module.init) if module else (None, False)
        static, maybe, reasons = set(), set(), []
        for node in (n for stmt in stmts for n in ast.walk(stmt)):
            chain = _chain(node) if isinstance(node, ast.Name | ast.Attribute) else None
            if chain and chain[0] in names:
                for target in names[chain[0]]:
                    static |= self.resolve(".".join([target, *chain[1:]]))
            elif isinstance(node, ast.Attribute) and not (node.attr.startswith("__")
                                                          and node.attr.endswith("__")):
                maybe |= self.attrs.get(node.attr, set())  # a method of an unknown receiver
            elif attribute := _literal_attribute(node):  # getattr(x, "name") reads x.name
                receiver, attr = attribute
                chain = _chain(receiver)
                if chain and chain[0] in names:
                    for target in names[chain[0]]:
                        static |= self.resolve(".".join([target, *chain[1:], attr]))
                else:
                    maybe |= self.attrs.get(attr, set())
            elif isinstance(node, ast.Import | ast.ImportFrom):  # its modules' top level runs
                imported = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                            [base := _absolute(node, here, init),
                             *(f"{base}.{a.name}" for a in node.names)])
                static |= {f"{m}:{TOP}" for m in imported if m in self.files}
            if dynamic := self._dynamic(node, names, own, here, init):
                what, modules, classes = dynamic
                static |= {f"{m}:{WHOLE}" for m in modules}
                maybe |= self.attrs.get(WHOLE, set()) if classes else set()
                files = [self.files[m].relative_to(self.root.parent).as_posix()
                         for m in sorted(modules)]
                where = [" or ".join(files) if len(files) <= 3 else self.root.name] if files else []
                if classes:
                    where.append(f"a class of a loaded {self.root.name} module")
                reasons.append(f"{who} uses {what}, which the analysis cannot follow: "
                               f"any change to {' or to '.join(where)} re-runs it")
        return static, maybe, list(dict.fromkeys(reasons))

    def _dynamic(self, node: ast.AST, names: dict[str, set[str]], own: set[str],
                 here: str | None, init: bool) -> tuple[str, set[str], bool] | None:
        """(what, modules it could read whole, whether it could read any class) or None."""
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            base = _absolute(node, here, init)
            return (f"from {base} import *", {base}, False) if base in self.files else None
        if not isinstance(node, ast.Call):
            return None
        func, args = node.func, node.args
        called = func.id if isinstance(func, ast.Name) else ""
        if called in _ATTRIBUTE_CALLS and args:
            if called != "vars" and (len(args) < 2 or _is_text(args[1])):
                return None  # getattr(x, "name") reads x.name, like an attribute
            chain = _chain(args[0]) or [""]
            targets = {u.rpartition(":")[0] for t in names.get(chain[0], set())
                       for u in self.resolve(".".join([t, *chain[1:]]))}
            what = "vars() of an object" if called == "vars" else f"{called} with a computed name"
            return what, targets | ({here} if here else set()), not targets
        if called in ("globals", "vars"):  # vars() without an argument
            return f"{called}()", own, False
        if called in ("eval", "exec"):
            return f"{called}()", set(self.files), True
        if called == "__import__" or "import_module" in (called, getattr(func, "attr", "")):
            first = args[0].values[0] if args and isinstance(args[0], ast.JoinedStr) else (
                args[0] if args else None)
            start, root = (first.value if first and _is_text(first) else ""), self.root.name
            if not (root.startswith(start) or start.startswith((root, "."))):
                return None  # provably another package: f"keras.datasets.{name}"
            modules = {m for m in self.files
                       if start.startswith(".") or m.startswith(start) or start.startswith(m)}
            return "import_module() of a module named at run time", modules, False
        return None

    def walk(self, roots: set[str], maybe: set[str]) -> set[str]:
        """Every unit reachable from ``roots``; a ``maybe`` class counts once its module is in
        (there is no object of a class whose module was never imported)."""
        seen: set[str] = set()
        todo, maybe = list(roots), set(maybe)
        while todo:
            while todo:
                unit = todo.pop()
                if unit not in seen:
                    seen.add(unit)
                    parts = unit.rpartition(":")[0].split(".")  # and its packages' __init__s
                    todo += [f"{m}:{TOP}" for i in range(1, len(parts) + 1)
                             if (m := ".".join(parts[:i])) in self.files]
                    static, more, _ = self.refs(unit)
                    todo += static
                    maybe |= more
            loaded = {unit.rpartition(":")[0] for unit in seen}
            todo = [unit for unit in maybe - seen if unit.rpartition(":")[0] in loaded]
        return seen

    def digest(self, unit: str) -> str | None:
        """sha256 of a unit's statements and resolved references; None if it is gone."""
        name, _, part = unit.rpartition(":")
        module = self.modules.get(name)
        if module is None or (part != WHOLE and part not in module.units):
            return None
        if part == WHOLE:
            payload = ast.dump(module.tree, include_attributes=False)
        else:  # the classes an attribute might reach are not its own: see compare()
            static, _, _ = self.refs(unit)
            payload = json.dumps([[ast.dump(s, include_attributes=False)
                                   for s in module.units[part]], sorted(static)])
        return hashlib.sha256(payload.encode()).hexdigest()


def snapshot(package: Path | None = None) -> Sources:
    """Every module file of ``package`` (default: the installed convlab), read now: what a run
    that starts now will import. Files whose path is no importable name are left out."""
    root = package or PACKAGE
    found = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if all(part.isidentifier() for part in relative.with_suffix("").parts):
            found[relative.as_posix()] = path.read_bytes()
    return found


def edited_since(before: Sources, modules: dict[str, str],
                 package: Path | None = None) -> list[str]:
    """The files of ``modules`` (a kernel's ``{module: file}``) that differ now from
    ``before``, a :func:`snapshot` taken when the run started: relative paths, sorted."""
    root = package or PACKAGE
    edited = []
    for file in sorted(set(modules.values())):
        path = Path(file).resolve()
        if not path.is_relative_to(root.resolve()):
            continue
        relative = path.relative_to(root.resolve()).as_posix()
        now = path.read_bytes() if path.is_file() else None
        if now != before.get(relative):
            edited.append(f"{root.name}/{relative}")
    return edited


def closure(code_cells: list[str], imported_modules: list[str],
            package: Path | None = None, sources: Sources | None = None) -> Closure:
    """The units a lesson can run: those its code cells reach, and the top-level code of the
    convlab modules its kernel imported (``imported_modules``), followed transitively.
    ``sources`` (a :func:`snapshot`) is the package's code to read; default: the files now."""
    return _closure(_Package(package or PACKAGE, sources), code_cells, imported_modules)


def _closure(found: _Package, code_cells: list[str], imported_modules: list[str]) -> Closure:
    loaded = {m for m in imported_modules if m in found.files}
    roots = {f"{m}:{TOP}" for m in loaded}
    stmts: list[ast.stmt] = []
    notes = []
    for number, source in enumerate(code_cells, 1):
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            stmts += ast.parse("\n".join(lines)).body
        except SyntaxError as error:
            roots |= {f"{m}:{WHOLE}" for m in loaded}
            notes.append(f"code cell {number} does not parse ({error.msg}, line {error.lineno}),"
                         " so any change to a convlab module the lesson imported re-runs it")
    names = _bindings([n for s in stmts for n in ast.walk(s)], None, False, found.root.name)
    static, maybe, reasons = found.scan(stmts, names, "the lesson", loaded, None)
    units = found.walk(roots | static, maybe)
    notes += reasons + [reason for unit in sorted(units) for reason in found.refs(unit)[2]]
    return Closure({u: found.digest(u) or "" for u in sorted(units)}, list(dict.fromkeys(notes)))


def digest_of(unit: str, package: Path | None = None) -> str | None:
    """The current digest of one unit (``"<module>:*"`` too), or None if it is gone."""
    return _Package(package or PACKAGE).digest(unit)


def compare(recorded: dict[str, str], code_cells: list[str], imported_modules: list[str],
            package: Path | None = None, notes: list[str] | None = None) -> Change | None:
    """The first difference between the closure a run recorded (``recorded``: unit ->
    digest) and the closure the same ``code_cells`` and ``imported_modules`` reach in the
    package now; None when they are the same. ``notes`` (the run's closure notes) explain a
    coarse unit."""
    found = _Package(package or PACKAGE)
    now = _closure(found, code_cells, imported_modules).units
    differing = [u for u in sorted(recorded.keys() | now.keys()) if recorded.get(u) != now.get(u)]
    # The cause first: a unit changed or gone; then units reached no more, or newly reached.
    differing.sort(key=lambda u: 0 if u in now and u in recorded else
                   1 if found.digest(u) is None else 2)
    for unit in differing[:1]:
        kind = (ChangeKind.ADDED if unit not in recorded else ChangeKind.CHANGED if unit in now
                else ChangeKind.REMOVED if found.digest(unit) is None else ChangeKind.DROPPED)
        module = unit.rpartition(":")[0]
        note = next((n for n in notes or [] if n.startswith((unit, f"{module}:"))), "")
        return Change(unit, kind, note)
    return None
