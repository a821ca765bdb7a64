import type { Statement } from "../../policy";

/** Core: the function is created from the image by digest; the repository itself is the bootstrap stack's. */
export const imageReadStatements = (repositoryArn: string): Statement[] => [
  {
    Sid: "ImageRead",
    Effect: "Allow",
    Action: [
      "ecr:BatchGetImage",
      "ecr:DescribeImages",
      "ecr:DescribeRepositories",
      "ecr:GetDownloadUrlForLayer",
      "ecr:ListTagsForResource",
    ],
    Resource: repositoryArn,
  },
];
