-- Floods don't spread: each user's writes are limited per action and time window (fixed windows), in the
-- database, so the same limit holds through the functions and through the Data API. Past the limit the write is
-- refused with SQLSTATE 'PGRST', which PostgREST turns into the HTTP status and headers given in DETAIL
-- (docs.postgrest.org/en/latest/references/errors.html, "Raise errors with HTTP Status Codes" / "Add HTTP
-- headers with RAISE"): 429 with Retry-After. The functions map the same error to a 429 problem+json.
-- A refused write rolls back with its transaction, so only writes that went through count.
-- Limits are operator-tunable in platform_settings ('write_rate_limits').
insert into public.platform_settings (key, value) values ('write_rate_limits', '{
  "booking": {"max": 20, "window_seconds": 60},
  "mentorship_request": {"max": 10, "window_seconds": 3600},
  "forum_post": {"max": 20, "window_seconds": 600},
  "forum_vote": {"max": 120, "window_seconds": 600},
  "group_message": {"max": 30, "window_seconds": 60}
}'::jsonb) on conflict (key) do nothing;

create table public.write_counters (
  user_id uuid not null references auth.users (id) on delete cascade,
  action text not null,
  window_start timestamptz not null,
  writes integer not null default 0,
  primary key (user_id, action, window_start)
);
comment on table public.write_counters is 'Writes per user, action and window, for the write rate limits (system only).';
create index write_counters_window_idx on public.write_counters (window_start);
alter table public.write_counters enable row level security;
-- Written only by count_write() (security definer). Clients get nothing; the service role reads it, as it reads
-- every other system ledger (idempotency_keys, stripe_events, outbox_events), and writes none of them.
revoke all on public.write_counters from public, anon, authenticated, service_role;
grant select on public.write_counters to service_role;

create or replace function public.count_write(p_action text) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_limit jsonb;
  v_window integer;
  v_start timestamptz;
  v_writes integer;
begin
  if v_uid is null then
    return;  -- system jobs and the service role are not limited
  end if;
  select value -> p_action into v_limit from public.platform_settings where key = 'write_rate_limits';
  if v_limit is null then
    return;
  end if;
  v_window := greatest((v_limit ->> 'window_seconds')::integer, 1);
  v_start := to_timestamp(floor(extract(epoch from now()) / v_window) * v_window);
  insert into public.write_counters as c (user_id, action, window_start, writes) values (v_uid, p_action, v_start, 1)
  on conflict (user_id, action, window_start) do update set writes = c.writes + 1
  returning writes into v_writes;
  if v_writes > (v_limit ->> 'max')::integer then
    raise sqlstate 'PGRST' using
      message = json_build_object('code', 'SS429', 'message',
        format('too many %s writes: at most %s every %s seconds', replace(p_action, '_', ' '), v_limit ->> 'max', v_window))::text,
      detail = json_build_object('status', 429, 'headers', json_build_object('Retry-After',
        greatest(ceil(extract(epoch from v_start + make_interval(secs => v_window) - now()))::integer, 1)::text))::text;
  end if;
end;
$$;
revoke execute on function public.count_write(text) from public, anon, authenticated, service_role;

create or replace function public.count_write_trigger() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform public.count_write(tg_argv[0]);
  return null;
end;
$$;
revoke execute on function public.count_write_trigger() from public, anon, authenticated, service_role;

create trigger bookings_count_write after insert on public.bookings
  for each row execute function public.count_write_trigger('booking');
create trigger mentorships_count_write after insert on public.mentorships
  for each row execute function public.count_write_trigger('mentorship_request');
create trigger forum_threads_count_write after insert on public.forum_threads
  for each row execute function public.count_write_trigger('forum_post');
create trigger forum_replies_count_write after insert on public.forum_replies
  for each row execute function public.count_write_trigger('forum_post');
create trigger forum_votes_count_write after insert or update on public.forum_votes
  for each row execute function public.count_write_trigger('forum_vote');
create trigger group_messages_count_write after insert on public.group_messages
  for each row execute function public.count_write_trigger('group_message');

-- Old windows are dropped by the hold sweep (every minute), with the idempotency keys.
create or replace function public.purge_write_counters() returns integer
language sql security definer set search_path = ''
as $$
  with gone as (delete from public.write_counters where window_start < now() - interval '1 day' returning 1)
  select count(*)::integer from gone;
$$;
revoke execute on function public.purge_write_counters() from public, anon, authenticated;
grant execute on function public.purge_write_counters() to service_role;
