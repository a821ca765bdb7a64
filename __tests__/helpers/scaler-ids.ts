/** The ids of resources only Terraform knows, as `scalerSettingsFrom` takes them; their values do not matter here. */
export const TERRAFORM_IDS = {
  apiId: "api1",
  functionName: "fn",
  tableName: "t",
  alertTopicArn: "arn:topic",
  scalerArn: "arn:scaler",
  schedulerRoleArn: "arn:role",
};
