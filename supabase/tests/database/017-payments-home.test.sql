-- Premium content as a product (authoring as the expert, the public catalogue, bodies for the entitled only), and
-- the `private` schema our functions write Stripe's answers through (not reachable by clients, checking the
-- caller, one live membership per member).
begin;
select plan(35);

select tests.create_user('author@example.test') as author \gset
select tests.create_user('unpaid@example.test') as unpaid \gset
select tests.create_user('buyer@example.test') as buyer \gset
select tests.create_user('member@example.test') as member \gset
select tests.create_user('other@example.test') as other \gset
select display_name as author_name from public.profiles where id = :'author' \gset
insert into public.payout_accounts (host_id, stripe_account_id, charges_enabled) values (:'author', 'acct_author', true);
insert into public.skills (id, slug, name, category) overriding system value values (990101, 'pay-home', 'Pay home', 'Test');
insert into public.stripe_customers (user_id, customer_id) values (:'member', 'cus_member');
insert into public.entitlements (stripe_subscription_id, user_id, customer_id, plan_id, status, current_period_end, last_event_at)
values ('sub_member', :'member', 'cus_member', null, 'active', now() + interval '20 days', now());

-- The private schema: not exposed, and only what our functions call ---------------------------------------------
select is_empty($$ select p.oid::regprocedure::text from pg_proc p
                   where p.pronamespace = 'private'::regnamespace
                     and (has_function_privilege('anon', p.oid, 'execute')
                          or has_function_privilege('public', p.oid, 'execute')) $$,
  'no private function is executable by anon or PUBLIC');
select is_empty($$ select p.oid::regprocedure::text from pg_proc p
                   where p.pronamespace = 'private'::regnamespace and not p.prosecdef $$,
  'every private function is security definer with its own checks');
select ok(not has_schema_privilege('anon', 'private', 'usage'), 'anon cannot even look into the private schema');

-- Authoring, as the expert ----------------------------------------------------------------------------------------
select tests.authenticate_as(:'author');
select lives_ok($$ insert into public.premium_content (id, kind, title, summary, author_id, price_amount, currency)
  values ('c1c10000-0000-4000-8000-000000000001', 'recording', 'Sold', 'A recording for sale', auth.uid(), 1500, 'usd') $$,
  'an expert creates a priced draft');
select throws_ok($$ insert into public.premium_content (kind, title, author_id, status)
  values ('article', 'Straight to published', auth.uid(), 'published') $$, '42501', null,
  'a new item is a draft (status is not insertable)');
select throws_ok($$ insert into public.premium_content (kind, title, author_id)
  values ('article', 'In someone else''s name', '$$ || :'other' || $$') $$, '42501', null,
  'nobody authors in someone else''s name');
select lives_ok($$ insert into public.premium_content_bodies (content_id, body, url)
  values ('c1c10000-0000-4000-8000-000000000001', 'The body', 'https://media.example.org/sold') $$,
  'the author writes the body');
select lives_ok($$ insert into public.premium_content_skills (content_id, skill_id)
  values ('c1c10000-0000-4000-8000-000000000001', 990101) $$, 'and tags it with a skill');
select lives_ok($$ insert into public.premium_content (id, kind, title, author_id)
  values ('c1c10000-0000-4000-8000-000000000002', 'article', 'Members only', auth.uid()) $$, 'a members-only draft');
select lives_ok($$ update public.premium_content set status = 'published'
  where id in ('c1c10000-0000-4000-8000-000000000001', 'c1c10000-0000-4000-8000-000000000002') $$,
  'the author publishes both');
select isnt((select published_at from public.premium_content where id = 'c1c10000-0000-4000-8000-000000000001'),
  null, 'publishing stamps the time');
select throws_ok($$ update public.premium_content set status = 'draft' where id = 'c1c10000-0000-4000-8000-000000000001' $$,
  'SS409', null, 'a published item is archived, never a draft again');
