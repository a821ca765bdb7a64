import { join } from "node:path";

/** Build outputs shared by the build script and the stacks. */
export const DIST = join(__dirname, "..", "dist");
/** The scaler's deployment package, referenced by the core stack as a Terraform asset. */
export const SCALER_ZIP = join(DIST, "scaler.zip");
