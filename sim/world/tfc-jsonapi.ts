/** The shapes HCP Terraform's JSON:API answers share: errors, ids and timestamps. */

/** An answer of the API: HTTP status and JSON body. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** A JSON:API error document. */
export const jsonApiError = (status: number, title: string, detail?: string): Answer => ({
  status,
  body: { errors: [{ status: String(status), title, ...(detail ? { detail } : {}) }] },
});

/** HCP Terraform writes status timestamps to the second with an explicit offset ("2021-05-24T07:38:04+00:00"). */
export const stamp = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");

/** Ids look like HCP's (prefix + 16 characters) but come from counters, so they use no draws. */
export const ident = (prefix: string, n: number): string => `${prefix}-${n.toString(36).padStart(16, "0")}`;

/** A stable number for a name, for ids derived from it. */
export const hash = (text: string): number => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
