-- Groups under RLS: anon, owner, member, pending requester, non-member, service role; private messages and
-- their broadcasts reach members only. EXPLAIN: the chat page and the progress page use indexes.
begin;
select plan(35);

select tests.create_user('owner@example.test') as owner \gset
select tests.create_user('member@example.test') as member \gset
select tests.create_user('outsider@example.test') as outsider \gset

select tests.authenticate_as(:'owner');
select lives_ok($$ insert into public.groups (id, name, visibility) values
  ('abababab-0000-4000-8000-000000000001', 'Rustaceans (private)', 'private'),
  ('abababab-0000-4000-8000-000000000002', 'Open SQL circle', 'public') $$, 'a member creates groups');
select results_eq($$ select role from public.group_members where user_id = auth.uid()
  and group_id = 'abababab-0000-4000-8000-000000000001' $$, array['owner'], 'the creator is the owner');
select lives_ok($$ insert into public.group_messages (group_id, body)
  values ('abababab-0000-4000-8000-000000000001', 'Welcome!') $$, 'the owner posts');

-- joining ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'member');
select is(public.join_group('abababab-0000-4000-8000-000000000001'), 'pending', 'joining a private group is a request');
select is(public.join_group('abababab-0000-4000-8000-000000000002'), 'active', 'joining a public group is immediate');
select is_empty($$ select 1 from public.group_messages where group_id = 'abababab-0000-4000-8000-000000000001' $$,
  'a pending member reads no messages');
select throws_ok($$ insert into public.group_messages (group_id, body)
  values ('abababab-0000-4000-8000-000000000001', 'Let me in') $$, '42501', null, 'a pending member cannot post');
select throws_ok($$ select public.approve_member('abababab-0000-4000-8000-000000000001', auth.uid()) $$, 'SS403', null,
  'nobody approves themselves');
select throws_ok($$ insert into public.group_members (group_id, user_id, status)
  values ('abababab-0000-4000-8000-000000000001', auth.uid(), 'active') $$, '42501', null,
  'membership rows are not client-writable');

select tests.authenticate_as(:'owner');
select lives_ok(format($$ select public.approve_member('abababab-0000-4000-8000-000000000001', %L) $$, :'member'),
  'the owner approves the request');

-- messages, edits, cursor, broadcasts ---------------------------------------------------------------------
select tests.authenticate_as(:'member');
select lives_ok($$ insert into public.group_messages (group_id, body)
  values ('abababab-0000-4000-8000-000000000001', 'Thanks!') $$, 'an approved member posts');
select is((select count(*)::int from public.group_messages_since('abababab-0000-4000-8000-000000000001', 0)), 2,
  'a reconnecting client fetches what it missed');
select is((select count(*)::int from public.group_messages_since('abababab-0000-4000-8000-000000000001',
  (select min(id) from public.group_messages where group_id = 'abababab-0000-4000-8000-000000000001'))), 1,
  'only what is after the cursor');
select is_empty($$ update public.group_messages set body = 'edited by someone else' where body = 'Welcome!' returning id $$,
  'nobody edits another member''s message');
select results_eq($$ update public.group_messages set body = 'Thanks a lot!' where body = 'Thanks!' returning body $$,
  array['Thanks a lot!'], 'the author edits their message');
select set_config('realtime.topic', 'group:abababab-0000-4000-8000-000000000001', true);
select isnt_empty($$ select 1 from realtime.messages where topic = realtime.topic() $$,
  'members receive the private group''s broadcasts');

select tests.authenticate_as(:'outsider');
select set_config('realtime.topic', 'group:abababab-0000-4000-8000-000000000001', true);
select is_empty($$ select 1 from realtime.messages where topic = realtime.topic() $$,
  'a non-member receives none of the private group''s broadcasts');
select is_empty($$ select 1 from public.group_messages where group_id = 'abababab-0000-4000-8000-000000000001' $$,
  'a non-member reads none of its messages');
select is_empty($$ select * from public.group_messages_since('abababab-0000-4000-8000-000000000001', 0) $$,
  'nor through the cursor RPC');
select isnt_empty($$ select 1 from public.groups where id = 'abababab-0000-4000-8000-000000000001' $$,
  'but can find the private group to ask to join');
