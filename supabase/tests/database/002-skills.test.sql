-- RLS on skills, profile_skills and portfolio_items: anon, owner, another user, service role.
begin;
select plan(30);

select tests.create_user('alice@example.test') as alice \gset
select tests.create_user('bob@example.test') as bob \gset
insert into public.skills (slug, name, category) values ('pottery', 'Pottery', 'Crafts'), ('glazing', 'Glazing', 'Crafts');
select id as pottery from public.skills where slug = 'pottery' \gset
select id as glazing from public.skills where slug = 'glazing' \gset
insert into public.profile_skills (profile_id, skill_id, relation, level, years)
  values (:'bob', :pottery, 'teaches', 5, 10);
insert into public.portfolio_items (profile_id, kind, title) values (:'bob', 'project', 'Bob''s vase');

select ok((select bool_and(relrowsecurity) from pg_class
  where oid in ('public.skills'::regclass, 'public.profile_skills'::regclass, 'public.portfolio_items'::regclass)),
  'RLS is on for skills, profile_skills and portfolio_items');

-- anon ------------------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select isnt_empty('select * from public.skills', 'anon reads the skills taxonomy');
select throws_ok('select * from public.profile_skills', '42501', null, 'anon cannot read profile skills (no grant)');
select throws_ok('select * from public.portfolio_items', '42501', null, 'anon cannot read portfolio items (no grant)');
select throws_ok($$ insert into public.skills (slug, name, category) values ('x', 'X', 'Y') $$,
  '42501', null, 'anon cannot add skills');
select throws_ok(format($$ insert into public.profile_skills (profile_id, skill_id, relation, level)
  values (%L, %s, 'learns', 1) $$, :'bob', :glazing), '42501', null, 'anon cannot add profile skills');

-- another signed-in user ------------------------------------------------------------------------------
select tests.authenticate_as(:'alice');
select isnt_empty('select * from public.skills', 'signed-in users read the skills taxonomy');
select throws_ok($$ insert into public.skills (slug, name, category) values ('x', 'X', 'Y') $$,
  '42501', null, 'signed-in users cannot add skills');
select throws_ok(format($$ update public.skills set name = 'Mud' where id = %s returning id $$, :pottery), '42501', null,
  'signed-in users cannot rename skills (no grant)');
select throws_ok(format($$ delete from public.skills where id = %s returning id $$, :pottery), '42501', null,
  'signed-in users cannot delete skills (no grant)');
select results_eq(format($$ select level::int from public.profile_skills where profile_id = %L $$, :'bob'),
  array[5], 'signed-in users read other members'' skills');
select throws_ok(format($$ insert into public.profile_skills (profile_id, skill_id, relation, level)
  values (%L, %s, 'learns', 1) $$, :'bob', :glazing), '42501', null, 'a user cannot add skills to another profile');
select is_empty(format($$ update public.profile_skills set level = 1 where profile_id = %L returning level $$, :'bob'),
  'a user cannot change another member''s skill level');
select is_empty(format($$ delete from public.profile_skills where profile_id = %L returning skill_id $$, :'bob'),
  'a user cannot delete another member''s skills');
select results_eq(format($$ select title from public.portfolio_items where profile_id = %L $$, :'bob'),
  array['Bob''s vase'], 'signed-in users read other members'' portfolios');
select throws_ok(format($$ insert into public.portfolio_items (profile_id, kind, title)
  values (%L, 'achievement', 'Fake') $$, :'bob'), '42501', null, 'a user cannot add to another portfolio');
select is_empty(format($$ update public.portfolio_items set title = 'Mine' where profile_id = %L returning id $$, :'bob'),
  'a user cannot edit another portfolio');
select is_empty(format($$ delete from public.portfolio_items where profile_id = %L returning id $$, :'bob'),
  'a user cannot delete from another portfolio');

-- the owner -------------------------------------------------------------------------------------------
select lives_ok(format($$ insert into public.profile_skills (profile_id, skill_id, relation, level, years)
  values (%L, %s, 'learns', 2, 1.5) $$, :'alice', :pottery), 'the owner adds a skill they want to learn');
select throws_ok(format($$ insert into public.profile_skills (profile_id, skill_id, relation, level)
  values (%L, %s, 'teaches', 6) $$, :'alice', :glazing), '23514', null, 'a level outside 1-5 is refused');
select results_eq(format($$ update public.profile_skills set level = 3 where profile_id = %L returning level::int $$,
  :'alice'), array[3], 'the owner changes their own skill level');
select results_eq(format($$ delete from public.profile_skills where profile_id = %L returning skill_id $$, :'alice'),
  array[:pottery::bigint], 'the owner removes their own skill');
select lives_ok(format($$ insert into public.portfolio_items (profile_id, kind, title, url)
  values (%L, 'certification', 'Kiln safety', 'https://example.org/cert') $$, :'alice'),
  'the owner adds a portfolio item');
select throws_ok(format($$ insert into public.portfolio_items (profile_id, kind, title, url)
  values (%L, 'project', 'Bad link', 'javascript:alert(1)') $$, :'alice'), '23514', null,
  'a non-http portfolio url is refused');
select results_eq(format($$ update public.portfolio_items set title = 'Kiln safety II' where profile_id = %L
  returning title $$, :'alice'), array['Kiln safety II'], 'the owner edits their portfolio item');
select results_eq(format($$ delete from public.portfolio_items where profile_id = %L returning title $$, :'alice'),
  array['Kiln safety II'], 'the owner deletes their portfolio item');

-- service role ----------------------------------------------------------------------------------------
select tests.authenticate_as_service_role();
select lives_ok($$ insert into public.skills (slug, name, category) values ('raku', 'Raku', 'Crafts') $$,
  'the service role curates the taxonomy');
select results_eq(format($$ delete from public.profile_skills where profile_id = %L returning level::int $$, :'bob'),
  array[5], 'the service role can remove any profile skill');
select tests.clear_authentication();

-- Indexes behind the policy predicates -----------------------------------------------------------------
select has_index('public', 'portfolio_items', 'portfolio_items_profile_id_idx', 'portfolio_items.profile_id is indexed');
select col_is_pk('public', 'profile_skills', array['profile_id', 'skill_id', 'relation'],
  'profile_skills is keyed by profile_id first');

select * from finish();
rollback;
