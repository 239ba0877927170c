// Small shared pieces: formatted money and times (in the viewer's timezone), async loading with its states, and
// form fields that show the problem+json message naming them.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, errorText } from "./api";

export function money(amount: number, currency: string): string {
  if (amount === 0) return "Free";
  return new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() }).format(amount / 100);
}

export function when(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

export interface Async<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {errorText(error)}
    </p>
  );
}

export function fieldError(error: unknown, name: string): string | undefined {
  return error instanceof ApiError ? error.field(name) : undefined;
}

interface FieldProps {
  label: string;
  name: string;
  error?: unknown;
  hint?: string;
  children: ComponentChildren;
}

/** A labelled control; the problem's message for this field sits next to it and describes it. */
export function Field({ label, name, error, hint, children }: FieldProps) {
  const message = fieldError(error, name);
  return (
    <div class={message ? "field invalid" : "field"}>
      <label for={`f-${name}`}>{label}</label>
      {children}
      {hint && (
        <small id={`f-${name}-hint`} class="muted">
          {hint}
        </small>
      )}
      {message && (
        <small id={`f-${name}-error`} class="field-error" role="alert">
          {message}
        </small>
      )}
    </div>
  );
}

export function describedBy(error: unknown, name: string): string | undefined {
  return fieldError(error, name) ? `f-${name}-error` : undefined;
}

export function useBusy(): [boolean, unknown, (work: () => Promise<void>) => Promise<void>] {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return [busy, error, run];
}
