-- An invoice event and its subscription's first event, processed at the same moment by two webhook invocations,
-- both found no entitlement and both inserted one: the loser failed on the primary key (bench/webhooks.py, 8
-- clients: "duplicate key value violates unique constraint entitlements_pkey" in apply_invoice), answered 409 and
-- waited for Stripe's retry. Now the insert yields to a row created meanwhile (`on conflict do nothing`, which waits
-- for the other transaction) and the event is applied to that row instead, in the same call.

create or replace function public.apply_invoice(
  p_subscription_id text, p_customer_id text, p_paid boolean, p_period_end timestamptz, p_event_at timestamptz
) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_rows integer;
begin
  for attempt in 1..2 loop
    update public.entitlements
      set status = case when p_paid then 'active' else 'past_due' end,
          current_period_end = case when p_paid then greatest(coalesce(current_period_end, p_period_end), p_period_end)
                                    else current_period_end end,
          last_event_at = p_event_at,
          updated_at = now()
      where stripe_subscription_id = p_subscription_id and last_event_at <= p_event_at and status <> 'canceled';
    get diagnostics v_rows = row_count;
    if v_rows = 1 then
      return 'applied';
    elsif exists (select 1 from public.entitlements where stripe_subscription_id = p_subscription_id) then
      return 'stale';
    end if;
    insert into public.entitlements (stripe_subscription_id, user_id, customer_id, status, current_period_end,
                                     last_event_at)
    values (p_subscription_id, (select user_id from public.stripe_customers where customer_id = p_customer_id),
            p_customer_id, case when p_paid then 'active' else 'past_due' end, p_period_end, p_event_at)
    on conflict (stripe_subscription_id) do nothing;
    if found then
      return 'created';
    end if;
    -- Created by a concurrent event since our update: apply this one to it (the next statement sees it).
  end loop;
  return 'stale';
end;
$$;

create or replace function public.apply_membership_invoice(
  p_invoice_id text, p_subscription_id text, p_customer_id text, p_status text, p_amount_due integer,
  p_amount_paid integer, p_currency text, p_period_end timestamptz, p_hosted_url text, p_created timestamptz,
  p_paid boolean, p_failed boolean, p_event_at timestamptz
) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_user uuid := (select user_id from public.stripe_customers where customer_id = p_customer_id);
  v_rows integer;
  v_rank constant jsonb := '{"draft": 0, "open": 1, "uncollectible": 2, "paid": 3, "void": 3}';
begin
  -- (As 20261130001500_invoice_status_never_goes_back.sql: an invoice's status only moves forward.)
  insert into public.membership_invoices as i (id, stripe_subscription_id, user_id, status, amount_due, amount_paid,
      currency, period_end, hosted_invoice_url, stripe_created, last_event_at)
  values (p_invoice_id, p_subscription_id, v_user, p_status, p_amount_due, p_amount_paid, p_currency, p_period_end,
          p_hosted_url, p_created, p_event_at)
  on conflict (id) do update
    set status = excluded.status, amount_due = excluded.amount_due, amount_paid = excluded.amount_paid,
        period_end = coalesce(excluded.period_end, i.period_end),
        hosted_invoice_url = coalesce(excluded.hosted_invoice_url, i.hosted_invoice_url),
        user_id = coalesce(i.user_id, excluded.user_id),
        last_event_at = greatest(i.last_event_at, excluded.last_event_at)
    where (v_rank ->> excluded.status)::integer > (v_rank ->> i.status)::integer
       or ((v_rank ->> excluded.status)::integer = (v_rank ->> i.status)::integer
           and i.last_event_at <= excluded.last_event_at);
  if not (p_paid or p_failed) then
    return 'invoice_recorded';
  end if;
  for attempt in 1..2 loop
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
    if v_rows = 1 then
      return 'applied';
    elsif exists (select 1 from public.entitlements where stripe_subscription_id = p_subscription_id) then
      return 'stale';
    end if;
    insert into public.entitlements (stripe_subscription_id, user_id, customer_id, status, current_period_end,
                                     last_event_at)
    values (p_subscription_id, v_user, p_customer_id, case when p_paid then 'active' else 'past_due' end,
            p_period_end, p_event_at)
    on conflict (stripe_subscription_id) do nothing;
    if found then
      return 'created';
    end if;
    -- Created by a concurrent event since our update: apply this one to it (the next statement sees it).
  end loop;
  return 'stale';
end;
$$;
