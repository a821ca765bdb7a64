import { serviceTag } from "./bootstrap/service-tag";

/**
 * Tags every resource carries through the provider's default_tags, including
 * the service tag the bootstrap stack's run roles require on what they create
 * (EC2 networking, the certificate) and change.
 */
export const defaultTags = (service: string, stack: string): Record<string, string> => ({
  Project: service,
  Stack: stack,
  ManagedBy: "lambdaflex-cdktf",
  ...serviceTag(service),
});
