-- Forums under RLS: anon, author, another member, moderator, service role; deny cases first.
begin;
select plan(33);

select tests.create_user('author@example.test') as author \gset
select tests.create_user('member@example.test') as member \gset
select tests.create_user('mod@example.test', 'moderator') as moderator \gset
insert into public.forum_categories (slug, name) values ('python-forum', 'Python');
select id as cat from public.forum_categories where slug = 'python-forum' \gset

-- the author starts a thread -------------------------------------------------------------------------
select tests.authenticate_as(:'author');
select lives_ok(format($$ insert into public.forum_threads (id, category_id, title, body, tags)
  values ('eeeeeeee-0000-4000-8000-000000000001', %s, 'How do generators work?', 'Yield confuses me.', '{python}') $$,
  :cat), 'a member starts a thread (author set from the token)');
select is((select author_id from public.forum_threads where id = 'eeeeeeee-0000-4000-8000-000000000001'),
  :'author'::uuid, 'the author is the caller');
select throws_ok(format($$ insert into public.forum_threads (category_id, title, body, reply_count)
  values (%s, 'Fake counts', 'x', 99) $$, :cat), '42501', null, 'clients cannot set counters');
select throws_ok($$ update public.forum_threads set locked_at = now() $$, '42501', null,
  'authors cannot lock their own thread');

select throws_ok($$ insert into public.forum_categories (slug, name) values ('spam', 'Spam') $$, '42501', null,
  'members cannot create categories');

-- anon ------------------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select results_eq($$ select title from public.forum_threads where category_id = $$ || :cat,
  array['How do generators work?'], 'anon reads visible threads');
select throws_ok(format($$ insert into public.forum_threads (category_id, title, body) values (%s, 'Anon', 'x') $$,
  :cat), '42501', null, 'anon cannot post');
select throws_ok($$ select public.accept_answer('eeeeeeee-0000-4000-8000-000000000001', null) $$, '42501', null,
  'anon cannot call author functions');
select isnt_empty($$ select * from public.search_threads('generators') $$, 'anon can search visible threads');

-- another member replies and votes -------------------------------------------------------------------
select tests.authenticate_as(:'member');
select lives_ok($$ insert into public.forum_replies (id, thread_id, body) values
  ('eeeeeeee-0000-4000-8000-0000000000a1', 'eeeeeeee-0000-4000-8000-000000000001', 'It pauses the function.') $$,
  'a member replies');
select is((select reply_count from public.forum_threads where id = 'eeeeeeee-0000-4000-8000-000000000001'), 1,
  'the reply count follows (trigger)');
select is_empty($$ update public.forum_threads set title = 'Hijacked' returning id $$,
  'a member cannot edit someone else''s thread');
select throws_ok($$ select public.accept_answer('eeeeeeee-0000-4000-8000-000000000001',
  'eeeeeeee-0000-4000-8000-0000000000a1') $$, 'SS403', null, 'only the thread author accepts an answer');
select lives_ok($$ insert into public.forum_votes (post_kind, post_id, value)
  values ('thread', 'eeeeeeee-0000-4000-8000-000000000001', 1) $$, 'a member votes on a thread');
select throws_ok($$ insert into public.forum_votes (post_kind, post_id, value)
  values ('thread', 'eeeeeeee-0000-4000-8000-000000000001', 1) $$, '23505', null, 'one vote per member per post');
select throws_ok($$ insert into public.forum_votes (post_kind, post_id, value)
  values ('reply', 'eeeeeeee-0000-4000-8000-0000000000a1', 1) $$, '42501', null, 'nobody votes on their own post');
select is((select vote_score from public.forum_threads where id = 'eeeeeeee-0000-4000-8000-000000000001'), 1,
  'the vote score follows (trigger)');
select lives_ok($$ update public.forum_votes set value = -1 $$, 'a member changes their vote');
select is((select vote_score from public.forum_threads where id = 'eeeeeeee-0000-4000-8000-000000000001'), -1,
  'the score follows the changed vote');
select throws_ok($$ select public.moderate_post('thread', 'eeeeeeee-0000-4000-8000-000000000001', true) $$, 'SS403',
  null, 'members cannot hide posts');

-- the author accepts, edits, deletes ------------------------------------------------------------------
select tests.authenticate_as(:'author');
select lives_ok($$ select public.accept_answer('eeeeeeee-0000-4000-8000-000000000001',
  'eeeeeeee-0000-4000-8000-0000000000a1') $$, 'the author accepts an answer');
select is((select accepted_answers from public.forum_member_stats where user_id = :'member'), 1,
  'the answerer''s accepted-answer count follows');
select results_eq($$ update public.forum_threads set body = 'Yield confuses me (edited).'
  where id = 'eeeeeeee-0000-4000-8000-000000000001' returning body $$,
  array['Yield confuses me (edited).'], 'the author edits within the window');
select tests.clear_authentication();
update public.forum_threads set created_at = now() - interval '2 hours' where id = 'eeeeeeee-0000-4000-8000-000000000001';
select tests.authenticate_as(:'author');
select is_empty($$ update public.forum_threads set body = 'Too late' returning id $$, 'no edits after the window');

-- moderator -------------------------------------------------------------------------------------------
select tests.authenticate_as(:'moderator');
select lives_ok($$ select public.lock_thread('eeeeeeee-0000-4000-8000-000000000001', true) $$, 'a moderator locks a thread');
select tests.authenticate_as(:'member');
select throws_ok($$ insert into public.forum_replies (thread_id, body) values
  ('eeeeeeee-0000-4000-8000-000000000001', 'Late reply') $$, '42501', null, 'nobody replies to a locked thread');
select tests.authenticate_as(:'moderator');
select lives_ok($$ select public.moderate_post('thread', 'eeeeeeee-0000-4000-8000-000000000001', true) $$,
  'a moderator hides a thread');
select isnt_empty($$ select 1 from public.forum_threads where id = 'eeeeeeee-0000-4000-8000-000000000001' $$,
  'moderators still see hidden threads');
select tests.authenticate_as(:'member');
select is_empty($$ select 1 from public.forum_threads where id = 'eeeeeeee-0000-4000-8000-000000000001' $$,
  'members no longer see the hidden thread');
select is_empty($$ select 1 from public.forum_replies r join public.forum_threads t on t.id = r.thread_id
  where t.id = 'eeeeeeee-0000-4000-8000-000000000001' $$, 'nor its replies');
select is_empty($$ select * from public.search_threads('generators') $$, 'hidden threads are not searchable');

-- soft delete and service role ------------------------------------------------------------------------
select lives_ok($$ select public.delete_own_post('reply', 'eeeeeeee-0000-4000-8000-0000000000a1') $$,
  'an author soft-deletes their reply');
select tests.authenticate_as_service_role();
select ok((select deleted_at is not null from public.forum_replies where id = 'eeeeeeee-0000-4000-8000-0000000000a1'),
  'the service role sees the soft-deleted reply');
select tests.clear_authentication();

select * from finish();
rollback;
