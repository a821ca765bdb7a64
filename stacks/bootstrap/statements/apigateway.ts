import type { Statement } from "../../policy";
import type { PermissionScope } from "./scope";

/**
 * Core: API and integration IDs are random, so the HTTP API is scoped to the region's APIs; the
 * custom domain to the service's domain.
 */
export function httpApiStatements({ region, domain }: PermissionScope): Statement[] {
  const apigw = (path: string) => `arn:aws:apigateway:${region}::${path}`;
  return [
    {
      Sid: "HttpApi",
      Effect: "Allow",
      Action: ["apigateway:DELETE", "apigateway:GET", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT"],
      Resource: [
        apigw("/apis"),
        apigw("/apis/*"),
        apigw("/domainnames"),
        apigw(`/domainnames/${domain}`),
        apigw(`/domainnames/${domain}/*`),
        apigw("/tags/*"),
      ],
    },
  ];
}
