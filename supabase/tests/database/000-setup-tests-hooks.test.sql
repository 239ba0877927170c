-- Test helpers (committed on purpose: every later file uses them). Local test database only.
create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

create or replace function tests.create_user(email text, app_role text default null) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  new_id uuid := gen_random_uuid();
  meta jsonb := jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email'));
begin
  if app_role is not null then
    meta := meta || jsonb_build_object('role', app_role);
  end if;
  -- As Supabase Auth writes a confirmed email user: '' (not NULL) token columns, and its email identity.
  insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                          confirmation_token, recovery_token, email_change_token_new, email_change,
                          raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  values ('00000000-0000-0000-0000-000000000000', new_id, 'authenticated', 'authenticated', email, '', now(),
          '', '', '', '', meta, jsonb_build_object('display_name', split_part(email, '@', 1)), now(), now());
  insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
  values (new_id::text, new_id, jsonb_build_object('sub', new_id::text, 'email', email, 'email_verified', true),
          'email', now(), now());
  return new_id;
end;
$$;

-- Become a signed-in user for the rest of the transaction (role + claims, as PostgREST sets them).
create or replace function tests.authenticate_as(user_id uuid) returns void
language plpgsql set search_path = '' as $$
declare
  u record;
begin
  perform set_config('role', 'postgres', true);
  select id, email, raw_app_meta_data into u from auth.users where id = user_id;
  perform set_config('request.jwt.claims', jsonb_build_object(
    'sub', u.id, 'role', 'authenticated', 'aud', 'authenticated', 'email', u.email,
    'app_metadata', coalesce(u.raw_app_meta_data, '{}'::jsonb))::text, true);
  perform set_config('role', 'authenticated', true);
end;
$$;

create or replace function tests.authenticate_as_anon() returns void
language plpgsql set search_path = '' as $$
begin
  perform set_config('request.jwt.claims', '{"role": "anon"}', true);
  perform set_config('role', 'anon', true);
end;
$$;

create or replace function tests.authenticate_as_service_role() returns void
language plpgsql set search_path = '' as $$
begin
  perform set_config('request.jwt.claims', '{"role": "service_role"}', true);
  perform set_config('role', 'service_role', true);
end;
$$;

create or replace function tests.clear_authentication() returns void
language plpgsql set search_path = '' as $$
begin
  perform set_config('request.jwt.claims', '', true);
  perform set_config('role', 'postgres', true);
end;
$$;

-- The plan of a query, as text, for index-use assertions (runs as the current role, so RLS applies).
create or replace function tests.plan_of(q text) returns text
language plpgsql set search_path = ''
as $$
declare
  line text;
  plan text := '';
begin
  for line in execute 'explain ' || q loop
    plan := plan || line || E'\n';
  end loop;
  return plan;
end;
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

begin;
select plan(3);
select has_function('tests', 'authenticate_as', array['uuid'], 'tests.authenticate_as exists');
select has_function('tests', 'create_user', array['text', 'text'], 'tests.create_user exists');
select has_function('tests', 'plan_of', array['text'], 'tests.plan_of exists');
select * from finish();
rollback;
