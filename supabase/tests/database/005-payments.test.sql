-- RLS on payments tables: customers, payout accounts, the event ledger, plans, entitlements, premium content
-- and purchases. A premium item's body is readable only by the entitled (active membership or a purchase); the
-- published catalogue is public (017-payments-home.test.sql covers authoring and the catalogue).
begin;
select plan(23);

select tests.create_user('member@example.test') as member \gset
select tests.create_user('lapsed@example.test') as lapsed \gset
select tests.create_user('buyer@example.test') as buyer \gset
select tests.create_user('stranger@example.test') as stranger \gset

insert into public.membership_plans (id, name, stripe_price_id, amount, currency, billing_interval)
values ('plus', 'Plus', 'price_plus', 1200, 'usd', 'month'), ('old', 'Old', 'price_old', 900, 'usd', 'month');
update public.membership_plans set active = false where id = 'old';
insert into public.stripe_customers (user_id, customer_id) values (:'member', 'cus_m'), (:'lapsed', 'cus_l');
insert into public.entitlements (stripe_subscription_id, user_id, customer_id, plan_id, status, current_period_end, last_event_at)
values ('sub_m', :'member', 'cus_m', 'plus', 'active', now() + interval '20 days', now()),
       ('sub_l', :'lapsed', 'cus_l', 'plus', 'active', now() - interval '1 day', now());
insert into public.premium_content (id, kind, title, status) values
  ('cccccccc-0000-4000-8000-000000000001', 'article', 'Members article', 'published'),
  ('cccccccc-0000-4000-8000-000000000002', 'recording', 'Bought recording', 'published');
insert into public.premium_content_bodies (content_id, body) values
  ('cccccccc-0000-4000-8000-000000000001', 'members text'), ('cccccccc-0000-4000-8000-000000000002', 'recording');
insert into public.content_purchases (user_id, content_id, payment_intent_id)
values (:'buyer', 'cccccccc-0000-4000-8000-000000000002', 'pi_buy');
insert into public.payout_accounts (host_id, stripe_account_id, charges_enabled) values (:'member', 'acct_m', true);
insert into public.stripe_events (id, type, stripe_created, outcome) values ('evt_1', 'x', now(), 'ignored');

-- anon ------------------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok('select * from public.premium_content_bodies', '42501', null,
  'anon reads no premium content body (no grant)');
select results_eq('select id from public.membership_plans', array['plus'], 'anon sees the active plans only');
select throws_ok('select * from public.entitlements', '42501', null, 'anon reads no entitlements (no grant)');
select throws_ok('select * from public.stripe_events', '42501', null, 'anon reads no Stripe events (no grant)');

-- a member with an active subscription ---------------------------------------------------------------
select tests.authenticate_as(:'member');
select is((select count(*)::int from public.premium_content_bodies), 2, 'an active member reads every published body');
select results_eq('select stripe_subscription_id from public.entitlements', array['sub_m'],
  'a member reads only their own entitlement');
select results_eq('select customer_id from public.stripe_customers', array['cus_m'], 'a user reads only their own customer');
select results_eq('select stripe_account_id from public.payout_accounts', array['acct_m'],
  'a host reads their own payout account');
select throws_ok($$ update public.entitlements set current_period_end = now() + interval '10 years'
  where stripe_subscription_id = 'sub_m' returning 1 $$, '42501', null,
  'a member cannot extend their own entitlement (no grant)');
select throws_ok($$ update public.payout_accounts set charges_enabled = true returning host_id $$, '42501', null,
  'a host cannot enable charges themselves (no grant)');
select throws_ok($$ insert into public.content_purchases (user_id, content_id) values
  (auth.uid(), 'cccccccc-0000-4000-8000-000000000002') $$, '42501', null, 'purchases are not client-writable');
select throws_ok('select * from public.stripe_events', '42501', null,
  'members read no Stripe events (no grant)');
select throws_ok($$ select public.record_payment_succeeded(gen_random_uuid(), 'pi', 'ch', 1, 'usd') $$, '42501', null,
  'clients cannot apply payment effects');
select throws_ok($$ select public.claim_stripe_event('evt_2', 'x', now()) $$, '42501', null,
  'clients cannot write to the event ledger');

-- a lapsed member -------------------------------------------------------------------------------------
select tests.authenticate_as(:'lapsed');
select is_empty('select * from public.premium_content_bodies', 'a subscription past its period end entitles nothing');

-- a buyer ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'buyer');
select results_eq('select body from public.premium_content_bodies', array['recording'],
  'a buyer reads exactly what they bought');
select results_eq('select content_id from public.content_purchases',
  array['cccccccc-0000-4000-8000-000000000002'::uuid], 'a buyer reads their own purchases');

-- a stranger ------------------------------------------------------------------------------------------
select tests.authenticate_as(:'stranger');
select is_empty('select * from public.premium_content_bodies', 'a signed-in user without entitlement reads no body');
select is_empty('select * from public.content_purchases', 'a stranger reads nobody''s purchases');
select is_empty('select * from public.payout_accounts', 'a stranger reads no payout account');

-- service role ----------------------------------------------------------------------------------------
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.entitlements), 2, 'the service role reads every entitlement');
select throws_ok($$ select public.claim_stripe_event('evt_svc', 'x', now()) $$, '42501', null,
  'the event ledger is internal: not even the service role writes it');
select throws_ok($$ select public.settle_stripe_event('evt_svc', 'applied') $$, '42501', null,
  'nor settles an event in it');
select tests.clear_authentication();

select * from finish();
rollback;
