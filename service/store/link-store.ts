/** A short link as stored: one item per code. */
export interface Link {
  readonly code: string;
  readonly url: string;
  /** ISO-8601 creation time. */
  readonly createdAt: string;
  readonly hits: number;
}

/**
 * Where links live. The only implementation is DynamoDB (real AWS or a local
 * dynalite), because both tiers must see the same data.
 */
export interface LinkStore {
  /** Stores a new link; throws CodeTakenError if the code exists. */
  create(link: Omit<Link, "hits">): Promise<void>;
  get(code: string): Promise<Link | undefined>;
  /** Atomically adds one hit and returns the updated link, or undefined if the code is unknown. */
  hit(code: string): Promise<Link | undefined>;
}
