-- Live forums: new threads and replies are broadcast on private topics; a member receives them, a reply on a
-- hidden thread reaches only its author and moderators, and anon receives nothing.
begin;
select plan(7);

select tests.create_user('poster@example.test') as poster \gset
select tests.create_user('reader@example.test') as reader \gset
select tests.create_user('mod@example.test', 'moderator') as moderator \gset
insert into public.forum_categories (id, slug, name) overriding system value values (990201, 'live', 'Live');

select tests.authenticate_as(:'poster');
insert into public.forum_threads (id, category_id, title, body) values
  ('1f1f0000-0000-4000-8000-000000000001', 990201, 'Live question', 'Anyone?'),
  ('1f1f0000-0000-4000-8000-000000000002', 990201, 'Soon hidden', 'Spam?');
insert into public.forum_replies (thread_id, body) values
  ('1f1f0000-0000-4000-8000-000000000001', 'Self-bump'),
  ('1f1f0000-0000-4000-8000-000000000002', 'Reply on the hidden one');
select tests.clear_authentication();
update public.forum_threads set hidden_at = now() where id = '1f1f0000-0000-4000-8000-000000000002';

select tests.authenticate_as(:'reader');
select set_config('realtime.topic', 'forum:990201', true);
select results_eq($$ select payload ->> 'title' from realtime.messages where topic = realtime.topic() order by 1 $$,
  array['Live question'], 'a member hears of the new threads they may read (not of a hidden one)');
select set_config('realtime.topic', 'thread:1f1f0000-0000-4000-8000-000000000001', true);
select results_eq($$ select event from realtime.messages where topic = realtime.topic() $$,
  array['reply_created'], 'a member hears the new replies of a thread they read');
select set_config('realtime.topic', 'thread:1f1f0000-0000-4000-8000-000000000002', true);
select is_empty($$ select 1 from realtime.messages where topic = realtime.topic() $$,
  'nobody else hears the replies of a hidden thread');

select tests.authenticate_as(:'moderator');
select isnt_empty($$ select 1 from realtime.messages where topic = realtime.topic() $$,
  'moderators do (they read hidden threads)');
select tests.authenticate_as(:'poster');
select isnt_empty($$ select 1 from realtime.messages where topic = realtime.topic() $$,
  'and so does the thread''s author');

select tests.authenticate_as(:'reader');
select set_config('realtime.topic', 'forum:990201', true);
select is_empty($$ select 1 from realtime.messages where topic = 'thread:1f1f0000-0000-4000-8000-000000000001' $$,
  'a subscription hears its own topic only');
select tests.authenticate_as_anon();
select is_empty($$ select 1 from realtime.messages $$, 'anon receives no broadcast at all');

select * from finish();
rollback;
