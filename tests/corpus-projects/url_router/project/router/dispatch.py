"""Route table: the first pattern that matches wins."""

from router.patterns import Pattern


class NotFound(LookupError):
    pass


class Router:
    def __init__(self):
        self.routes = []

    def add(self, template, name):
        self.routes.append((Pattern(template), name))

    def resolve(self, path):
        """(route name, parameters) for a request path; trailing slashes are ignored."""
        path = "/" + path.strip("/")
        for pattern, name in self.routes:
            params = pattern.match(path)
            if params is not None:
                return name, params
        raise NotFound(path)


def default_router():
    router = Router()
    router.add("/", "home")
    router.add("/users", "user-list")
    router.add("/users/<int:user_id>", "user-detail")
    router.add("/users/<int:user_id>/posts", "user-posts")
    router.add("/posts/<slug:slug>", "post-detail")
    router.add("/files/<name>", "file")
    return router
