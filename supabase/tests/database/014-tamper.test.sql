-- Update tampering, generated from the catalog: for every column an API role may update, the test walks the
-- grants and tries, as a signed-in member,
--   1. to update that column in a row the member does not own (must touch nothing),
--   2. to point it, in the member's own row, at another user's row's value (refused unless a declared rule
--      says the value is free data or a shared-catalog reference), and
--   3. to update it in the member's own row (must work: otherwise 1 and 2 would prove nothing).
-- Statically: every updatable column is declared here with its rule (a new one fails until it is); no updatable
-- column is a reference to user-owned rows, a uuid, or an owner column a policy compares with auth.uid(); and
-- every UPDATE policy re-checks its table's INSERT rules (or the difference is declared, with the reason).
-- Then the holes found by hand stay closed: a vote moved to another post, an assessment moved to another
-- learner, a group admin taking the group or removing its owner, a backdated chat message.
begin;

create temporary table updatable on commit drop as
  select table_name::text as tbl, column_name::text as col
  from information_schema.column_privileges
  where grantee = 'authenticated' and privilege_type = 'UPDATE' and table_schema = 'public';

select plan(3 * (select count(*)::integer from updatable) + 20);

-- Declared rules --------------------------------------------------------------------------------------------
create temporary table declared_updatable (tbl text, col text, rule text, primary key (tbl, col)) on commit drop;
insert into declared_updatable values
  -- free data: any value the column's checks accept is the owner's to choose
  ('expert_assessments', 'level', 'value'), ('expert_assessments', 'note', 'value'),
  ('forum_replies', 'body', 'value'),
  ('forum_threads', 'body', 'value'), ('forum_threads', 'tags', 'value'), ('forum_threads', 'title', 'value'),
  ('forum_votes', 'value', 'value'),
  ('group_messages', 'body', 'value'),
  ('groups', 'description', 'value'), ('groups', 'name', 'value'), ('groups', 'visibility', 'value'),
  ('learning_goals', 'current_level', 'value'), ('learning_goals', 'status', 'value'),
  ('learning_goals', 'target_date', 'value'),
  ('learning_goals', 'target_level', 'value'),
  ('mentee_goals', 'current_level', 'value'), ('mentee_goals', 'target_level', 'value'),
  ('mentee_profiles', 'languages', 'value'), ('mentee_profiles', 'timezone', 'value'),
  ('mentor_profiles', 'accepting', 'value'), ('mentor_profiles', 'capacity', 'value'),
  ('mentor_profiles', 'languages', 'value'), ('mentor_profiles', 'timezone', 'value'),
  ('mentor_profiles', 'years_experience', 'value'),
  ('mentor_skills', 'level', 'value'),
  ('notification_preferences', 'reminders_enabled', 'value'),
  ('portfolio_items', 'achieved_on', 'value'), ('portfolio_items', 'description', 'value'),
  ('portfolio_items', 'issuer', 'value'), ('portfolio_items', 'kind', 'value'), ('portfolio_items', 'title', 'value'),
  ('portfolio_items', 'url', 'value'),
  ('premium_content', 'currency', 'value'), ('premium_content', 'kind', 'value'),
  ('premium_content', 'price_amount', 'value'), ('premium_content', 'status', 'value'),
  ('premium_content', 'summary', 'value'), ('premium_content', 'title', 'value'),
  ('premium_content_bodies', 'body', 'value'), ('premium_content_bodies', 'url', 'value'),
  ('profile_contacts', 'contact_email', 'value'), ('profile_contacts', 'phone', 'value'),
  ('profile_contacts', 'website_url', 'value'),
  ('profile_skills', 'level', 'value'), ('profile_skills', 'years', 'value'),
  ('profiles', 'avatar_url', 'value'), ('profiles', 'bio', 'value'), ('profiles', 'display_name', 'value'),
  ('profiles', 'headline', 'value'), ('profiles', 'languages', 'value'), ('profiles', 'timezone', 'value'),
  ('program_members', 'role', 'value'),  -- platform admins only (mentor or mentee in a program)
  ('programs', 'name', 'value'),         -- platform admins only
  ('self_assessments', 'assessed_on', 'value'), ('self_assessments', 'level', 'value'),
  ('self_assessments', 'note', 'value'),
  ('session_links', 'meeting_url', 'value'),
  ('sessions', 'capacity', 'value'), ('sessions', 'claim_window_minutes', 'value'), ('sessions', 'currency', 'value'),
  ('sessions', 'description', 'value'), ('sessions', 'ends_at', 'value'), ('sessions', 'hold_minutes', 'value'),
  ('sessions', 'min_notice_minutes', 'value'), ('sessions', 'price_amount', 'value'),
  ('sessions', 'refund_full_until_hours', 'value'), ('sessions', 'refund_late_percent', 'value'),
  ('sessions', 'starts_at', 'value'), ('sessions', 'timezone', 'value'), ('sessions', 'title', 'value'),
  ('sessions', 'waitlist_enabled', 'value'),
  -- references to the shared skills catalog: any skill may be chosen
  ('groups', 'skill_id', 'catalog'), ('portfolio_items', 'skill_id', 'catalog');

