-- With 100,000 threads and 100,000 replies, the forum's main screens, read as a signed-in member under RLS,
-- are served by indexes (EXPLAIN), not by scanning the tables.
begin;
select plan(4);

select tests.create_user('reader@example.test') as reader \gset
insert into public.forum_categories (slug, name) select 'c' || i, 'Category ' || i from generate_series(1, 20) i;
insert into public.forum_threads (category_id, author_id, title, body, tags, created_at)
select (select min(id) from public.forum_categories) + (i % 20), null, 'Thread number ' || i,
       'Body of thread ' || i || case when i % 1000 = 0 then ' about generators' else '' end,
       '{}', now() - make_interval(secs => i)
from generate_series(1, 100000) i;
insert into public.forum_replies (thread_id, author_id, body, created_at)
select t.id, null, 'Reply', t.created_at + interval '1 minute'
from public.forum_threads t;
analyze public.forum_threads;
analyze public.forum_replies;

select tests.authenticate_as(:'reader');
select matches(tests.plan_of(format(
  'select id, title, reply_count, vote_score from public.forum_threads where category_id = %s '
  'and deleted_at is null and hidden_at is null order by created_at desc limit 20',
  (select min(id) from public.forum_categories))), 'forum_threads_list_idx',
  'the thread list uses the (category_id, created_at) index');
select doesnt_match(tests.plan_of(format(
  'select id, title from public.forum_threads where category_id = %s and deleted_at is null and hidden_at is null '
  'order by created_at desc limit 20', (select min(id) from public.forum_categories))), 'Seq Scan on forum_threads',
  'the thread list never scans the thread table');
select matches(tests.plan_of(format(
  'select id, body, vote_score from public.forum_replies where thread_id = %L order by created_at limit 50',
  (select id from public.forum_threads limit 1))), 'forum_replies_thread_idx',
  'a thread page reads its replies through the (thread_id, created_at) index');
select tests.clear_authentication();
-- search_threads runs as its owner (security definer), so its query is explained as the owner.
select matches(tests.plan_of($q$ select t.id from public.forum_threads t, websearch_to_tsquery('english', 'generators') q
  where t.search @@ q and t.deleted_at is null and t.hidden_at is null $q$), 'forum_threads_search_idx',
  'the search RPC''s query uses the GIN index');

select * from finish();
rollback;
