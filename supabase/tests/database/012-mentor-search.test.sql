-- The mentor_search read model follows every change it depends on (skills, accepting, capacity, places taken,
-- languages, availability, reviews, the signature of the mentor's skill set on each row), is readable but not
-- writable by clients, and is read through its index; likewise its copy by bucket of the week
-- (mentor_search_by_bucket) and the weeks' bucket summaries that copy stands on, and the 15-minute slots that bound
-- two weeks' overlap.
begin;
select plan(31);

select tests.create_user('mentor@example.test') as mentor \gset
select tests.create_user('mentee@example.test') as mentee \gset
select tests.create_user('reviewer@example.test') as reviewer \gset
insert into public.skills (slug, name, category) values ('rust', 'Rust', 'Tech'), ('sql', 'SQL', 'Tech');
select id as rust from public.skills where slug = 'rust' \gset
select id as sql from public.skills where slug = 'sql' \gset

select tests.authenticate_as(:'mentor');
insert into public.mentor_profiles (user_id, capacity, languages) values (:'mentor', 1, '{en,de}');
insert into public.mentor_skills values (:'mentor', :rust, 4), (:'mentor', :sql, 5);
select results_eq('select skill_id, level::int, room from public.mentor_search order by skill_id',
  format('values (%s::bigint, 4, 1::float8), (%s::bigint, 5, 1::float8)', :rust, :sql),
  'an open mentor has one row per skill, with all of its places left');
select results_eq('select skill_bits from public.mentor_search',
  format('values (%1$s::bigint), (%1$s::bigint)',
         (1::bigint << (:rust % 64)::integer) | (1::bigint << (:sql % 64)::integer)),
  'each row carries the signature of every skill its mentor teaches');
update public.mentor_skills set level = 5 where skill_id = :rust;
select is((select level::int from public.mentor_search where skill_id = :rust), 5, 'a level change follows');
delete from public.mentor_skills where skill_id = :sql;
select results_eq('select skill_id from public.mentor_search', array[:rust::bigint], 'a removed skill is gone');
select is((select skill_bits from public.mentor_search), 1::bigint << (:rust % 64)::integer, 'and leaves the signature');
insert into public.availability_windows (user_id, weekday, start_minute, end_minute) values (:'mentor', 0, 600, 660);
select is((select week_utc from public.mentor_search), '{[600,660)}'::int4multirange,
  'availability follows as UTC minutes of the week');
select is((select week_buckets from public.mentor_search), (1::bigint << 3) | (1::bigint << 4),
  'and its bucket summary (minutes 600-659 lie in the 160-minute buckets 3 and 4)');
select results_eq('select bucket::int, skill_id, week_utc from public.mentor_search_by_bucket order by bucket',
  format($$ values (3, %1$s::bigint, '{[600,660)}'::int4multirange), (4, %1$s::bigint, '{[600,660)}') $$, :rust),
  'the mentor is found under each of those buckets');
insert into public.mentor_skills values (:'mentor', :sql, 3);
select results_eq('select distinct skill_bits from public.mentor_search_by_bucket',
  array[(1::bigint << (:rust % 64)::integer) | (1::bigint << (:sql % 64)::integer)],
  'with the signature of every skill its mentor teaches, a skill added since included');
delete from public.mentor_skills where skill_id = :sql;
update public.mentor_profiles set languages = '{fr}';
select is((select languages from public.mentor_search), '{fr}'::text[], 'languages follow');
update public.mentor_profiles set accepting = false;
select is_empty('select 1 from public.mentor_search', 'a mentor who pauses leaves the read model');
select is_empty('select 1 from public.mentor_search_by_bucket', 'and its buckets');
update public.mentor_profiles set accepting = true;
select isnt_empty('select 1 from public.mentor_search', 'and comes back on resuming');
select throws_ok(format($$ insert into public.mentor_search (mentor_id, skill_id, level, languages, week_utc, room)
  values (%L, %s, 5, '{en}', '{}', 1) $$, :'mentor', :sql), '42501', null, 'clients cannot write the read model');
select throws_ok($$ update public.mentor_search set level = 1 $$, '42501', null, 'nor change it');
select throws_ok($$ delete from public.mentor_search_by_bucket $$, '42501', null, 'nor its buckets');

-- a place taken by an accepted request, and given back when the mentorship ends
select tests.authenticate_as(:'mentee');
select (public.request_mentorship(:'mentor', 'hi')).id as mship \gset
select isnt_empty('select 1 from public.mentor_search', 'mentees read the read model');
select tests.authenticate_as(:'mentor');
select public.respond_mentorship(:'mship', true);
select is_empty('select 1 from public.mentor_search', 'a mentor at capacity leaves the read model');
select public.end_mentorship(:'mship');
select is((select room from public.mentor_search), 1::float8, 'ending the mentorship gives the place back');

-- reviews feed the rating
select tests.clear_authentication();
insert into public.sessions (id, host_id, format, title, starts_at, ends_at, capacity, status)
values ('eeeeeeee-0000-4000-8000-000000000001', :'mentor', 'workshop', 'Ownership', now() - interval '3 hours',
        now() - interval '1 hour', 5, 'published');
insert into public.bookings (id, session_id, learner_id, status, attendance)
values ('eeeeeeee-0000-4000-8000-000000000002', 'eeeeeeee-0000-4000-8000-000000000001', :'reviewer', 'confirmed',
        'attended'),
       ('eeeeeeee-0000-4000-8000-000000000003', 'eeeeeeee-0000-4000-8000-000000000001', :'mentee', 'confirmed',
        'attended');
insert into public.reviews (booking_id, session_id, host_id, reviewer_id, rating)
values ('eeeeeeee-0000-4000-8000-000000000002', 'eeeeeeee-0000-4000-8000-000000000001', :'mentor', :'reviewer', 5),
       ('eeeeeeee-0000-4000-8000-000000000003', 'eeeeeeee-0000-4000-8000-000000000001', :'mentor', :'mentee', 4);
select is((select rating from public.mentor_search), 4.5::float8, 'the average review rating follows');
delete from public.reviews where reviewer_id = :'mentee';
select is((select rating from public.mentor_search), 5::float8, 'and a removed review leaves it');

select tests.authenticate_as_anon();
select throws_ok('select 1 from public.mentor_search', '42501', null,
  'anon reads nothing (no grant)');
select tests.clear_authentication();

-- The bucket summary of a week (20261201000200): edges, clamping, and the one property ranking relies on.
select results_eq(
  $$ select public.week_buckets(w) from (values ('{}'::int4multirange), ('{[0,160)}'), ('{[159,161)}'),
       ('{[9920,10080)}'), ('{[0,10080)}'), ('{[-50,10)}'), ('{[10070,20000)}'), ('{(,5)}'), ('{[10000,)}'),
       ('{[100,200),[5000,5001)}')) t(w) $$,
  $$ values (0::bigint), (1::bigint), (3::bigint), (1::bigint << 62), (9223372036854775807::bigint), (1::bigint),
       (1::bigint << 62), (1::bigint), (1::bigint << 62), (3::bigint | (1::bigint << 31)) $$,
  'a week''s buckets: none when empty, each minute''s 160-minute bucket, minutes outside the week clamped to it');
select setseed(0.16);
create temporary table week_pairs as
  select i, a.w as a, b.w as b
    from generate_series(1, 4000) i,
         lateral (select range_agg(int4range(s, least(s + l, 10080))) as w
                    from (select (random() * 10079)::int as s, 1 + (random() * 300)::int as l
                            from generate_series(1, 1 + i % 4) where i > 0) x) a,
         lateral (select range_agg(int4range(s, least(s + l, 10080))) as w
                    from (select (random() * 10079)::int as s, 1 + (random() * 300)::int as l
                            from generate_series(1, 1 + (i / 4) % 3) where i > 0) y) b;
select is_empty($$ select a, b from week_pairs
                    where a && b and public.week_buckets(a) & public.week_buckets(b) = 0 $$,
  'two weeks that meet always share a bucket (4,000 random pairs of 1-4 and 1-3 windows)');
select ok((select count(*) from week_pairs where not a && b and public.week_buckets(a) & public.week_buckets(b) = 0)
          > 1000, 'and most pairs that do not meet are told apart by their buckets alone');

-- The 15-minute slots of a week (20261201000400): edges, clamping, and the bound ranking relies on.
select results_eq(
  $$ select position('1' in s::text) - 1, length(rtrim(s::text, '0')) - 1, bit_count(s)::int
       from (values (1, '{}'::int4multirange), (2, '{[0,15)}'), (3, '{[14,16)}'), (4, '{[0,10080)}'),
                    (5, '{[-50,10)}'), (6, '{[10070,20000)}'), (7, '{(,5)}'), (8, '{[10000,)}'),
                    (9, '{[100,200),[5000,5001)}')) t(i, w), public.week_slots(w) s order by i $$,
  $$ values (-1, -1, 0), (0, 0, 1), (0, 1, 2), (0, 671, 672), (0, 0, 1), (671, 671, 1), (0, 0, 1), (666, 671, 6),
            (6, 333, 9) $$,
  'a week''s slots (first, last, how many): each minute''s quarter hour, minutes outside the week clamped to it');
select is_empty($$ select a, b from week_pairs
                    where coalesce((select sum(upper(r) - lower(r)) from unnest(a * b) r), 0)
                          > 15 * bit_count(public.week_slots(a) & public.week_slots(b)) $$,
  'no two weeks overlap longer than 15 minutes for each slot they share (the same 4,000 random pairs)');
select is_empty($$ select a, b
                     from (select range_agg(int4range(15 * (a / 15),
                                                      least(15 * (a / 15 + 1 + al / 15), 10080))) as a,
                                  range_agg(int4range(15 * (b / 15),
                                                      least(15 * (b / 15 + 1 + bl / 15), 10080))) as b
                             from (select i, (random() * 10000)::int as a, (random() * 300)::int as al,
                                          (random() * 10000)::int as b, (random() * 300)::int as bl
                                     from generate_series(1, 3000) i, generate_series(1, 1 + i % 3)) x
                            group by i) quarters
                    where coalesce((select sum(upper(r) - lower(r)) from unnest(a * b) r), 0)
                          <> 15 * bit_count(public.week_slots(a) & public.week_slots(b)) $$,
  'and exactly that long when their windows start and end on quarter hours (3,000 random pairs)');

-- candidate ranking reads one index range per goal on a large table (160,000 rows)
insert into public.skills (slug, name, category) select 'ms-' || i, 'S' || i, 'Bench' from generate_series(1, 400) i;
create temporary table bulk_mentors as
  select tests.create_user('bulk-' || i || '@example.test') as id from generate_series(1, 400) i;
insert into public.mentor_profiles (user_id) select id from bulk_mentors;
-- A quarter of them free some day.
insert into public.availability_windows (user_id, weekday, start_minute, end_minute)
  select id, (hashtext(id::text) & 7) % 7, 60 * ((hashtext(id::text) >> 8) & 15),
         60 * ((hashtext(id::text) >> 8) & 15) + 90
    from bulk_mentors where hashtext(id::text) & 48 = 0;
-- Ten mentors' skills first, then statistics, then the rest. The refresh the skills' trigger runs is planned from
-- the tables' statistics, and once a vacuum has recorded them empty (autovacuum does, after the earlier tests'
-- rows are rolled back) it planned the bulk load as if it were a handful of rows: the whole pgTAP run's 012 took
-- 13 s, 205 s and 18 min in otherwise equal runs, and after `vacuum analyze` of the empty tables it did not finish
-- in 5 min; loaded this way, 17 s from that state and 13-19 s from a fresh database.
insert into public.mentor_skills
  select b.id, s.id, 4 from (select id from bulk_mentors order by id limit 10) b
    cross join (select id from public.skills where slug like 'ms-%') s;
