/**
 * The rules for `app.environment`'s names and values (config/schema.ts `AppSchema`):
 * the names the stacks, Lambda and ECS set themselves, what Lambda accepts as a
 * name, what the stacks can carry as a value, and how much all of them may take.
 */
/** Variables the stacks set themselves; `PORT` comes from `fargate.containerPort`. */
export const STACK_VARIABLES: readonly string[] = [
  "LAMBDAFLEX_STORE",
  "LAMBDAFLEX_TIER",
  "LAMBDAFLEX_VERSION",
  "TABLE_NAME",
  "PORT",
];
/** Set by Lambda or ECS, which refuse or override them (with every `AWS_*` name but the Web Adapter's `AWS_LWA_*`). */
export const PLATFORM_VARIABLES: readonly string[] = [
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
  "TZ",
  "ECS_CONTAINER_METADATA_URI",
  "ECS_CONTAINER_METADATA_URI_V4",
  "ECS_AGENT_URI",
];
/** Lambda allows 4 KB for all of a function's variables; the stacks' own take well under 512 bytes. */
export const APP_ENVIRONMENT_MAX_BYTES = 3584;

/** Why a name cannot be one of `app.environment`'s, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  // Lambda's rule for names: a letter, then at least one letter, digit or underscore.
  if (!/^[A-Za-z][A-Za-z0-9_]+$/.test(name))
    return `${JSON.stringify(name)} is not a variable name Lambda accepts: a letter, then letters, digits or underscores`;
  if (name === "PORT") return "PORT is set by the stacks from fargate.containerPort; change that instead";
  if (STACK_VARIABLES.includes(name)) return `${name} is set by the stacks; pick another name`;
  if (PLATFORM_VARIABLES.includes(name) || (name.startsWith("AWS_") && !name.startsWith("AWS_LWA_"))) {
    return `${name} is reserved: Lambda and ECS set it (of the AWS_* names only the Web Adapter's AWS_LWA_* may be set here)`;
  }
  return undefined;
}

/**
 * Why a value cannot be written into the stacks, or undefined when it can. cdktf 0.21
 * writes strings into Terraform templates unescaped (and inside `jsonencode` without
 * escaping quotes), so `${`, `%{`, `"` and `\` would change or break the synthesized stack.
 */
export function valueProblem(value: string): string | undefined {
  if (/[\u0000-\u001f\u007f"\\]|\$\{|%\{/.test(value)) {
    return `value ${JSON.stringify(value.slice(0, 64))} holds a quote, a backslash, a control character, "\${" or "%{", which the stacks cannot carry unchanged; encode it (base64, for example) and decode it in the app`;
  }
  return undefined;
}
