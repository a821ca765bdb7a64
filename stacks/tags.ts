/** Tags every resource carries through the provider's default_tags. */
export const defaultTags = (service: string, stack: string): Record<string, string> => ({
  Project: service,
  Stack: stack,
  ManagedBy: "lambdaflex-cdktf",
});