select set_eq('select tbl, col from updatable', 'select tbl, col from declared_updatable',
  'every column an API role may update is declared here with its rule');

-- Static rules ------------------------------------------------------------------------------------------------
create temporary view column_facts as
  select d.tbl, d.col, d.rule, format_type(a.atttypid, a.atttypmod) as type,
         (select array_agg(f.confrelid::regclass::text) from pg_constraint f
           where f.conrelid = c.oid and f.contype = 'f' and a.attnum = any(f.conkey)) as references_tables
  from declared_updatable d
  join pg_class c on c.relname = d.tbl and c.relnamespace = 'public'::regnamespace
  join pg_attribute a on a.attrelid = c.oid and a.attname = d.col;

select is_empty($$ select tbl, col from column_facts where rule = 'value' and (references_tables is not null or type = 'uuid') $$,
  'no free-data column references another row or holds an id');
select is_empty($$ select tbl, col from column_facts
                   where rule = 'catalog' and references_tables is distinct from array['skills'] $$,
  'catalog columns reference the shared skills catalog and nothing else');
select is_empty($$
  select u.tbl, u.col, p.polname from updatable u
  join pg_class c on c.relname = u.tbl and c.relnamespace = 'public'::regnamespace
  join pg_policy p on p.polrelid = c.oid
  where coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
        ~ ('(\m' || u.col || '\M\s*=\s*\(\s*SELECT auth\.uid\(\))|(auth\.uid\(\) AS uid\)\s*=\s*\m' || u.col || '\M)') $$,
  'no updatable column is an owner column (compared with auth.uid() by a policy)');

-- UPDATE policies re-check the INSERT rules.
create temporary table declared_check_differences (tbl text primary key, reason text not null) on commit drop;
insert into declared_check_differences values
  ('groups', 'the creator inserts as owner; owners and admins update; owner_id is not client-updatable and changes only through transfer_group_ownership'),
  ('sessions', 'insert also fixes the initial state (status draft, no seat taken); neither column is client-updatable'),
  ('mentor_profiles', 'insert also fixes the initial state (no active mentee); active_mentees is not client-updatable'),
  ('premium_content', 'insert also fixes the initial state (a draft); publishing is an update, checked by the premium_content_guard trigger');

select is_empty($$
  select c.relname::text, pg_get_expr(i.polwithcheck, i.polrelid) as on_insert, pg_get_expr(u.polwithcheck, u.polrelid) as on_update
  from pg_policy i join pg_policy u on u.polrelid = i.polrelid
  join pg_class c on c.oid = i.polrelid
  where c.relnamespace = 'public'::regnamespace and i.polcmd = 'a' and u.polcmd = 'w'
    and 'authenticated'::regrole = any(i.polroles) and 'authenticated'::regrole = any(u.polroles)
    and pg_get_expr(i.polwithcheck, i.polrelid) is distinct from pg_get_expr(u.polwithcheck, u.polrelid)
    and c.relname::text not in (select tbl from declared_check_differences) $$,
  'every UPDATE policy re-checks what its INSERT policy checks (or the difference is declared)');
select is_empty($$
  select c.relname from pg_policy p join pg_class c on c.oid = p.polrelid
  where c.relnamespace = 'public'::regnamespace and p.polcmd in ('w', '*') and p.polwithcheck is null $$,
  'every UPDATE policy has a WITH CHECK');

