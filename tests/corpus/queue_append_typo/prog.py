def enqueue_all(queue, items):
    for item in items:
        queue.apend(item)
    return queue
