-- Cohort runs are queued, then solved by the cohort function (which carries numpy and SciPy), so an admin's
-- request never waits on the solver: queued -> running (claimed once, so a repeated async delivery is a no-op)
-- -> proposed, or failed with the reason. Results are only known once proposed.
alter table public.cohort_runs drop constraint cohort_runs_status_check;
alter table public.cohort_runs add constraint cohort_runs_status_check
  check (status in ('queued', 'running', 'proposed', 'confirmed', 'discarded', 'failed'));
alter table public.cohort_runs
  alter column status set default 'queued',
  alter column total_score drop not null,
  alter column solver drop not null,
  alter column solve_ms drop not null,
  add column error text,
  add column finished_at timestamptz,
  add constraint cohort_runs_result_when_solved
    check (status in ('queued', 'running', 'failed') or (total_score is not null and solver is not null and solve_ms is not null));
create index cohort_runs_program_idx on public.cohort_runs (program_id, created_at desc);

-- A run whose job died without a word (timeout, out of memory) or whose event never arrived is not left
-- pending forever: the hourly expiry job marks a run failed once it has been running longer than the cohort
-- function's 15-minute timeout, or queued longer than Lambda keeps an asynchronous event (6 hours).
create or replace function public.fail_stale_cohort_runs() returns integer
language sql security definer set search_path = ''
as $$
  with stale as (
    update public.cohort_runs
       set status = 'failed', finished_at = now(),
           error = case status when 'running' then 'the solver stopped without finishing (timed out or ran out of memory)'
                               else 'the solver never picked this run up' end
     where (status = 'running' and created_at < now() - interval '20 minutes')
        or (status = 'queued' and created_at < now() - interval '7 hours')
    returning 1
  ) select count(*)::integer from stale
$$;
revoke execute on function public.fail_stale_cohort_runs() from public, anon, authenticated;
grant execute on function public.fail_stale_cohort_runs() to service_role;
