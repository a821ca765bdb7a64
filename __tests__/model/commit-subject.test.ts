import { formatCommitSubject, parseCommitSubject, type CommitSubject } from "../../model/commit-subject";
import { TIER_STATES } from "../../model/toggle";

describe("the toggle commit's subject", () => {
  it("reads back what it wrote, for every pair of states and a reason holding the separators itself", () => {
    const reason = "Lambda cost $1.20 more than Fargate would have: round trip $0.90 -> adding the tier";
    for (const from of TIER_STATES) {
      for (const to of TIER_STATES) {
        const s: CommitSubject = { from, to, reason };
        expect(parseCommitSubject(formatCommitSubject(s))).toEqual(s);
      }
    }
  });

  it("keeps the format the repository's history already holds", () => {
    expect(formatCommitSubject({ from: "off", to: "warming", reason: "throttled" })).toBe(
      "lambdaflex: off -> warming: throttled",
    );
  });

  it.each([
    ["a human's commit", "fix: README typo"],
    ["a missing arrow", "lambdaflex: off warming: throttled"],
    ["a missing reason", "lambdaflex: off -> warming"],
    ["an unknown state", "lambdaflex: off -> asleep: because"],
    ["a run message", "lambdaflex: retry: run-1 errored"],
  ])("is undefined for %s", (_why, subject) => {
    expect(parseCommitSubject(subject)).toBeUndefined();
  });
});
