-- One home for payments (#14): the paid-booking path acts as the caller, memberships run end to end (trials,
-- cancel at period end, resume, change plan, invoices), and premium content is a product (authored by experts,
-- a public catalogue, bodies readable by members and buyers, one-off purchases that can be refunded).

-- The `private` schema -----------------------------------------------------------------------------------------
-- What our functions' connections call while acting as the caller (`set local role authenticated` + claims) to
-- record what Stripe answered: a customer, a PaymentIntent, a subscription, a refund. These must not be callable
-- by a client, who could otherwise record made-up Stripe ids. Supabase's Data API serves only the schemas listed
-- in config.toml ([api] schemas = ["public"]), and Supabase's guide says security-definer functions "should never
-- be created in a schema in the Exposed schemas" (supabase.com/docs/guides/database/functions, "Security definer
-- vs invoker"); so they live here, granted to `authenticated` (our connections' role) and reachable only through
-- a direct database connection, which clients do not have. 017-payments-home.test.sql holds the contract.
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated;

-- The connected account a host's charges go to (only once it can take charges). Read by the paid paths while they
-- act as the caller, who cannot read other people's payout accounts.
create function private.charge_destination(p_host_id uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select a.stripe_account_id from public.payout_accounts a where a.host_id = p_host_id and a.charges_enabled
$$;

-- The caller's Stripe customer, remembered (or replaced, when Stripe no longer knew the old one).
create function private.remember_customer(p_customer_id text) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'sign in first';
  end if;
  if p_customer_id !~ '^cus_[A-Za-z0-9_]{1,250}$' then
    raise exception using errcode = '22023', message = 'not a Stripe customer id';
  end if;
  insert into public.stripe_customers as c (user_id, customer_id) values ((select auth.uid()), p_customer_id)
  on conflict (user_id) do update set customer_id = excluded.customer_id
    where c.customer_id is distinct from excluded.customer_id;
end;
$$;

-- The caller's connected account for payouts, created by onboarding (the first one stays).
create function private.remember_payout_account(p_account_id text) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if (select auth.uid()) is null then
    raise exception using errcode = '42501', message = 'sign in first';
  end if;
  if p_account_id !~ '^acct_[A-Za-z0-9_]{1,250}$' then
    raise exception using errcode = '22023', message = 'not a Stripe account id';
  end if;
  insert into public.payout_accounts (host_id, stripe_account_id) values ((select auth.uid()), p_account_id)
  on conflict (host_id) do nothing;
end;
$$;

-- Paid bookings -------------------------------------------------------------------------------------------------
alter table public.bookings add column platform_fee integer check (platform_fee >= 0);
comment on column public.bookings.platform_fee is 'The application fee the platform keeps of a destination charge.';

-- The one write of the paid-booking path: the caller's customer and their held seat's PaymentIntent. Returns the
-- PaymentIntent the booking holds (an earlier one wins: Stripe's idempotency key made them the same).
create function private.attach_booking_payment(
  p_booking_id uuid, p_customer_id text, p_payment_intent_id text, p_destination_charge boolean, p_platform_fee integer
) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_intent text;
begin
  perform private.remember_customer(p_customer_id);
  update public.bookings
    set payment_intent_id = coalesce(payment_intent_id, p_payment_intent_id),
        destination_charge = case when payment_intent_id is null then p_destination_charge else destination_charge end,
        platform_fee = case when payment_intent_id is null then p_platform_fee else platform_fee end
    where id = p_booking_id and learner_id = (select auth.uid()) and status = 'pending_payment'
    returning payment_intent_id into v_intent;
  if v_intent is null then
    raise exception using errcode = 'SS409', column = 'booking_id', message = 'this booking has nothing to pay';
  end if;
  return v_intent;
end;
$$;

-- Memberships ---------------------------------------------------------------------------------------------------
alter table public.membership_plans
  add column description text not null default '' check (char_length(description) <= 500),
  add column trial_days integer not null default 0 check (trial_days between 0 and 730);

alter table public.entitlements
  add column cancel_at_period_end boolean not null default false,
  add column trial_end timestamptz;

-- The statuses in which a subscription is someone's membership (Stripe, "Subscription statuses",
-- docs.stripe.com/billing/subscriptions/overview#subscription-statuses); the rest are over.
create function public.membership_is_live(p_status text) returns boolean
language sql immutable set search_path = ''
as $$ select p_status in ('incomplete', 'trialing', 'active', 'past_due', 'unpaid', 'paused') $$;

create index entitlements_live_idx on public.entitlements (user_id) where status in ('incomplete', 'trialing',
  'active', 'past_due', 'unpaid', 'paused');

-- The invoices of members' subscriptions, as Stripe's invoice events describe them (newest event wins).
create table public.membership_invoices (
  id text primary key check (id ~ '^in_[A-Za-z0-9_]{1,250}$'),
  stripe_subscription_id text not null,
  user_id uuid references auth.users (id) on delete cascade,
  status text not null check (status in ('draft', 'open', 'paid', 'uncollectible', 'void')),
  amount_due integer not null check (amount_due >= 0),
  amount_paid integer not null check (amount_paid >= 0),
  currency text not null check (currency ~ '^[a-z]{3}$'),
  period_end timestamptz,
  hosted_invoice_url text check (hosted_invoice_url ~ '^https://'),
  stripe_created timestamptz not null,
  last_event_at timestamptz not null
);
create index membership_invoices_user_idx on public.membership_invoices (user_id, stripe_created desc, id desc);
create index membership_invoices_subscription_idx on public.membership_invoices (stripe_subscription_id);
alter table public.membership_invoices enable row level security;
create policy "Members can read their own invoices"
  on public.membership_invoices for select to authenticated
  using ((select auth.uid()) = user_id);
grant select on public.membership_invoices to authenticated, service_role;

-- A subscription's state, newest Stripe event time wins (replaces the six-argument version: it now keeps a
-- pending cancellation and the trial's end as well). An ended subscription stays ended: Stripe cannot restart a
-- canceled or expired subscription (docs.stripe.com/billing/subscriptions/cancel), so an event of the same second
-- delivered after the cancellation (Stripe's times are whole seconds, its order is not guaranteed) cannot revive it.
drop function public.apply_subscription_state(text, text, text, text, timestamptz, timestamptz);
create function public.apply_subscription_state(
  p_subscription_id text, p_customer_id text, p_price_id text, p_status text, p_period_end timestamptz,
  p_cancel_at_period_end boolean, p_trial_end timestamptz, p_event_at timestamptz
) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_rows integer;
begin
  insert into public.entitlements as e (stripe_subscription_id, user_id, customer_id, plan_id, status,
                                        current_period_end, cancel_at_period_end, trial_end, last_event_at)
  values (p_subscription_id, (select user_id from public.stripe_customers where customer_id = p_customer_id),
          p_customer_id, (select id from public.membership_plans where stripe_price_id = p_price_id), p_status,
          p_period_end, coalesce(p_cancel_at_period_end, false), p_trial_end, p_event_at)
  on conflict (stripe_subscription_id) do update
    set status = excluded.status,
        current_period_end = coalesce(excluded.current_period_end, e.current_period_end),
        plan_id = coalesce(excluded.plan_id, e.plan_id),
        user_id = coalesce(e.user_id, excluded.user_id),
        cancel_at_period_end = coalesce(p_cancel_at_period_end, e.cancel_at_period_end),
        trial_end = coalesce(excluded.trial_end, e.trial_end),
        last_event_at = excluded.last_event_at,
        updated_at = now()
    where e.last_event_at <= excluded.last_event_at
      and (e.status not in ('canceled', 'incomplete_expired') or excluded.status = e.status);
  get diagnostics v_rows = row_count;
  return case when v_rows = 1 then 'applied' else 'stale' end;
end;
$$;
-- (Like every effect of Stripe's events: run by the webhook function's own connection, executable by no API role.)
revoke execute on function
  public.apply_subscription_state(text, text, text, text, timestamptz, boolean, timestamptz, timestamptz)
from public, anon, authenticated, service_role;

-- An invoice event: the invoice is kept for the member to see, and a paid or failed one moves the subscription
-- (unless newer news arrived). A paid zero-amount invoice (a trial's first) leaves a trial a trial.
create function public.apply_membership_invoice(
  p_invoice_id text, p_subscription_id text, p_customer_id text, p_status text, p_amount_due integer,
  p_amount_paid integer, p_currency text, p_period_end timestamptz, p_hosted_url text, p_created timestamptz,
  p_paid boolean, p_failed boolean, p_event_at timestamptz
) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_user uuid := (select user_id from public.stripe_customers where customer_id = p_customer_id);
  v_rows integer;
begin
  insert into public.membership_invoices as i (id, stripe_subscription_id, user_id, status, amount_due, amount_paid,
      currency, period_end, hosted_invoice_url, stripe_created, last_event_at)
  values (p_invoice_id, p_subscription_id, v_user, p_status, p_amount_due, p_amount_paid, p_currency, p_period_end,
          p_hosted_url, p_created, p_event_at)
  on conflict (id) do update
    set status = excluded.status, amount_due = excluded.amount_due, amount_paid = excluded.amount_paid,
        period_end = coalesce(excluded.period_end, i.period_end),
        hosted_invoice_url = coalesce(excluded.hosted_invoice_url, i.hosted_invoice_url),
        user_id = coalesce(i.user_id, excluded.user_id), last_event_at = excluded.last_event_at
    where i.last_event_at <= excluded.last_event_at;
  if not (p_paid or p_failed) then
    return 'invoice_recorded';
  end if;
  update public.entitlements
    set status = case when p_failed and status = 'incomplete' then status
                      when p_failed then 'past_due'
                      when status = 'trialing' and p_amount_paid = 0 then status
                      else 'active' end,
        current_period_end = case when p_paid then greatest(coalesce(current_period_end, p_period_end), p_period_end)
                                  else current_period_end end,
        last_event_at = p_event_at, updated_at = now()
    where stripe_subscription_id = p_subscription_id and last_event_at <= p_event_at
      and public.membership_is_live(status);
  get diagnostics v_rows = row_count;
  if v_rows = 0 and not exists (select 1 from public.entitlements where stripe_subscription_id = p_subscription_id) then
    insert into public.entitlements (stripe_subscription_id, user_id, customer_id, status, current_period_end,
                                     last_event_at)
    values (p_subscription_id, v_user, p_customer_id, case when p_paid then 'active' else 'past_due' end,
            p_period_end, p_event_at);
    return 'created';
  end if;
  return case when v_rows = 1 then 'applied' else 'stale' end;
end;
$$;
revoke execute on function public.apply_membership_invoice(text, text, text, text, integer, integer, text,
  timestamptz, text, timestamptz, boolean, boolean, timestamptz) from public, anon, authenticated, service_role;

-- The caller started a subscription: their customer and the subscription as Stripe answered it, written once.
-- One live membership per member: another live one (a race between two plans) is refused, and the caller
-- cancels the subscription it just made.
create function private.record_membership(
  p_customer_id text, p_subscription_id text, p_plan_id text, p_status text, p_period_end timestamptz,
  p_trial_end timestamptz, p_created timestamptz
) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
begin
  perform private.remember_customer(p_customer_id);
  perform pg_advisory_xact_lock(hashtextextended('membership:' || v_user::text, 0));
  if exists (select 1 from public.entitlements e where e.user_id = v_user and public.membership_is_live(e.status)
             and e.stripe_subscription_id <> p_subscription_id) then
    raise exception using errcode = 'SS409', column = 'plan_id',
      message = 'you already have a membership: change its plan instead';
  end if;
  insert into public.entitlements as e (stripe_subscription_id, user_id, customer_id, plan_id, status,
                                        current_period_end, trial_end, last_event_at)
  values (p_subscription_id, v_user, p_customer_id, p_plan_id, p_status, p_period_end, p_trial_end, p_created)
  on conflict (stripe_subscription_id) do update set user_id = coalesce(e.user_id, excluded.user_id)
    where e.customer_id = excluded.customer_id;
end;
$$;

-- The caller changed their own subscription (cancel at period end, resume, a new plan): Stripe's answer, recorded
-- now so the member sees it at once. The newest Stripe event time stays as it was: Stripe's own event for the
-- change (and any later one) still applies, and it agrees.
create function private.record_membership_change(
  p_subscription_id text, p_plan_id text, p_status text, p_period_end timestamptz, p_cancel_at_period_end boolean
) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  update public.entitlements
    set plan_id = coalesce(p_plan_id, plan_id), status = p_status,
        current_period_end = coalesce(p_period_end, current_period_end),
        cancel_at_period_end = p_cancel_at_period_end, updated_at = now()
    where stripe_subscription_id = p_subscription_id and user_id = (select auth.uid());
  if not found then
    raise exception using errcode = 'SS404', message = 'membership not found';
  end if;
end;
$$;

-- Premium content as a product ------------------------------------------------------------------------------------
-- The catalogue row is public once published; the body moves to a table of its own, readable only by the entitled.
create table public.premium_content_bodies (
  content_id uuid primary key references public.premium_content (id) on delete cascade,
  body text check (char_length(body) <= 200000),
  url text check (url ~ '^https://' and char_length(url) <= 2000)
);
insert into public.premium_content_bodies (content_id, body, url)
  select id, body, url from public.premium_content where body is not null or url is not null;
alter table public.premium_content drop column body, drop column url;

alter table public.premium_content
  add column summary text not null default '' check (char_length(summary) <= 1000),
  add column status text not null default 'draft' check (status in ('draft', 'published', 'archived')),
  add column published_at timestamptz,
  add column updated_at timestamptz not null default now(),
  add constraint premium_content_currency check (currency ~ '^[a-z]{3}$'),
  add constraint premium_content_price_max check (price_amount <= 1000000);
create index premium_content_catalogue_idx on public.premium_content (published_at desc, id desc)
  where status = 'published';
create index premium_content_author_idx on public.premium_content (author_id);

create table public.premium_content_skills (
  content_id uuid not null references public.premium_content (id) on delete cascade,
  skill_id integer not null references public.skills (id) on delete cascade,
  primary key (content_id, skill_id)
);
create index premium_content_skills_skill_idx on public.premium_content_skills (skill_id);
alter table public.premium_content_skills enable row level security;

alter table public.content_purchases
  add column amount integer check (amount >= 0),
  add column currency text check (currency ~ '^[a-z]{3}$'),
  add column platform_fee integer check (platform_fee >= 0),
  add column destination_charge boolean not null default false,
  add column refunded_at timestamptz,
  add column stripe_refund_id text;

-- An author's public name: shown with the catalogue, to visitors too (who cannot read profiles), and only for
-- people who have published an item (as host_display_name shows only hosts of published sessions).
create function public.author_display_name(p_author_id uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select p.display_name from public.profiles p
  where p.id = p_author_id
    and exists (select 1 from public.premium_content c where c.author_id = p_author_id and c.status <> 'draft')
$$;
revoke execute on function public.author_display_name(uuid) from public;
grant execute on function public.author_display_name(uuid) to anon, authenticated;

-- Whether the caller is the author of a content item (security definer: reads drafts for the body policies).
create function public.is_content_author(p_content_id uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.premium_content c where c.id = p_content_id and c.author_id = (select auth.uid()))
$$;

-- Whether the caller may read a content item's body: its author; a member (published items); a buyer whose
-- purchase was not refunded (published or archived items).
create function public.can_read_content_body(p_content_id uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.premium_content c
    where c.id = p_content_id and (
      c.author_id = (select auth.uid())
      or (c.status = 'published' and (select public.has_active_membership()))
      or (c.status in ('published', 'archived') and exists (
            select 1 from public.content_purchases p
            where p.content_id = c.id and p.user_id = (select auth.uid()) and p.refunded_at is null))))
$$;

drop policy "Members and buyers can read premium content" on public.premium_content;
create policy "Anyone can read the published catalogue"
  on public.premium_content for select to anon, authenticated
  using (status = 'published');
create policy "Authors can read their own items"
  on public.premium_content for select to authenticated
  using ((select auth.uid()) = author_id);
create policy "Buyers can read the items they bought"
  on public.premium_content for select to authenticated
  using (exists (select 1 from public.content_purchases p
                 where p.content_id = premium_content.id and p.user_id = (select auth.uid())));
create policy "Experts can create their own items"
  on public.premium_content for insert to authenticated
  with check ((select auth.uid()) = author_id and status = 'draft');
create policy "Authors can update their own items"
  on public.premium_content for update to authenticated
  using ((select auth.uid()) = author_id)
  with check ((select auth.uid()) = author_id);
create policy "Authors can delete their own drafts"
  on public.premium_content for delete to authenticated
  using ((select auth.uid()) = author_id and status = 'draft');

alter table public.premium_content_bodies enable row level security;
create policy "Authors, members and buyers can read the body"
  on public.premium_content_bodies for select to authenticated
  using ((select public.can_read_content_body(content_id)));
create policy "Authors can write the body of their items"
  on public.premium_content_bodies for insert to authenticated
  with check ((select public.is_content_author(content_id)));
create policy "Authors can update the body of their items"
  on public.premium_content_bodies for update to authenticated
  using ((select public.is_content_author(content_id)))
  with check ((select public.is_content_author(content_id)));

create policy "Anyone can read the skills of published items"
  on public.premium_content_skills for select to anon, authenticated
  using (exists (select 1 from public.premium_content c where c.id = content_id and c.status = 'published'));
create policy "Authors can read the skills of their items"
  on public.premium_content_skills for select to authenticated
  using ((select public.is_content_author(content_id)));
create policy "Authors can tag their items"
  on public.premium_content_skills for insert to authenticated
  with check ((select public.is_content_author(content_id)));
create policy "Authors can untag their items"
  on public.premium_content_skills for delete to authenticated
  using ((select public.is_content_author(content_id)));

create policy "Authors can read the purchases of their items"
  on public.content_purchases for select to authenticated
  using ((select public.is_content_author(content_id)));

-- Publishing stamps the time; a priced item needs an author who can be paid (as a priced session does); a
-- published item with buyers is archived, not turned back into a draft.
create function public.premium_content_guard() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  new.updated_at := now();
  if new.status = 'published' and (tg_op = 'INSERT' or old.status <> 'published') then
    new.published_at := now();
  end if;
  if tg_op = 'UPDATE' and old.status <> 'draft' and new.status = 'draft' then
    raise exception using errcode = 'SS409', column = 'status',
      message = 'a published item can be archived, not made a draft again';
  end if;
  if new.price_amount > 0 and new.status = 'published' and private.charge_destination(new.author_id) is null then
    raise exception using errcode = 'SS409', column = 'price_amount',
      message = 'connect a payout account that can accept charges before selling content';
  end if;
  return new;
end;
$$;
revoke execute on function public.premium_content_guard() from public, anon, authenticated;
create trigger premium_content_guard before insert or update on public.premium_content
  for each row execute function public.premium_content_guard();

grant select on public.premium_content, public.premium_content_skills to anon;
grant select, delete on public.premium_content to authenticated;
-- (session_id, a reference to someone's session, is not client-writable.)
grant insert (id, kind, title, summary, author_id, price_amount, currency) on public.premium_content to authenticated;
grant update (kind, title, summary, price_amount, currency, status) on public.premium_content to authenticated;
grant select, insert, delete on public.premium_content_skills to authenticated;
grant select on public.premium_content_bodies to authenticated;
grant insert (content_id, body, url), update (body, url) on public.premium_content_bodies to authenticated;
grant select, insert, update, delete on public.premium_content_bodies, public.premium_content_skills to service_role;
revoke execute on function public.is_content_author(uuid), public.can_read_content_body(uuid) from public, anon;
grant execute on function public.is_content_author(uuid), public.can_read_content_body(uuid) to authenticated;
revoke execute on function public.membership_is_live(text) from public, anon, authenticated;

-- A content payment succeeded (webhook): the buyer owns the item (again, if an earlier purchase was refunded).
create function public.record_content_purchase(
  p_user_id uuid, p_content_id uuid, p_payment_intent_id text, p_amount integer, p_currency text,
  p_platform_fee integer, p_destination_charge boolean
) returns text
language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select 1 from public.premium_content where id = p_content_id)
     or not exists (select 1 from auth.users where id = p_user_id) then
    return 'unknown_content';
  end if;
  insert into public.content_purchases as p (user_id, content_id, payment_intent_id, amount, currency, platform_fee,
                                             destination_charge)
  values (p_user_id, p_content_id, p_payment_intent_id, p_amount, p_currency, p_platform_fee, p_destination_charge)
  on conflict (user_id, content_id) do update
    set payment_intent_id = excluded.payment_intent_id, amount = excluded.amount, currency = excluded.currency,
        platform_fee = excluded.platform_fee, destination_charge = excluded.destination_charge,
        refunded_at = null, stripe_refund_id = null, created_at = now()
    where p.refunded_at is not null;
  if not found then
    return 'already_owned';
  end if;
  perform public.enqueue_event('content_purchased', p_user_id, null, null,
    jsonb_build_object('content_id', p_content_id, 'amount', p_amount, 'currency', p_currency));
  return 'purchased';
end;
$$;
revoke execute on function public.record_content_purchase(uuid, uuid, text, integer, text, integer, boolean)
  from public, anon, authenticated;

-- The buyer's refund, asked of Stripe and recorded at once: the body is closed to them from now on.
create function private.record_content_refund(p_content_id uuid, p_refund_id text) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  update public.content_purchases set refunded_at = now(), stripe_refund_id = p_refund_id
    where content_id = p_content_id and user_id = (select auth.uid()) and refunded_at is null;
  if not found then
    raise exception using errcode = 'SS409', column = 'content_id', message = 'nothing to refund';
  end if;
end;
$$;

-- Grants of the private schema: our connections (as `authenticated`) call these; nothing else does.
revoke all on all functions in schema private from public, anon;
grant execute on function
  private.charge_destination(uuid),
  private.remember_customer(text),
  private.remember_payout_account(text),
  private.attach_booking_payment(uuid, text, text, boolean, integer),
  private.record_membership(text, text, text, text, timestamptz, timestamptz, timestamptz),
  private.record_membership_change(text, text, text, timestamptz, boolean),
  private.record_content_refund(uuid, text)
to authenticated;
