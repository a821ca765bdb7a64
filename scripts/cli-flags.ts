/**
 * Flags the way every LambdaFlex command reads them: `node:util` parseArgs
 * (strict: an unknown flag, a missing value or a stray argument is an error),
 * `--help`/`-h` on every command, and one UsageError per mistake that names
 * the flag, in parseArgs' own words without its advice on positionals. A
 * value that looks like a negative number (`--scale -1`) is the flag's value,
 * so the command can say what range it takes instead of "ambiguous".
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A command-line mistake; the message names the flag or argument. Commands exit 2 on it. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The `--help`/`-h` flag, to spread into every command's options. */
export const HELP = { help: { type: "boolean", short: "h" } } as const;

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * `--flag -1` as `--flag=-1` (and `-f -1` as `--flag=-1`) for a flag that takes a
 * value: parseArgs would call -1 an option and the flag "ambiguous".
 */
export function joinNegativeValues(args: readonly string[], options: ParseArgsConfig["options"] = {}): string[] {
  const takesValue = (arg: string): string | undefined => {
    const long = /^--([^=]+)$/.exec(arg)?.[1];
    if (long !== undefined) return options[long]?.type === "string" ? long : undefined;
    const short = /^-([^-])$/.exec(arg)?.[1];
    return Object.entries(options).find(([, o]) => o.short === short && o.type === "string")?.[0];
  };
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") return [...out, ...args.slice(i)];
    const name = takesValue(arg);
    const next = args[i + 1];
    if (name !== undefined && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** parseArgs (strict by default) with its errors as UsageErrors ("Unknown option '--push'", "Option '--trace <value>' argument missing"). */
export function parseFlags<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    // strict unless the config says otherwise
    return parseArgs(
      config.args ? ({ ...config, args: joinNegativeValues(config.args, config.options) } as T) : config,
    );
  } catch (err) {
    const message = (err as Error).message;
    // "Unknown option '--x'. To specify a positional argument starting with a '-', place it ..." -> its first sentence
    throw new UsageError(message.split(/\.\s/)[0]!.replace(/\.$/, ""));
  }
}

/** A numeric flag's value: a finite number greater than `above`, or a UsageError naming the flag, the range and what was given. */
export function numberAbove(flag: string, text: string, above = 0): number {
  const value = text.trim() === "" ? Number.NaN : Number(text);
  if (!Number.isFinite(value))
    throw new UsageError(`--${flag} must be a number greater than ${above}, got ${JSON.stringify(text)}`);
  if (!(value > above)) throw new UsageError(`--${flag} must be greater than ${above}, got ${text}`);
  return value;
}