-- Fixtures: for every updatable table, a row owned by A and one owned by B ---------------------------------
select tests.create_user('tamper-a@example.test', 'admin') as a \gset
select tests.create_user('tamper-b@example.test') as b \gset
select tests.create_user('tamper-la@example.test') as la \gset
select tests.create_user('tamper-lb@example.test') as lb \gset

insert into public.skills (id, slug, name, category) overriding system value values
  (990001, 'tamper-one', 'Tamper One', 'Test'), (990002, 'tamper-two', 'Tamper Two', 'Test');
insert into public.forum_categories (id, slug, name) overriding system value values (990001, 'tamper', 'Tamper');

create temporary table fixture (tbl text, owner text, pred text, primary key (tbl, owner)) on commit drop;

-- sessions (future drafts), their links; and finished sessions with an attended learner for assessments
insert into public.sessions (id, host_id, format, title, starts_at, ends_at, capacity) values
  ('5e550000-0000-4000-8000-00000000000a', :'a', 'workshop', 'A future session', now() + interval '3 days', now() + interval '3 days 1 hour', 5),
  ('5e550000-0000-4000-8000-00000000000b', :'b', 'workshop', 'B future session', now() + interval '4 days', now() + interval '4 days 1 hour', 7),
  ('5e550000-0000-4000-8000-0000000000fa', :'a', 'workshop', 'A finished session', now() - interval '3 hours', now() - interval '2 hours', 5),
  ('5e550000-0000-4000-8000-0000000000fb', :'b', 'workshop', 'B finished session', now() - interval '3 hours', now() - interval '2 hours', 5);
insert into public.session_links (session_id, meeting_url) values
  ('5e550000-0000-4000-8000-00000000000a', 'https://meet.example.org/a'),
  ('5e550000-0000-4000-8000-00000000000b', 'https://meet.example.org/b');
insert into public.bookings (session_id, learner_id, status, amount, currency, attendance, confirmed_at) values
  ('5e550000-0000-4000-8000-0000000000fa', :'la', 'confirmed', 0, 'usd', 'attended', now() - interval '1 day'),
  ('5e550000-0000-4000-8000-0000000000fb', :'lb', 'confirmed', 0, 'usd', 'attended', now() - interval '1 day');
insert into public.expert_assessments (id, learner_id, expert_id, session_id, skill_id, level, note) overriding system value values
  (990001, :'la', :'a', '5e550000-0000-4000-8000-0000000000fa', 990001, 2, 'A on LA'),
  (990002, :'lb', :'b', '5e550000-0000-4000-8000-0000000000fb', 990002, 4, 'B on LB');

insert into public.forum_threads (id, category_id, author_id, title, body, tags) values
  ('7e7e0000-0000-4000-8000-00000000000a', 990001, :'a', 'A asks', 'Body of A', array['a']),
  ('7e7e0000-0000-4000-8000-00000000000b', 990001, :'b', 'B asks', 'Body of B', array['b']);
insert into public.forum_replies (id, thread_id, author_id, body) values
  ('7e7e0000-0000-4000-8000-0000000000ea', '7e7e0000-0000-4000-8000-00000000000b', :'a', 'A replies'),
  ('7e7e0000-0000-4000-8000-0000000000eb', '7e7e0000-0000-4000-8000-00000000000a', :'b', 'B replies');
insert into public.forum_votes (post_id, post_kind, user_id, value) values
  ('7e7e0000-0000-4000-8000-00000000000b', 'thread', :'a', 1),
  ('7e7e0000-0000-4000-8000-00000000000a', 'thread', :'b', -1);

insert into public.groups (id, name, owner_id, visibility) values
  ('6e0e0000-0000-4000-8000-00000000000a', 'A circle', :'a', 'public'),
  ('6e0e0000-0000-4000-8000-00000000000b', 'B circle', :'b', 'private');
insert into public.group_members (group_id, user_id, role, status) values
  ('6e0e0000-0000-4000-8000-00000000000a', :'b', 'member', 'active');
insert into public.group_messages (id, group_id, author_id, body) overriding system value values
  (990001, '6e0e0000-0000-4000-8000-00000000000a', :'a', 'A says'),
  (990002, '6e0e0000-0000-4000-8000-00000000000a', :'b', 'B says');

