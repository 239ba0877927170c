"""Cohort matching: each mentee at most one mentor, each mentor within the places they have left, total score
maximised exactly.

Formulation: a bipartite graph with one row per usable mentor place (a mentor with c places left and d eligible
mentees has min(c, d) rows) and one column per mentee plus one private "empty" column per place. A real edge
costs (best score + 1) - score and an empty edge costs (best score + 1); every place row must be matched, so a
minimum-cost matching of the rows maximises the total score (an empty place contributes 0, each mentee is used
at most once). Edges exist only for eligible pairs, so the graph is sparse, and SciPy's LAPJVsp
(`min_weight_full_bipartite_matching`) solves it exactly. Putting the places on the row side matters: there are
fewer places than mentees, and LAPJVsp augments once per row.

`solve_dense` (linear_sum_assignment on the full mentees x places score matrix) is an independent exact
reference; `solve_greedy` the obvious baseline. numpy and SciPy are imported only here (cohort runs), never on
the request paths.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from matching.scoring import Mentee, Mentor, Scored, ineligible, score

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


@dataclass(frozen=True)
class CohortResult:
    matches: dict[str, Scored]  # mentee id -> the chosen mentor's scored explanation
    unmatched: dict[str, str]  # mentee id -> reason
    total_score: float
    solve_seconds: float
    solver: str


@dataclass(frozen=True)
class Edges:
    """Every eligible (mentee, mentor) pair: parallel arrays in mentee order (mentee index, mentor index, score;
    mentee i's pairs are positions start[i]..start[i+1]) and each pair's scored explanation."""

    mentee: NDArray[np.int64]
    mentor: NDArray[np.int64]
    score: NDArray[np.float64]
    start: NDArray[np.int64]
    scored: list[Scored]

    def __len__(self) -> int:
        return len(self.scored)

    def of(self, mentee_index: int) -> list[Scored]:
        return self.scored[int(self.start[mentee_index]) : int(self.start[mentee_index + 1])]

    def pair(self, mentee_index: int, mentor_index: int) -> Scored:
        import numpy as np

        lo, hi = int(self.start[mentee_index]), int(self.start[mentee_index + 1])
        return self.scored[lo + int(np.flatnonzero(self.mentor[lo:hi] == mentor_index)[0])]


def eligible_edges(mentors: Sequence[Mentor], mentees: Sequence[Mentee]) -> Edges:
    """Every eligible (mentee, mentor) pair with its score; mentors are looked up by goal skill."""
    import numpy as np

    by_skill: dict[int, list[tuple[int, Mentor]]] = defaultdict(list)
    for j, mentor in enumerate(mentors):
        for skill_id in mentor.skills:
            by_skill[skill_id].append((j, mentor))
    rows: list[int] = []
    cols: list[int] = []
    found: list[Scored] = []
    start = [0]
    for i, mentee in enumerate(mentees):
        seen: set[int] = set()
        for skill_id in mentee.goals:
            for j, mentor in by_skill.get(skill_id, ()):
                if j in seen:
                    continue
                seen.add(j)
                scored = score(mentor, mentee)
                if scored is not None:
                    rows.append(i)
                    cols.append(j)
                    found.append(scored)
        start.append(len(found))
    return Edges(
        mentee=np.array(rows, dtype=np.int64),
        mentor=np.array(cols, dtype=np.int64),
        score=np.array([s.score for s in found], dtype=np.float64),
        start=np.array(start, dtype=np.int64),
        scored=found,
    )


def _unmatched_reason(mentee: Mentee, mentors: Sequence[Mentor], has_edges: bool) -> str:
    if not mentee.goals:
        return "no learning goals declared"
    if not has_edges:
        covering = [m for m in mentors if set(m.skills) & set(mentee.goals)]
        if not covering:
            return "no mentor in the cohort covers any of their goals"
        reasons = {ineligible(m, mentee) or "covers none of the gap" for m in covering}
        return "every mentor covering their goals is unavailable (" + ", ".join(sorted(reasons)) + ")"
    return "the mentors who fit were all given to mentees they fit better (places ran out)"


def _result(
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    edges: Edges,
    chosen: dict[str, Scored],
    seconds: float,
    solver: str,
) -> CohortResult:
    unmatched = {
        m.id: _unmatched_reason(m, mentors, bool(edges.of(i))) for i, m in enumerate(mentees) if m.id not in chosen
    }
    return CohortResult(chosen, unmatched, round(sum(s.score for s in chosen.values()), 6), seconds, solver)


def _free_places(mentors: Sequence[Mentor]) -> list[int]:
    return [max(0, m.capacity - m.active_mentees) if m.accepting else 0 for m in mentors]


def _places(
    mentors: Sequence[Mentor], edges: Edges
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """The usable places and every eligible pair repeated once per place of its mentor: (owner mentor of each
    place, place index, mentee index, score) of each (place, mentee) edge. A mentor gets min(places left,
    eligible mentees) places: more could never all be filled."""
    import numpy as np

    degree = np.bincount(edges.mentor, minlength=len(mentors))
    places = np.minimum(np.array(_free_places(mentors), dtype=np.int64), degree)
    first = np.cumsum(places) - places  # each mentor's first place index
    owner = np.repeat(np.arange(len(mentors), dtype=np.int64), places)
    reps = places[edges.mentor]
    edge_first = np.repeat(np.cumsum(reps) - reps, reps)  # where each edge's run of copies starts
    place = np.repeat(first[edges.mentor], reps) + (np.arange(int(reps.sum()), dtype=np.int64) - edge_first)
    return owner, place, np.repeat(edges.mentee, reps), np.repeat(edges.score, reps)


def solve_exact(mentors: Sequence[Mentor], mentees: Sequence[Mentee], edges: Edges | None = None) -> CohortResult:
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    edges = eligible_edges(mentors, mentees) if edges is None else edges
    started = time.perf_counter()
    owner, place, mentee, scores = _places(mentors, edges)
    n_places, n_mentees = len(owner), len(mentees)
    chosen: dict[str, Scored] = {}
    if len(place):
        big = float(scores.max()) + 1.0
        rows = np.concatenate([place, np.arange(n_places)])
        cols = np.concatenate([mentee, n_mentees + np.arange(n_places)])  # each place's own "empty" column
        costs = np.concatenate([big - scores, np.full(n_places, big)])
        graph = csr_matrix((costs, (rows, cols)), shape=(n_places, n_mentees + n_places))
        assigned = min_weight_full_bipartite_matching(graph)[1]
        for p in np.flatnonzero(assigned < n_mentees):
            i = int(assigned[p])
            chosen[mentees[i].id] = edges.pair(i, int(owner[p]))
    return _result(mentees, mentors, edges, chosen, time.perf_counter() - started, "lapjvsp-sparse")


def solve_dense(mentors: Sequence[Mentor], mentees: Sequence[Mentee], edges: Edges | None = None) -> CohortResult:
    """Reference: the full (mentees x places) score matrix through linear_sum_assignment (exact, dense)."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    edges = eligible_edges(mentors, mentees) if edges is None else edges
    started = time.perf_counter()
    owner, place, mentee, scores = _places(mentors, edges)
    matrix = np.zeros((len(mentees), max(len(owner), 1)))
    matrix[mentee, place] = scores
    row_ind, col_ind = linear_sum_assignment(matrix, maximize=True)
    chosen: dict[str, Scored] = {}
    for i, col in zip(row_ind.tolist(), col_ind.tolist(), strict=True):
        if matrix[i, col] > 0:
            chosen[mentees[i].id] = edges.pair(i, int(owner[col]))
    return _result(mentees, mentors, edges, chosen, time.perf_counter() - started, "linear-sum-assignment-dense")


def solve_greedy(mentors: Sequence[Mentor], mentees: Sequence[Mentee], edges: Edges | None = None) -> CohortResult:
    """Baseline: best remaining pair first (ties by mentee, then mentor order)."""
    import numpy as np

    edges = eligible_edges(mentors, mentees) if edges is None else edges
    started = time.perf_counter()
    room = _free_places(mentors)
    taken = [False] * len(mentees)
    chosen: dict[str, Scored] = {}
    mentee_of, mentor_of = edges.mentee.tolist(), edges.mentor.tolist()
    for e in np.lexsort((edges.mentor, edges.mentee, -edges.score)).tolist():
        i, j = mentee_of[e], mentor_of[e]
        if not taken[i] and room[j] > 0:
            taken[i] = True
            room[j] -= 1
            chosen[mentees[i].id] = edges.scored[e]
    return _result(mentees, mentors, edges, chosen, time.perf_counter() - started, "greedy")
