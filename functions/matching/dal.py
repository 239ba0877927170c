"""SQL of the matching function: candidate mentors (indexed, ranked by goal coverage in SQL), the facts scoring
needs, mentorship requests, and cohort runs."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from matching.scoring import FULL_OVERLAP_HOURS, WEIGHTS, Mentee, Mentor, Window, to_utc_week
from shared.paging import keyset_params

Conn = psycopg.Connection[dict[str, Any]]


def candidates_sql(weights: dict[str, float], full_overlap_hours: float) -> str:
    """The candidate ranking in SQL, its weights and full-overlap hours those of matching.scoring (one source).

    Candidates ranked in SQL by the scoring weights; Python re-scores the pool and decides. The mentor_search read
    model holds only open mentors, one row per skill, with every per-mentor fact, so each goal is one index-only
    range scan on (skill_id, level) (a goal left unread is looked up by primary key, step 2). A mentor's skill
    share sums over the goals it covers; the rest of its score is the same on each of its rows (max picks it). All
    float8 arithmetic: numeric would cost more than the scan.

    Two steps, and the answer is the single ranking over every candidate (tests/integration/matching holds it to
    the exact scorer over every mentor):
    1. `meeting`: the mentors whose week overlaps the mentee's, scored in full (their weeks are intersected), best
       `pool` kept. All rows of a mentor share its week, so each is grouped whole. Whether two weeks meet is asked
       of their bucket summaries first (public.week_buckets), of the multiranges only when the summaries share a bit;
       and the rows asked are read from mentor_search_by_bucket, under the buckets the mentee is free in only (a
       mentor's row counted under the lowest bucket the two weeks share).
       The weeks are intersected only for mentors who could make the pool. Each meeting mentor's score has an
       upper bound without intersecting: its skills and fixed part plus the availability share of 15 minutes for
       every quarter hour both weeks have a minute in (public.week_slots; exact when the windows start and end on
       quarter hours), never more than the mentee's whole week gives. The `pool` mentors with the best bounds are
       scored in full (`likely`); the worst of those scores is a floor the pool-th best score reaches, and a mentor
       whose bound stays below it is not in the pool (at 500 k mentors, a one-goal mentee whose goal thousands of
       mentors cover in full: 241 weeks intersected of 21,203, against 16,806 with the skills-and-fixed floor the
       step used before).
    2. `apart`: every other mentor has no availability share, so its score is its skill share plus a fixed part
       (language, rating, room). Once `meeting` has `pool` mentors, the pool-th score is a floor that the answer's
       last mentor reaches; a row is kept only if its own goal's share, its fixed part, and the best share of each
       other goal could reach that floor, the last counted only when the mentor's skill signature (skill_bits, see
       its migration) shares a bit with the other goals' (every row of a mentor is such a bound on the mentor's
       score, so a mentor who can reach the floor keeps all its rows and one who cannot ranks below the floor even
       when partly grouped). When even a mentor covering every goal fully with the highest fixed part (language,
       a 5.0 rating, every place free) stays below the floor, the step reads no row at all: the scan sits under a
       one-time filter.
       Nor does it read every goal (`need`, `scanned`): if a mentor must cover c of the n goals to reach the floor
       (c - 1 goals' best shares and the highest fixed part stay below it), it covers one of any n - c + 1 of
       them, so only the n - c + 1 goals with the fewest mentors are read (counted, up to 2,000, in one bucket of
       the mentee's week); the mentors found there are grouped, and a goal that was not read is looked up by
       primary key for a mentor whose skill signature has its bit and whose bound, with that goal's best share,
       reaches the floor. At 500 k mentors most two- and three-goal mentees need every goal (c = n: the rarest
       goal's 9,878 rows read rather than the two goals' 204,313, for one of them).
    The floor gives up 1e-9 to float rounding (the bound and the score add the same terms in another order)."""
    w = {name: f"{float(value)!r}::float8" for name, value in weights.items()}
    full_minutes = f"{float(full_overlap_hours * 60)!r}::float8"
    share = f"{w['skills']} * least(s.level - g.current_level, g.gap) / g.gap / g.n"
    fixed = (
        f"case when s.languages && me.languages then {w['languages']} else 0::float8 end"
        f" + {w['rating']} * coalesce(s.rating, 3::float8) / 5 + {w['room']} * s.room"
    )

    def availability(minutes: str) -> str:
        return f"{w['availability']} * least(1::float8, coalesce({minutes}, 0) / {full_minutes})"

    def minutes_of(week: str) -> str:
        return f"(select sum(upper(r) - lower(r)) from unnest({week}) r)"

    highest_fixed = f"{w['languages']} + {w['rating']} + {w['room']}"

    def exact(m: str) -> str:
        """A met mentor's score (its week intersected with the mentee's)."""
        return f"{m}.shares + ({m}.fixed + {availability(minutes_of(f'{m}.week_utc * me.week_utc'))})"

    # A bound of that score from the weeks' 15-minute slots (public.week_slots: 15 minutes for each slot both weeks
    # have a minute in bound their overlap), never above the mentee's whole week.
    bound = f"m.shares + m.fixed + least(me.most, {availability('15 * m.slots')})"

    def pool_floor(scores: str) -> str:
        """The worst of `scores` when they fill the pool (less 1e-9 for rounding), else no floor."""
        return (
            "select case when count(*) = %(pool)s then min(score) - 1e-9 else '-infinity'::float8 end as score"
            f" from {scores}"
        )

    # The weeks' bucket summaries first (public.week_buckets: no shared bit, no shared minute), the multirange test
    # only when they share one. A CASE, because the planner orders a row's tests by its own cost estimates and would
    # put the multirange comparison first. `me` is materialized so that the mentee's summary is computed once: were
    # the planner to inline it, week_buckets would run on every row read (a scan of a goal's rows at 500 k mentors
    # measured 14 ms, and 810 ms with the summary inlined).
    def meets_after(cheap: str) -> str:
        return f"(case when {cheap} then s.week_utc && me.week_utc else false end)"

    meets = meets_after("s.week_buckets & me.buckets <> 0")
    # A mentor's row is read once per bucket the mentee is free in and the mentor too (mentor_search_by_bucket);
    # it counts under the lowest of them (x & -x keeps the lowest bit of x; bits 0..62 keep x positive), and only
    # then are the weeks compared (measured at 500 k: 37-43 ms -> 33 ms for the statement with this order).
    first_shared = "(s.week_buckets & me.buckets) & -(s.week_buckets & me.buckets) = 1::bigint << mine.bucket"
    return f"""
with me as materialized (
  select languages, week_utc, buckets, public.week_slots(week_utc) as slots,
         {availability(minutes_of("week_utc"))} as most,
         array(select b::smallint from generate_series(0, 62) b where buckets & (1::bigint << b) <> 0) as free_in
    from public.mentee_profiles, public.week_buckets(week_utc) buckets where user_id = %(me)s
), goals as (
  select skill_id, current_level, (target_level - current_level)::float8 as gap, count(*) over ()::float8 as n
    from public.mentee_goals where mentee_id = %(me)s
), reach as (
  select g.*, {w["skills"]} * least(5 - g.current_level, g.gap) / g.gap / g.n as best,
         (select coalesce(bit_or(1::bigint << (o.skill_id %% 64)::integer), 0) from goals o
           where o.skill_id <> g.skill_id) as others
    from goals g
), met as (
  select s.mentor_id, s.week_utc, sum({share}) as shares, max({fixed}) as fixed,
         max(bit_count(s.week_slots & me.slots)) as slots
    from goals g
    cross join me
    cross join unnest(me.free_in) as mine(bucket)
    join public.mentor_search_by_bucket s
      on s.skill_id = g.skill_id and s.bucket = mine.bucket and s.level > g.current_level
   where s.mentor_id <> %(me)s and {meets_after(first_shared)}
   group by s.mentor_id, s.week_utc
), likely as (
  select {exact("b")} as score
    from (select m.shares, m.fixed, m.week_utc from met m cross join me order by {bound} desc limit %(pool)s) b
   cross join me
), least_met as (
  {pool_floor("likely")}
), meeting as (
  select m.mentor_id, {exact("m")} as score
    from met m cross join me
   where {bound} >= (select score from least_met)
   order by score desc, m.mentor_id
   limit %(pool)s
), floor as (
  {pool_floor("meeting")}
), need as (
  -- (the fewest goals whose best shares and the highest fixed part reach the floor; all of them if none do, and
  -- then the one-time filter of `found` reads nothing)
  select min(k) as goals, max(k) as n
    from (select row_number() over w as k, sum(best) over w + {highest_fixed} as most
            from reach window w as (order by best desc rows between unbounded preceding and current row)) t
   where most >= (select score from floor) or k = (select count(*) from reach)
), scanned as (
  select g.* from reach g
   order by case when (select goals from need) <= 1 then 0 else
              (select count(*) from (select from public.mentor_search_by_bucket c
                                      where c.skill_id = g.skill_id and c.bucket = (select free_in[1] from me)
                                        and c.level > g.current_level limit 2000) c) end,
            g.skill_id
   limit (select n - goals + 1 from need)
), found as (
  select s.mentor_id, sum({share}) as shares, max({fixed}) as fixed, max(s.skill_bits) as bits
    from scanned g
    join public.mentor_search s on s.skill_id = g.skill_id and s.level > g.current_level
    cross join me
   where (select score from floor) <= (select sum(best) from reach) + {highest_fixed}
     and (s.skill_bits & g.others <> 0 or g.best + {highest_fixed} >= (select score from floor))
     and s.mentor_id <> %(me)s and not {meets}
     and {share} + {fixed}
         + case when s.skill_bits & g.others <> 0 then (select sum(best) from reach) - g.best else 0::float8 end
         >= (select score from floor)
   group by s.mentor_id
), unscanned as (
  select coalesce(bit_or(1::bigint << (g.skill_id %% 64)::integer), 0) as bits, coalesce(sum(g.best), 0) as best
    from reach g where g.skill_id not in (select skill_id from scanned)
), apart as (
  select f.mentor_id,
         f.shares
         + case when f.bits & u.bits = 0 then 0::float8 else coalesce((
             select sum({share})
               from reach g
               join public.mentor_search s on s.mentor_id = f.mentor_id and s.skill_id = g.skill_id
              where g.skill_id not in (select skill_id from scanned) and s.level > g.current_level), 0) end
         + f.fixed as score
    from found f cross join unscanned u
   where f.shares + f.fixed + case when f.bits & u.bits = 0 then 0::float8 else u.best end
         >= (select score from floor)
   order by score desc, f.mentor_id
   limit %(pool)s
)
select mentor_id, score from (select * from meeting union all select * from apart) candidates
 order by score desc, mentor_id
 limit %(pool)s
"""


_CANDIDATES = candidates_sql(WEIGHTS, FULL_OVERLAP_HOURS)


class MatchingRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    # Facts for scoring: one query each for any number of mentees or mentors -----------------------------
    def _mentees(self, ids: list[UUID], week_of: date) -> dict[UUID, Mentee]:
        rows = self.conn.execute(
            """
            select mp.user_id, mp.languages, mp.timezone,
                   coalesce((select json_agg(json_build_array(g.skill_id, g.current_level, g.target_level))
                               from public.mentee_goals g where g.mentee_id = mp.user_id), '[]') as goals,
                   coalesce((select json_agg(json_build_array(w.weekday, w.start_minute, w.end_minute))
                               from public.availability_windows w where w.user_id = mp.user_id), '[]') as windows
              from public.mentee_profiles mp where mp.user_id = any(%s)
            """,
            (ids,),
        ).fetchall()
        return {
            r["user_id"]: Mentee(
                id=str(r["user_id"]),
                goals={skill: (current, target) for skill, current, target in r["goals"]},
                languages=frozenset(r["languages"]),
                week=to_utc_week([Window(*w) for w in r["windows"]], r["timezone"], week_of),
            )
            for r in rows
        }

    def mentees(self, ids: list[UUID], week_of: date) -> list[Mentee]:
        """The mentees' goals, languages and UTC week, in the order of `ids`; one without a mentee profile comes
        back with no goals (so the cohort reports why they were not matched)."""
        found = self._mentees(ids, week_of)
        return [found.get(user_id) or Mentee(id=str(user_id), goals={}, languages=frozenset()) for user_id in ids]

    def mentee(self, user_id: UUID, week_of: date) -> Mentee | None:
        return self._mentees([user_id], week_of).get(user_id)

    def candidates(self, mentee_id: UUID, pool: int) -> list[tuple[UUID, float]]:
        rows = self.conn.execute(_CANDIDATES, {"me": mentee_id, "pool": pool}).fetchall()
        return [(r["mentor_id"], float(r["score"])) for r in rows]

    def mentors_named(self, ids: list[UUID], week_of: date) -> list[tuple[Mentor, str]]:
        """The mentors' scoring facts (skills, places, languages, rating, UTC week) and display names."""
        if not ids:
            return []
        rows = self.conn.execute(
            """
            select mp.user_id, mp.accepting, mp.capacity, mp.active_mentees, mp.years_experience, mp.languages,
                   mp.timezone, p.display_name,
                   (select avg(r.rating)::float8 from public.reviews r where r.host_id = mp.user_id) as rating,
                   coalesce((select json_agg(json_build_array(s.skill_id, s.level))
                               from public.mentor_skills s where s.mentor_id = mp.user_id), '[]') as skills,
                   coalesce((select json_agg(json_build_array(w.weekday, w.start_minute, w.end_minute))
                               from public.availability_windows w where w.user_id = mp.user_id), '[]') as windows
              from public.mentor_profiles mp join public.profiles p on p.id = mp.user_id
             where mp.user_id = any(%s)
            """,
            (ids,),
        ).fetchall()
        return [
            (
                Mentor(
                    id=str(r["user_id"]),
                    skills=dict(r["skills"]),
                    capacity=r["capacity"],
                    active_mentees=r["active_mentees"],
                    accepting=r["accepting"],
                    languages=frozenset(r["languages"]),
                    years=float(r["years_experience"]),
                    rating=r["rating"],
                    week=to_utc_week([Window(*w) for w in r["windows"]], r["timezone"], week_of),
                ),
                r["display_name"],
            )
            for r in rows
        ]

    def mentors(self, ids: list[UUID], week_of: date) -> list[Mentor]:
        return [mentor for mentor, _ in self.mentors_named(ids, week_of)]

    # Mentorships -------------------------------------------------------------------------------------
    def request(self, mentor_id: UUID, message: str, ttl_days: int) -> dict[str, Any]:
        row = self.conn.execute(
            "select * from public.request_mentorship(%s, %s, make_interval(days => %s))", (mentor_id, message, ttl_days)
        ).fetchone()
        assert row is not None
        return row

    def respond(self, mentorship_id: UUID, accept: bool) -> dict[str, Any]:
        row = self.conn.execute("select * from public.respond_mentorship(%s, %s)", (mentorship_id, accept)).fetchone()
        assert row is not None
        return row

    def end(self, mentorship_id: UUID) -> dict[str, Any]:
        row = self.conn.execute("select * from public.end_mentorship(%s)", (mentorship_id,)).fetchone()
        assert row is not None
        return row

    def mentorships(self, user_id: UUID, *, after: tuple[Any, ...] | None, limit: int) -> list[dict[str, Any]]:
        return self.conn.execute(
            """
            select m.*, pm.display_name as mentor_name, pe.display_name as mentee_name
              from public.mentorships m
              join public.profiles pm on pm.id = m.mentor_id
              join public.profiles pe on pe.id = m.mentee_id
             where (m.mentor_id = %(u)s or m.mentee_id = %(u)s) and m.status in ('requested', 'active')
               and (%(at)s::timestamptz is null or (m.created_at, m.id) < (%(at)s, %(id)s::uuid))
             order by m.created_at desc, m.id desc
             limit %(limit)s
            """,
            {"u": user_id, "limit": limit, **keyset_params(after, "at", "id")},
        ).fetchall()

    # Cohorts -----------------------------------------------------------------------------------------
    def program_members(self, program_id: UUID) -> tuple[list[UUID], list[UUID]] | None:
        if self.conn.execute("select 1 from public.programs where id = %s", (program_id,)).fetchone() is None:
            return None
        rows = self.conn.execute(
            "select user_id, role from public.program_members where program_id = %s", (program_id,)
        ).fetchall()
        return [r["user_id"] for r in rows if r["role"] == "mentor"], [
            r["user_id"] for r in rows if r["role"] == "mentee"
        ]

    def queue_run(self, program_id: UUID, created_by: UUID) -> UUID | None:
        """A queued run of the program's cohort; None if there is no such program."""
        row = self.conn.execute(
            "insert into public.cohort_runs (program_id, created_by)"
            " select id, %s from public.programs where id = %s returning id",
            (created_by, program_id),
        ).fetchone()
        return row["id"] if row else None

    def claim_run(self, run_id: UUID) -> UUID | None:
        """Queued -> running, once: the program id, or None if the run was already claimed (or does not exist)."""
        row = self.conn.execute(
            "update public.cohort_runs set status = 'running' where id = %s and status = 'queued' returning program_id",
            (run_id,),
        ).fetchone()
        return row["program_id"] if row else None

    def complete_run(
        self,
        run_id: UUID,
        total: float,
        solver: str,
        solve_ms: int,
        matches: list[tuple[str, str, float, dict[str, Any]]],
        unmatched: list[tuple[str, str]],
    ) -> None:
        self.conn.execute(
            "update public.cohort_runs set status = 'proposed', total_score = %s, solver = %s, solve_ms = %s,"
            " finished_at = now() where id = %s and status = 'running'",
            (total, solver, solve_ms, run_id),
        )
        with self.conn.cursor() as cur:
            cur.executemany(
                "insert into public.proposed_matches (run_id, mentee_id, mentor_id, score, explanation)"
                " values (%s, %s, %s, %s, %s)",
                [(run_id, mentee, mentor, score, Jsonb(why)) for mentee, mentor, score, why in matches],
            )
            cur.executemany(
                "insert into public.unmatched_mentees (run_id, mentee_id, reason) values (%s, %s, %s)",
                [(run_id, mentee, reason) for mentee, reason in unmatched],
            )

    def fail_run(self, run_id: UUID, error: str) -> None:
        self.conn.execute(
            "update public.cohort_runs set status = 'failed', error = %s, finished_at = now()"
            " where id = %s and status in ('queued', 'running')",
            (error[:2000], run_id),
        )

    def run(self, run_id: UUID) -> dict[str, Any] | None:
        """The run's head, with how many matches and unmatched mentees it has."""
        return self.conn.execute(
            """
            select r.*, (select count(*) from public.proposed_matches m where m.run_id = r.id) as match_count,
                   (select count(*) from public.unmatched_mentees u where u.run_id = r.id) as unmatched_count
            from public.cohort_runs r where r.id = %s
            """,
            (run_id,),
        ).fetchone()

    def matches(self, run_id: UUID, *, after: tuple[Any, ...] | None, limit: int) -> list[dict[str, Any]]:
        """Proposed matches, best score first (ties by mentee id), a page at a time."""
        return self.conn.execute(
            """
            select mentee_id, mentor_id, score, explanation from public.proposed_matches
            where run_id = %(run)s
              and (%(after_score)s::float8 is null
                   or (score, mentee_id) < (%(after_score)s::float8, %(after_id)s::uuid))
            order by score desc, mentee_id desc
            limit %(limit)s
            """,
            {"run": run_id, **keyset_params(after, "after_score", "after_id"), "limit": limit},
        ).fetchall()

    def unmatched(self, run_id: UUID, *, after: tuple[Any, ...] | None, limit: int) -> list[dict[str, Any]]:
        return self.conn.execute(
            """
            select mentee_id, reason from public.unmatched_mentees
            where run_id = %(run)s and (%(after_id)s::uuid is null or mentee_id > %(after_id)s::uuid)
            order by mentee_id
            limit %(limit)s
            """,
            {"run": run_id, **keyset_params(after, "after_id"), "limit": limit},
        ).fetchall()

    def confirm(self, run_id: UUID) -> int:
        row = self.conn.execute("select public.confirm_cohort_run(%s) as n", (run_id,)).fetchone()
        return int(row["n"]) if row else 0