select is_empty($$ delete from public.premium_content where id = 'c1c10000-0000-4000-8000-000000000001' returning id $$,
  'a published item cannot be deleted (drafts only)');

select tests.authenticate_as(:'unpaid');
select lives_ok($$ insert into public.premium_content (id, kind, title, author_id, price_amount)
  values ('c1c10000-0000-4000-8000-000000000003', 'article', 'Unpaid', auth.uid(), 500) $$,
  'an expert without a payout account may draft a priced item');
select throws_ok($$ update public.premium_content set status = 'published' where id = 'c1c10000-0000-4000-8000-000000000003' $$,
  'SS409', null, 'but not publish it before they can be paid');

-- The catalogue and the bodies ----------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select results_eq($$ select title from public.premium_content order by title $$, array['Members only', 'Sold'],
  'visitors see the published catalogue');
select is((select public.author_display_name(author_id) from public.premium_content where title = 'Sold'),
  :'author_name', 'with the author''s name');
select throws_ok('select body from public.premium_content_bodies', '42501', null, 'but no body (no grant)');
select is((select count(*)::int from public.premium_content_skills), 1, 'and the skills of published items');

select tests.authenticate_as(:'other');
select is_empty('select * from public.premium_content_bodies', 'a signed-in stranger reads no body');
select is((select count(*)::int from public.premium_content where status = 'draft'), 0, 'nor anyone''s drafts');
select is((select count(*)::int from public.premium_content where author_id = :'unpaid'), 0,
  'so the unpublished item is invisible');
select is_empty($$ update public.premium_content set title = 'Mine now' where id = 'c1c10000-0000-4000-8000-000000000001'
  returning id $$, 'nor can they edit it');
select throws_ok($$ select private.record_content_refund('c1c10000-0000-4000-8000-000000000001', 're_x') $$,
  'SS409', null, 'a stranger has nothing to refund');

select tests.authenticate_as(:'member');
select results_eq('select body from public.premium_content_bodies order by body', array['The body'],
  'a member reads the bodies of published items');

-- A purchase (as the webhook records it), then its refund as the buyer
select tests.clear_authentication();
select is(public.record_content_purchase(:'buyer', 'c1c10000-0000-4000-8000-000000000001', 'pi_buy', 1500, 'usd', 150, true),
  'purchased', 'the webhook records a purchase');
select is(public.record_content_purchase(:'buyer', 'c1c10000-0000-4000-8000-000000000001', 'pi_buy', 1500, 'usd', 150, true),
  'already_owned', 'a redelivered event changes nothing');
select tests.authenticate_as(:'buyer');
select results_eq('select body from public.premium_content_bodies', array['The body'], 'the buyer reads what they bought');
select lives_ok($$ select private.record_content_refund('c1c10000-0000-4000-8000-000000000001', 're_1') $$,
  'the buyer records their refund');
select is_empty('select * from public.premium_content_bodies', 'a refunded purchase closes the body');
select tests.authenticate_as(:'author');
select results_eq('select stripe_refund_id from public.content_purchases', array['re_1'],
  'the author sees the purchases of their items');

-- Memberships: one live membership per member ---------------------------------------------------------------------
select tests.authenticate_as(:'member');
select throws_ok($$ select private.record_membership('cus_member', 'sub_second', 'x', 'incomplete', null, null, now()) $$,
  'SS409', null, 'a second live membership is refused');
select throws_ok($$ select private.remember_customer('not-a-customer') $$, '22023', null, 'only Stripe customer ids');
select lives_ok($$ select private.record_membership_change('sub_member', null, 'active', null, true) $$,
  'a member records their own change');
select tests.authenticate_as(:'other');
select throws_ok($$ select private.record_membership_change('sub_member', null, 'canceled', null, false) $$,
  'SS404', null, 'nobody changes someone else''s membership');

select tests.clear_authentication();
select * from finish();
rollback;
