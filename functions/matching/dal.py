"""SQL of the matching function: candidate mentors (indexed, ranked by goal coverage in SQL), the facts scoring
needs, mentorship requests, and cohort runs."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from matching.scoring import Mentee, Mentor, Window, to_utc_week
from shared.paging import keyset_params

Conn = psycopg.Connection[dict[str, Any]]

# The rows of the rarest goal read in each bucket of the mentee's week for the first floor (candidates_sql): 100,
# 300 and 1,000 measured, 300 the fastest at 500 k mentors and no slower at 50 k.
PROBE = 300
MAX_POOL = 1000  # the most mentors the ranking function returns, whoever calls it


def candidates_sql(weights: dict[str, float], full_overlap_hours: float, probe: int = PROBE) -> str:
    """The candidate ranking in SQL, its weights and full-overlap hours those of matching.scoring (one source): the
    body of public.mentor_candidates(p_pool), which ranks for the caller (p_mentee); candidates_function writes its
    migration, and a test holds the function in the database equal to this text.

    Candidates ranked in SQL by the scoring weights; Python re-scores the pool and decides. The mentor_search read
    model holds only open mentors, one row per skill, with every per-mentor fact, so each goal is one index-only
    range scan on (skill_id, level) (a goal left unread is looked up by primary key). A mentor's skill share sums
    over the goals it covers; the rest of its score is the same on each of its rows (max picks it). All float8
    arithmetic: numeric would cost more than the scan.

    Two steps, and the answer is the single ranking over every candidate (tests/integration/matching holds it to
    the exact scorer over every mentor):
    1. `meeting`: the mentors whose week overlaps the mentee's, scored in full (their weeks are intersected), best
       `pool` kept. Whether two weeks meet is asked of their bucket summaries first (public.week_buckets), of the
       multiranges only when the summaries share a bit; and the rows asked are read from mentor_search_by_bucket,
       under the buckets the mentee is free in only (a mentor's row counted under the lowest bucket the two weeks
       share).
       First a floor (`probe`, `near_floor`): the rarest goal's meeting rows, at most `probe` in each bucket of the
       mentee's week, highest levels first, each bounding its mentor's score by the row's share, the other goals'
       best shares when its skill signature (skill_bits) has one of their bits, its fixed part and its availability
       bound (below); the 2 x `pool` best bounded are scored in full (other goals looked up by primary key), and the
       pool-th of those real scores is a floor the pool-th best reaches. Every row read after it must bound its
       mentor at or above it, or it is dropped before its week is compared (a mentor's every row bounds its score,
       so a mentor who reaches the floor keeps all of its rows); the comparison of languages comes last, after the
       same bound with a shared language granted. At 500 k mentors a one-goal mentee free in two buckets groups
       3,396 of 34,030 rows read instead of 23,366. (Before, the floor came from every meeting row of the rarest
       goal, a second full read of it, and bounded nothing in the rows grouped.)
       Not every goal is read (`need_met`, `read`). The goals are ranked by how many mentors they have (counted, up
       to 2,000, in one bucket of the mentee's week). If a mentor must cover c of the n goals to reach the floor
       (c - 1 goals' best shares, the highest fixed part and the mentee's whole week stay below it), it covers one
       of any n - c + 1 of them: only the n - c + 1 rarest goals are read and grouped per mentor, and a goal left
       unread is looked up by primary key for the mentors scored in full whose signature has its bit. The goals
       left unread add to a bound only as many of their best shares as the signature has of their bits (`tops`).
       The weeks are intersected only for mentors who could make the pool. Each meeting mentor's score has an
       upper bound without intersecting: its skills (unread goals at their best share, when its signature has
       their bit) and fixed part plus the availability share of 15 minutes for every quarter hour both weeks have
       a minute in (public.week_slots; exact when the windows start and end on quarter hours), never more than the
       mentee's whole week gives. The `pool` mentors with the best bounds are scored in full (`likely`); the worst
       of those scores is a floor the pool-th best score reaches, and a mentor whose bound stays below it is not in
       the pool (at 500 k mentors, a one-goal mentee whose goal thousands of mentors cover in full: 241 weeks
       intersected of 21,203).
    2. `apart`: every other mentor has no availability share, so its score is its skill share plus a fixed part
       (language, rating, room). Once `meeting` has `pool` mentors, the pool-th score is a floor that the answer's
       last mentor reaches; a row is kept only if its own goal's share, its fixed part, and the best share of each
       other goal could reach that floor, the last counted only when the mentor's skill signature shares a bit with
       the other goals' (every row of a mentor is such a bound on the mentor's score, so a mentor who can reach the
       floor keeps all its rows and one who cannot ranks below the floor even when partly grouped). When even a
       mentor covering every goal fully with the highest fixed part (language, a 5.0 rating, every place free)
       stays below the floor, the step reads no row at all: the scan sits under a one-time filter.
       Here too only the n - c + 1 rarest goals are read (`need`, `scanned`), c now from the floor without an
       availability share, and a goal that was not read is looked up by primary key for a mentor whose skill
       signature has its bit and whose bound, with the best shares of as many unread goals as the signature has of
       their bits, reaches the floor (at 500 k mentors, one three-goal mentee's look-ups 10,797 -> 636).
    Every floor gives up 1e-9 to float rounding (a bound and a score add the same terms in another order)."""
    w = {name: f"{float(value)!r}::float8" for name, value in weights.items()}
    full_minutes = f"{float(full_overlap_hours * 60)!r}::float8"

    def share_of(t: str, o: str) -> str:
        """The share of goal {o}'s gap that a mentor row {t} covers."""
        return f"{w['skills']} * least({t}.level - {o}.current_level, {o}.gap) / {o}.gap / {o}.n"

    share = share_of("s", "g")
    static = f"{w['rating']} * coalesce(s.rating, 3::float8) / 5 + {w['room']} * s.room"  # rating and room
    fixed = f"case when s.languages && me.languages then {w['languages']} else 0::float8 end + {static}"

    def availability(minutes: str) -> str:
        return f"{w['availability']} * least(1::float8, coalesce({minutes}, 0) / {full_minutes})"

    def minutes_of(week: str) -> str:
        return f"(select sum(upper(r) - lower(r)) from unnest({week}) r)"

    highest_fixed = f"{w['languages']} + {w['rating']} + {w['room']}"

    def looked_up(m: str, goals: str) -> str:
        """The shares of the goals `goals` selects (from reach o) that mentor {m} covers, by primary key."""
        return (
            f"coalesce((select sum({share_of('t', 'o')}) from reach o join public.mentor_search t"
            f" on t.mentor_id = {m}.mentor_id and t.skill_id = o.skill_id"
            f" where {goals} and t.level > o.current_level), 0::float8)"
        )

    def exact(m: str, shares: str, missing_bits: str, missing: str) -> str:
        """A meeting mentor {m}'s score: `shares` (of the goals read), the goals `missing` selects looked up when its
        skill signature has one of `missing_bits`, its fixed part, and its week intersected with the mentee's."""
        looked = f"case when {m}.bits & {missing_bits} = 0 then 0::float8 else {looked_up(m, missing)} end"
        return f"{shares} + {looked} + ({m}.fixed + {availability(minutes_of(f'{m}.week_utc * me.week_utc'))})"

    def bound(m: str, shares: str, missing_bits: str, missing_best: str) -> str:
        """An upper bound of that score without looking up or intersecting: the missing goals at their best shares
        (`missing_best`), and the weeks' 15-minute slots (public.week_slots: 15 minutes for each slot both weeks
        have a minute in bound their overlap), never above the mentee's whole week."""
        return (
            f"{shares} + case when {m}.bits & {missing_bits} = 0 then 0::float8 else {missing_best} end"
            f" + {m}.fixed + least(me.most, {availability(f'15 * {m}.slots')})"
        )

    def tops(m: str) -> str:
        """The most the left-out goals (u) whose bits mentor {m}'s signature has can add."""
        return f"u.tops[bit_count(({m}.bits & u.bits)::bit(64))::integer + 1]"

    met_exact = exact("m", "m.shares", "u.bits", "o.skill_id not in (select skill_id from read)")
    met_bound = bound("m", "m.shares", "u.bits", tops("m"))
    near_scores = (
        f"(select score from (select {exact('m', 'm.share', 'm.others', 'o.skill_id <> m.skill_id')} as score"
        f" from probe m cross join me"
        f" order by {bound('m', 'm.share', 'm.others', 'm.rest')} desc limit 2 * p_pool) y"
        " order by score desc limit p_pool) x"
    )
    fewest = (
        "(select count(*) from (select from public.mentor_search_by_bucket c"
        " where c.skill_id = g.skill_id and c.bucket = (select free_in[1] from me)"
        " and c.level > g.current_level limit 2000) c)"
    )

    def fewest_goals(floor: str, most: str) -> str:
        """The fewest goals a mentor must cover to reach `floor`: the smallest k whose k best shares plus `most` (the
        most the rest of a score can add) reach it; all the goals if none do."""
        return (
            "select min(k) as goals, max(k) as n"
            f" from (select row_number() over w as k, sum(best) over w + {most} as most from reach"
            "        window w as (order by best desc rows between unbounded preceding and current row)) t"
            f" where most >= (select score from {floor}) or k = (select count(*) from reach)"
        )

    def left_out(goals: str) -> str:
        """The signature and the summed best shares of the goals not in `goals`, and `tops`: tops[j + 1] is the most
        j of the signature's bits can add (the j best of the bits' summed best shares, a bit standing for every goal
        whose skill it is), so a mentor with j of those bits set gains at most that from them."""
        return (
            "with l as (select 1::bigint << (g.skill_id % 64)::integer as bit, g.best from reach g"
            f"            where g.skill_id not in (select skill_id from {goals}))"
            " select coalesce((select bit_or(bit) from l), 0) as bits, coalesce((select sum(best) from l), 0) as best,"
            " array[0::float8] || array(select sum(b.best) over (order by b.best desc rows unbounded preceding)"
            "   from (select sum(best) as best from l group by bit) b order by b.best desc) as tops"
        )

    def pool_floor(scores: str) -> str:
        """The worst of `scores` when they fill the pool (less 1e-9 for rounding), else no floor."""
        return (
            "select case when count(*) = p_pool then min(score) - 1e-9 else '-infinity'::float8 end as score"
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

    def row_bound(floor: str) -> str:
        """A row's bound on its mentor's score (its share, the other goals' best shares when its signature has one of
        their bits, its fixed part, its slots) reaches `floor`: first with a shared language granted (the languages'
        comparison costs more than the rest of the bound), then with the row's own."""
        rest = f"{share} + case when s.skill_bits & g.others = 0 then 0::float8 else g.rest end"
        slots = f"least(me.most, {availability('15 * bit_count(s.week_slots & me.slots)')})"
        return (
            f"{rest} + {w['languages']} + {static} + {slots} >= (select score from {floor})"
            f" and ({rest} + {fixed} + {slots} >= (select score from {floor}))"
        )

    # The facts of a bucket row s (of goal g) that a meeting mentor's bound and score are made of.
    row_facts = (
        f"s.mentor_id, s.week_utc, {share} as share, {fixed} as fixed, bit_count(s.week_slots & me.slots) as slots,"
        " s.skill_bits as bits"
    )
    # The goals `read` (as g), every row in the buckets the mentee is free in of a mentor whose week meets the
    # mentee's, counted once, and whose bound reaches near_floor.
    meeting_rows = (
        f"select {row_facts} from read g cross join me cross join unnest(me.free_in) as mine(bucket)"
        " join public.mentor_search_by_bucket s"
        " on s.skill_id = g.skill_id and s.bucket = mine.bucket and s.level > g.current_level"
        " where s.mentor_id <> p_mentee"
        f" and {meets_after(first_shared + ' and ' + row_bound('near_floor'))}"
    )
    # The rarest goal's first `probe` meeting rows in each bucket of the mentee's week, highest levels first.
    probe_rows = (
        "select g.skill_id, g.others, g.rest, m.* from ranked g cross join me"
        " cross join unnest(me.free_in) as mine(bucket)"
        f" cross join lateral (select {row_facts} from public.mentor_search_by_bucket s"
        "   where s.skill_id = g.skill_id and s.bucket = mine.bucket and s.level > g.current_level"
        f"    and s.mentor_id <> p_mentee and {meets_after(first_shared)}"
        f"  order by s.level desc limit {int(probe)}) m"
        " where g.rank = 1"
    )

    return f"""
with me as materialized (
  select languages, week_utc, buckets, public.week_slots(week_utc) as slots,
         {availability(minutes_of("week_utc"))} as most,
         array(select b::smallint from generate_series(0, 62) b where buckets & (1::bigint << b) <> 0) as free_in
    from public.mentee_profiles, public.week_buckets(week_utc) buckets where user_id = p_mentee
), goals as (
  select skill_id, current_level, (target_level - current_level)::float8 as gap, count(*) over ()::float8 as n
    from public.mentee_goals where mentee_id = p_mentee
), reach as (
  select g.*, {w["skills"]} * least(5 - g.current_level, g.gap) / g.gap / g.n as best,
         (select coalesce(bit_or(1::bigint << (o.skill_id % 64)::integer), 0) from goals o
           where o.skill_id <> g.skill_id) as others
    from goals g
), ranked as (
  select g.*, row_number() over (order by case when g.n = 1 then 0 else {fewest} end, g.skill_id) as rank,
         sum(g.best) over () - g.best as rest
    from reach g
), probe as (
  {probe_rows}
), near_floor as (
  {pool_floor(near_scores)}
), need_met as (
  {fewest_goals("near_floor", f"{highest_fixed} + (select most from me)")}
), read as (
  select * from ranked where rank <= (select n - goals + 1 from need_met)
), unread as (
  {left_out("read")}
), met as (
  select x.mentor_id, x.week_utc, sum(x.share) as shares, max(x.fixed) as fixed, max(x.slots) as slots,
         max(x.bits) as bits
    from ({meeting_rows}) x
   group by x.mentor_id, x.week_utc
), likely as (
  select {exact("b", "b.shares", "u.bits", "o.skill_id not in (select skill_id from read)")} as score
    from (select m.* from met m cross join me cross join unread u order by {met_bound} desc limit p_pool) b
   cross join me cross join unread u
), least_met as (
  {pool_floor("likely")}
), meeting as (
  select m.mentor_id, {met_exact} as score
    from met m cross join me cross join unread u
   where {met_bound} >= (select score from least_met)
   order by score desc, m.mentor_id
   limit p_pool
), floor as (
  {pool_floor("meeting")}
), need as (
  -- (all the goals if even all of them stay below the floor, and then the one-time filter of `found` reads nothing)
  {fewest_goals("floor", highest_fixed)}
), scanned as (
  select g.* from ranked g order by g.rank limit (select n - goals + 1 from need)
), found as (
  select s.mentor_id, sum({share}) as shares, max({fixed}) as fixed, max(s.skill_bits) as bits
    from scanned g
    join public.mentor_search s on s.skill_id = g.skill_id and s.level > g.current_level
    cross join me
   where (select score from floor) <= (select sum(best) from reach) + {highest_fixed}
     and (s.skill_bits & g.others <> 0 or g.best + {highest_fixed} >= (select score from floor))
     and s.mentor_id <> p_mentee and not {meets}
     and {share} + {fixed}
         + case when s.skill_bits & g.others <> 0 then (select sum(best) from reach) - g.best else 0::float8 end
         >= (select score from floor)
   group by s.mentor_id
), unscanned as (
  {left_out("scanned")}
), apart as (
  select f.mentor_id,
         f.shares
         + case when f.bits & u.bits = 0 then 0::float8
                else {looked_up("f", "o.skill_id not in (select skill_id from scanned)")} end
         + f.fixed as score
    from found f cross join unscanned u
   where f.shares + f.fixed + case when f.bits & u.bits = 0 then 0::float8 else {tops("f")} end
         >= (select score from floor)
   order by score desc, f.mentor_id
   limit p_pool
)
select mentor_id, score from (select * from meeting union all select * from apart) candidates
 order by score desc, mentor_id
 limit p_pool
"""


def candidates_function(weights: dict[str, float], full_overlap_hours: float, probe: int = PROBE) -> str:
    """The statement that (re)defines public.mentor_candidates with candidates_sql's ranking, for a migration.

    A PL/pgSQL function, so that each database session plans the ranking once and keeps the plan (a generic plan,
    the same for every mentee): through the transaction pooler a client cannot keep a prepared statement, and
    planning a statement this size is a good part of its cost (the ranking before the rarest-goal step: 13.6 ms sent
    unprepared at 50 k mentors, 9.6 ms as a function; 52.4 and 44.4 ms at 500 k; medians of the bench's 40 mentees).
    It runs as the caller, under RLS, and ranks for the caller only (auth.uid()): like every function in public it
    can be called through the Data API too, so it takes no mentee to rank for, and never returns more than
    MAX_POOL mentors."""
    return f"""create or replace function public.mentor_candidates(p_pool integer)
returns table (candidate_id uuid, candidate_score double precision)
language plpgsql stable security invoker set search_path = '' set plan_cache_mode = force_generic_plan
as $$
declare
  p_mentee constant uuid := auth.uid();
begin
  p_pool := least(greatest(coalesce(p_pool, 1), 1), {MAX_POOL});
  return query
{candidates_sql(weights, full_overlap_hours, probe).strip()};
end;
$$;
"""


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

    def candidates(self, pool: int) -> list[tuple[UUID, float]]:
        """The signed-in user's best `pool` candidate mentors by the SQL ranking, best first."""
        rows = self.conn.execute(
            "select candidate_id, candidate_score from public.mentor_candidates(%s)", (pool,)
        ).fetchall()
        return [(r["candidate_id"], float(r["candidate_score"])) for r in rows]

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
