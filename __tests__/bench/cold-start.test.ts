import { readFileSync } from "node:fs";
import { join } from "node:path";
import { coldStartOnce, EMPTY_HANDLER, EVENT_FIXTURE, imageEnvironment } from "../../bench/cold-start";
import { awsEvent } from "../helpers/fixtures";
import { ROOT } from "../helpers/processes";

describe("the cold-start benchmark", () => {
  it("runs with the environment of the image's last stage, not the build stage's", () => {
    const dockerfile = `FROM node AS build
ENV NODE_OPTIONS=--max-old-space-size=4096
FROM lambda AS runtime
ENV NODE_ENV=production \\
    PORT=8080 \\
    NODE_OPTIONS="--enable-source-maps --no-deprecation"
COPY a b
`;
    expect(imageEnvironment(dockerfile)).toEqual({
      NODE_ENV: "production",
      PORT: "8080",
      NODE_OPTIONS: "--enable-source-maps --no-deprecation",
    });
    expect(imageEnvironment(readFileSync(join(ROOT, "Dockerfile"), "utf8"))).toEqual(
      expect.objectContaining({ NODE_ENV: "production" }),
    );
  });

  it("times a cold start through entrypoint.sh and the real runtime client to the first response", async () => {
    const run = await coldStartOnce(EMPTY_HANDLER, { NODE_OPTIONS: "" }, awsEvent(EVENT_FIXTURE));
    expect(run.response).toEqual({ statusCode: 200, headers: { "content-type": "text/plain" }, body: "" });
    expect(run.ms).toBeGreaterThan(0);
  });
});
