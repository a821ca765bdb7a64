import { Construct } from "constructs";
import { SCALER_STATUS_KEY } from "../../model/status-item";
import { denyWritesToItem } from "../policy";
import { functionLogGroupName, type ServiceNames } from "../../model/names";
import { ServiceRole } from "./service-role";

export interface ApiRoleProps {
  /** The service's names: the function, its log group and the table are named, not referenced (core creates them). */
  readonly names: ServiceNames;
  readonly region: string;
  /** Account id (a cdktf token): trust and ARNs. */
  readonly accountId: string;
}

/**
 * The service function's role (`<service>-api-role`): its log group and its
 * table, minus the scaler's status item, so a compromised service cannot
 * forge what `/stack-status` reports.
 */
export class ApiRole extends Construct {
  public readonly role: ServiceRole;

  constructor(scope: Construct, id: string, props: ApiRoleProps) {
    super(scope, id);
    const arn = (service: string, resource: string) =>
      `arn:aws:${service}:${props.region}:${props.accountId}:${resource}`;
    const table = arn("dynamodb", `table/${props.names.table}`);
    this.role = new ServiceRole(this, "role", {
      name: props.names.roles.api,
      assumedBy: "lambda.amazonaws.com",
      accountId: props.accountId,
      policyName: "service",
      statements: [
        {
          Sid: "Logs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${arn("logs", `log-group:${functionLogGroupName(props.names.apiFunction)}`)}:*`,
        },
        {
          Sid: "Links",
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
          Resource: table,
        },
        denyWritesToItem(table, SCALER_STATUS_KEY),
      ],
    });
  }
}
