"""One rule for the score and the week, wherever they are computed: the SQL that ranks candidates and the numpy
cohort scoring take their weights from matching.scoring, and a profile's UTC week in SQL (utc_week_at, stored as
week_utc) is Python's to_utc_week on every week, DST changes included (generated cases)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from matching.scoring import Window, to_utc_week

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "America/St_Johns",  # a half-hour offset
    "Pacific/Chatham",  # a 45-minute offset, with DST
    "Asia/Kolkata",
    "America/Sao_Paulo",
]
# Weeks holding a DST change somewhere above (2026-2027), and the weeks either side.
CHANGES = [date(2026, 3, 8), date(2026, 3, 29), date(2026, 4, 5), date(2026, 10, 4), date(2026, 10, 25)]
CHANGES += [date(2026, 11, 1), date(2026, 9, 27), date(2027, 3, 14), date(2027, 3, 28), date(2027, 4, 4)]
WEEKS = sorted({change + timedelta(days=d) for change in CHANGES for d in (-7, -1, 0, 1, 6)})


def windows_for(rng: random.Random) -> list[Window]:
    """Random windows, with many starting in the small hours of Sunday, when clocks change."""
    out = []
    for _ in range(rng.randint(1, 5)):
        if rng.random() < 0.5:
            weekday, start = 6, rng.choice([0, 30, 60, 90, 120, 150, 180]) + rng.choice([0, 15])
        else:
            weekday, start = rng.randrange(7), rng.randrange(0, 1380)
        out.append(Window(weekday, start, min(1440, start + rng.choice([15, 60, 90, 180, 600]))))
    return out


def test_sql_weeks_are_pythons_on_every_week_dst_changes_included(make_user: Any, admin_conn: Any) -> None:
    rng = random.Random(20261130)
    user = make_user()
    checked = 0
    for _ in range(60):
        windows = windows_for(rng)
        admin_conn.execute("delete from public.availability_windows where user_id = %s", (user.id,))
        for w in windows:
            admin_conn.execute(
                "insert into public.availability_windows (user_id, weekday, start_minute, end_minute)"
                " values (%s, %s, %s, %s)",
                (user.id, w.weekday, w.start_minute, w.end_minute),
            )
        for zone in rng.sample(ZONES, 4):
            for week_of in rng.sample(WEEKS, 8):
                (sql,) = admin_conn.execute(
                    "select public.utc_week_at(%s, %s, %s)", (user.id, zone, week_of)
                ).fetchone()
                got = tuple((r.lower, r.upper) for r in sql)
                assert got == to_utc_week(windows, zone, week_of), (zone, week_of, windows)
                checked += 1
    assert checked == 60 * 4 * 8


def test_the_stored_week_is_todays(make_user: Any, admin_conn: Any) -> None:
    from datetime import UTC, datetime

    user = make_user()
    admin_conn.execute(
        "insert into public.mentee_profiles (user_id, languages, timezone) values (%s, '{en}', 'America/New_York')",
        (user.id,),
    )
    admin_conn.execute(
        "insert into public.availability_windows (user_id, weekday, start_minute, end_minute)"
        " values (%s, 6, 60, 150), (%s, 2, 600, 720)",
        (user.id, user.id),
    )
    (stored,) = admin_conn.execute(
        "select week_utc from public.mentee_profiles where user_id = %s", (user.id,)
    ).fetchone()
    expected = to_utc_week([Window(6, 60, 150), Window(2, 600, 720)], "America/New_York", datetime.now(UTC).date())
    assert tuple((r.lower, r.upper) for r in stored) == expected


def test_weeks_with_one_pattern_give_every_window_the_same_utc_week(admin_conn: Any) -> None:
    """The sweep recomputes a stored week only when its zone's offsets around that week (utc_week_pattern) differ
    from this week's. That is sound if two weeks with the same pattern give every set of windows the same UTC week:
    checked on every Monday from March 2025 to December 2027 (148, DST changes included) in each zone, with Python's
    to_utc_week as the judge, over random windows crowded into the small hours of Sunday. And it is worth it: a zone
    without clock changes has one pattern, and each zone with DST here four (standard, summer, the two change
    weeks), so its stored weeks are recomputed four times a year."""
    rng = random.Random(20261201)
    window_sets = [windows_for(rng) for _ in range(12)]
    mondays = [date(2025, 3, 3) + timedelta(weeks=i) for i in range(148)]
    assert {change - timedelta(days=change.weekday()) for change in CHANGES} <= set(mondays)
    for zone in ZONES:
        patterns: dict[str, list[date]] = {}
        for monday, pattern in admin_conn.execute(
            "select m, public.utc_week_pattern(%s, m) from unnest(%s::date[]) m", (zone, mondays)
        ).fetchall():
            patterns.setdefault(pattern, []).append(monday)
        for weeks in patterns.values():
            for windows in window_sets:
                assert len({to_utc_week(windows, zone, monday) for monday in weeks}) == 1, (zone, weeks, windows)
        if zone in ("UTC", "Asia/Kolkata", "America/Sao_Paulo"):
            assert len(patterns) == 1, zone
        else:
            assert len(patterns) == 4, (zone, sorted(patterns))


def test_the_sql_ranking_takes_its_weights_from_python(admin_conn: Any) -> None:
    """The ranking function in the database is the one Python writes from today's weights (a change to either
    needs a migration with matching.dal.candidates_function's text), and Python writes the weights it is given."""
    from matching import dal, scoring

    (body,) = admin_conn.execute(
        "select prosrc from pg_proc where oid = 'public.mentor_candidates(integer)'::regprocedure"
    ).fetchone()
    written = dal.candidates_function(scoring.WEIGHTS, scoring.FULL_OVERLAP_HOURS)
    assert written.split("\nas $$", 1)[1].rsplit("$$;", 1)[0] == body
    assert dal.candidates_sql(scoring.WEIGHTS, scoring.FULL_OVERLAP_HOURS).strip() in body
    other = {"skills": 0.5, "availability": 0.25, "languages": 0.125, "rating": 0.0625, "room": 0.0625}
    sql = dal.candidates_sql(other, 3.0)
    for name, weight in other.items():
        assert f"{weight!r}::float8" in sql, name
    assert "180.0::float8" in sql
