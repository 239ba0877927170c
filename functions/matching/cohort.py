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

from matching.scoring import FULL_OVERLAP_HOURS, WEIGHTS, Mentee, Mentor, Scored, ineligible, merge, score

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
    """Every eligible (mentee, mentor) pair as parallel arrays in mentee order: mentee index, mentor index and
    score; mentee i's pairs are positions start[i]..start[i+1]. Explanations are made on demand, for the pairs
    that are chosen."""

    mentee: NDArray[np.int64]
    mentor: NDArray[np.int64]
    score: NDArray[np.float64]
    start: NDArray[np.int64]
    mentors: Sequence[Mentor]
    mentees: Sequence[Mentee]

    def __len__(self) -> int:
        return len(self.mentee)

    def count(self, mentee_index: int) -> int:
        return int(self.start[mentee_index + 1] - self.start[mentee_index])

    def explain(self, mentee_index: int, mentor_index: int) -> Scored:
        scored = score(self.mentors[mentor_index], self.mentees[mentee_index])
        assert scored is not None, "explained an ineligible pair"
        return scored

    def of(self, mentee_index: int) -> list[Scored]:
        lo, hi = int(self.start[mentee_index]), int(self.start[mentee_index + 1])
        return [self.explain(mentee_index, int(j)) for j in self.mentor[lo:hi]]


def _padded_weeks(weeks: Sequence[tuple[tuple[int, int], ...]]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each person's merged UTC week as rows of interval starts and ends, padded with empty (0, 0) intervals."""
    import numpy as np

    merged = [merge(week) for week in weeks]
    width = max((len(week) for week in merged), default=0)
    starts = np.zeros((len(merged), max(width, 1)), dtype=np.int64)
    ends = np.zeros_like(starts)
    for row, week in enumerate(merged):
        for col, (lo, hi) in enumerate(week):
            starts[row, col], ends[row, col] = lo, hi
    return starts, ends


def _language_overlap(
    mentors: Sequence[Mentor], mentees: Sequence[Mentee], rows: NDArray[np.int64], cols: NDArray[np.int64]
) -> NDArray[np.float64]:
    """1.0 where the pair shares a language: one bit per language, one AND per pair."""
    import numpy as np

    codes = {c for m in mentors for c in m.languages} | {c for e in mentees for c in e.languages}
    vocabulary = {code: bit for bit, code in enumerate(sorted(codes))}
    if len(vocabulary) > 63:  # more languages than bits: one set intersection per pair
        return np.array(
            [1.0 if mentees[i].languages & mentors[j].languages else 0.0 for i, j in zip(rows, cols, strict=True)]
        )

    def masks(people: Sequence[Mentor] | Sequence[Mentee]) -> NDArray[np.int64]:
        return np.array([sum(1 << vocabulary[c] for c in p.languages) for p in people], dtype=np.int64)

    shared = masks(mentees)[rows] & masks(mentors)[cols]
    return (shared != 0).astype(np.float64)


def eligible_edges(mentors: Sequence[Mentor], mentees: Sequence[Mentee]) -> Edges:
    """Every eligible (mentee, mentor) pair with its score, all pairs at once with numpy. The formula is
    matching.scoring.score's (a property test holds them equal); score() then explains the chosen pairs."""
    import numpy as np

    n_mentors = len(mentors)
    # Open mentors by skill: the mentor indices and levels of each skill.
    by_skill: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for j, mentor in enumerate(mentors):
        if mentor.accepting and mentor.active_mentees < mentor.capacity:  # the mentee-independent ineligibility
            for skill_id, level in mentor.skills.items():
                by_skill[skill_id][0].append(j)
                by_skill[skill_id][1].append(level)
    skill_arrays = {k: (np.array(js, dtype=np.int64), np.array(lv, dtype=np.int64)) for k, (js, lv) in by_skill.items()}
    # One row per (goal, mentor having the goal's skill): the share of the goal's gap covered / number of goals.
    pieces_i, pieces_j, pieces_cover = [], [], []
    for i, mentee in enumerate(mentees):
        for skill_id, (current, target) in mentee.goals.items():
            found = skill_arrays.get(skill_id)
            if found is None:
                continue
            js, levels = found
            gap = target - current
            pieces_i.append(np.full(len(js), i, dtype=np.int64))
            pieces_j.append(js)
            pieces_cover.append(np.minimum(np.maximum(levels - current, 0), gap) / gap / len(mentee.goals))
    if not pieces_i:
        empty = np.zeros(0, dtype=np.int64)
        return Edges(empty, empty, np.zeros(0), np.zeros(len(mentees) + 1, dtype=np.int64), mentors, mentees)
    keys, where = np.unique(np.concatenate(pieces_i) * n_mentors + np.concatenate(pieces_j), return_inverse=True)
    skills = np.bincount(where, weights=np.concatenate(pieces_cover))
    rows, cols = keys // n_mentors, keys % n_mentors
    mentor_index = {m.id: j for j, m in enumerate(mentors)}
    self_as_mentor = np.array([mentor_index.get(e.id, -1) for e in mentees], dtype=np.int64)
    keep = (skills > 0) & (cols != self_as_mentor[rows])
    rows, cols, skills = rows[keep], cols[keep], skills[keep]
    # Weekly overlap: the merged intervals of both sides, every interval against every interval.
    mentee_starts, mentee_ends = _padded_weeks([e.week for e in mentees])
    mentor_starts, mentor_ends = _padded_weeks([m.week for m in mentors])
    overlap = np.zeros(len(rows))
    for a in range(mentee_starts.shape[1]):
        lo_a, hi_a = mentee_starts[rows, a], mentee_ends[rows, a]
        for b in range(mentor_starts.shape[1]):
            lo = np.maximum(lo_a, mentor_starts[cols, b])
            hi = np.minimum(hi_a, mentor_ends[cols, b])
            overlap += np.maximum(hi - lo, 0)
    availability = np.minimum(overlap / 60 / FULL_OVERLAP_HOURS, 1.0)
    rating = np.array([(m.rating if m.rating is not None else 3.0) / 5 for m in mentors])[cols]
    room = np.array([(m.capacity - m.active_mentees) / m.capacity for m in mentors])[cols]
    total = (
        WEIGHTS["skills"] * skills
        + WEIGHTS["availability"] * availability
        + WEIGHTS["languages"] * _language_overlap(mentors, mentees, rows, cols)
        + WEIGHTS["rating"] * rating
        + WEIGHTS["room"] * room
    )
    start = np.searchsorted(rows, np.arange(len(mentees) + 1))
    return Edges(rows, cols, np.round(total, 6), start, mentors, mentees)


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
        m.id: _unmatched_reason(m, mentors, edges.count(i) > 0) for i, m in enumerate(mentees) if m.id not in chosen
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
            chosen[mentees[i].id] = edges.explain(i, int(owner[p]))
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
            chosen[mentees[i].id] = edges.explain(i, int(owner[col]))
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
            chosen[mentees[i].id] = edges.explain(i, j)
    return _result(mentees, mentors, edges, chosen, time.perf_counter() - started, "greedy")
