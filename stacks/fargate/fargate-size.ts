/**
 * The Fargate task size rule lives in the configuration schema
 * (config/tier-schema.ts), so synth, simulate, advise and doctor refuse the same
 * sizes in the same words; the construct checks it again for configurations
 * built in code.
 */
export { FARGATE_MEMORY, fargateSizeProblem } from "../../config/tier-schema";