select throws_ok($$ insert into public.group_resources (group_id, kind, title, url)
  values ('abababab-0000-4000-8000-000000000001', 'link', 'Spam', 'https://spam.example') $$, '42501', null,
  'a non-member cannot share resources');

select tests.authenticate_as(:'member');
select lives_ok($$ insert into public.group_resources (id, group_id, kind, title, url)
  values ('acacacac-0000-4000-8000-000000000001', 'abababab-0000-4000-8000-000000000001', 'link', 'The Book',
          'https://doc.rust-lang.org/book/') $$, 'a member shares a resource');
select lives_ok($$ insert into public.resource_comments (resource_id, body)
  values ('acacacac-0000-4000-8000-000000000001', 'Chapter 4 is the key') $$, 'and comments on it (threads below)');

select is_empty($$ delete from public.resource_comments where body = 'nope' returning 1 $$,
  'deleting nothing of one''s own changes nothing');
select tests.authenticate_as(:'outsider');
select is_empty($$ delete from public.resource_comments returning 1 $$, 'nobody deletes someone else''s comment');
select is_empty($$ update public.groups set name = 'Taken over' returning 1 $$, 'non-admins cannot rename a group');
select is_empty($$ delete from public.groups returning 1 $$, 'non-owners cannot delete a group');
select tests.authenticate_as(:'owner');
select results_eq($$ update public.groups set description = 'Learning Rust together'
  where id = 'abababab-0000-4000-8000-000000000001' returning description $$, array['Learning Rust together'],
  'the owner edits the group');
select tests.authenticate_as(:'member');
select results_eq($$ delete from public.resource_comments returning body $$, array['Chapter 4 is the key'],
  'the author deletes their comment');
select results_eq($$ delete from public.group_members where group_id = 'abababab-0000-4000-8000-000000000002'
  and user_id = auth.uid() returning role $$, array['member'], 'a member leaves a group');
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.group_messages where group_id = 'abababab-0000-4000-8000-000000000001'), 2,
  'the service role reads every message');

select tests.authenticate_as_anon();
select results_eq('select name from public.groups', array['Open SQL circle'], 'anon sees public groups only');
select throws_ok('select 1 from public.group_messages', '42501', null, 'anon reads no messages (no grant)');

-- EXPLAIN on 100,000 rows ----------------------------------------------------------------------------
select tests.clear_authentication();
insert into public.groups (name, owner_id) select 'Busy group ' || i, :'owner' from generate_series(1, 99) i;
insert into public.group_messages (group_id, author_id, body)
select case when i % 100 = 0 then 'abababab-0000-4000-8000-000000000001'::uuid
            else (select array_agg(id order by id) from public.groups where name like 'Busy group %')[1 + i % 99] end,
       :'owner', 'message ' || i
from generate_series(1, 100000) i;
insert into public.skills (slug, name, category) select 'g-skill-' || i, 'Skill ' || i, 'Test' from generate_series(1, 50) i;
insert into public.self_assessments (user_id, skill_id, level, assessed_on)
select (array[:'owner', :'member', :'outsider']::uuid[])[1 + i % 3],
       (select array_agg(id order by id) from public.skills where slug like 'g-skill-%')[1 + i % 50],
       1 + (i % 5), current_date - (i % 300)
from generate_series(1, 100000) i;
analyze public.group_messages;
analyze public.self_assessments;
select tests.authenticate_as(:'member');
select matches(tests.plan_of($q$ select id, author_id, body, created_at from public.group_messages
  where group_id = 'abababab-0000-4000-8000-000000000001' and id > 50000 order by id limit 50 $q$),
  'group_messages_cursor_idx', 'the group chat page reads through the (group_id, id) index');
select matches(tests.plan_of(format($q$ select level, assessed_on from public.self_assessments
  where user_id = %L and skill_id = %s order by assessed_on desc limit 20 $q$, :'member',
  (select min(id) from public.skills where slug like 'g-skill-%'))), 'self_assessments_user_skill_idx',
  'the progress page reads through the (user_id, skill_id, assessed_on) index');
select tests.clear_authentication();

select * from finish();
rollback;
