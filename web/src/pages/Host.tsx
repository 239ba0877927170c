// The expert dashboard: my sessions (create, publish, cancel), participants and attendance, feedback.
import { useState } from "preact/hooks";
import { api, ok } from "../api";
import type { components } from "../api/bookings";
import { go } from "../router";
import { describedBy, Empty, ErrorBox, Field, Loading, money, useAsync, useBusy, when } from "../ui";

type Participant = components["schemas"]["ParticipantPublic"];

function isoFromLocal(local: string): string {
  return new Date(local).toISOString(); // datetime-local is the viewer's timezone
}

function CreateSession({ onCreated }: { onCreated: (id: string) => void }) {
  const [form, setForm] = useState({
    title: "",
    format: "workshop",
    description: "",
    starts: "",
    minutes: "60",
    capacity: "8",
    price: "0",
    currency: "usd",
    meeting_url: "",
  });
  const [busy, error, run] = useBusy();
  const set = (name: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [name]: (e.currentTarget as HTMLInputElement).value });
  const submit = () =>
    run(async () => {
      const starts = form.starts ? new Date(form.starts) : null;
      const body = {
        title: form.title,
        format: form.format,
        description: form.description,
        starts_at: starts ? isoFromLocal(form.starts) : "",
        ends_at: starts ? new Date(starts.getTime() + Number(form.minutes) * 60_000).toISOString() : "",
        timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        capacity: form.format === "one_on_one" ? null : Number(form.capacity),
        price_amount: Math.round(Number(form.price) * 100),
        currency: form.currency,
        meeting_url: form.meeting_url || null,
      };
      const created = ok(await api().bookings.POST("/sessions", { body: body as never }));
      onCreated(created.id);
    });
  return (
    <form
      class="panel"
      aria-labelledby="create-title"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2 id="create-title">New session</h2>
      <Field label="Title" name="title" error={error}>
        <input id="f-title" required value={form.title} onInput={set("title")} aria-describedby={describedBy(error, "title")} />
      </Field>
      <Field label="Format" name="format" error={error}>
        <select id="f-format" value={form.format} onChange={set("format")}>
          <option value="workshop">Workshop</option>
          <option value="webinar">Webinar</option>
          <option value="one_on_one">One-on-one</option>
        </select>
      </Field>
      <Field label="Description" name="description" error={error}>
        <textarea id="f-description" value={form.description} onInput={set("description")} />
      </Field>
      <Field label="Starts (your time)" name="starts_at" error={error}>
        <input id="f-starts_at" type="datetime-local" required value={form.starts} onInput={set("starts")}
          aria-describedby={describedBy(error, "starts_at")} />
      </Field>
      <Field label="Length (minutes)" name="ends_at" error={error}>
        <input id="f-ends_at" type="number" min="15" step="15" value={form.minutes} onInput={set("minutes")} />
      </Field>
      {form.format !== "one_on_one" && (
        <Field label="Seats" name="capacity" error={error}>
          <input id="f-capacity" type="number" min="1" value={form.capacity} onInput={set("capacity")}
            aria-describedby={describedBy(error, "capacity")} />
        </Field>
      )}
      <Field label="Price" name="price_amount" error={error} hint="0 for a free session">
        <input id="f-price_amount" type="number" min="0" step="0.01" value={form.price} onInput={set("price")}
          aria-describedby={describedBy(error, "price_amount") ?? "f-price_amount-hint"} />
      </Field>
      <Field label="Meeting link" name="meeting_url" error={error}>
        <input id="f-meeting_url" type="url" value={form.meeting_url} onInput={set("meeting_url")}
          aria-describedby={describedBy(error, "meeting_url")} />
      </Field>
      <ErrorBox error={error} />
      <button type="submit" disabled={busy}>
        Create draft
      </button>
    </form>
  );
}

export function Host() {
  const sessions = useAsync(async () => ok(await api().bookings.GET("/me/sessions", { params: { query: { limit: 50 } } })), []);
  const feedback = useAsync(async () => ok(await api().bookings.GET("/me/feedback", { params: { query: { limit: 5 } } })), []);
  const [busy, error, run] = useBusy();
  const act = (id: string, what: "publish" | "cancel") =>
    run(async () => {
      const path = { params: { path: { session_id: id } } };
      if (what === "publish") ok(await api().bookings.POST("/sessions/{session_id}/publish", path));
      else ok(await api().bookings.POST("/sessions/{session_id}/cancel", path));
      sessions.reload();
    });
  return (
    <section aria-labelledby="host-title">
      <h1 id="host-title">Hosting</h1>
      <div class="two">
        <div>
          <h2>My sessions</h2>
          <ErrorBox error={sessions.error ?? error} />
          {sessions.loading && !sessions.data && <Loading what="your sessions" />}
          {sessions.data?.data.length === 0 && <Empty>No sessions yet: create your first one.</Empty>}
          <ul class="rows">
            {sessions.data?.data.map((s) => (
              <li key={s.id} class="row">
                <div>
                  <a href={`#/host/sessions/${s.id}`}>{s.title}</a>
                  <p class="muted">
                    {when(s.starts_at)} · {s.status} · {s.confirmed}/{s.capacity} booked · {s.waitlisted} waiting
                  </p>
                </div>
                {s.status === "draft" && (
                  <button type="button" onClick={() => void act(s.id, "publish")} disabled={busy}>
                    Publish
                  </button>
                )}
                {s.status === "published" && (
                  <button type="button" class="secondary" onClick={() => void act(s.id, "cancel")} disabled={busy}>
                    Cancel session
                  </button>
                )}
              </li>
            ))}
          </ul>
          <h2>Feedback</h2>
          {feedback.data && (
            <p>
              {feedback.data.reviews} review{feedback.data.reviews === 1 ? "" : "s"}
              {feedback.data.average_rating !== null && `, average ${feedback.data.average_rating} / 5`}
            </p>
          )}
          <ul>
            {feedback.data?.recent_comments.map((c) => (
              <li key={c.id}>
                {c.rating}/5 {c.comment && `“${c.comment}”`}
              </li>
            ))}
          </ul>
        </div>
        <CreateSession onCreated={(id) => go(`/host/sessions/${id}`)} />
      </div>
    </section>
  );
}

