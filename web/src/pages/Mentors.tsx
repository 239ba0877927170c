// Mentor recommendations with their explanations; my mentorship requests and mentorships.
import { ApiError, api, ok } from "../api";
import { Empty, ErrorBox, Loading, useAsync, useBusy, when } from "../ui";

export function Mentors() {
  const recs = useAsync(async () => {
    try {
      return ok(await api().matching.GET("/recommendations", { params: { query: { k: 5 } } }));
    } catch (e) {
      if (e instanceof ApiError && e.problem.status === 404) return { data: [] }; // no mentee profile or goals yet
      throw e;
    }
  }, []);
  const mine = useAsync(async () => ok(await api().matching.GET("/mentorships", { params: { query: { limit: 50 } } })), []);
  const [busy, error, run] = useBusy();
  const ask = (mentorId: string) =>
    run(async () => {
      ok(await api().matching.POST("/requests", { body: { mentor_id: mentorId, message: "" } as never }));
      mine.reload();
    });
  return (
    <section aria-labelledby="mentors-title">
      <h1 id="mentors-title">Mentors for you</h1>
      {recs.loading && !recs.data && <Loading what="recommendations" />}
      {recs.error ? <ErrorBox error={recs.error} /> : null}
      {recs.data?.data.length === 0 && (
        <Empty>No mentor matches your goals yet. Add your learning goals to your mentee profile to get suggestions.</Empty>
      )}
      <ul class="cards">
        {recs.data?.data.map((m) => (
          <li key={m.mentor_id} class="card">
            <h2>{m.display_name}</h2>
            <p>
              Score {m.score.toFixed(2)} · {m.capacity_left} place{m.capacity_left === 1 ? "" : "s"} left
            </p>
            <ul class="muted">
              {m.skills.map((s) => (
                <li key={s.skill_id}>
                  skill #{s.skill_id}: teaches at level {s.mentor_level}; your goal {s.current_level} → {s.target_level}
                </li>
              ))}
              <li>{m.availability_overlap_hours} h of overlapping availability a week</li>
              {m.notes.map((n) => (
                <li>{n}</li>
              ))}
            </ul>
            <button type="button" onClick={() => void ask(m.mentor_id)} disabled={busy}>
              Ask {m.display_name} to mentor me
            </button>
          </li>
        ))}
      </ul>
      <ErrorBox error={error} />
      <h2>My mentorships</h2>
      {mine.data?.data.length === 0 && <Empty>No requests yet.</Empty>}
      <ul class="rows">
        {mine.data?.data.map((m) => (
          <li key={m.id} class="row">
            {m.mentor_name} → {m.mentee_name}: <span class={`status ${m.status}`}>{m.status}</span>
            <span class="muted"> since {when(m.created_at)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
