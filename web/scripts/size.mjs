// The initial download of the client (what index.html loads before anything runs: its scripts, module preloads
// and stylesheets), gzipped, against the budget. Lazily loaded chunks (Supabase Auth, in the cloud) are listed
// apart. Exits 1 over budget.
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const BUDGET_KB = 150;
const dist = process.argv[2] ?? "dist";
const html = readFileSync(join(dist, "index.html"), "utf8");
const initial = [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const gz = (file) => gzipSync(readFileSync(join(dist, file))).length;
const initialBytes = initial.reduce((n, f) => n + gz(f), 0);
const lazy = readdirSync(join(dist, "assets"))
  .map((f) => `assets/${f}`)
  .filter((f) => f.endsWith(".js") && !initial.includes(f));
const report = {
  initial_kb_gzip: +(initialBytes / 1024).toFixed(1),
  budget_kb_gzip: BUDGET_KB,
  initial_files: initial,
  lazy_kb_gzip: Object.fromEntries(lazy.map((f) => [f, +(gz(f) / 1024).toFixed(1)])),
};
console.log(JSON.stringify(report));
if (initialBytes / 1024 > BUDGET_KB) process.exit(1);
