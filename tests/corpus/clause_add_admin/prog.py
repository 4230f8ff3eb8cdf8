"""Who may see a post on a small community forum."""

from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    id: int
    is_admin: bool = False
    banned: bool = False


@dataclass(frozen=True)
class Post:
    author_id: int
    public: bool


def can_view(user, post):
    """Public posts are for everyone; private ones for their author and for admins."""
    return post.public or user.id == post.author_id


def visible_posts(user, posts):
    return [post for post in posts if can_view(user, post)]
