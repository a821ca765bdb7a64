import { Construct } from "constructs";
import { Fn } from "cdktf";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";

export interface ImageRepositoryProps {
  /** Repository name; the core stack reads the repository by this name. */
  readonly name: string;
  readonly region: string;
  /** The account whose Lambda functions may pull (a cdktf token such as the caller identity's account id). */
  readonly accountId: string;
  /** Only functions whose names start with this may pull. */
  readonly functionNamePrefix: string;
  /** Tag prefix `npm run release` pushes under. @default "release-" */
  readonly releaseTagPrefix?: string;
  /** Releases kept, newest first; a rollback can go back this far. @default 30 */
  readonly keepReleases?: number;
  /** Untagged images older than this are expired. @default 14 */
  readonly untaggedExpiryDays?: number;
}

/**
 * The ECR repository of the one image both tiers run: immutable tags (a
 * release tag always names the same bytes), scanned on push, AES256 at rest,
 * a lifecycle policy that keeps the recent releases, and a repository policy
 * that lets only this account's `<service>-*` functions pull.
 */
export class ImageRepository extends Construct {
  public readonly repository: EcrRepository;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    const prefix = props.releaseTagPrefix ?? "release-";
    const keep = props.keepReleases ?? 30;
    const expiry = props.untaggedExpiryDays ?? 14;
    if (!/^[A-Za-z0-9_.-]+$/.test(prefix))
      throw new Error(
        `ImageRepository ${id}: releaseTagPrefix must be a tag prefix such as "release-", got "${prefix}"`,
      );
    if (!Number.isInteger(keep) || keep < 1)
      throw new Error(`ImageRepository ${id}: keepReleases must be a whole number >= 1, got ${keep}`);
    if (!Number.isInteger(expiry) || expiry < 1)
      throw new Error(`ImageRepository ${id}: untaggedExpiryDays must be a whole number >= 1, got ${expiry}`);
    if (!props.functionNamePrefix)
      throw new Error(
        `ImageRepository ${id}: functionNamePrefix must not be empty (it scopes which functions may pull)`,
      );

    this.repository = new EcrRepository(this, "repository", {
      name: props.name,
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: "IMMUTABLE",
      encryptionConfiguration: [{ encryptionType: "AES256" }],
    });
    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: Fn.jsonencode({
        rules: [
          {
            // Both tiers run the digest of the newest release (or, after a rollback, of one of
            // the last few), so it is always among the newest `keep` release images and this
            // rule never expires it. Older releases go, and with them the rollback window.
            rulePriority: 1,
            description: `keep the newest ${keep} ${prefix}* images`,
            selection: {
              tagStatus: "tagged",
              tagPrefixList: [prefix],
              countType: "imageCountMoreThan",
              countNumber: keep,
            },
            action: { type: "expire" },
          },
          {
            // Untagged images are pushes that never became a release (failed or repeated
            // builds); no stack references them by digest.
            rulePriority: 2,
            description: `expire untagged images after ${expiry} days`,
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: expiry },
            action: { type: "expire" },
          },
        ],
      }),
    });
    // Lambda pulls container images with its service principal, not the function's role; the
    // conditions keep other accounts' functions (the confused deputy) and other functions out.
    // https://docs.aws.amazon.com/lambda/latest/dg/images-create.html#configuration-images-permissions
    new EcrRepositoryPolicy(this, "lambda-pull", {
      repository: this.repository.name,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "LambdaPull",
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            Condition: {
              StringEquals: { "aws:SourceAccount": props.accountId },
              ArnLike: {
                "aws:SourceArn": `arn:aws:lambda:${props.region}:${props.accountId}:function:${props.functionNamePrefix}*`,
              },
            },
          },
        ],
      }),
    });
  }
}
