// Runtime settings, read once from /config.json (written per environment: by `make dev` locally, by the deploy in
// the cloud), so one bundle serves every environment.
export interface Config {
  mode: "local" | "cloud";
  api: { bookings: string; matching: string; payments: string };
  stripe: { publishableKey: string; jsUrl: string };
  supabase: { url: string; publishableKey: string } | null;
  devSignIn: string | null; // local only: the dev server's demo sign-in
}

let loaded: Config | null = null;

export async function loadConfig(): Promise<Config> {
  const reply = await fetch("./config.json", { cache: "no-store" });
  if (!reply.ok) throw new Error("config.json is missing: build and serve the client with its settings");
  loaded = (await reply.json()) as Config;
  return loaded;
}

export function config(): Config {
  if (!loaded) throw new Error("config not loaded");
  return loaded;
}
