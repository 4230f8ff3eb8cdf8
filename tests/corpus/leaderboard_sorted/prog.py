"""A game leaderboard: the best players, and each player's rank."""

from dataclasses import dataclass


@dataclass
class Player:
    name: str
    score: int


def top_players(players, count=3):
    """The `count` best players, highest score first; the caller's list is left alone."""
    ranking = players.sort(key=lambda player: player.score, reverse=True)
    return [player.name for player in ranking[:count]]


def rank_of(players, name):
    """1-based rank of `name` (players with equal scores share a rank)."""
    target = next(player.score for player in players if player.name == name)
    return 1 + sum(1 for player in players if player.score > target)
