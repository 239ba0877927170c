-- Core: the skills taxonomy, the skills a member teaches or wants to learn, and portfolio items.

create table public.skills (
  id bigint generated always as identity primary key,
  slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name text not null check (char_length(name) between 1 and 80),
  category text not null check (char_length(category) between 1 and 80),
  parent_id bigint references public.skills (id) on delete restrict,
  created_at timestamptz not null default now()
);
comment on table public.skills is 'Skills taxonomy (category + optional parent). Readable by all; curated by the service role.';
create index skills_parent_id_idx on public.skills (parent_id);
create index skills_category_idx on public.skills (category);

alter table public.skills enable row level security;

create policy "Anyone can read the skills taxonomy"
  on public.skills for select to anon, authenticated
  using (true);
-- No write policies: only the service role (which bypasses RLS) curates the taxonomy.

create type public.skill_relation as enum ('teaches', 'learns');

create table public.profile_skills (
  profile_id uuid not null references public.profiles (id) on delete cascade,
  skill_id bigint not null references public.skills (id) on delete cascade,
  relation public.skill_relation not null,
  level smallint not null check (level between 1 and 5),
  years numeric(4, 1) not null default 0 check (years >= 0 and years <= 80),
  created_at timestamptz not null default now(),
  primary key (profile_id, skill_id, relation)
);
comment on table public.profile_skills is 'Skills a member teaches or wants to learn, with level 1-5 and years.';
create index profile_skills_skill_id_idx on public.profile_skills (skill_id, relation);

alter table public.profile_skills enable row level security;

create policy "Signed-in users can read profile skills"
  on public.profile_skills for select to authenticated
  using (true);

create policy "Users can add their own skills"
  on public.profile_skills for insert to authenticated
  with check ((select auth.uid()) = profile_id);

create policy "Users can update their own skills"
  on public.profile_skills for update to authenticated
  using ((select auth.uid()) = profile_id)
  with check ((select auth.uid()) = profile_id);

create policy "Users can delete their own skills"
  on public.profile_skills for delete to authenticated
  using ((select auth.uid()) = profile_id);

create type public.portfolio_kind as enum ('project', 'certification', 'achievement');

create table public.portfolio_items (
  id bigint generated always as identity primary key,
  profile_id uuid not null references public.profiles (id) on delete cascade,
  kind public.portfolio_kind not null,
  title text not null check (char_length(title) between 1 and 140),
  description text check (char_length(description) <= 4000),
  url text check (url ~ '^https?://'),
  issuer text check (char_length(issuer) <= 140),
  achieved_on date,
  skill_id bigint references public.skills (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.portfolio_items is 'Projects, certifications and achievements shown on a profile.';
create index portfolio_items_profile_id_idx on public.portfolio_items (profile_id);
create index portfolio_items_skill_id_idx on public.portfolio_items (skill_id);

create trigger portfolio_items_set_updated_at before update on public.portfolio_items
  for each row execute function public.set_updated_at();

alter table public.portfolio_items enable row level security;

create policy "Signed-in users can read portfolio items"
  on public.portfolio_items for select to authenticated
  using (true);

create policy "Users can add their own portfolio items"
  on public.portfolio_items for insert to authenticated
  with check ((select auth.uid()) = profile_id);

create policy "Users can update their own portfolio items"
  on public.portfolio_items for update to authenticated
  using ((select auth.uid()) = profile_id)
  with check ((select auth.uid()) = profile_id);

create policy "Users can delete their own portfolio items"
  on public.portfolio_items for delete to authenticated
  using ((select auth.uid()) = profile_id);
