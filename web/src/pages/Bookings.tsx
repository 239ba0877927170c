// My bookings: upcoming and past (keyset pages); cancel with the refund shown before confirming; a review after
// attending.
import { useState } from "preact/hooks";
import { api, ok } from "../api";
import type { components } from "../api/bookings";
import { describedBy, Empty, ErrorBox, Field, Loading, money, useAsync, useBusy, when } from "../ui";

type Booking = components["schemas"]["BookingPublic"];
type Session = components["schemas"]["SessionPublic"];

/** What a cancellation now would refund, by the session's policy (the server decides; this is the preview). */
export function refundPreview(booking: Booking, session: Session, now = Date.now()): number {
  if (!booking.paid) return 0;
  const hoursLeft = (new Date(session.starts_at).getTime() - now) / 3_600_000;
  const percent = hoursLeft >= session.cancellation_policy.full_refund_until_hours ? 100 : session.cancellation_policy.late_refund_percent;
  return Math.floor((booking.amount * percent) / 100);
}

function CancelButton({ booking, onDone }: { booking: Booking; onDone: () => void }) {
  const [preview, setPreview] = useState<number | null>(null);
  const [busy, error, run] = useBusy();
  const ask = () =>
    run(async () => {
      const s = ok(
        await api().bookings.GET("/sessions/{session_id}", { params: { path: { session_id: booking.session_id } } }),
      );
      setPreview(refundPreview(booking, s));
    });
  const confirm = () =>
    run(async () => {
      ok(await api().bookings.POST("/bookings/{booking_id}/cancel", { params: { path: { booking_id: booking.id } } }));
      setPreview(null);
      onDone();
    });
  if (preview === null)
    return (
      <>
        <button type="button" class="secondary" onClick={() => void ask()} disabled={busy}>
          Cancel…
        </button>
        <ErrorBox error={error} />
      </>
    );
  return (
    <div class="confirm" role="group" aria-label={`Cancel ${booking.session_title}`}>
      <p>
        {preview > 0 ? `You will get back ${money(preview, booking.currency)}.` : "No refund is due for this booking."}{" "}
        Cancel it?
      </p>
      <button type="button" onClick={() => void confirm()} disabled={busy}>
        Yes, cancel
      </button>
      <button type="button" class="secondary" onClick={() => setPreview(null)}>
        Keep it
      </button>
      <ErrorBox error={error} />
    </div>
  );
}

function ReviewForm({ booking, onDone }: { booking: Booking; onDone: () => void }) {
  const [rating, setRating] = useState("5");
  const [comment, setComment] = useState("");
  const [busy, error, run] = useBusy();
  const send = () =>
    run(async () => {
      ok(
        await api().bookings.POST("/bookings/{booking_id}/review", {
          params: { path: { booking_id: booking.id } },
          body: { rating: Number(rating), comment: comment || null } as never,
        }),
      );
      onDone();
    });
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <Field label="Rating" name="rating" error={error}>
        <select id="f-rating" value={rating} onChange={(e) => setRating(e.currentTarget.value)}>
          {[5, 4, 3, 2, 1].map((n) => (
            <option value={String(n)}>{n}</option>
          ))}
        </select>
      </Field>
      <Field label="Comment" name="comment" error={error}>
        <input
          id="f-comment"
          value={comment}
          aria-describedby={describedBy(error, "comment")}
          onInput={(e) => setComment(e.currentTarget.value)}
        />
      </Field>
      <button type="submit" disabled={busy}>
        Review
      </button>
      <ErrorBox error={error} />
    </form>
  );
}

export function Bookings() {
  const [tab, setTab] = useState<"upcoming" | "past">("upcoming");
  const [more, setMore] = useState<Booking[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const list = useAsync(async () => {
    const page = ok(await api().bookings.GET("/me/bookings", { params: { query: { when: tab, limit: 20 } } }));
    setMore([]);
    setCursor(page.next_cursor ?? null);
    return page.data;
  }, [tab]);
  const loadMore = async () => {
    const page = ok(
      await api().bookings.GET("/me/bookings", { params: { query: { when: tab, limit: 20, cursor: cursor! } } }),
    );
    setMore([...more, ...page.data]);
    setCursor(page.next_cursor ?? null);
  };
  const rows = [...(list.data ?? []), ...more];
  return (
    <section aria-labelledby="bookings-title">
      <h1 id="bookings-title">My bookings</h1>
      <div role="tablist" aria-label="Which bookings">
        {(["upcoming", "past"] as const).map((name) => (
          <button
            type="button"
            role="tab"
            aria-selected={tab === name}
            class={tab === name ? "tab active" : "tab"}
            onClick={() => setTab(name)}
          >
            {name === "upcoming" ? "Upcoming" : "Past"}
          </button>
        ))}
      </div>
      <ErrorBox error={list.error} />
      {list.loading && !list.data && <Loading what="your bookings" />}
      {list.data && rows.length === 0 && <Empty>Nothing here yet.</Empty>}
      <ul class="rows">
        {rows.map((b) => (
          <li key={b.id} class="row" data-booking={b.id}>
            <div>
              <a href={`#/sessions/${b.session_id}`}>{b.session_title}</a>
              <p class="muted">
                {when(b.starts_at)} · <span class={`status ${b.status}`}>{b.status.replace("_", " ")}</span>
                {b.paid && ` · paid ${money(b.amount, b.currency)}`}
                {b.refund && ` · refund ${money(b.refund.amount, b.refund.currency)} (${b.refund.status})`}
              </p>
            </div>
            {tab === "upcoming" && ["confirmed", "waitlisted", "pending_payment"].includes(b.status) && (
              <CancelButton booking={b} onDone={list.reload} />
            )}
            {tab === "past" && b.attendance === "attended" && <ReviewForm booking={b} onDone={list.reload} />}
          </li>
        ))}
      </ul>
      {cursor && (
        <button type="button" onClick={() => void loadMore()}>
          Load more
        </button>
      )}
    </section>
  );
}
