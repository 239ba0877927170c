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
