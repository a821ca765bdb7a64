import { Construct } from "constructs";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";

export interface ImageRepositoryProps {
  /** Repository name. */
  readonly name: string;
  /** Tag both tiers run. */
  readonly tag: string;
  /** Untagged images older than this are expired. @default 14 */
  readonly untaggedExpiryDays?: number;
}

/** The ECR repository of the one image, scanned on push, with a lifecycle policy. */
export class ImageRepository extends Construct {
  public readonly repository: EcrRepository;
  /** `<registry>/<name>:<tag>`, what the Lambda function and the task definition run. */
  public readonly imageUri: string;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    const expiry = props.untaggedExpiryDays ?? 14;
    if (expiry < 1) throw new Error(`ImageRepository ${id}: untaggedExpiryDays must be >= 1, got ${expiry}`);
    this.repository = new EcrRepository(this, "repository", {
      name: props.name,
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: "MUTABLE",
      encryptionConfiguration: [{ encryptionType: "AES256" }],
    });
    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `expire untagged images after ${expiry} days`,
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: expiry },
            action: { type: "expire" },
          },
        ],
      }),
    });
    // Lambda pulls container images with the service principal, not the function's role.
    new EcrRepositoryPolicy(this, "lambda-pull", {
      repository: this.repository.name,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "LambdaPull",
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
          },
        ],
      }),
    });
    this.imageUri = `${this.repository.repositoryUrl}:${props.tag}`;
  }
}
