-- The mentors of a skill who are free in a given part of the week, read directly (#16, recommendations at 500 k
-- mentors). The first step of candidate ranking (matching.dal.candidates_sql) wants the mentors whose week meets
-- the mentee's; through mentor_search it reads every row of each goal's skill and tests each (135,000 rows for a
-- three-goal mentee at 500 k mentors, about one in eight meeting). This read model repeats each mentor_search row
-- once for every 160-minute bucket of the week its mentor is free in (public.week_buckets; 3.5 on average), keyed
-- by (skill, bucket, level): the ranking reads, for each goal, only the buckets the mentee is free in (about a
-- sixth of the rows at 500 k), and counts a mentor's row once, under the lowest bucket the two weeks share.
-- Two weeks that meet share a bucket, so no meeting mentor is missed. Measured on the bench's 500 k database:
-- the ranking statement 50 -> 38 ms (median of 40 mentees x 3, same lists), for 3.5 times mentor_search's rows.
create table public.mentor_search_by_bucket (
  skill_id bigint not null,
  bucket smallint not null check (bucket between 0 and 62),
  level smallint not null,
  mentor_id uuid not null,
  languages text[] not null,
  week_utc int4multirange not null,
  week_buckets bigint not null,
  rating double precision,
  room double precision not null,
  -- Whatever removes a mentor_search row (a refresh, a deleted profile or skill) removes its bucket rows.
  foreign key (mentor_id, skill_id) references public.mentor_search (mentor_id, skill_id) on delete cascade
);
comment on table public.mentor_search_by_bucket is
  'mentor_search once per 160-minute bucket of the week the mentor is free in; maintained by refresh_mentor_search().';
-- Each goal is one index-only range scan per bucket of the mentee's week.
create index mentor_search_by_bucket_idx on public.mentor_search_by_bucket (skill_id, bucket, level)
  include (mentor_id, languages, week_utc, week_buckets, rating, room);
-- (The foreign key's deletes, and the refresh's, find a mentor's rows by this index.)
create index mentor_search_by_bucket_mentor_idx on public.mentor_search_by_bucket (mentor_id, skill_id);

alter table public.mentor_search_by_bucket enable row level security;
create policy "Signed-in users can read open mentors by bucket" on public.mentor_search_by_bucket
  for select to authenticated using (true);
grant select on public.mentor_search_by_bucket to authenticated, service_role;

-- The refresh of 20261201000100, and then the mentors' bucket rows from their fresh mentor_search rows.
create or replace function public.refresh_mentor_search(p_mentor_ids uuid[]) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  perform 1 from public.mentor_profiles where user_id = any(p_mentor_ids) order by user_id for no key update;
  delete from public.mentor_search_by_bucket where mentor_id = any(p_mentor_ids);
  delete from public.mentor_search where mentor_id = any(p_mentor_ids);
  -- The signatures in one pass over the mentors' skills (a subquery per row would be planned while the tables are
  -- still small, and scan mentor_skills once per row).
  insert into public.mentor_search (mentor_id, skill_id, level, languages, week_utc, rating, room, skill_bits)
  select mp.user_id, ms.skill_id, ms.level, mp.languages, mp.week_utc,
         (select avg(rv.rating)::double precision from public.reviews rv where rv.host_id = mp.user_id),
         (mp.capacity - mp.active_mentees)::double precision / mp.capacity,
         sets.bits
    from public.mentor_profiles mp
    join public.mentor_skills ms on ms.mentor_id = mp.user_id
    join (select o.mentor_id, bit_or(1::bigint << (o.skill_id % 64)::integer) as bits
            from public.mentor_skills o where o.mentor_id = any(p_mentor_ids) group by o.mentor_id) sets
      on sets.mentor_id = mp.user_id
   where mp.user_id = any(p_mentor_ids) and mp.accepting and mp.active_mentees < mp.capacity;
  insert into public.mentor_search_by_bucket
    (skill_id, bucket, level, mentor_id, languages, week_utc, week_buckets, rating, room)
  select s.skill_id, b::smallint, s.level, s.mentor_id, s.languages, s.week_utc, s.week_buckets, s.rating, s.room
    from public.mentor_search s, generate_series(0, 62) b
   where s.mentor_id = any(p_mentor_ids) and s.week_buckets & (1::bigint << b) <> 0;
end;
$$;
revoke execute on function public.refresh_mentor_search(uuid[]) from public, anon, authenticated;

select public.refresh_mentor_search(array(select user_id from public.mentor_profiles));
