"""Cohort matching: each mentee at most one mentor, each mentor within the places they have left, total score
maximised exactly.

Formulation: a bipartite graph with one row per mentee and one column per free mentor place (a mentor with c
places left has c columns) plus one private "unmatched" column per mentee. A real edge costs
(best score + 1) - score and an unmatched edge costs (best score + 1), so a minimum-cost full matching of the
rows maximises the total score (an unmatched mentee contributes 0). Edges exist only for eligible pairs, so the
graph is sparse, and SciPy's LAPJVsp (`min_weight_full_bipartite_matching`) solves it exactly.

`solve_dense` (linear_sum_assignment on the full matrix) is an independent exact reference; `solve_greedy` the
obvious baseline. SciPy is imported only here (cohort runs), never on the request paths.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from matching.scoring import Mentee, Mentor, Scored, ineligible, score


@dataclass(frozen=True)
class CohortResult:
    matches: dict[str, Scored]  # mentee id -> the chosen mentor's scored explanation
    unmatched: dict[str, str]  # mentee id -> reason
    total_score: float
    solve_seconds: float
    solver: str


Edges = dict[str, list[Scored]]  # mentee id -> eligible scored mentors


def eligible_edges(mentors: Sequence[Mentor], mentees: Sequence[Mentee]) -> Edges:
    """Every eligible (mentee, mentor) pair with its score; mentors are looked up by goal skill."""
    by_skill: dict[int, list[Mentor]] = defaultdict(list)
    for mentor in mentors:
        for skill_id in mentor.skills:
            by_skill[skill_id].append(mentor)
    edges: Edges = {}
    for mentee in mentees:
        seen: set[str] = set()
        found = []
        for skill_id in mentee.goals:
            for mentor in by_skill.get(skill_id, ()):
                if mentor.id in seen:
                    continue
                seen.add(mentor.id)
                scored = score(mentor, mentee)
                if scored is not None:
                    found.append(scored)
        edges[mentee.id] = found
    return edges


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
    unmatched = {m.id: _unmatched_reason(m, mentors, bool(edges.get(m.id))) for m in mentees if m.id not in chosen}
    return CohortResult(chosen, unmatched, round(sum(s.score for s in chosen.values()), 6), seconds, solver)


def _slots(mentors: Sequence[Mentor]) -> tuple[dict[str, list[int]], int]:
    columns: dict[str, list[int]] = {}
    n = 0
    for mentor in mentors:
        free = max(0, mentor.capacity - mentor.active_mentees) if mentor.accepting else 0
        columns[mentor.id] = list(range(n, n + free))
        n += free
    return columns, n


def solve_exact(mentors: Sequence[Mentor], mentees: Sequence[Mentee], edges: Edges | None = None) -> CohortResult:
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    edges = eligible_edges(mentors, mentees) if edges is None else edges
    started = time.perf_counter()
    columns, n_slots = _slots(mentors)
    best = max((s.score for found in edges.values() for s in found), default=0.0)
    big = best + 1.0
    rows, cols, costs = [], [], []
    for i, mentee in enumerate(mentees):
        for scored in edges.get(mentee.id, ()):
            for col in columns[scored.mentor_id]:
                rows.append(i)
                cols.append(col)
                costs.append(big - scored.score)
        rows.append(i)
        cols.append(n_slots + i)  # this mentee's own "unmatched" column
        costs.append(big)
    graph = csr_matrix(
        (np.array(costs), (np.array(rows), np.array(cols))), shape=(len(mentees), n_slots + len(mentees))
    )
    _, assigned = min_weight_full_bipartite_matching(graph)
    slot_owner = {col: mentor_id for mentor_id, cols_ in columns.items() for col in cols_}
    chosen: dict[str, Scored] = {}
    for i, mentee in enumerate(mentees):
        col = int(assigned[i])
        if col < n_slots:
            mentor_id = slot_owner[col]
            chosen[mentee.id] = next(s for s in edges[mentee.id] if s.mentor_id == mentor_id)
    return _result(mentees, mentors, edges, chosen, time.perf_counter() - started, "lapjvsp-sparse")


def solve_dense(mentors: Sequence[Mentor], mentees: Sequence[Mentee], edges: Edges | None = None) -> CohortResult:
    """Reference: the full (mentees * places) score matrix through linear_sum_assignment (exact, dense)."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    edges = eligible_edges(mentors, mentees) if edges is None else edges
    started = time.perf_counter()
    columns, n_slots = _slots(mentors)
    matrix = np.zeros((len(mentees), max(n_slots, 1)))
    for i, mentee in enumerate(mentees):
        for scored in edges.get(mentee.id, ()):
            for col in columns[scored.mentor_id]:
                matrix[i, col] = scored.score
    row_ind, col_ind = linear_sum_assignment(matrix, maximize=True)
    slot_owner = {col: mentor_id for mentor_id, cols_ in columns.items() for col in cols_}
    chosen: dict[str, Scored] = {}
    for i, col in zip(row_ind, col_ind, strict=True):
        if matrix[i, col] > 0:
            mentee = mentees[int(i)]
            chosen[mentee.id] = next(s for s in edges[mentee.id] if s.mentor_id == slot_owner[int(col)])
    return _result(mentees, mentors, edges, chosen, time.perf_counter() - started, "linear-sum-assignment-dense")


def solve_greedy(mentors: Sequence[Mentor], mentees: Sequence[Mentee], edges: Edges | None = None) -> CohortResult:
    """Baseline: best remaining pair first."""
    edges = eligible_edges(mentors, mentees) if edges is None else edges
    started = time.perf_counter()
    room = {m.id: (max(0, m.capacity - m.active_mentees) if m.accepting else 0) for m in mentors}
    pairs = sorted(
        ((s.score, mentee_id, s) for mentee_id, found in edges.items() for s in found),
        key=lambda p: (-p[0], p[1], p[2].mentor_id),
    )
    chosen: dict[str, Scored] = {}
    for _, mentee_id, scored in pairs:
        if mentee_id not in chosen and room[scored.mentor_id] > 0:
            chosen[mentee_id] = scored
            room[scored.mentor_id] -= 1
    return _result(mentees, mentors, edges, chosen, time.perf_counter() - started, "greedy")
