import { Construct } from "constructs";
import { TerraformVariable } from "cdktf";
import { IMAGE_DIGEST_PATTERN } from "../../model/release-file";

export interface ImageReleaseProps {
  /** `<registry>/<name>` of the image repository (the bootstrap stack creates it). */
  readonly repositoryUrl: string;
}

/**
 * The image the service runs, from the variables `npm run release` commits in
 * `deploy/core/image.auto.tfvars.json`: `image_digest` (required, validated)
 * and, for people reading the file, `image_tag` and `released_at` (declared so
 * Terraform does not warn about undeclared values). The core stack runs
 * `<repository>@<digest>` in the Lambda function and in the Fargate tier's task
 * definition: both tiers run the same bytes, every release is a change
 * Terraform sees (a re-pushed tag is not), a rollback is a commit of an older
 * digest, and only core's human-confirmed apply changes it.
 */
export class ImageRelease extends Construct {
  public readonly digest: TerraformVariable;
  /** `<repository url>@sha256:...`, what the Lambda function and the tier's task definition run. */
  public readonly uri: string;

  constructor(scope: Construct, id: string, props: ImageReleaseProps) {
    super(scope, id);
    this.digest = new TerraformVariable(this, "image_digest", {
      type: "string",
      description:
        "Manifest digest of the released image (sha256:...), written by `npm run release` to image.auto.tfvars.json. Never set it as a workspace variable.",
      // A `${...}` template: cdktf writes a bare string as a literal, which Terraform rejects.
      validation: [
        {
          condition: `\${can(regex(${JSON.stringify(IMAGE_DIGEST_PATTERN.source)}, var.image_digest))}`,
          errorMessage:
            "image_digest must be sha256: followed by 64 lower-case hex digits; run `npm run release` and commit image.auto.tfvars.json.",
        },
      ],
    });
    this.digest.overrideLogicalId("image_digest");
    for (const [name, description] of [
      ["image_tag", "Informational: the immutable ECR tag the digest was pushed under (npm run release)."],
      ["released_at", "Informational: when the release was recorded (npm run release)."],
    ] as const) {
      new TerraformVariable(this, name, { type: "string", default: "", description }).overrideLogicalId(name);
    }
    this.uri = `${props.repositoryUrl}@${this.digest.stringValue}`;
  }
}
