"""Every public function and class of convlab has a docstring (the API reference needs it)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import convlab

MODULES = sorted(m.name for m in pkgutil.walk_packages(convlab.__path__, "convlab.")
                 if not m.name.endswith("__main__"))


def _public(module):
    for name, value in vars(module).items():
        if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(value) or inspect.isclass(value):
            yield name, value
            if inspect.isclass(value):
                for attr, member in vars(value).items():
                    if not attr.startswith("_") and inspect.isfunction(member):
                        yield f"{name}.{attr}", member


@pytest.mark.parametrize("name", MODULES)
def test_public_api_is_documented(name):
    module = importlib.import_module(name)
    assert inspect.getdoc(module), f"{name} has no module docstring"
    missing = [qualname for qualname, obj in _public(module) if not inspect.getdoc(obj)]
    assert not missing, f"{name}: public names without a docstring: {', '.join(missing)}"


def test_the_check_notices_a_missing_docstring():
    module = type(convlab)("convlab.fake")
    exec("def documented():\n    'yes'\n\ndef bare():\n    pass\n", module.__dict__)
    assert [n for n, obj in _public(module) if not inspect.getdoc(obj)] == ["bare"]
