"""Sales league table for a team of reps."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Rep:
    name: str
    region: str
    sales: int


def league(reps):
    """Reps from the best seller down; equal sales keep the order they were given in."""
    return sorted(reps, key=lambda rep: rep.sales)


def podium(reps):
    return [rep.name for rep in league(reps)[:3]]


def best_by_region(reps):
    best = {}
    for rep in league(reps):
        best.setdefault(rep.region, rep.name)
    return best
