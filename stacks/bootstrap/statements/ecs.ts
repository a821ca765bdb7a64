import type { Statement } from "../../policy";
import type { PermissionScope } from "./scope";

/** Every revision of core's task definition family: the only one the tier may run. */
const familyArn = ({ arn, names }: PermissionScope): string => arn("ecs", `task-definition/${names.taskFamily}:*`);

/**
 * Core: the Fargate tier's task definition (stacks/core/tier-task-definition.ts), registered from the
 * released digest behind a human-confirmed apply; the fargate workspace only runs it.
 */
export const taskDefinitionStatements = (scope: PermissionScope): Statement[] => [
  {
    Sid: "TaskDefinitionFamily",
    Effect: "Allow",
    Action: ["ecs:ListTagsForResource", "ecs:RegisterTaskDefinition", "ecs:TagResource", "ecs:UntagResource"],
    Resource: familyArn(scope),
  },
  // These two have no resource types in the Service Authorization Reference; AWS requires "*".
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
  {
    Sid: "TaskDefinitionsAnyResource",
    Effect: "Allow",
    Action: ["ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition"],
    Resource: "*",
  },
];

/** Fargate: the tier's cluster and service, which may run only a revision of core's family. */
export function ecsServiceStatements(scope: PermissionScope): Statement[] {
  const { arn, names } = scope;
  const ecsService = arn("ecs", `service/${names.tier.cluster}/${names.tier.ecsService}`);
  // The ECS condition key ecs:task-definition names the revision a request would run.
  const family = familyArn(scope);
  return [
    {
      Sid: "EcsOwn",
      Effect: "Allow",
      Action: [
        "ecs:CreateCluster",
        "ecs:DeleteCluster",
        "ecs:DeleteService",
        "ecs:DescribeClusters",
        "ecs:DescribeServices",
        "ecs:ListTagsForResource",
        "ecs:TagResource",
        "ecs:UntagResource",
        "ecs:UpdateCluster",
        "ecs:UpdateClusterSettings",
      ],
      Resource: [arn("ecs", `cluster/${names.tier.cluster}`), ecsService],
    },
    // No iam:PassRole: with awsvpc ECS uses its service-linked role and the service takes no `role`
    // (CreateService, "role"); the task's roles were passed by core's RegisterTaskDefinition.
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
    {
      Sid: "EcsCreateServiceOfFamily",
      Effect: "Allow",
      Action: ["ecs:CreateService"],
      Resource: ecsService,
      Condition: { ArnLike: { "ecs:task-definition": family } },
    },
    // IfExists: Terraform's drain before a delete, and Application Auto Scaling's check when the
    // scalable target is registered, update the service without naming a task definition.
    {
      Sid: "EcsUpdateServiceToFamily",
      Effect: "Allow",
      Action: ["ecs:UpdateService"],
      Resource: ecsService,
      Condition: { ArnLikeIfExists: { "ecs:task-definition": family } },
    },
  ];
}
