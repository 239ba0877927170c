-- The mail account's maximum send rate, honoured across every concurrent dispatcher (#16). SES accepts at most
-- MaxSendRate messages per second for the account (GetSendQuota, docs.aws.amazon.com/ses/latest/APIReference/
-- API_GetSendQuota.html; beyond it SES answers "Maximum sending rate exceeded" and drops the message,
-- docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html). Each dispatcher reserves consecutive send
-- slots, 1/rate apart, from one shared clock row before it hands messages over, and hands each over no earlier
-- than its slot: however many workers run, the account's sends are spaced as one paced sender's would be.
-- Idle time earns no burst: a reservation starts at the later of now and the last slot given.
create table public.mail_send_pacing (
  id boolean primary key default true check (id),
  next_slot timestamptz not null default '-infinity'
);
comment on table public.mail_send_pacing is 'The next free send slot of the mail account (the dispatcher only).';
alter table public.mail_send_pacing enable row level security;
-- Written only by reserve_mail_sends() (security definer, the dispatcher's own connection). Clients get nothing;
-- the service role reads it, as it reads every other system ledger (write_counters, stripe_events, deliveries), and
-- writes none of them. (Supabase grants new tables to no API role since 2026-10-30: this is the whole grant.)
revoke all on public.mail_send_pacing from public, anon, authenticated, service_role;
grant select on public.mail_send_pacing to service_role;
insert into public.mail_send_pacing default values;

-- Reserve `p_count` consecutive slots at `p_rate` per second; the seconds from now to the first of them.
create function public.reserve_mail_sends(p_count integer, p_rate double precision) returns double precision
language plpgsql security definer set search_path = ''
as $$
declare
  v_now timestamptz;
  v_start timestamptz;
begin
  if p_count is null or p_count < 1 or p_count > 100000 or p_rate is null or not (p_rate > 0 and p_rate <= 1e6) then
    raise exception 'reserve_mail_sends: count in 1..100000 and rate in (0, 1e6] expected'
      using errcode = '22023';
  end if;
  perform 1 from public.mail_send_pacing where id for update;
  if not found then  -- the row is gone (a truncated table): the clock starts again, now
    insert into public.mail_send_pacing default values on conflict (id) do nothing;
    perform 1 from public.mail_send_pacing where id for update;
  end if;
  v_now := clock_timestamp();  -- after the lock: waiting for another worker's reservation is not our time
  update public.mail_send_pacing
     set next_slot = greatest(next_slot, v_now) + make_interval(secs => p_count / p_rate)
   where id
  returning next_slot - make_interval(secs => p_count / p_rate) into v_start;
  return extract(epoch from v_start - v_now);
end;
$$;
revoke execute on function public.reserve_mail_sends(integer, double precision)
  from public, anon, authenticated, service_role;
