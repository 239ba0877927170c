-- Core: profiles (one per auth.users row, created on sign-up) and their private contact details.
-- Public profile fields are readable by every signed-in user; private contact fields live in their own
-- table so that only the owner can read them (RLS is per row, not per column).

create or replace function public.is_valid_timezone(tz text) returns boolean
language plpgsql immutable
set search_path = ''
as $$
begin
  perform now() at time zone tz;
  return true;
exception when invalid_parameter_value then
  return false;
end;
$$;

create or replace function public.set_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  display_name text not null check (char_length(display_name) between 1 and 80),
  headline text check (char_length(headline) <= 140),
  bio text check (char_length(bio) <= 4000),
  timezone text not null default 'UTC' check (public.is_valid_timezone(timezone)),
  languages text[] not null default '{}' check (cardinality(languages) <= 20),
  avatar_url text check (avatar_url ~ '^https?://'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.profiles is 'Public face of a user: readable by every signed-in user, written by its owner.';

create trigger profiles_set_updated_at before update on public.profiles
  for each row execute function public.set_updated_at();

alter table public.profiles enable row level security;

create policy "Signed-in users can read profiles"
  on public.profiles for select to authenticated
  using (true);

create policy "Users can create their own profile"
  on public.profiles for insert to authenticated
  with check ((select auth.uid()) = id);

create policy "Users can update their own profile"
  on public.profiles for update to authenticated
  using ((select auth.uid()) = id)
  with check ((select auth.uid()) = id);
-- No delete policy: a profile goes away with its auth.users row (on delete cascade).

create table public.profile_contacts (
  id uuid primary key references public.profiles (id) on delete cascade,
  contact_email text check (contact_email ~* '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  phone text check (phone ~ '^\+?[0-9 ()-]{6,20}$'),
  website_url text check (website_url ~ '^https?://'),
  updated_at timestamptz not null default now()
);
comment on table public.profile_contacts is 'Private contact fields: only the owner reads or writes them.';

create trigger profile_contacts_set_updated_at before update on public.profile_contacts
  for each row execute function public.set_updated_at();

alter table public.profile_contacts enable row level security;

create policy "Users can read their own contact details"
  on public.profile_contacts for select to authenticated
  using ((select auth.uid()) = id);

create policy "Users can add their own contact details"
  on public.profile_contacts for insert to authenticated
  with check ((select auth.uid()) = id);

create policy "Users can update their own contact details"
  on public.profile_contacts for update to authenticated
  using ((select auth.uid()) = id)
  with check ((select auth.uid()) = id);

create policy "Users can delete their own contact details"
  on public.profile_contacts for delete to authenticated
  using ((select auth.uid()) = id);

-- Sign-up: every new auth.users row gets its profile and an (empty) contact row.
create or replace function public.handle_new_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  meta jsonb := coalesce(new.raw_user_meta_data, '{}'::jsonb);
  tz text := coalesce(meta ->> 'timezone', 'UTC');
begin
  if not public.is_valid_timezone(tz) then
    tz := 'UTC';
  end if;
  insert into public.profiles (id, display_name, timezone)
  values (
    new.id,
    left(coalesce(nullif(trim(meta ->> 'display_name'), ''), split_part(coalesce(new.email, 'member'), '@', 1)), 80),
    tz
  );
  insert into public.profile_contacts (id, contact_email) values (new.id, new.email);
  return new;
end;
$$;
revoke execute on function public.handle_new_user() from public, anon, authenticated;

create trigger on_auth_user_created after insert on auth.users
  for each row execute function public.handle_new_user();
