/**
 * `npm run doctor [-- --help]`
 *
 * Checks, read-only, what a first deploy needs and prints each problem with
 * the command or UI step that fixes it: Lambda and Fargate quotas, the
 * service-linked roles, the hosted zone, the token parameters, and the HCP
 * Terraform organization and workspaces (docs/deploying.md, "First deploy (runbook)").
 * Exit 0 when every check passes, 1 when one fails, 2 on a usage or
 * configuration error. The checks live in scripts/doctor/.
 */
import { doctorMain } from "./doctor/run";

export { doctorMain, formatReport, runChecks, type DoctorDeps } from "./doctor/run";
export type { CheckResult } from "./doctor/check";

if (require.main === module) {
  doctorMain(process.argv.slice(2), process.env, { out: (t) => console.log(t), err: (t) => console.error(t) }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`doctor: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exitCode = 2;
    },
  );
}