insert into public.learning_goals (id, user_id, skill_id, target_level) overriding system value values
  (990001, :'a', 990001, 3), (990002, :'b', 990002, 5);
insert into public.self_assessments (id, user_id, skill_id, level, note) overriding system value values
  (990001, :'a', 990001, 2, 'A self'), (990002, :'b', 990002, 3, 'B self');
insert into public.mentee_profiles (user_id, languages, timezone) values
  (:'a', array['en'], 'Europe/Paris'), (:'b', array['de'], 'Asia/Tokyo');
insert into public.mentee_goals (mentee_id, skill_id, current_level, target_level) values
  (:'a', 990001, 1, 3), (:'b', 990002, 2, 5);
insert into public.mentor_profiles (user_id, accepting, capacity, years_experience, languages, timezone) values
  (:'a', true, 3, 5, array['en'], 'UTC'), (:'b', false, 4, 9, array['fr'], 'America/New_York');
insert into public.mentor_skills (mentor_id, skill_id, level) values (:'a', 990001, 4), (:'b', 990002, 5);
insert into public.notification_preferences (user_id, reminders_enabled) values (:'a', true), (:'b', false);
insert into public.portfolio_items (id, profile_id, kind, title, description, url, issuer, achieved_on, skill_id)
  overriding system value values
  (990001, :'a', 'project', 'A built', 'A text', 'https://a.example.org', 'A org', '2025-01-01', 990001),
  (990002, :'b', 'certification', 'B certified', 'B text', 'https://b.example.org', 'B org', '2024-06-01', 990002);
update public.profile_contacts set contact_email = 'a@example.org', phone = '+33 1 23 45 67 89', website_url = 'https://a.example.org' where id = :'a';
update public.profile_contacts set contact_email = 'b@example.org', phone = '+49 30 1234567', website_url = 'https://b.example.org' where id = :'b';
insert into public.profile_skills (profile_id, skill_id, relation, level, years) values
  (:'a', 990001, 'teaches', 4, 3), (:'b', 990002, 'learns', 2, 1);
update public.profiles set headline = 'A headline', bio = 'A bio', avatar_url = 'https://a.example.org/me.png' where id = :'a';
update public.profiles set headline = 'B headline', bio = 'B bio', avatar_url = 'https://b.example.org/me.png' where id = :'b';
insert into public.programs (id, name, created_by) values
  ('9e090000-0000-4000-8000-00000000000a', 'A program', :'a'),
  ('9e090000-0000-4000-8000-00000000000b', 'B program', :'a');
insert into public.program_members (program_id, user_id, role) values
  ('9e090000-0000-4000-8000-00000000000a', :'a', 'mentor'),
  ('9e090000-0000-4000-8000-00000000000b', :'b', 'mentee');

insert into public.premium_content (id, kind, title, summary, author_id) values
  ('c0c00000-0000-4000-8000-00000000000a', 'article', 'A writes', 'A summary', :'a'),
  ('c0c00000-0000-4000-8000-00000000000b', 'recording', 'B records', 'B summary', :'b');
insert into public.premium_content_bodies (content_id, body, url) values
  ('c0c00000-0000-4000-8000-00000000000a', 'A body', 'https://a.example.org/body'),
  ('c0c00000-0000-4000-8000-00000000000b', 'B body', 'https://b.example.org/body');

