"""What a package pulls in, and an order to install it all in."""

from pkgdeps.graph import canonical


def dependencies_of(index, root, extras=()):
    """Every package that `root` needs, directly or not (root itself excluded), sorted."""
    root = canonical(root)
    seen = set()
    stack = [(root, tuple(extras))]
    while stack:
        name, wanted = stack.pop()
        for dep in index.requirements(name, wanted):
            if dep not in seen and dep != root:
                stack.append((dep, ()))
    return sorted(seen)


def install_order(index, root):
    """Dependencies before dependants; cycles are broken where they are found."""
    order, visiting = [], set()

    def visit(name):
        if name in order or name in visiting:
            return
        visiting.add(name)
        for dep in index.requirements(name):
            visit(dep)
        visiting.discard(name)
        order.append(name)

    visit(canonical(root))
    return order
