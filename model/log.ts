/** Structured JSON logs, one object per line, so CloudWatch Logs Insights can query every field. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export const jsonLogger =
  (write: (line: string) => void = (line) => process.stdout.write(line + "\n")): Logger =>
  (level, msg, fields = {}) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));

/** A logger that drops everything; tests use it to keep output readable. */
export const silentLogger: Logger = () => undefined;
