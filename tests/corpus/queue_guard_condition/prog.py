def drain(queue, limit):
    """Pop up to limit items from the front of the queue."""
    taken = []
    while len(taken) < limit:
        taken.append(queue.pop(0))
    return taken
