import type { Statement } from "../../policy";
import type { PermissionScope } from "./scope";

/** Fargate: the tier's scalable target and target-tracking policy, with the alarms the policy makes. */
export function autoscalingStatements({ arn, names }: PermissionScope): Statement[] {
  const targets = arn("application-autoscaling", "scalable-target/*");
  return [
    // Application Auto Scaling's Describe* actions have no resource-level permissions; AWS requires "*".
    {
      Sid: "AutoscalingRead",
      Effect: "Allow",
      Action: [
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:DescribeScalingActivities",
        "application-autoscaling:DescribeScalingPolicies",
      ],
      Resource: "*",
    },
    // Scalable-target ARNs carry a random id, not the service's name, so the scope here is "ECS
    // service desired counts"; registering one also checks the caller's ecs:DescribeServices and
    // ecs:UpdateService on that service, which this role has only for the tier's.
    {
      Sid: "AutoscalingEcsService",
      Effect: "Allow",
      Action: [
        "application-autoscaling:DeleteScalingPolicy",
        "application-autoscaling:DeregisterScalableTarget",
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:RegisterScalableTarget",
      ],
      Resource: targets,
      Condition: {
        StringEquals: {
          "application-autoscaling:service-namespace": "ecs",
          "application-autoscaling:scalable-dimension": "ecs:service:DesiredCount",
        },
      },
    },
    {
      Sid: "AutoscalingTags",
      Effect: "Allow",
      Action: [
        "application-autoscaling:ListTagsForResource",
        "application-autoscaling:TagResource",
        "application-autoscaling:UntagResource",
      ],
      Resource: targets,
    },
    // Target tracking's own alarms, named by Application Auto Scaling after the cluster and service.
    {
      Sid: "TargetTrackingAlarms",
      Effect: "Allow",
      Action: ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm"],
      Resource: arn("cloudwatch", `alarm:TargetTracking-service/${names.tier.cluster}/${names.tier.ecsService}-*`),
    },
  ];
}
