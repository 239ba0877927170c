-- RLS on profiles and profile_contacts: anon, owner, another user, service role x select/insert/update/delete.
begin;
select plan(27);

select tests.create_user('alice@example.test') as alice \gset
select tests.create_user('bob@example.test') as bob \gset
select tests.create_user('dave@example.test') as dave \gset
delete from public.profile_contacts where id = :'dave';
delete from public.profiles where id = :'dave';

-- Structure -------------------------------------------------------------------------------------------
select ok((select relrowsecurity from pg_class where oid = 'public.profiles'::regclass), 'RLS is on for profiles');
select ok((select relrowsecurity from pg_class where oid = 'public.profile_contacts'::regclass),
  'RLS is on for profile_contacts');
select is((select count(*)::int from public.profiles where id in (:'alice', :'bob')), 2,
  'sign-up created a profile for each new user');

-- anon: nothing -----------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok('select * from public.profiles', '42501', null, 'anon cannot read profiles (no grant)');
select throws_ok('select * from public.profile_contacts', '42501', null, 'anon cannot read contact details (no grant)');
select throws_ok($$ update public.profiles set display_name = 'x' returning id $$, '42501', null,
  'anon cannot update profiles (no grant)');
select throws_ok($$ delete from public.profiles returning id $$, '42501', null, 'anon cannot delete profiles (no grant)');
select throws_ok(
  format($$ insert into public.profiles (id, display_name) values (%L, 'Anon') $$, :'dave'),
  '42501', null, 'anon cannot insert profiles');

-- another signed-in user (alice looking at bob) -----------------------------------------------------------
select tests.authenticate_as(:'alice');
select is((select count(*)::int from public.profiles where id in (:'alice', :'bob')), 2,
  'a signed-in user reads every public profile');
select results_eq('select id from public.profile_contacts', array[:'alice'::uuid],
  'a signed-in user reads only their own contact details');
select is_empty(format($$ update public.profiles set display_name = 'Hacked' where id = %L returning id $$, :'bob'),
  'a user cannot update another user''s profile');
select is_empty(format($$ update public.profile_contacts set phone = '+1 555 0100' where id = %L returning id $$, :'bob'),
  'a user cannot update another user''s contact details');
select is_empty(format($$ delete from public.profile_contacts where id = %L returning id $$, :'bob'),
  'a user cannot delete another user''s contact details');
select throws_ok(
  format($$ insert into public.profiles (id, display_name) values (%L, 'Not me') $$, :'dave'),
  '42501', null, 'a user cannot create a profile for someone else');
select throws_ok(
  format($$ insert into public.profile_contacts (id, phone) values (%L, '+1 555 0101') $$, :'bob'),
  '42501', null, 'a user cannot add contact details for someone else');

-- the owner -------------------------------------------------------------------------------------------
select results_eq(
  format($$ update public.profiles set headline = 'Mentor' where id = %L returning headline $$, :'alice'),
  array['Mentor'], 'the owner updates their own profile');
select throws_ok(
  format($$ update public.profiles set id = %L where id = %L $$, :'dave', :'alice'),
  '42501', null, 'the owner cannot move their profile to another id');
select throws_ok(
  format($$ update public.profiles set timezone = 'Mars/Base' where id = %L $$, :'alice'),
  '23514', null, 'an unknown IANA timezone is refused');
select results_eq(
  format($$ update public.profile_contacts set phone = '+44 20 7946 0000' where id = %L returning phone $$, :'alice'),
  array['+44 20 7946 0000'], 'the owner updates their own contact details');
select throws_ok(format($$ delete from public.profiles where id = %L returning id $$, :'alice'), '42501', null,
  'no one deletes a profile directly: it goes with the account (no grant)');
select results_eq(format($$ delete from public.profile_contacts where id = %L returning id $$, :'alice'),
  array[:'alice'::uuid], 'the owner deletes their own contact details');

select tests.authenticate_as(:'dave');
select results_eq(
  format($$ insert into public.profiles (id, display_name) values (%L, 'Dave') returning display_name $$, :'dave'),
  array['Dave'], 'a user without a profile creates their own');

-- service role: everything ------------------------------------------------------------------------------
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.profile_contacts where id in (:'alice', :'bob')), 1,
  'the service role reads every contact row');
select results_eq(
  format($$ update public.profiles set headline = 'Verified' where id = %L returning headline $$, :'bob'),
  array['Verified'], 'the service role updates any profile');
select results_eq(
  format($$ delete from public.profiles where id = %L returning id $$, :'dave'),
  array[:'dave'::uuid], 'the service role deletes any profile');
select tests.clear_authentication();

-- Indexes behind the policy predicates -----------------------------------------------------------------
select has_pk('public', 'profiles', 'profiles.id (the policy column) is the primary key');
select has_pk('public', 'profile_contacts', 'profile_contacts.id (the policy column) is the primary key');

select * from finish();
rollback;
