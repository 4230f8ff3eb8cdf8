import pytest

import pkgdeps.closure
from pkgdeps.graph import Index

INDEX = Index(
    requires={
        "webapp": ["requests>=2", "Jinja2", "app-models"],
        "requests": ["urllib3", "certifi", "idna"],
        "jinja2": ["MarkupSafe"],
        "app-models": ["sqlalchemy"],
        "sqlalchemy": ["greenlet"],
        "urllib3": [], "certifi": [], "idna": [], "markupsafe": [], "greenlet": [],
        "pytest-plugin": ["pytest"],
        "pytest": ["pluggy", "pytest-plugin"],
        "pluggy": [],
        "test-suite": ["pytest"],
    },
    extras={"requests": {"socks": ["PySocks"]}},
)
INDEX.add("pysocks", [])


def test_leaf_has_no_dependencies():
    assert pkgdeps.closure.dependencies_of(INDEX, "idna") == []


def test_direct_and_indirect():
    assert pkgdeps.closure.dependencies_of(INDEX, "app_models") == ["greenlet", "sqlalchemy"]


def test_extras():
    assert pkgdeps.closure.dependencies_of(INDEX, "requests", ["socks"]) == [
        "certifi", "idna", "pysocks", "urllib3",
    ]


def test_cycle_between_plugin_and_host():
    assert pkgdeps.closure.dependencies_of(INDEX, "test-suite") == ["pluggy", "pytest", "pytest-plugin"]


def test_install_order_puts_dependencies_first():
    order = pkgdeps.closure.install_order(INDEX, "webapp")
    assert order.index("greenlet") < order.index("sqlalchemy") < order.index("webapp")
    assert len(order) == 10


def test_unknown_package():
    with pytest.raises(KeyError):
        pkgdeps.closure.dependencies_of(INDEX, "left-pad")
