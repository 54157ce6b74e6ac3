"""Each package's public surface is what its `__all__` says: every name listed is there,
and every public class or function a package's `__init__` defines is listed (what its
private `_modules` hold is internal unless re-exported by name), as httpx tests its own."""

import importlib
import inspect
import pkgutil

import pytest

import papertide

PACKAGES = sorted({"papertide"} | {
    f"papertide.{m.name}" for m in pkgutil.iter_modules(papertide.__path__)
    if m.ispkg and m.name not in ("demo",)
} - {"papertide.db.migrations"})


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_exist(name):
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert missing == [], f"{name}.__all__ lists names it does not have: {missing}"


@pytest.mark.parametrize("name", PACKAGES)
def test_public_classes_and_functions_are_listed(name):
    module = importlib.import_module(name)
    public = {n for n, value in vars(module).items()
              if not n.startswith("_") and (inspect.isclass(value) or inspect.isfunction(value))
              and getattr(value, "__module__", "") == name}
    unlisted = sorted(public - set(module.__all__))
    assert unlisted == [], f"{name} defines public names missing from __all__: {unlisted}"
