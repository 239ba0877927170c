-- Payments: Stripe customers, expert payout (Connect) accounts, the processed-events ledger, membership plans,
-- entitlements, premium content, and the SQL functions that apply Stripe's events exactly once and in any order.

create table public.stripe_customers (
  user_id uuid primary key references auth.users (id) on delete cascade,
  customer_id text not null unique,
  created_at timestamptz not null default now()
);
alter table public.stripe_customers enable row level security;
create policy "Users can read their own Stripe customer"
  on public.stripe_customers for select to authenticated
  using ((select auth.uid()) = user_id);

create table public.payout_accounts (
  host_id uuid primary key references public.profiles (id) on delete cascade,
  stripe_account_id text not null unique,
  charges_enabled boolean not null default false,
  payouts_enabled boolean not null default false,
  details_submitted boolean not null default false,
  last_event_at timestamptz,
  updated_at timestamptz not null default now()
);
comment on table public.payout_accounts is 'Stripe Connect (Express) accounts of experts; follows account.updated.';
alter table public.payout_accounts enable row level security;
create policy "Hosts can read their own payout account"
  on public.payout_accounts for select to authenticated
  using ((select auth.uid()) = host_id);

-- The ledger of processed Stripe events: the event id is recorded in the same transaction as its effect.
create table public.stripe_events (
  id text primary key,
  type text not null,
  stripe_created timestamptz not null,
  outcome text not null,
  processed_at timestamptz not null default now()
);
create index stripe_events_processed_idx on public.stripe_events (processed_at);
alter table public.stripe_events enable row level security;

alter table public.bookings add column charge_id text;

-- A paid session needs a host who can be paid.
create or replace function public.sessions_guard_price() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.price_amount > 0
     and (tg_op = 'INSERT' or new.price_amount is distinct from old.price_amount)
     and not exists (select 1 from public.payout_accounts a where a.host_id = new.host_id and a.charges_enabled) then
    raise exception using errcode = 'SS409', column = 'price_amount',
      message = 'connect a payout account that can accept charges before pricing a session';
  end if;
  return new;
end;
$$;
revoke execute on function public.sessions_guard_price() from public, anon, authenticated;

create trigger sessions_guard_price before insert or update of price_amount on public.sessions
  for each row execute function public.sessions_guard_price();

-- Membership plans, entitlements, premium content ----------------------------------------------------------
create table public.membership_plans (
  id text primary key check (id ~ '^[a-z0-9-]+$'),
  name text not null,
  stripe_price_id text not null unique,
  amount integer not null check (amount > 0),
  currency text not null check (currency ~ '^[a-z]{3}$'),
  billing_interval text not null check (billing_interval in ('month', 'year')),
  active boolean not null default true
);
alter table public.membership_plans enable row level security;
create policy "Anyone can read active plans"
  on public.membership_plans for select to anon, authenticated
  using (active);

create table public.entitlements (
  stripe_subscription_id text primary key,
  user_id uuid references auth.users (id) on delete cascade,
  customer_id text not null,
  plan_id text references public.membership_plans (id),
  status text not null,
  current_period_end timestamptz,
  last_event_at timestamptz not null,
  updated_at timestamptz not null default now()
);
create index entitlements_user_idx on public.entitlements (user_id, status, current_period_end);
alter table public.entitlements enable row level security;
create policy "Users can read their own entitlements"
  on public.entitlements for select to authenticated
  using ((select auth.uid()) = user_id);

create type public.content_kind as enum ('article', 'recording', 'resource');

create table public.premium_content (
  id uuid primary key default gen_random_uuid(),
  kind public.content_kind not null,
  title text not null check (char_length(title) between 1 and 200),
  body text,
  url text check (url ~ '^https://'),
  author_id uuid references public.profiles (id) on delete set null,
  session_id uuid references public.sessions (id) on delete set null,
  price_amount integer not null default 0 check (price_amount >= 0),
  currency text not null default 'usd',
  created_at timestamptz not null default now()
);
create index premium_content_session_idx on public.premium_content (session_id);

create table public.content_purchases (
  user_id uuid not null references auth.users (id) on delete cascade,
  content_id uuid not null references public.premium_content (id) on delete cascade,
  payment_intent_id text unique,
  created_at timestamptz not null default now(),
  primary key (user_id, content_id)
);
create index content_purchases_content_idx on public.content_purchases (content_id);
alter table public.content_purchases enable row level security;
create policy "Users can read their own purchases"
  on public.content_purchases for select to authenticated
  using ((select auth.uid()) = user_id);

-- Whether the caller is entitled by a subscription right now (security definer: reads entitlements).
create or replace function public.has_active_membership() returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.entitlements e
    where e.user_id = (select auth.uid())
      and e.status in ('active', 'trialing')
      and (e.current_period_end is null or e.current_period_end > now())
  )
