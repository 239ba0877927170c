"""Cohort matching: each mentee at most one mentor, each mentor within the places they have left, total score
maximised exactly, and proven so.

Scoring: every eligible (mentee, mentor) pair is scored with numpy, a block of mentees at a time, and kept compactly
(`Edges`: 8 bytes a pair; 50,000 mentees x 10,000 mentors have about 10^8 eligible pairs).

Solving: an assignment over a subset of the pairs, then a proof that no pair left out could improve it, else more
pairs and again (column generation):
1. Each mentee's best pairs (FIRST_PAIRS_PER_MENTEE) are solved exactly as a bipartite graph with one row per usable
   mentor place (a mentor with c places left and d mentees among the pairs has min(c, d) rows) and one column per
   mentee plus one private "empty" column per place. A real edge costs (best + 1) - score and an empty edge
   (best + 1); every place row must be matched, so a minimum-cost matching of the rows maximises the total score
   (an empty place contributes 0, each mentee is used at most once). SciPy's LAPJVsp
   (`min_weight_full_bipartite_matching`) solves it exactly; places go on the row side because there are fewer
   places than mentees and LAPJVsp augments once per row. Scores are whole millionths, so its sums are exact.
2. The assignment's dual prices (a price per mentor place, from complementary slackness: shortest paths over
   difference constraints) and each mentee's gain over ALL of its pairs give a feasible solution of the dual linear
   program, whose value bounds every assignment from above (weak duality; the bipartite b-matching polytope is
   integral, so the bound is tight at the optimum). Bound == total proves the assignment optimal (`Certificate`).
3. Otherwise every mentee's pairs that beat its gain under those prices (at most MORE_PAIRS_PER_MENTEE each) join
   the subset, and 1-2 run again. Each round adds at least one pair not yet in the subset, so it ends.

`solve_dense` (linear_sum_assignment on the full mentees x places score matrix) is an independent exact
reference; `solve_greedy` the obvious baseline. numpy and SciPy are imported only here (cohort runs), never on
the request paths.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


POINTS = 1_000_000  # scores are kept as whole millionths: score() rounds to 6 decimals, and sums stay exact


@dataclass(frozen=True)
class Edges:
    """Every eligible (mentee, mentor) pair, grouped by mentee (CSR): mentee i's pairs are positions
    start[i]..start[i+1] of `mentor` (mentor index) and `points` (score in millionths). Compact on purpose: 50,000
    mentees x 10,000 mentors have about 10^8 eligible pairs, 8 bytes each here. Explanations are made on demand,
    for the pairs that are chosen."""

    mentor: NDArray[np.int32]
    points: NDArray[np.int32]
    start: NDArray[np.int64]
    mentors: Sequence[Mentor]
    mentees: Sequence[Mentee]

    def __len__(self) -> int:
        return len(self.mentor)

    @property
    def mentee(self) -> NDArray[np.int64]:
        """The mentee index of every pair (made when asked: as large as the pairs)."""
        import numpy as np

        return np.repeat(np.arange(len(self.mentees), dtype=np.int64), np.diff(self.start))

    @property
    def score(self) -> NDArray[np.float64]:
        return self.points / POINTS

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


def _language_masks(
    mentors: Sequence[Mentor], mentees: Sequence[Mentee]
) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
    """Each person's languages as one bit per language (mentees, mentors), so a shared language is one AND per
    pair; None if there are more languages than bits."""
    import numpy as np

    codes = {c for m in mentors for c in m.languages} | {c for e in mentees for c in e.languages}
    vocabulary = {code: bit for bit, code in enumerate(sorted(codes))}
    if len(vocabulary) > 63:
        return None

    def masks(people: Sequence[Mentor] | Sequence[Mentee]) -> NDArray[np.int64]:
        return np.array([sum(1 << vocabulary[c] for c in p.languages) for p in people], dtype=np.int64)

    return masks(mentees), masks(mentors)


# Mentees are scored a block at a time: the block's skill shares are one dense (block x mentors) matrix, so memory
# stays bounded whatever the cohort's size (2^22 cells: 32 MB) and no pair is ever sorted.
BLOCK_CELLS = 1 << 22


def eligible_edges(mentors: Sequence[Mentor], mentees: Sequence[Mentee]) -> Edges:
    """Every eligible (mentee, mentor) pair with its score, with numpy, a block of mentees at a time. The formula
    is matching.scoring.score's (a property test holds them equal); score() then explains the chosen pairs."""
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
    mentor_index = {m.id: j for j, m in enumerate(mentors)}
    self_as_mentor = [mentor_index.get(e.id, -1) for e in mentees]
    mentee_starts, mentee_ends = _padded_weeks([e.week for e in mentees])
    mentor_starts, mentor_ends = _padded_weeks([m.week for m in mentors])
    rating = np.array([(m.rating if m.rating is not None else 3.0) / 5 for m in mentors])
    room = np.array([(m.capacity - m.active_mentees) / max(m.capacity, 1) for m in mentors])
    languages = _language_masks(mentors, mentees)
    block = max(1, BLOCK_CELLS // max(n_mentors, 1))
    counts = np.zeros(len(mentees), dtype=np.int64)
    mentor_parts: list[NDArray[np.int32]] = []
    point_parts: list[NDArray[np.int32]] = []
    for lo in range(0, len(mentees), block):
        hi = min(lo + block, len(mentees))
        # The share of each goal's gap a mentor covers, over the mentee's goals (0: covers none, not eligible).
        share = np.zeros((hi - lo, n_mentors))
        for i in range(lo, hi):
            goals = mentees[i].goals
            for skill_id, (current, target) in goals.items():
                found = skill_arrays.get(skill_id)
                if found is not None:
                    js, levels = found
                    gap = target - current
                    share[i - lo, js] += np.minimum(np.maximum(levels - current, 0), gap) / gap / len(goals)
            if self_as_mentor[i] >= 0:
                share[i - lo, self_as_mentor[i]] = 0.0
        local, cols = np.nonzero(share > 0)
        skills = share[local, cols]
        del share
        rows = local + lo
        # Weekly overlap: the merged intervals of both sides, every interval against every interval.
        overlap = np.zeros(len(rows))
        for a in range(mentee_starts.shape[1]):
            lo_a, hi_a = mentee_starts[rows, a], mentee_ends[rows, a]
            for b in range(mentor_starts.shape[1]):
                overlap += np.maximum(
                    np.minimum(hi_a, mentor_ends[cols, b]) - np.maximum(lo_a, mentor_starts[cols, b]), 0
                )
        if languages is not None:
            shared = ((languages[0][rows] & languages[1][cols]) != 0).astype(np.float64)
        else:  # more languages than bits: one set intersection per pair
            shared = np.array(
                [1.0 if mentees[i].languages & mentors[j].languages else 0.0 for i, j in zip(rows, cols, strict=True)]
            )
        total = (
            WEIGHTS["skills"] * skills
            + WEIGHTS["availability"] * np.minimum(overlap / 60 / FULL_OVERLAP_HOURS, 1.0)
            + WEIGHTS["languages"] * shared
            + WEIGHTS["rating"] * rating[cols]
            + WEIGHTS["room"] * room[cols]
        )
        mentor_parts.append(cols.astype(np.int32))
        point_parts.append(np.rint(total * POINTS).astype(np.int32))  # = np.round(total, 6) in millionths
        counts[lo:hi] = np.bincount(local, minlength=hi - lo)
    start = np.zeros(len(mentees) + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    mentor_of_pair = np.concatenate(mentor_parts) if mentor_parts else np.zeros(0, dtype=np.int32)
    mentor_parts.clear()  # the parts go before the points are joined: peak memory is one copy and a half
    points = np.concatenate(point_parts) if point_parts else np.zeros(0, dtype=np.int32)
    return Edges(mentor_of_pair, points, start, mentors, mentees)


def _unmatched_reason(mentee: Mentee, teachers: dict[int, list[Mentor]], has_edges: bool) -> str:
    """Why a mentee was not matched; `teachers`: the cohort's mentors by skill."""
    if not mentee.goals:
        return "no learning goals declared"
    if not has_edges:
        covering = {id(m): m for skill_id in mentee.goals for m in teachers.get(skill_id, ())}.values()
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
    teachers: dict[int, list[Mentor]] = defaultdict(list)  # one pass over the mentors, not one per unmatched mentee
    for mentor in mentors:
        for skill_id in mentor.skills:
            teachers[skill_id].append(mentor)
    unmatched = {
        m.id: _unmatched_reason(m, teachers, edges.count(i) > 0) for i, m in enumerate(mentees) if m.id not in chosen
    }
    return CohortResult(chosen, unmatched, round(sum(s.score for s in chosen.values()), 6), seconds, solver)


def _free_places(mentors: Sequence[Mentor]) -> list[int]:
    return [max(0, m.capacity - m.active_mentees) if m.accepting else 0 for m in mentors]


def _usable_places(
    capacity: NDArray[np.int64], mentor: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Each mentor's pairs (degree) and usable places, and the owner mentor of each place: a mentor gets
    min(places left, its mentees among the pairs) places, since more could never all be filled."""
    import numpy as np

    degree = np.bincount(mentor, minlength=len(capacity))
    places = np.minimum(capacity, degree)
    return degree, places, np.repeat(np.arange(len(capacity), dtype=np.int64), places)


def _places(
    capacity: NDArray[np.int64], mentee: NDArray[np.int64], mentor: NDArray[np.int64], weight: NDArray[Any]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[Any]]:
    """The usable places and every pair repeated once per place of its mentor: (owner mentor of each place, place
    index, mentee index, weight) of each (place, mentee) edge."""
    import numpy as np

    _, places, owner = _usable_places(capacity, mentor)
    first = np.cumsum(places) - places  # each mentor's first place index
    reps = places[mentor]
    edge_first = np.repeat(np.cumsum(reps) - reps, reps)  # where each pair's run of copies starts
    place = np.repeat(first[mentor], reps) + (np.arange(int(reps.sum()), dtype=np.int64) - edge_first)
    return owner, place, np.repeat(mentee, reps), np.repeat(weight, reps)


def _assign(
    capacity: NDArray[np.int64], mentee: NDArray[np.int64], mentor: NDArray[np.int64], points: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """An optimal assignment over the given pairs only (LAPJVsp, see the module's docstring): which pairs are
    chosen. Costs are whole numbers (points), so the solver's sums are exact.

    The graph is written straight in CSR form, a row per place: its mentor's pairs (mentees ascending), then the
    place's own empty column. With the pairs ordered by (mentor, mentee), the pair behind a (place, mentee) choice
    is found by a binary search, without sorting the graph's entries."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    chosen = np.zeros(len(mentee), dtype=bool)
    degree, _, owner = _usable_places(capacity, mentor)
    n_places = len(owner)
    if not n_places:
        return chosen
    n_cols = int(mentee.max()) + 1
    by_mentor = np.lexsort((mentee, mentor))  # the pairs by (mentor, mentee)
    first = (np.cumsum(degree) - degree)[owner]  # where each place's mentor's pairs start in by_mentor
    row_len = degree[owner] + 1
    indptr = np.zeros(n_places + 1, dtype=np.int64)
    np.cumsum(row_len, out=indptr[1:])
    row = np.repeat(np.arange(n_places, dtype=np.int64), row_len)
    offset = np.arange(int(indptr[-1]), dtype=np.int64) - indptr[row]
    empty = offset == row_len[row] - 1
    pair = by_mentor[np.where(empty, 0, first[row] + offset)]
    big = float(points.max()) + 1.0
    indices = np.where(empty, n_cols + row, mentee[pair])
    costs = np.where(empty, big, big - points[pair])
    graph = csr_matrix((costs, indices, indptr), shape=(n_places, n_cols + n_places))
    assigned = min_weight_full_bipartite_matching(graph)[1]
    filled = np.flatnonzero(assigned < n_cols)
    keys = mentor[by_mentor] * n_cols + mentee[by_mentor]  # ascending: (mentor, mentee) is unique to a pair
    chosen[by_mentor[np.searchsorted(keys, owner[filled] * n_cols + assigned[filled])]] = True
    return chosen


def _prices(
    capacity: NDArray[np.int64],
    mentee: NDArray[np.int64],
    mentor: NDArray[np.int64],
    points: NDArray[np.int64],
    chosen: NDArray[np.bool_],
) -> NDArray[np.int64]:
    """Dual prices of the mentors' places for an optimal assignment of the given pairs: the largest prices p >= 0
    with (complementary slackness) p = 0 for a mentor with a place left, every chosen pair its mentee's best
    score - price among its pairs and >= 0, and every pair of an unmatched mentee at most its mentor's price. These
    are difference constraints, p[a] - p[b] <= w, solved as shortest paths from a root node (index n, price 0) by
    Bellman-Ford, vectorised (one relaxation of every constraint per round)."""
    import numpy as np

    n = len(capacity)
    if not len(mentee):
        return np.zeros(n, dtype=np.int64)  # no pairs: nothing to price
    root = n
    matched_to = np.full(int(mentee.max()) + 1, -1, dtype=np.int64)
    gain = np.zeros(len(matched_to), dtype=np.int64)
    matched_to[mentee[chosen]] = mentor[chosen]
    gain[mentee[chosen]] = points[chosen]
    taken = np.bincount(mentor[chosen], minlength=n)
    mine = matched_to[mentee]  # each pair's mentee's mentor (-1 if unmatched)
    other = (mine >= 0) & (mine != mentor)
    alone = mine < 0
    open_mentors = np.flatnonzero(taken < capacity)
    src = np.concatenate(
        [
            mentor[other],  # p[m] <= p[j] + s[i,m] - s[i,j]: i prefers its mentor m at these prices
            np.full(int(chosen.sum()), root),  # p[m] <= s[i,m]: a matched mentee gains >= 0
            mentor[alone],  # p[j] >= s[i,j]: an unmatched mentee gains nothing from any of its pairs
            np.arange(n),  # p[j] >= 0
            np.full(len(open_mentors), root),  # p[j] <= 0 where a place is left
        ]
    )
    dst = np.concatenate([mine[other], mentor[chosen], np.full(int(alone.sum()), root), np.full(n, root), open_mentors])
    weight = np.concatenate(
        [
            (gain[mentee[other]] - points[other]).astype(np.float64),
            points[chosen].astype(np.float64),
            -points[alone].astype(np.float64),
            np.zeros(n),
            np.zeros(len(open_mentors)),
        ]
    )
    order = np.argsort(dst, kind="stable")
    src, dst, weight = src[order], dst[order], weight[order]
    heads = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    targets = dst[heads]
    distance = np.full(n + 1, np.inf)
    distance[root] = 0.0
    for _ in range(n + 2):
        best = np.minimum.reduceat(distance[src] + weight, heads)
        better = best < distance[targets]
        if not better.any():
            prices = distance[:n]
            prices[~np.isfinite(prices)] = 0.0  # a mentor with no place at all: no constraint binds it
            return prices.astype(np.int64)  # whole numbers: sums and differences of points
        distance[targets[better]] = best[better]
    raise AssertionError("the assignment is not optimal over its pairs (a negative cycle of prices)")


@dataclass(frozen=True)
class Certificate:
    """Why the assignment is optimal over every eligible pair, not only those the solver looked at: mentor prices
    p >= 0 and mentee gains g_i = max(0, max_j s_ij - p_j) over ALL pairs are a feasible solution of the dual
    linear program, so (weak duality) no assignment scores more than bound = sum(g) + sum(places x p). Scores
    are whole millionths, so total == bound proves the assignment optimal."""

    total: int  # the assignment's total, in millionths
    bound: int  # the dual bound, in millionths
    rounds: int  # how many times pairs were added and the assignment solved again
    pairs_used: int  # how many pairs the last assignment was solved over

    @property
    def ratio(self) -> float:
        return self.total / self.bound if self.bound else 1.0


# The first pairs tried: each mentee's best few. The certificate then finds every pair that could still improve the
# assignment (a positive reduced cost) and the loop adds those: few rounds, since an optimal assignment rarely
# gives a mentee a mentor outside its own best ones. Each round solves the assignment again from scratch, so the
# rounds cost more than the pairs: 32 a mentee took 3 rounds on the bench's 5,000 x 1,000 cohort and three others
# (24 took 3-5; solve 0.62 -> 0.37 s on the bench's, equal or faster on the others), and 6 rounds instead of 7 on
# the 50,000 x 10,000 one (56 -> 59 s, the same peak memory).
FIRST_PAIRS_PER_MENTEE = 32
MORE_PAIRS_PER_MENTEE = 32


def _mentee_blocks(edges: Edges) -> Iterator[tuple[int, int, int, int]]:
    """(first mentee, past the last, first pair, past the last pair) of each block of mentees: a block's pairs fit
    a dense (block x mentors) matrix of BLOCK_CELLS."""
    block = max(1, BLOCK_CELLS // max(len(edges.mentors), 1))
    for lo in range(0, len(edges.mentees), block):
        hi = min(lo + block, len(edges.mentees))
        yield lo, hi, int(edges.start[lo]), int(edges.start[hi])


def _top_per_row(row: NDArray[np.int64], value: NDArray[np.int64], rows: int, keep: int) -> NDArray[np.int64]:
    """The indices of each row's `keep` highest values (0 <= value < 2^20), in linear time but for a sort of the few
    that survive a first cut: one histogram per row finds the bucket its keep-th best lies in, and only values
    from that bucket up are sorted."""
    import numpy as np

    buckets = 256
    bucket = value >> 12
    counts = np.bincount(row * buckets + bucket, minlength=rows * buckets).reshape(rows, buckets)
    at_least = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1]  # at_least[r, b]: row r's values in bucket b or above
    cut = np.maximum((at_least >= keep).sum(axis=1) - 1, 0)  # the highest bucket with keep values from it up
    survivors = np.flatnonzero(bucket >= cut[row])
    order = survivors[np.lexsort((-value[survivors], row[survivors]))]
    ranked = row[order]
    first_of_row = np.searchsorted(ranked, ranked, side="left")
    return order[np.arange(len(order)) - first_of_row < keep]


def _best_per_mentee(
    edges: Edges, prices: NDArray[np.int64], floor: NDArray[np.int64] | None, keep: int
) -> NDArray[np.int64]:
    """The positions of each mentee's `keep` pairs of highest score - price, of those above floor[mentee] if
    given; a block of mentees at a time."""
    import numpy as np

    found: list[NDArray[np.int64]] = []
    for lo, hi, first, last in _mentee_blocks(edges):
        local = np.repeat(np.arange(hi - lo), np.diff(edges.start[lo : hi + 1]))
        value = edges.points[first:last].astype(np.int64) - prices[edges.mentor[first:last]]
        candidates = np.flatnonzero(value > (floor[lo:hi][local] if floor is not None else -1))
        picked = _top_per_row(local[candidates], np.maximum(value[candidates], 0), hi - lo, keep)
        found.append(first + candidates[picked])
    return np.sort(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)


def _mentee_of(edges: Edges, positions: NDArray[np.int64]) -> NDArray[np.int64]:
    import numpy as np

    return np.searchsorted(edges.start, positions, side="right") - 1


def _gains(edges: Edges, prices: NDArray[np.int64]) -> NDArray[np.int64]:
    """Each mentee's best score - price over ALL of its pairs, 0 if none is positive: the dual's other half."""
    import numpy as np

    gains = np.zeros(len(edges.mentees), dtype=np.int64)
    for lo, hi, first, last in _mentee_blocks(edges):
        starts = edges.start[lo:hi]
        has = np.flatnonzero(np.diff(edges.start[lo : hi + 1]) > 0)
        if len(has):
            reduced = edges.points[first:last].astype(np.int64) - prices[edges.mentor[first:last]]
            gains[lo + has] = np.maximum(np.maximum.reduceat(reduced, starts[has] - first), 0)
    return gains


def solve_exact(mentors: Sequence[Mentor], mentees: Sequence[Mentee], edges: Edges | None = None) -> CohortResult:
    """The optimal assignment, proven optimal over every eligible pair (see Certificate): solve over each mentee's
    best pairs, price the mentors' places from that solution, add every pair the prices say could still improve it,
    and again, until the dual bound equals the total."""
    result, _ = solve_certified(mentors, mentees, edges)
    return result


def solve_certified(
    mentors: Sequence[Mentor], mentees: Sequence[Mentee], edges: Edges | None = None
) -> tuple[CohortResult, Certificate]:
    import numpy as np

    edges = eligible_edges(mentors, mentees) if edges is None else edges
    started = time.perf_counter()
    capacity = np.array(_free_places(mentors), dtype=np.int64)
    prices: NDArray[np.int64] = np.zeros(len(mentors), dtype=np.int64)
    pairs: NDArray[np.int64] = _best_per_mentee(edges, prices, None, FIRST_PAIRS_PER_MENTEE)
    rounds = 0
    while True:
        rounds += 1
        mentee, mentor = _mentee_of(edges, pairs), edges.mentor[pairs].astype(np.int64)
        points = edges.points[pairs].astype(np.int64)
        chosen = _assign(capacity, mentee, mentor, points)
        prices = _prices(capacity, mentee, mentor, points, chosen)
        total = int(points[chosen].sum())
        bound = int(_gains(edges, prices).sum() + (capacity * prices).sum())
        if bound == total:
            break
        # The gains over the pairs used so far: a pair beating its mentee's could still improve the assignment, and
        # there is one (the bound exceeds the total only through such a pair), not yet among the pairs.
        used = np.zeros(len(mentees), dtype=np.int64)
        np.maximum.at(used, mentee, points - prices[mentor])
        more = _best_per_mentee(edges, prices, used, MORE_PAIRS_PER_MENTEE)
        if not len(np.setdiff1d(more, pairs)):
            raise AssertionError("the dual bound exceeds the total but no pair could improve the assignment")
        pairs = np.union1d(pairs, more)
    matches = {
        mentees[i].id: edges.explain(i, j)
        for i, j in zip(mentee[chosen].tolist(), mentor[chosen].tolist(), strict=True)
    }
    result = _result(mentees, mentors, edges, matches, time.perf_counter() - started, "lapjvsp-certified")
    return result, Certificate(total=total, bound=bound, rounds=rounds, pairs_used=len(pairs))


def solve_dense(mentors: Sequence[Mentor], mentees: Sequence[Mentee], edges: Edges | None = None) -> CohortResult:
    """Reference: the full (mentees x places) score matrix through linear_sum_assignment (exact, dense)."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    edges = eligible_edges(mentors, mentees) if edges is None else edges
    started = time.perf_counter()
    capacity = np.array(_free_places(mentors), dtype=np.int64)
    owner, place, mentee, scores = _places(capacity, edges.mentee, edges.mentor.astype(np.int64), edges.score)
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
    mentee = edges.mentee  # made on each access: once here
    mentee_of, mentor_of = mentee.tolist(), edges.mentor.tolist()
    for e in np.lexsort((edges.mentor, mentee, -edges.score)).tolist():
        i, j = mentee_of[e], mentor_of[e]
        if not taken[i] and room[j] > 0:
            taken[i] = True
            room[j] -= 1
            chosen[mentees[i].id] = edges.explain(i, j)
    return _result(mentees, mentors, edges, chosen, time.perf_counter() - started, "greedy")