insert into fixture values
  ('premium_content', 'A', $$id = 'c0c00000-0000-4000-8000-00000000000a'$$),
  ('premium_content', 'B', $$id = 'c0c00000-0000-4000-8000-00000000000b'$$),
  ('premium_content_bodies', 'A', $$content_id = 'c0c00000-0000-4000-8000-00000000000a'$$),
  ('premium_content_bodies', 'B', $$content_id = 'c0c00000-0000-4000-8000-00000000000b'$$),
  ('expert_assessments', 'A', 'id = 990001'), ('expert_assessments', 'B', 'id = 990002'),
  ('forum_threads', 'A', $$id = '7e7e0000-0000-4000-8000-00000000000a'$$),
  ('forum_threads', 'B', $$id = '7e7e0000-0000-4000-8000-00000000000b'$$),
  ('forum_replies', 'A', $$id = '7e7e0000-0000-4000-8000-0000000000ea'$$),
  ('forum_replies', 'B', $$id = '7e7e0000-0000-4000-8000-0000000000eb'$$),
  ('forum_votes', 'A', format('user_id = %L', :'a')), ('forum_votes', 'B', format('user_id = %L', :'b')),
  ('groups', 'A', $$id = '6e0e0000-0000-4000-8000-00000000000a'$$),
  ('groups', 'B', $$id = '6e0e0000-0000-4000-8000-00000000000b'$$),
  ('group_messages', 'A', 'id = 990001'), ('group_messages', 'B', 'id = 990002'),
  ('learning_goals', 'A', 'id = 990001'), ('learning_goals', 'B', 'id = 990002'),
  ('self_assessments', 'A', 'id = 990001'), ('self_assessments', 'B', 'id = 990002'),
  ('mentee_profiles', 'A', format('user_id = %L', :'a')), ('mentee_profiles', 'B', format('user_id = %L', :'b')),
  ('mentee_goals', 'A', format('mentee_id = %L', :'a')), ('mentee_goals', 'B', format('mentee_id = %L', :'b')),
  ('mentor_profiles', 'A', format('user_id = %L', :'a')), ('mentor_profiles', 'B', format('user_id = %L', :'b')),
  ('mentor_skills', 'A', format('mentor_id = %L', :'a')), ('mentor_skills', 'B', format('mentor_id = %L', :'b')),
  ('notification_preferences', 'A', format('user_id = %L', :'a')),
  ('notification_preferences', 'B', format('user_id = %L', :'b')),
  ('portfolio_items', 'A', 'id = 990001'), ('portfolio_items', 'B', 'id = 990002'),
  ('profile_contacts', 'A', format('id = %L', :'a')), ('profile_contacts', 'B', format('id = %L', :'b')),
  ('profile_skills', 'A', format('profile_id = %L', :'a')), ('profile_skills', 'B', format('profile_id = %L', :'b')),
  ('profiles', 'A', format('id = %L', :'a')), ('profiles', 'B', format('id = %L', :'b')),
  ('programs', 'A', $$id = '9e090000-0000-4000-8000-00000000000a'$$),
  ('programs', 'B', $$id = '9e090000-0000-4000-8000-00000000000b'$$),
  ('program_members', 'A', format('user_id = %L', :'a')), ('program_members', 'B', format('user_id = %L', :'b')),
  ('session_links', 'A', $$session_id = '5e550000-0000-4000-8000-00000000000a'$$),
  ('session_links', 'B', $$session_id = '5e550000-0000-4000-8000-00000000000b'$$),
  ('sessions', 'A', $$id = '5e550000-0000-4000-8000-00000000000a'$$),
  ('sessions', 'B', $$id = '5e550000-0000-4000-8000-00000000000b'$$);

select set_eq('select distinct tbl from updatable', $$ select tbl from fixture where owner = 'A' $$,
  'every updatable table has rows of two users to tamper with');

-- The generated attempts ----------------------------------------------------------------------------------
-- One UPDATE as `who`, always rolled back: the rows it touched, or -1 when it was refused with an error.
create function pg_temp.attempt(who uuid, statement text) returns integer
language plpgsql as $$
declare
  touched integer;
begin
  begin
    perform tests.authenticate_as(who);
    execute statement;
    get diagnostics touched = row_count;
    raise exception using errcode = 'TA000', message = touched::text;  -- undo it (and the role switch)
  exception
    when sqlstate 'TA000' then return sqlerrm::integer;
    when others then return -1;
  end;
end;
$$;

create function pg_temp.tamper(a uuid, b uuid) returns setof text
language plpgsql as $$
declare
  u record;
  pred_a text;
  pred_b text;
  coltype text;
  b_value text;
  touched integer;
  allowed boolean;
