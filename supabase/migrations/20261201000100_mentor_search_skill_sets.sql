-- Each mentor_search row also carries its mentor's whole skill set as a 64-bit signature (#16, recommendations at
-- 500 k mentors): bit (skill id mod 64) is set for every skill the mentor teaches. Candidate ranking
-- (matching.dal.candidates_sql) groups a mentor's rows to add up the goals it covers; with the signature on every
-- row, a row whose mentor has none of the bits of the mentee's other goals surely teaches none of them, so it is
-- known to score at most its own goal's share plus its fixed part, and mentors who could not reach the ranking's
-- floor are dropped before grouping instead of after. A shared bit (another skill with the same residue, or a
-- skill taught below the mentee's level) only keeps a row that could have been dropped: the bound stays an upper
-- bound. Eight bytes whatever the number of skills (a list of ids on every row would grow with its square).
alter table public.mentor_search add column skill_bits bigint not null default 0;
comment on column public.mentor_search.skill_bits is
  'Bit (skill_id mod 64) set for every skill the mentor teaches (the same on each of its rows).';

create or replace function public.refresh_mentor_search(p_mentor_ids uuid[]) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  perform 1 from public.mentor_profiles where user_id = any(p_mentor_ids) order by user_id for no key update;
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
end;
$$;
revoke execute on function public.refresh_mentor_search(uuid[]) from public, anon, authenticated;

-- Ranking reads the signature from the index, as it reads everything else (an index-only scan per goal).
drop index public.mentor_search_skill_idx;
create index mentor_search_skill_idx on public.mentor_search (skill_id, level)
  include (mentor_id, languages, week_utc, rating, room, skill_bits);

select public.refresh_mentor_search(array(select user_id from public.mentor_profiles));
