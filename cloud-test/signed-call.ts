/**
 * Signed calls to the JSON 1.1 and query APIs the repository has no SDK
 * client for (ECS, EventBridge, EC2), made as the harness.
 */
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { IDENTITIES } from "./identities";

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Buffer =>
  typeof d === "string"
    ? d
    : ArrayBuffer.isView(d)
      ? Buffer.from(d.buffer, d.byteOffset, d.byteLength)
      : Buffer.from(d);

/** node:crypto behind the Checksum interface SignatureV4 takes. */
class Sha256 {
  private hash;
  constructor(private readonly secret?: SourceData) {
    this.hash = secret ? createHmac("sha256", bytes(secret)) : createHash("sha256");
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret ? createHmac("sha256", bytes(this.secret)) : createHash("sha256");
  }
}

/**
 * A signed call to a JSON 1.1 or query API the repository has no SDK client for
 * (ECS, EventBridge, EC2), signed as the harness with the SDK's own SigV4 signer.
 */
export async function rawCall(
  endpoint: string,
  region: string,
  service: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    service,
    region,
    sha256: Sha256,
    credentials: { accessKeyId: IDENTITIES.harness.accessKeyId, secretAccessKey: IDENTITIES.harness.secretAccessKey },
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    query: {},
    headers: { host: url.host, ...headers },
    body,
  });
  const res = await fetch(`${endpoint}/`, { method: "POST", headers: signed.headers as Record<string, string>, body });
  return { status: res.status, text: await res.text() };
}

export const jsonCall = async (
  endpoint: string,
  region: string,
  service: string,
  target: string,
  input: unknown,
): Promise<{ status: number; body: any }> => {
  const out = await rawCall(endpoint, region, service, JSON.stringify(input), {
    "content-type": "application/x-amz-json-1.1",
    "x-amz-target": target,
  });
  return { status: out.status, body: out.text ? JSON.parse(out.text) : {} };
};
