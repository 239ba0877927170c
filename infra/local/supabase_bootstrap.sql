-- Local stand-in for what a Supabase project provides before any migration runs, as the platform is today
-- (checked 2026-11-23). LOCAL ONLY: it is not a migration; on a real project all of this already exists.
-- Idempotent: applied on every start, and it upgrades a cluster made by an older stand-in in place.
--
-- Every object names the upstream source it mirrors. infra/local/platform_catalog.json describes the objects
-- our migrations and code rely on; tests/infrastructure/test_standin_catalog.py compares this stand-in's
-- catalog with it, so drift shows.

-- Roles -------------------------------------------------------------------------------------------------------
-- supabase/postgres migrations/db/init-scripts/00000000000000-initial-schema.sql: the API roles and the
-- authenticator PostgREST logs in as (noinherit: it only ever acts through SET ROLE).
-- supabase/postgres .../00000000000001-auth-schema.sql: supabase_auth_admin owns the auth schema.
-- supabase/realtime lib/realtime/tenants/repo/migrations/20260606120000_setup_supabase_realtime_admin.ex:
-- supabase_realtime_admin owns realtime.messages and may act as the API roles.
do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin login noinherit createrole;
  end if;
  if not exists (select from pg_roles where rolname = 'supabase_realtime_admin') then
    create role supabase_realtime_admin nologin noinherit;
  end if;
end
$$;
alter role supabase_realtime_admin with noinherit createrole login replication;
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to supabase_realtime_admin;
-- initial-schema.sql: short statement timeouts for the API roles.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

-- Schemas -----------------------------------------------------------------------------------------------------
create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;
-- pgcrypto lives in `extensions` on the platform (schema-15.sql); Auth's bcrypt passwords use its crypt().
create extension if not exists pgcrypto with schema extensions;

grant usage on schema public to anon, authenticated, service_role;

-- No default privileges for the API roles in `public` (Supabase changelog 45329: from 2026-10-30 new tables,
-- views, sequences and functions are not granted to anon, authenticated or service_role; each needs an
-- explicit grant). Objects our migrations create are owned by `postgres`, whose default privileges are now
-- empty for the API roles (supabase.com/kb/troubleshooting/cant-change-the-default-privileges-of-supabase_admin-
-- in-the-public-schema). Functions keep Postgres' own default (EXECUTE to PUBLIC): migrations revoke it.
-- The revokes below also clean a cluster made by an older stand-in that still granted everything.
alter default privileges in schema public revoke all on tables from anon, authenticated, service_role;
alter default privileges in schema public revoke all on sequences from anon, authenticated, service_role;
alter default privileges in schema public revoke all on functions from anon, authenticated, service_role;

-- auth ----------------------------------------------------------------------------------------------------------
-- supabase/postgres .../00000000000001-auth-schema.sql: usage for the API roles, nothing on the tables.
create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;
grant all on schema auth to supabase_auth_admin;

