/**
 * The value of a `${jsonencode({...})}` template as cdktf writes it (HCL
 * object syntax: `"key" = value`, bare references such as
 * `data.aws_caller_identity.account.account_id`), as plain JSON; a bare
 * reference becomes the string "${reference}".
 */
export function decodeJsonencode(template: string): any {
  const m = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(template);
  if (!m) throw new Error(`not a \${jsonencode(...)} template: ${template.slice(0, 80)}`);
  const src = m[1]!;
  let out = "";
  for (let i = 0; i < src.length;) {
    const ch = src[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (src[j] !== '"') j += src[j] === "\\" ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else if (ch === "=") {
      out += ":";
      i++;
    } else if ("{}[],:".includes(ch) || /\s/.test(ch)) {
      out += ch;
      i++;
    } else {
      const literal = /^(-?\d+(\.\d+)?|true|false|null)\b/.exec(src.slice(i));
      const reference = /^[A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*/.exec(src.slice(i));
      const word = literal?.[0] ?? reference?.[0];
      if (!word) throw new Error(`cannot decode jsonencode template at "${src.slice(i, i + 40)}"`);
      out += literal ? word : JSON.stringify(`\${${word}}`);
      i += word.length;
    }
  }
  return JSON.parse(out);
}
