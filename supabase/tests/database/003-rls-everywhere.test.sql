-- No table the web client can reach is left without row level security, and every policy targets a role.
begin;
select plan(2);
select is_empty($$ select schemaname || '.' || tablename from pg_tables
  where schemaname = 'public' and not rowsecurity $$, 'every table in public has RLS enabled');
select is_empty($$ select tablename || ': ' || policyname from pg_policies
  where schemaname = 'public' and roles = '{public}' $$, 'every public policy names its roles (no "to public")');
select * from finish();
rollback;