-- auth.users as Supabase Auth (supabase/auth migrations/*) leaves it: 00_init_auth_schema, then
-- 20210710035447_alter_users (phone), 20210722035447_adds_confirmed_at, 20210730183235_add_email_change_confirmed,
-- 20220114185340_add_banned_until, 20220323170000_add_user_reauthentication, 20221130112646_add_deleted_at,
-- 20230116124310_alter_phone_type, 20240214120130_add_is_anonymous_column, and is_sso_user. The four token
-- columns without a default (confirmation_token, recovery_token, email_change_token_new, email_change) must be
-- '' rather than NULL for a password sign-in: Auth scans them into Go strings.
create table if not exists auth.users (
  instance_id uuid,
  id uuid not null primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  email_change_token_new varchar(255),
  email_change varchar(255),
  email_change_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz,
  updated_at timestamptz
);
-- Upgrades a cluster made by the older stand-in (and is a no-op on a fresh one).
alter table auth.users add column if not exists invited_at timestamptz;
alter table auth.users add column if not exists confirmation_token varchar(255);
alter table auth.users add column if not exists confirmation_sent_at timestamptz;
alter table auth.users add column if not exists recovery_token varchar(255);
alter table auth.users add column if not exists recovery_sent_at timestamptz;
alter table auth.users add column if not exists email_change_token_new varchar(255);
alter table auth.users add column if not exists email_change varchar(255);
alter table auth.users add column if not exists email_change_sent_at timestamptz;
alter table auth.users add column if not exists phone text unique default null;
alter table auth.users add column if not exists phone_confirmed_at timestamptz;
alter table auth.users add column if not exists phone_change text default '';
alter table auth.users add column if not exists phone_change_token varchar(255) default '';
alter table auth.users add column if not exists phone_change_sent_at timestamptz;
alter table auth.users add column if not exists confirmed_at timestamptz
  generated always as (least(email_confirmed_at, phone_confirmed_at)) stored;
alter table auth.users add column if not exists email_change_token_current varchar(255) default '';
alter table auth.users add column if not exists email_change_confirm_status smallint default 0
  check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2);
alter table auth.users add column if not exists banned_until timestamptz;
alter table auth.users add column if not exists reauthentication_token varchar(255) default '';
alter table auth.users add column if not exists reauthentication_sent_at timestamptz;
alter table auth.users add column if not exists is_sso_user boolean not null default false;
alter table auth.users add column if not exists deleted_at timestamptz;
alter table auth.users add column if not exists is_anonymous boolean not null default false;
alter table auth.users alter column created_at drop default;
alter table auth.users alter column updated_at drop default;
create index if not exists users_instance_id_idx on auth.users (instance_id);
create index if not exists users_is_anonymous_idx on auth.users (is_anonymous);
-- 20221215195500_modify_users_email_unique_index: unique per non-SSO email.
create unique index if not exists users_email_partial_key on auth.users (email) where is_sso_user = false;
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';

-- auth.identities: 20210909172000_create_identities_table, 20221215195800_add_identities_email_column
-- (email generated from identity_data), 20231117164230_add_id_pkey_identities (id uuid key, provider_id).
create table if not exists auth.identities (
  provider_id text not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  identity_data jsonb not null,
  provider text not null,
  last_sign_in_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  email text generated always as (lower(identity_data ->> 'email')) stored,
  id uuid not null default gen_random_uuid() primary key,
  constraint identities_provider_id_provider_unique unique (provider_id, provider)
);
create index if not exists identities_user_id_idx on auth.identities (user_id);
create index if not exists identities_email_idx on auth.identities (email text_pattern_ops);
comment on table auth.identities is 'Auth: Stores identities associated to a user.';

-- 20240612123726_enable_rls_update_grants: RLS on, no policies; `postgres` may read (with grant option);
-- the API roles get nothing. Owned by supabase_auth_admin (00000000000001-auth-schema.sql).
alter table auth.users enable row level security;
alter table auth.identities enable row level security;
alter table auth.users owner to supabase_auth_admin;
alter table auth.identities owner to supabase_auth_admin;
revoke all on auth.users, auth.identities from anon, authenticated, service_role;
grant select on auth.users, auth.identities to postgres with grant option;

-- JWT helpers: supabase/auth migrations/20220224000811_update_auth_functions (uid, role, email read the
-- `request.jwt.claims` object PostgREST sets, or the older per-claim settings) and
-- 20220531120530_add_auth_jwt_function (jwt()).
create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.email() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt() to anon, authenticated, service_role;

-- realtime ------------------------------------------------------------------------------------------------------
-- supabase/realtime lib/realtime/tenants/repo/migrations/20260420000000_squash_migrations.ex (tables, send,
-- topic, grants), 20260604120000_add_messages_default_partition.ex, 20260630120000_restrict_realtime_schema.ex
-- (owner supabase_realtime_admin).
create schema if not exists realtime;
grant usage on schema realtime to anon, authenticated, service_role, supabase_realtime_admin;
grant create on schema realtime to supabase_realtime_admin;

-- A cluster made by the older stand-in has an unpartitioned realtime.messages: rebuild it partitioned and put
-- its RLS policies (created by our migrations) back as they were. Messages are transient (Realtime keeps 72 h).
do $$
declare
  p record;
  saved jsonb := '[]'::jsonb;
begin
  if exists (select from pg_class where oid = to_regclass('realtime.messages') and relkind = 'r') then
    for p in select * from pg_policies where schemaname = 'realtime' and tablename = 'messages' loop
      saved := saved || jsonb_build_object('sql', format(
        'create policy %I on realtime.messages as %s for %s to %s%s%s',
        p.policyname, p.permissive, p.cmd,
        (select string_agg(quote_ident(r), ', ') from unnest(p.roles) r),
        case when p.qual is not null then ' using (' || p.qual || ')' else '' end,
        case when p.with_check is not null then ' with check (' || p.with_check || ')' else '' end));
    end loop;
    drop table realtime.messages;
    perform set_config('skillswap.realtime_policies', saved::text, true);
  end if;
end
$$;

create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp without time zone not null default now(),
  inserted_at timestamp without time zone not null default now(),
  id uuid not null default gen_random_uuid(),
  constraint messages_pkey primary key (id, inserted_at)
) partition by range (inserted_at);
create index if not exists messages_inserted_at_topic_index on only realtime.messages (inserted_at desc, topic)
  where extension = 'broadcast' and private is true;
create table if not exists realtime.messages_default partition of realtime.messages default;
alter table realtime.messages enable row level security;
alter table realtime.messages owner to supabase_realtime_admin;
grant select, insert, update on realtime.messages to anon, authenticated, service_role;
grant all on realtime.messages to supabase_realtime_admin;

do $$
declare
  saved jsonb := nullif(current_setting('skillswap.realtime_policies', true), '')::jsonb;
  p jsonb;
begin
  for p in select * from jsonb_array_elements(coalesce(saved, '[]'::jsonb)) loop
    execute p ->> 'sql';
  end loop;
end
$$;

-- The daily partitions Realtime keeps (lib/realtime/messages.ex: partitions realtime.messages_YYYY_MM_DD; the
-- janitor drops those older than 72 hours; it creates the next days' ahead). The local stack calls this on
-- every start and every few minutes while `make dev` runs. It lives in `skillswap_local`, a schema of the
-- stand-in's own (not on the platform, where Realtime itself does this), so the platform schemas stay as
-- they are upstream.
create schema if not exists skillswap_local;
revoke all on schema skillswap_local from public;
create or replace function skillswap_local.maintain_realtime_partitions(p_days_ahead integer default 3) returns void
language plpgsql
set search_path = ''
as $$
declare
  d date;
  part record;
  keep_from date := ((now() at time zone 'utc') - interval '72 hours')::date;
begin
  for d in select generate_series(keep_from, (now() at time zone 'utc')::date + p_days_ahead, interval '1 day')::date loop
    if to_regclass(format('realtime.messages_%s', to_char(d, 'YYYY_MM_DD'))) is null then
      -- Rows already in the default partition for that day move into the new one.
      create temporary table if not exists skillswap_moving (like realtime.messages) on commit drop;
      with moved as (
        delete from realtime.messages_default where inserted_at >= d and inserted_at < d + 1 returning *
      ) insert into skillswap_moving select * from moved;
      execute format('create table realtime.%I partition of realtime.messages for values from (%L) to (%L)',
        'messages_' || to_char(d, 'YYYY_MM_DD'), d, d + 1);
      insert into realtime.messages select * from skillswap_moving;
      truncate skillswap_moving;
    end if;
  end loop;
  for part in
    select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'realtime.messages'::regclass and c.relname ~ '^messages_\d{4}_\d{2}_\d{2}$'
  loop
    if to_date(substr(part.relname, 10), 'YYYY_MM_DD') < keep_from then
      execute format('drop table if exists realtime.%I', part.relname);
    end if;
  end loop;
end;
$$;
revoke execute on function skillswap_local.maintain_realtime_partitions(integer) from public;
select skillswap_local.maintain_realtime_partitions();

-- The topic a Realtime client is joining, as Realtime sets it while it checks the RLS policies.
create or replace function realtime.topic() returns text
language sql stable
as $$ select nullif(current_setting('realtime.topic', true), '')::text $$;
alter function realtime.topic() owner to supabase_realtime_admin;

-- realtime.send as Realtime defines it today: runs as its caller (no security definer), adds the message id
-- to the payload unless it has one, sets realtime.topic for the insert, and never fails the caller's
-- transaction. Not executable by anon or PUBLIC (hosted schema: executable by postgres and the platform
-- roles only); our triggers call it as their owner.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
declare
  generated_id uuid;
  final_payload jsonb;
begin
  begin
    generated_id := gen_random_uuid();
    if payload ? 'id' then
      final_payload := payload;
    else
      final_payload := jsonb_set(payload, '{id}', to_jsonb(generated_id));
    end if;
    execute format('set local realtime.topic to %L', topic);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (generated_id, final_payload, event, topic, private, 'broadcast');
  exception when others then
    raise warning 'ErrorSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;
alter function realtime.send(jsonb, text, text, boolean) owner to supabase_realtime_admin;
revoke execute on function realtime.send(jsonb, text, text, boolean) from public, anon;
grant execute on function realtime.send(jsonb, text, text, boolean) to authenticated, service_role, postgres;

-- initial-schema.sql: the (empty) publication Realtime's Postgres Changes read.
do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;

-- The Supabase CLI's migration ledger (supabase/cli pkg/migration/history.go) ----------------------------------
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);
create table if not exists supabase_migrations.seed_files (
  path text primary key,
  hash text not null
);

-- storage ---------------------------------------------------------------------------------------------------------
-- supabase/storage migrations/tenant: 0002-storage-schema.sql (schema, buckets, objects with RLS, foldername,
-- filename, extension; the API roles get all on storage's tables through default privileges),
-- 0002-pathtoken-column.sql (path_tokens), 0007-add-public-to-buckets.sql, 0012-add-bucket-custom-limits.sql
-- (file_size_limit, allowed_mime_types), 0014-add-version.sql, 0017-alter-owner-data-type.sql (owner_id text, set by
-- the Storage API to the JWT's sub), 0025-custom-metadata.sql (user_metadata), 0050-prevent-direct-deletes.sql
-- (a DELETE on buckets or objects is refused unless the Storage API set storage.can_delete for its transaction).
-- The Storage API itself (uploads, signed URLs) is not part of the stand-in: it runs each request's SQL as the
-- caller's role with their claims, which is what pgTAP does here, so the policies are proven as they will run.
do $$
begin
  if not exists (select from pg_roles where rolname = 'supabase_storage_admin') then
    create role supabase_storage_admin login noinherit createrole;
  end if;
end
$$;
create schema if not exists storage authorization supabase_storage_admin;
grant usage on schema storage to anon, authenticated, service_role;

create table if not exists storage.buckets (
  id text not null primary key,
  name text not null,
  owner uuid,
  owner_id text,
  public boolean default false,
  avif_autodetection boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
create unique index if not exists bname on storage.buckets using btree (name);
alter table storage.buckets enable row level security;

create table if not exists storage.objects (
  id uuid not null default gen_random_uuid() primary key,
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  owner_id text,
  metadata jsonb,
  user_metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now()
);
create unique index if not exists bucketid_objname on storage.objects using btree (bucket_id, name);
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);
alter table storage.objects enable row level security;

create or replace function storage.foldername(name text) returns text[]
language plpgsql
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[1:array_length(_parts, 1) - 1];
end
$$;

create or replace function storage.filename(name text) returns text
language plpgsql
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[array_length(_parts, 1)];
end
$$;

create or replace function storage.extension(name text) returns text
language plpgsql
as $$
declare
  _parts text[];
  _filename text;
begin
  select string_to_array(name, '/') into _parts;
  select _parts[array_length(_parts, 1)] into _filename;
  return reverse(split_part(reverse(_filename), '.', 1));
end
$$;

create or replace function storage.protect_delete() returns trigger
language plpgsql
as $$
begin
  if coalesce(current_setting('storage.can_delete', true), 'false') != 'true' then
    raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      using hint = 'This prevents accidental data loss from orphaned objects.', errcode = '42501';
  end if;
  return null;
end;
$$;
drop trigger if exists protect_buckets_delete on storage.buckets;
create trigger protect_buckets_delete before delete on storage.buckets
  for each statement execute function storage.protect_delete();
drop trigger if exists protect_objects_delete on storage.objects;
create trigger protect_objects_delete before delete on storage.objects
  for each statement execute function storage.protect_delete();

alter table storage.buckets owner to supabase_storage_admin;
alter table storage.objects owner to supabase_storage_admin;
alter function storage.foldername(text) owner to supabase_storage_admin;
alter function storage.filename(text) owner to supabase_storage_admin;
alter function storage.extension(text) owner to supabase_storage_admin;
alter function storage.protect_delete() owner to supabase_storage_admin;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
