/**
 * Flags the way every LambdaFlex command reads them: `node:util` parseArgs
 * (strict: an unknown flag, a missing value or a stray argument is an error),
 * `--help`/`-h` on every command, and one UsageError per mistake that names
 * the flag, in parseArgs' own words without its advice on positionals.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A command-line mistake; the message names the flag or argument. Commands exit 2 on it. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The `--help`/`-h` flag, to spread into every command's options. */
export const HELP = { help: { type: "boolean", short: "h" } } as const;

/** parseArgs (strict by default) with its errors as UsageErrors ("Unknown option '--push'", "Option '--trace <value>' argument missing"). */
export function parseFlags<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config); // strict unless the config says otherwise
  } catch (err) {
    const message = (err as Error).message;
    // "Unknown option '--x'. To specify a positional argument starting with a '-', place it ..." -> its first sentence
    throw new UsageError(message.split(/\.\s/)[0]!.replace(/\.$/, ""));
  }
}
