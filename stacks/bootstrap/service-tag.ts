/**
 * The tag that marks a resource as this service's. The fargate run role may
 * create EC2 networking only with it (aws:RequestTag) and change or delete
 * only what carries it (aws:ResourceTag), so every stack's provider must put
 * it in default_tags.
 */
export const SERVICE_TAG_KEY = "lambdaflex:service";

/** `{ "lambdaflex:service": service }`, for a provider's default tags. */
export const serviceTag = (service: string): Record<string, string> => ({ [SERVICE_TAG_KEY]: service });
