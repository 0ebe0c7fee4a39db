"""Run the doctests of every framing module (pure functions carry tiny examples)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import framing

MODULES = sorted(
    info.name for info in pkgutil.iter_modules(framing.__path__, prefix="framing.")
) + ["framing"]


def _module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as err:  # an optional extra (warcio, dask) that is not installed
        pytest.skip(f"{name} needs an optional dependency: {err}")


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(_module(name), optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"


def test_the_pure_modules_have_doctests() -> None:
    finder = doctest.DocTestFinder()
    for name in ("framing.segment", "framing.aggregate", "framing.checks", "framing.files"):
        examples = sum(len(t.examples) for t in finder.find(importlib.import_module(name)))
        assert examples > 0, name
