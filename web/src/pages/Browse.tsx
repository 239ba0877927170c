// Browse and search sessions: filters, keyset pages ("Load more"), seats left.
import { useEffect, useState } from "preact/hooks";
import { api, ok } from "../api";
import type { components } from "../api/bookings";
import { describedBy, Empty, ErrorBox, Field, Loading, money, when } from "../ui";

type Session = components["schemas"]["SessionPublic"];

interface Filters {
  q: string;
  format: string;
  max_price: string;
}

async function search(filters: Filters, cursor: string | null) {
  const query: Record<string, string> = { limit: "12" };
  if (filters.q) query.q = filters.q;
  if (filters.format) query.format = filters.format;
  if (filters.max_price) query.max_price = String(Math.round(Number(filters.max_price) * 100));
  if (cursor) query.cursor = cursor;
  return ok(await api().bookings.GET("/sessions", { params: { query: query as never } }));
}

export function Browse() {
  const [filters, setFilters] = useState<Filters>({ q: "", format: "", max_price: "" });
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);

  const run = async (more: boolean) => {
    setLoading(true);
    setError(null);
    try {
      const page = await search(filters, more ? cursor : null);
      setSessions(more && sessions ? [...sessions, ...page.data] : page.data);
      setCursor(page.next_cursor ?? null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void run(false); // the first page, once
  }, []);

  return (
    <section aria-labelledby="browse-title">
      <h1 id="browse-title">Find a session</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void run(false);
        }}
      >
        <Field label="Search" name="q" error={error}>
          <input
            id="f-q"
            type="search"
            value={filters.q}
            aria-describedby={describedBy(error, "q")}
            onInput={(e) => setFilters({ ...filters, q: e.currentTarget.value })}
          />
        </Field>
        <Field label="Format" name="format" error={error}>
          <select
            id="f-format"
            value={filters.format}
            onChange={(e) => setFilters({ ...filters, format: e.currentTarget.value })}
          >
            <option value="">Any</option>
            <option value="one_on_one">One-on-one</option>
            <option value="workshop">Workshop</option>
            <option value="webinar">Webinar</option>
          </select>
        </Field>
        <Field label="Max price" name="max_price" error={error}>
          <input
            id="f-max_price"
            type="number"
            min="0"
            step="1"
            inputMode="decimal"
            value={filters.max_price}
            aria-describedby={describedBy(error, "max_price")}
            onInput={(e) => setFilters({ ...filters, max_price: e.currentTarget.value })}
          />
        </Field>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={error} />
      {sessions === null && loading && <Loading what="sessions" />}
      {sessions?.length === 0 && <Empty>No session matches. Try fewer filters.</Empty>}
      <ul class="cards">
        {sessions?.map((s) => (
          <li key={s.id} class="card">
            <h2>
              <a href={`#/sessions/${s.id}`}>{s.title}</a>
            </h2>
            <p class="muted">
              {s.host_name} · {when(s.starts_at)}
            </p>
            <p>
              <span class="price">{money(s.price_amount, s.currency)}</span> ·{" "}
              {s.seats_left > 0 ? `${s.seats_left} seat${s.seats_left === 1 ? "" : "s"} left` : "Full: waitlist"}
            </p>
          </li>
        ))}
      </ul>
      {cursor && (
        <button type="button" onClick={() => void run(true)} disabled={loading}>
          {loading ? "Loading…" : "Load more"}
        </button>
      )}
    </section>
  );
}
