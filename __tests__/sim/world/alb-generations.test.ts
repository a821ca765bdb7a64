import { AlbGenerations, noteTasksHealth, targetGroupsAt, tasksGroupAt } from "../../../sim/world/alb-generations";

describe("the ALBs a cached answer may point at", () => {
  it("answers the ALB that existed at a time, the later one when two overlap", () => {
    const albs = new AlbGenerations();
    const first = albs.create(0);
    first.goneAt = 100;
    const second = albs.create(50);
    expect(albs.at(-1)).toBeUndefined();
    expect(albs.at(10)).toBe(first);
    expect(albs.at(60)).toBe(second);
    expect(albs.at(100)).toBe(second);
  });

  it("forgets an ALB once no client can hold an answer to it", () => {
    const albs = new AlbGenerations();
    const gone = albs.create(0);
    gone.goneAt = 100;
    albs.forget(99);
    expect(albs.at(50)).toBe(gone);
    albs.forget(100);
    expect(albs.at(50)).toBeUndefined();
  });

  it("keeps the tasks' health over time, one entry from before the horizon", () => {
    const gen = new AlbGenerations().create(0);
    noteTasksHealth(gen, 10, 2, 40, 0);
    noteTasksHealth(gen, 20, 3, 40, 0);
    expect(tasksGroupAt(gen, 5)).toEqual({ registered: 0, healthy: 0 });
    expect(tasksGroupAt(gen, 15)).toEqual({ registered: 2, healthy: 0 });
    expect(tasksGroupAt(gen, 45)).toEqual({ registered: 3, healthy: 1 });
    // A later note at the same time replaces the earlier one; entries before the horizon go but the last.
    noteTasksHealth(gen, 20, 1, Infinity, 0);
    noteTasksHealth(gen, 60, 0, Infinity, 30);
    expect(gen.health.map((h) => h.from)).toEqual([20, 60]);
    expect(tasksGroupAt(gen, 45)).toEqual({ registered: 1, healthy: 0 });
  });

  it("shows Route 53 the tasks' group alone when no function sits behind the ALB", () => {
    const gen = new AlbGenerations().create(0);
    noteTasksHealth(gen, 0, 1, 10, 0);
    expect(targetGroupsAt(gen, 20)).toEqual([{ registered: 1, healthy: 1 }]);
  });
});