begin
  for u in select x.tbl, x.col, d.rule from updatable x left join declared_updatable d using (tbl, col) order by 1, 2 loop
    select pred into pred_a from fixture where tbl = u.tbl and owner = 'A';
    select pred into pred_b from fixture where tbl = u.tbl and owner = 'B';
    select format_type(att.atttypid, att.atttypmod) into coltype from pg_attribute att
     where att.attrelid = format('public.%I', u.tbl)::regclass and att.attname = u.col;
    execute format('select %I::text from public.%I where %s', u.col, u.tbl, pred_b) into b_value;

    -- 1. another member's row: nothing touched
    touched := pg_temp.attempt(b, format('update public.%I set %I = %I where %s', u.tbl, u.col, u.col, pred_a));
    return next ok(touched <= 0, format('%s.%s: a member cannot update a row that is not theirs', u.tbl, u.col));

    -- 2. own row pointed at another user's row's value: refused unless the declared rule frees it
    touched := pg_temp.attempt(a, format('update public.%I set %I = %L::%s where %s', u.tbl, u.col, b_value, coltype, pred_a));
    allowed := u.rule in ('value', 'catalog');
    return next ok(touched <= 0 or allowed,
      format('%s.%s: pointing it at another row''s value is refused (rule: %s)', u.tbl, u.col, coalesce(u.rule, 'none')));

    -- 3. own row: the owner may update it (so 1 and 2 were tried against a row that really is updatable)
    touched := pg_temp.attempt(a, format('update public.%I set %I = %I where %s', u.tbl, u.col, u.col, pred_a));
    return next is(touched, 1, format('%s.%s: the owner can update it in their own row', u.tbl, u.col));
  end loop;
end;
$$;

select * from pg_temp.tamper(:'a', :'b');

-- The holes found by hand ------------------------------------------------------------------------------------
select tests.authenticate_as(:'a');
select throws_ok($$ update public.forum_votes set post_id = '7e7e0000-0000-4000-8000-00000000000a' where user_id = auth.uid() $$,
  '42501', null, 'a vote cannot be moved to another post (or onto the voter''s own)');
select throws_ok(format($$ update public.expert_assessments set learner_id = %L where id = 990001 $$, :'lb'),
  '42501', null, 'an assessment cannot be moved onto a learner who did not attend');
select throws_ok($$ update public.group_messages set created_at = now() - interval '1 year' where id = 990001 $$,
  '42501', null, 'a chat message cannot be backdated');

-- B becomes an admin of A's group: still no way to take it over or to remove its owner.
select lives_ok(format($$ select public.set_group_role('6e0e0000-0000-4000-8000-00000000000a', %L, 'admin') $$, :'b'),
  'the owner appoints an admin');
select tests.authenticate_as(:'b');
select throws_ok(format($$ update public.groups set owner_id = %L where id = '6e0e0000-0000-4000-8000-00000000000a' $$, :'b'),
  '42501', null, 'an admin cannot make themselves owner');
select is_empty(format($$ delete from public.group_members where group_id = '6e0e0000-0000-4000-8000-00000000000a'
  and user_id = %L returning 1 $$, :'a'), 'an admin cannot remove the owner');
select throws_ok(format($$ select public.transfer_group_ownership('6e0e0000-0000-4000-8000-00000000000a', %L) $$, :'b'),
  'SS403', null, 'only the owner hands over ownership');
select is_empty($$ delete from public.groups where id = '6e0e0000-0000-4000-8000-00000000000a' returning 1 $$,
  'an admin cannot delete the group');

select tests.authenticate_as(:'a');
select is_empty(format($$ delete from public.group_members where group_id = '6e0e0000-0000-4000-8000-00000000000a'
  and user_id = %L returning 1 $$, :'a'), 'the owner cannot leave without handing over ownership');
select throws_ok(format($$ select public.transfer_group_ownership('6e0e0000-0000-4000-8000-00000000000a', %L) $$, :'lb'),
  'SS422', null, 'ownership goes only to an active member');
select lives_ok(format($$ select public.transfer_group_ownership('6e0e0000-0000-4000-8000-00000000000a', %L) $$, :'b'),
  'the owner hands the group over to a member');
select tests.clear_authentication();
select results_eq(format($$ select owner_id = %L, (select role from public.group_members
  where group_id = '6e0e0000-0000-4000-8000-00000000000a' and user_id = %L)
  from public.groups where id = '6e0e0000-0000-4000-8000-00000000000a' $$, :'b', :'a'),
  $$ values (true, 'admin') $$, 'the new owner owns it; the old owner stays as an admin');
select tests.authenticate_as(:'a');
select is_empty(format($$ delete from public.group_members where group_id = '6e0e0000-0000-4000-8000-00000000000a'
  and user_id = %L returning 1 $$, :'b'), 'the former owner, now an admin, cannot remove the new owner');

select * from finish();
rollback;
