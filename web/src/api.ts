// Typed clients of the function URLs (types generated from openapi/*.json), and RFC 9457 problems made readable.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths as BookingsPaths } from "./api/bookings";
import type { paths as MatchingPaths } from "./api/matching";
import type { paths as PaymentsPaths } from "./api/payments";
import { config } from "./config";
import { accessToken } from "./auth";

export interface Problem {
  status: number;
  title: string;
  detail: string;
  errors: { field: string; message: string }[];
}

export class ApiError extends Error {
  constructor(public problem: Problem) {
    super(problem.detail || problem.title);
  }
  /** The message for one field, when the problem names it. */
  field(name: string): string | undefined {
    return this.problem.errors.find((e) => e.field === name)?.message;
  }
}

const bearer: Middleware = {
  async onRequest({ request }) {
    const token = await accessToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
};

function client<P extends {}>(baseUrl: string) {
  const c = createClient<P>({ baseUrl: baseUrl.replace(/\/$/, "") });
  c.use(bearer);
  return c;
}

let clients: ReturnType<typeof make> | null = null;
function make() {
  const { api } = config();
  return {
    bookings: client<BookingsPaths>(api.bookings),
    matching: client<MatchingPaths>(api.matching),
    payments: client<PaymentsPaths>(api.payments),
  };
}

export function api() {
  clients ??= make();
  return clients;
}

/** The data of an openapi-fetch answer, or an ApiError carrying the problem+json. */
export function ok<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.error !== undefined || answer.data === undefined) {
    const body = (answer.error ?? {}) as Partial<Problem>;
    throw new ApiError({
      status: answer.response.status,
      title: body.title ?? "Request failed",
      detail: body.detail ?? `The server answered ${answer.response.status}`,
      errors: Array.isArray(body.errors) ? body.errors : [],
    });
  }
  return answer.data;
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong";
}
