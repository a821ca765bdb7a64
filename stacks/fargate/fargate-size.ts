/**
 * Task memory (MiB) Fargate accepts for each CPU size (Linux, x86 and ARM64):
 * [least, most], in steps of 1024 (and 512 for the smallest size).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
const FARGATE_MEMORY: Readonly<Record<number, readonly [number, number]>> = {
  256: [512, 2048],
  512: [1024, 4096],
  1024: [2048, 8192],
  2048: [4096, 16384],
  4096: [8192, 30720],
};

/** Why Fargate would refuse this size (found only at apply time otherwise), or undefined. */
export function fargateSizeProblem(cpu: number, memoryMb: number): string | undefined {
  const range = FARGATE_MEMORY[cpu];
  if (!range) return `cpu ${cpu} is not a Fargate size (${Object.keys(FARGATE_MEMORY).join(", ")})`;
  const [least, most] = range;
  const stepOk = memoryMb % 1024 === 0 || (cpu === 256 && memoryMb === 512);
  if (memoryMb < least || memoryMb > most || !stepOk) {
    return `memoryMb ${memoryMb} does not go with cpu ${cpu}: Fargate takes ${least}-${most} MiB${cpu === 256 ? " (512, 1024 or 2048)" : " in steps of 1024"}`;
  }
  return undefined;
}
