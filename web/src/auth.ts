// Who is signed in. In the cloud: Supabase Auth (supabase-js, loaded only there). Locally: the dev server's demo
// sign-in, compiled into the local build only (import.meta.env.MODE === "devstack"), never into the cloud bundle.
import { signal } from "./state";
import { config } from "./config";

export interface Session {
  userId: string;
  email: string;
  name: string;
  token: string;
}

export const session = signal<Session | null>(null);
const STORAGE_KEY = "skillswap.session";

export function restoreSession(): void {
  const saved = sessionStorage.getItem(STORAGE_KEY);
  if (saved) session.value = JSON.parse(saved) as Session;
}

function remember(s: Session | null): void {
  session.value = s;
  if (s) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(STORAGE_KEY);
}

export async function accessToken(): Promise<string | null> {
  if (config().mode === "cloud" && config().supabase) {
    const supabase = await cloudAuth();
    const { data } = await supabase.auth.getSession();
    return data.session?.access_token ?? null;
  }
  return session.value?.token ?? null;
}

export interface DemoUser {
  email: string;
  name: string;
  role: string;
}

export async function demoUsers(): Promise<DemoUser[]> {
  if (import.meta.env.MODE !== "devstack" || !config().devSignIn) return [];
  const reply = await fetch(`${config().devSignIn}/users`);
  return reply.ok ? ((await reply.json()) as DemoUser[]) : [];
}

export async function signInAsDemo(email: string): Promise<void> {
  if (import.meta.env.MODE !== "devstack" || !config().devSignIn) throw new Error("demo sign-in is local only");
  const reply = await fetch(`${config().devSignIn}/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email }),
  });
  if (!reply.ok) throw new Error("the demo sign-in failed");
  const body = (await reply.json()) as { user_id: string; email: string; name: string; access_token: string };
  remember({ userId: body.user_id, email: body.email, name: body.name, token: body.access_token });
}

// Cloud: Supabase Auth, loaded on first use (it is not part of the initial bundle).
type Supabase = import("@supabase/supabase-js").SupabaseClient;
let supabaseClient: Promise<Supabase> | null = null;
export function cloudAuth(): Promise<Supabase> {
  supabaseClient ??= import("@supabase/supabase-js").then(({ createClient }) => {
    const settings = config().supabase!;
    return createClient(settings.url, settings.publishableKey);
  });
  return supabaseClient;
}

export async function signInWithPassword(email: string, password: string): Promise<void> {
  const supabase = await cloudAuth();
  const { data, error } = await supabase.auth.signInWithPassword({ email, password });
  if (error || !data.session) throw new Error(error?.message ?? "sign-in failed");
  const user = data.user;
  remember({
    userId: user.id,
    email: user.email ?? email,
    name: (user.user_metadata?.display_name as string | undefined) ?? user.email ?? "",
    token: data.session.access_token,
  });
}

export async function signOut(): Promise<void> {
  if (config().mode === "cloud" && config().supabase) await (await cloudAuth()).auth.signOut();
  remember(null);
}
