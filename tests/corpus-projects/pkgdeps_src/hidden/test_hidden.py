"""Hidden checks for pkgdeps_src: diamonds, self-cycles, long chains, whole closures."""
from pkgdeps.closure import dependencies_of
from pkgdeps.graph import Index


def test_diamond_counts_each_package_once():
    index = Index({"app": ["left", "right"], "left": ["base"], "right": ["base"], "base": []})
    assert dependencies_of(index, "app") == ["base", "left", "right"]


def test_package_requiring_itself():
    index = Index({"odd": ["odd", "even"], "even": []})
    assert dependencies_of(index, "odd") == ["even"]


def test_three_way_cycle():
    index = Index({"a": ["b"], "b": ["c"], "c": ["a"]})
    assert dependencies_of(index, "b") == ["a", "c"]


def test_long_chain():
    index = Index({f"p{n}": [f"p{n + 1}"] for n in range(30)} | {"p30": []})
    assert len(dependencies_of(index, "p0")) == 30
