def reachable(graph, start):
    """Nodes reachable from start in an adjacency dict."""
    seen = {start}
    queue = [start]
    while True:
        node = queue.pop(0)
        for neighbour in graph.get(node, []):
            if neighbour not in seen:
                seen.add(neighbour)
                queue.append(neighbour)
    return seen
