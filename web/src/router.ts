// Hash routes (a static host serves one index.html): `#/sessions/<id>` → { name: "session", params: { id } }.
import { signal } from "./state";

export interface Route {
  name: string;
  params: Record<string, string>;
}

const PATTERNS: [string, RegExp][] = [
  ["browse", /^\/?$/],
  ["session", /^\/sessions\/([0-9a-f-]{36})$/],
  ["bookings", /^\/me\/bookings$/],
  ["mentors", /^\/mentors$/],
  ["membership", /^\/membership$/],
  ["host", /^\/host$/],
  ["hostSession", /^\/host\/sessions\/([0-9a-f-]{36})$/],
  ["earnings", /^\/earnings$/],
  ["signin", /^\/signin$/],
];

export function parse(hash: string): Route {
  const path = hash.replace(/^#/, "") || "/";
  for (const [name, pattern] of PATTERNS) {
    const found = pattern.exec(path);
    if (found) return { name, params: found[1] ? { id: found[1] } : {} };
  }
  return { name: "notFound", params: {} };
}

export const route = signal<Route>(parse(location.hash));
addEventListener("hashchange", () => {
  route.value = parse(location.hash);
});

export function go(path: string): void {
  location.hash = path;
}