function EditSession({ session, onSaved }: { session: components["schemas"]["SessionPublic"]; onSaved: () => void }) {
  const [title, setTitle] = useState(session.title);
  const [capacity, setCapacity] = useState(String(session.capacity));
  const [description, setDescription] = useState(session.description);
  const [busy, error, run] = useBusy();
  const save = () =>
    run(async () => {
      const body: Record<string, unknown> = { title, description };
      if (session.format !== "one_on_one") body.capacity = Number(capacity);
      ok(
        await api().bookings.PATCH("/sessions/{session_id}", {
          params: { path: { session_id: session.id } },
          body: body as never,
        }),
      );
      onSaved();
    });
  return (
    <form
      class="panel"
      aria-labelledby="edit-title"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2 id="edit-title">Edit</h2>
      <Field label="Title" name="title" error={error}>
        <input id="f-title" value={title} onInput={(e) => setTitle(e.currentTarget.value)}
          aria-describedby={describedBy(error, "title")} />
      </Field>
      <Field label="Description" name="description" error={error}>
        <textarea id="f-description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </Field>
      {session.format !== "one_on_one" && (
        <Field label="Seats" name="capacity" error={error}>
          <input id="f-capacity" type="number" min="1" value={capacity} onInput={(e) => setCapacity(e.currentTarget.value)}
            aria-describedby={describedBy(error, "capacity")} />
        </Field>
      )}
      <ErrorBox error={error} />
      <button type="submit" disabled={busy}>
        Save
      </button>
    </form>
  );
}

export function HostSession({ id }: { id: string }) {
  const session = useAsync(
    async () => ok(await api().bookings.GET("/sessions/{session_id}", { params: { path: { session_id: id } } })),
    [id],
  );
  const people = useAsync(
    async () =>
      ok(
        await api().bookings.GET("/sessions/{session_id}/participants", {
          params: { path: { session_id: id }, query: { limit: 100 } },
        }),
      ),
    [id],
  );
  const [busy, error, run] = useBusy();
  const mark = (p: Participant, attendance: "attended" | "no_show") =>
    run(async () => {
      ok(
        await api().bookings.POST("/bookings/{booking_id}/attendance", {
          params: { path: { booking_id: p.booking_id } },
          body: { attendance } as never,
        }),
      );
      people.reload();
    });
  const publish = () =>
    run(async () => {
      ok(await api().bookings.POST("/sessions/{session_id}/publish", { params: { path: { session_id: id } } }));
      session.reload();
    });
  if (!session.data) return session.error ? <ErrorBox error={session.error} /> : <Loading what="the session" />;
  const s = session.data;
  const started = new Date(s.starts_at).getTime() <= Date.now();
  return (
    <section aria-labelledby="hs-title">
      <h1 id="hs-title">{s.title}</h1>
      <p class="muted">
        {when(s.starts_at)} · {s.status} · {money(s.price_amount, s.currency)} · {s.seats_taken}/{s.capacity} taken
      </p>
      {s.status === "draft" && (
        <button type="button" onClick={() => void publish()} disabled={busy}>
          Publish
        </button>
      )}
      {s.status !== "cancelled" && <EditSession session={s} onSaved={session.reload} />}
      <h2>Participants</h2>
      <ErrorBox error={people.error ?? error} />
      {people.data?.data.length === 0 && <Empty>Nobody has booked yet.</Empty>}
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Paid</th>
            <th scope="col">Attendance</th>
          </tr>
        </thead>
        <tbody>
          {people.data?.data.map((p) => (
            <tr key={p.booking_id}>
              <td>{p.display_name}</td>
              <td>{p.status === "waitlisted" ? `waitlist #${p.waitlist_position}` : p.status.replace("_", " ")}</td>
              <td>{p.paid ? "yes" : "no"}</td>
              <td>
                {p.attendance ?? (started && p.status === "confirmed" ? "" : "—")}
                {started && p.status === "confirmed" && !p.attendance && (
                  <>
                    <button type="button" onClick={() => void mark(p, "attended")} disabled={busy}>
                      Attended
                    </button>{" "}
                    <button type="button" class="secondary" onClick={() => void mark(p, "no_show")} disabled={busy}>
                      No-show
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
