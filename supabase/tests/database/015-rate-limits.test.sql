-- Write rate limits through the Data API path: past the limit a write is refused with SQLSTATE 'PGRST' carrying
-- status 429 and Retry-After for PostgREST; refused writes leave nothing; other users and actions are unaffected;
-- the counters are nobody's to read or write.
begin;
select plan(9);

select tests.create_user('flooder@example.test') as flooder \gset
select tests.create_user('calm@example.test') as calm \gset
update public.platform_settings set value = jsonb_set(value, '{forum_post}', '{"max": 2, "window_seconds": 600}')
 where key = 'write_rate_limits';
insert into public.forum_categories (id, slug, name) overriding system value values (990101, 'floods', 'Floods');

select tests.authenticate_as(:'flooder');
select lives_ok($$ insert into public.forum_threads (category_id, title, body) values (990101, 'One', 'first') $$,
  'a first post goes through');
select lives_ok($$ insert into public.forum_threads (category_id, title, body) values (990101, 'Two', 'second') $$,
  'a second post goes through');
select throws_ok($$ insert into public.forum_threads (category_id, title, body) values (990101, 'Three', 'third') $$,
  'PGRST', null, 'the third post inside the window is refused');
select throws_like($$ insert into public.forum_threads (category_id, title, body) values (990101, 'Four', 'fourth') $$,
  '%too many forum post writes%', 'and says why (PostgREST answers 429 with Retry-After from its DETAIL)');
select is((select count(*)::integer from public.forum_threads where author_id = auth.uid()), 2,
  'refused posts leave nothing behind');
select lives_ok($$ select 1 from public.forum_threads limit 1 $$, 'reading is not limited');

select tests.authenticate_as(:'calm');
select lives_ok($$ insert into public.forum_threads (category_id, title, body) values (990101, 'Mine', 'calm') $$,
  'another user is not affected');
select throws_ok($$ select * from public.write_counters $$, '42501', null, 'members cannot read the counters');
select throws_ok($$ select public.count_write('forum_post') $$, '42501', null, 'nor call the counter themselves');

select * from finish();
rollback;
