-- Each bucket row carries its mentor's skill signature too (#16, recommendations at 500 k mentors). The first step of
-- candidate ranking (matching.dal.candidates_sql) read every goal's rows in the mentee's buckets and grouped them
-- per mentor. With the signature (skill_bits of 20261201000100) on the rows of the mentee's rarest goal, it can bound
-- a mentor's score from that one row (its other goals' best shares counted only when its signature has one of their
-- bits) and look the other goals up by primary key for the few mentors that could make the pool; when a floor from
-- those mentors shows that a mentor must cover c of the n goals, only the n - c + 1 rarest goals are read. Measured on
-- the bench's 500 k database (medians of the 40 mentees x 3, same lists, both rankings as functions, see
-- 20261201000600): two-goal mentees 44 -> 24 ms, all 44 -> 35 ms.
alter table public.mentor_search_by_bucket add column skill_bits bigint not null default 0;
comment on column public.mentor_search_by_bucket.skill_bits is
  'mentor_search.skill_bits of the row: bit (skill_id % 64) set for every skill the mentor teaches.';
drop index public.mentor_search_by_bucket_idx;
update public.mentor_search_by_bucket b set skill_bits = s.skill_bits
  from public.mentor_search s where s.mentor_id = b.mentor_id and s.skill_id = b.skill_id;
create index mentor_search_by_bucket_idx on public.mentor_search_by_bucket (skill_id, bucket, level)
  include (mentor_id, languages, week_utc, week_buckets, rating, room, week_slots, skill_bits);

-- The refresh of 20261201000300, its bucket rows now with the signature.
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
    (skill_id, bucket, level, mentor_id, languages, week_utc, week_buckets, rating, room, skill_bits)
  select s.skill_id, b::smallint, s.level, s.mentor_id, s.languages, s.week_utc, s.week_buckets, s.rating, s.room,
         s.skill_bits
    from public.mentor_search s, generate_series(0, 62) b
   where s.mentor_id = any(p_mentor_ids) and s.week_buckets & (1::bigint << b) <> 0;
end;
$$;
revoke execute on function public.refresh_mentor_search(uuid[]) from public, anon, authenticated;