analyze public.mentor_profiles, public.mentor_skills, public.availability_windows, public.mentor_search,
  public.mentor_search_by_bucket;
insert into public.mentor_skills
  select b.id, s.id, 4 from bulk_mentors b cross join (select id from public.skills where slug like 'ms-%') s
   where b.id not in (select id from bulk_mentors order by id limit 10);
analyze public.mentor_search;
-- Over those mentors, the buckets are exactly mentor_search's rows expanded.
select set_eq('select skill_id, bucket, level, mentor_id, languages, week_utc, week_buckets, rating, room, skill_bits
                 from public.mentor_search_by_bucket',
  'select s.skill_id, b::smallint, s.level, s.mentor_id, s.languages, s.week_utc, s.week_buckets, s.rating, s.room,
          s.skill_bits
     from public.mentor_search s, generate_series(0, 62) b where s.week_buckets & (1::bigint << b) <> 0',
  'mentor_search_by_bucket holds each mentor_search row once for every bucket its week is in');
select matches(tests.plan_of(format($q$ select mentor_id from public.mentor_search
  where skill_id = %s and level > 2 $q$, (select min(id) from public.skills where slug like 'ms-%'))),
  'mentor_search_skill_idx', 'one goal is one index range scan');
analyze public.mentor_search_by_bucket;
select matches(tests.plan_of(format($q$ select mentor_id from public.mentor_search_by_bucket
  where skill_id = %s and bucket = 3 and level > 2 $q$, (select min(id) from public.skills where slug like 'ms-%'))),
  'mentor_search_by_bucket_idx', 'and one bucket of a goal too');

select * from finish();
rollback;