$$;
revoke execute on function public.has_active_membership() from public, anon;
grant execute on function public.has_active_membership() to authenticated, service_role;

alter table public.premium_content enable row level security;

create policy "Members and buyers can read premium content"
  on public.premium_content for select to authenticated
  using (
    (select public.has_active_membership())
    or exists (select 1 from public.content_purchases p
               where p.content_id = premium_content.id and p.user_id = (select auth.uid()))
    or author_id = (select auth.uid())
  );

-- Applying Stripe's events ------------------------------------------------------------------------------
-- Record an event in the ledger; false if it was already processed (the caller then does nothing).
create or replace function public.claim_stripe_event(p_id text, p_type text, p_created timestamptz)
returns boolean
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.stripe_events (id, type, stripe_created, outcome) values (p_id, p_type, p_created, 'pending')
  on conflict (id) do nothing;
  return found;
end;
$$;

create or replace function public.finish_stripe_event(p_id text, p_outcome text) returns void
language sql security definer set search_path = ''
as $$ update public.stripe_events set outcome = p_outcome where id = p_id $$;

-- The money for a booking arrived. Confirms a held seat; a payment that arrives after its hold lapsed (or
-- after a failure released it) takes a seat if one is still free, and otherwise becomes a refund due.
create or replace function public.record_payment_succeeded(
  p_booking_id uuid, p_payment_intent_id text, p_charge_id text, p_amount integer, p_currency text
) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  s public.sessions;
  b public.bookings;
  v_session_id uuid;
begin
  select session_id into v_session_id from public.bookings where id = p_booking_id;
  if not found then
    return 'unknown_booking';
  end if;
  select * into s from public.sessions where id = v_session_id for update;
  select * into b from public.bookings where id = p_booking_id for update;
  if b.paid_at is not null then
    return 'already_paid';
  end if;
  update public.bookings set payment_intent_id = coalesce(payment_intent_id, p_payment_intent_id),
    charge_id = p_charge_id, paid_at = now(), amount = p_amount, currency = p_currency
    where id = b.id;
  if b.status = 'pending_payment' then
    update public.bookings set status = 'confirmed', confirmed_at = now(), hold_expires_at = null where id = b.id;
    perform public.enqueue_event('booking_confirmed', b.learner_id, s.id, b.id, jsonb_build_object('paid', true));
    return 'confirmed';
  end if;
  if b.status = 'confirmed' then
    return 'confirmed';
  end if;
  -- The hold is gone (expired, payment failed, cancelled): take a seat if one is free, else refund.
  if b.status in ('expired', 'payment_failed') and s.status = 'published' and now() < s.starts_at
     and s.seats_taken < s.capacity
     and not exists (select 1 from public.bookings o where o.session_id = s.id and o.learner_id = b.learner_id
                     and o.id <> b.id and o.status in ('pending_payment', 'confirmed', 'waitlisted')) then
    update public.sessions set seats_taken = seats_taken + 1 where id = s.id;
    update public.bookings set status = 'confirmed', confirmed_at = now(), hold_expires_at = null where id = b.id;
    perform public.enqueue_event('booking_confirmed', b.learner_id, s.id, b.id,
      jsonb_build_object('paid', true, 'late', true));
    return 'confirmed_late';
  end if;
  insert into public.refunds (booking_id, amount, currency, percent, reason)
  values (b.id, p_amount, p_currency, 100, 'paid_without_seat')
  on conflict (booking_id) do nothing;
  perform public.enqueue_event('payment_refunded_no_seat', b.learner_id, s.id, b.id,
    jsonb_build_object('amount', p_amount, 'currency', p_currency));
  return 'refund_due';
end;
$$;

-- The payment failed or was cancelled: release a held seat (promoting the waitlist). Paid bookings are final.
create or replace function public.record_payment_failed(p_booking_id uuid, p_reason text) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  b public.bookings;
  v_session_id uuid;
begin
  select session_id into v_session_id from public.bookings where id = p_booking_id;
  if not found then
    return 'unknown_booking';
  end if;
  perform 1 from public.sessions where id = v_session_id for update;
  select * into b from public.bookings where id = p_booking_id for update;
  if b.paid_at is not null or b.status <> 'pending_payment' then
    return 'ignored';
  end if;
  update public.bookings set status = 'payment_failed', hold_expires_at = null where id = b.id;
  update public.sessions set seats_taken = seats_taken - 1 where id = v_session_id;
  perform public.enqueue_event('payment_failed', b.learner_id, v_session_id, b.id, jsonb_build_object('reason', p_reason));
  perform public.promote_waitlist(v_session_id);
  return 'released';
end;
$$;

