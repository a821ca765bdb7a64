import { progressBar } from "../../scripts/progress";

const stream = (isTTY: boolean) => {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (t: string) => writes.push(t) } };
};

describe("progressBar", () => {
  it("redraws one line in a terminal and ends it once at 100%", () => {
    const { writes, stream: s } = stream(true);
    const progress = progressBar("simulating", { stream: s, width: 10 });
    for (let done = 0; done <= 1000; done++) progress(done, 1000);
    progress(1000, 1000);
    expect(writes.every((w) => w.startsWith("\r"))).toBe(true);
    expect(writes.join("").split("\n")).toEqual([expect.stringContaining("simulating [##########] 100%"), ""]);
    expect(writes[0]).toBe("\rsimulating [..........]   0%");
    expect(writes).toContain("\rsimulating [#####.....]  50%");
    expect(writes.length).toBe(101); // one redraw per visible change, not per call
  });

  it("prints a line every tenth in a log (no carriage returns), and 100% once", () => {
    const { writes, stream: s } = stream(false);
    const progress = progressBar("sweeping", { stream: s });
    for (let done = 0; done <= 37; done++) progress(done, 37);
    progress(37, 37);
    expect(writes.join("")).toBe(
      ["0", "10", "20", "30", "40", "50", "60", "70", "80", "90", "100"].map((p) => `sweeping: ${p}%\n`).join(""),
    );
    expect(writes.join("")).not.toContain("\r");
  });

  it("shows the note, and pads over a longer previous line in a terminal", () => {
    const { writes, stream: s } = stream(true);
    const progress = progressBar("bench", { stream: s, width: 4 });
    progress(0, 2, "a-long-name");
    progress(1, 2, "b");
    expect(writes).toEqual([
      "\rbench [....]   0% a-long-name",
      "\rbench [##..]  50% b".padEnd("\rbench [....]   0% a-long-name".length),
    ]);
  });
});