-- Subscription state, last writer (by Stripe's event time) wins.
create or replace function public.apply_subscription_state(
  p_subscription_id text, p_customer_id text, p_price_id text, p_status text, p_period_end timestamptz,
  p_event_at timestamptz
) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_user uuid;
  v_plan text;
  v_rows integer;
begin
  select user_id into v_user from public.stripe_customers where customer_id = p_customer_id;
  select id into v_plan from public.membership_plans where stripe_price_id = p_price_id;
  insert into public.entitlements as e (stripe_subscription_id, user_id, customer_id, plan_id, status,
                                        current_period_end, last_event_at)
  values (p_subscription_id, v_user, p_customer_id, v_plan, p_status, p_period_end, p_event_at)
  on conflict (stripe_subscription_id) do update
    set status = excluded.status,
        current_period_end = coalesce(excluded.current_period_end, e.current_period_end),
        plan_id = coalesce(excluded.plan_id, e.plan_id),
        user_id = coalesce(excluded.user_id, e.user_id),
        last_event_at = excluded.last_event_at,
        updated_at = now()
    where e.last_event_at <= excluded.last_event_at;
  get diagnostics v_rows = row_count;
  return case when v_rows = 1 then 'applied' else 'stale' end;
end;
$$;

-- An invoice was paid / failed: move the subscription's status and period, unless newer news arrived.
create or replace function public.apply_invoice(
  p_subscription_id text, p_customer_id text, p_paid boolean, p_period_end timestamptz, p_event_at timestamptz
) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_rows integer;
begin
  update public.entitlements
    set status = case when p_paid then 'active' else 'past_due' end,
        current_period_end = case when p_paid then greatest(coalesce(current_period_end, p_period_end), p_period_end)
                                  else current_period_end end,
        last_event_at = p_event_at,
        updated_at = now()
    where stripe_subscription_id = p_subscription_id and last_event_at <= p_event_at and status <> 'canceled';
  get diagnostics v_rows = row_count;
  if v_rows = 0 and not exists (select 1 from public.entitlements where stripe_subscription_id = p_subscription_id) then
    insert into public.entitlements (stripe_subscription_id, user_id, customer_id, status, current_period_end, last_event_at)
    values (p_subscription_id, (select user_id from public.stripe_customers where customer_id = p_customer_id),
            p_customer_id, case when p_paid then 'active' else 'past_due' end, p_period_end, p_event_at);
    return 'created';
  end if;
  return case when v_rows = 1 then 'applied' else 'stale' end;
end;
$$;

create or replace function public.apply_account_state(
  p_account_id text, p_charges_enabled boolean, p_payouts_enabled boolean, p_details_submitted boolean,
  p_event_at timestamptz
) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_rows integer;
begin
  update public.payout_accounts
    set charges_enabled = p_charges_enabled, payouts_enabled = p_payouts_enabled,
        details_submitted = p_details_submitted, last_event_at = p_event_at, updated_at = now()
    where stripe_account_id = p_account_id and (last_event_at is null or last_event_at <= p_event_at);
  get diagnostics v_rows = row_count;
  return case when v_rows = 1 then 'applied'
              when exists (select 1 from public.payout_accounts where stripe_account_id = p_account_id) then 'stale'
              else 'unknown_account' end;
end;
$$;

-- A charge was refunded: the refunds we asked for are done.
create or replace function public.record_charge_refunded(p_payment_intent_id text, p_refund_ids text[]) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_rows integer;
begin
  update public.refunds r set status = 'succeeded'
    from public.bookings b
    where b.id = r.booking_id and b.payment_intent_id = p_payment_intent_id
      and (r.stripe_refund_id = any(p_refund_ids) or r.status = 'submitted') and r.status <> 'succeeded';
  get diagnostics v_rows = row_count;
  if v_rows > 0 then
    perform public.enqueue_event('refund_succeeded', b.learner_id, b.session_id, b.id, '{}'::jsonb)
    from public.bookings b where b.payment_intent_id = p_payment_intent_id;
  end if;
  return case when v_rows > 0 then 'refunded' else 'nothing_pending' end;
end;
$$;

revoke execute on function
  public.claim_stripe_event(text, text, timestamptz),
  public.finish_stripe_event(text, text),
  public.record_payment_succeeded(uuid, text, text, integer, text),
  public.record_payment_failed(uuid, text),
  public.apply_subscription_state(text, text, text, text, timestamptz, timestamptz),
  public.apply_invoice(text, text, boolean, timestamptz, timestamptz),
  public.apply_account_state(text, boolean, boolean, boolean, timestamptz),
  public.record_charge_refunded(text, text[])
from public, anon, authenticated;

grant execute on function
  public.claim_stripe_event(text, text, timestamptz),
  public.finish_stripe_event(text, text),
  public.record_payment_succeeded(uuid, text, text, integer, text),
  public.record_payment_failed(uuid, text),
  public.apply_subscription_state(text, text, text, text, timestamptz, timestamptz),
  public.apply_invoice(text, text, boolean, timestamptz, timestamptz),
  public.apply_account_state(text, boolean, boolean, boolean, timestamptz),
  public.record_charge_refunded(text, text[])
to service_role;
