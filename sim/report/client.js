/*
 * The report page's charts: uPlot (inlined before this script) draws the data
 * in #report-data (built by data.ts). Nothing here reaches the network.
 * Three charts share one time axis in minutes from the trace's start,
 * labelled "day D" and "HH:MM"; zooming one (drag, the day picker, or
 * double-click to zoom out) zooms them all.
 */
(function () {
  "use strict";
  if (typeof uPlot === "undefined")
    throw new Error("LambdaFlex report: uPlot did not load, so the charts cannot be drawn");
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const N = data.minutes;
  const STATES = ["off", "warming", "serving", "draining"];
  const STATE_COLORS = { off: "#4a5568", warming: "#b7791f", serving: "#2f855a", draining: "#c05621" };
  const STATE_FILLS = {
    warming: "rgba(236,201,75,0.20)",
    serving: "rgba(72,187,120,0.16)",
    draining: "rgba(237,137,54,0.18)",
  };
  const REF_COLORS = ["#e53e3e", "#2b6cb0", "#718096", "#805ad5", "#319795", "#b7791f"];
  const REF_DASHES = [
    [8, 4],
    [3, 3],
    [12, 4, 2, 4],
    [2, 6],
  ];
  const dpr = () => window.devicePixelRatio || 1;

  const pad = (n) => String(n).padStart(2, "0");
  const hhmm = (m) => pad(Math.floor((m % 1440) / 60)) + ":" + pad(m % 60);
  const dayOf = (m) => "day " + Math.floor(m / 1440);
  const at = (m) => dayOf(Math.round(m)) + " " + hhmm(Math.round(m));
  const rps = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(2)) + " req/s";
  const dollars = (v) => "$" + (Math.abs(v) < 10 ? v.toFixed(4) : v.toFixed(2));
  const orDash = (f) => (u, v) => (v == null ? "–" : f(v));

  const minutes = Array.from({ length: N }, (_, i) => i);

  // LambdaFlex's state in each minute: a transition committed in minute m sets the state from m on.
  const stateOf = new Array(N);
  {
    let s = STATES.indexOf(data.initialState);
    let k = 0;
    for (let m = 0; m < N; m++) {
      while (k < data.transitions.length && data.transitions[k].minute <= m)
        s = STATES.indexOf(data.transitions[k++].to);
      stateOf[m] = s < 0 ? null : s;
    }
  }
  const tierRuns = [];
  for (let m = 0; m < N; m++) {
    const s = STATES[stateOf[m]];
    if (!STATE_FILLS[s]) continue;
    const last = tierRuns[tierRuns.length - 1];
    if (last && last.state === s && last.to === m) last.to = m + 1;
    else tierRuns.push({ state: s, from: m, to: m + 1, fill: STATE_FILLS[s] });
  }

  // The time axis: ticks at whole minutes, hours or days, whichever fits the zoom.
  const INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 7 * 1440, 14 * 1440, 28 * 1440];
  const xAxis = () => ({
    incrs: INCRS,
    space: 64,
    size: 52,
    values: (u, splits, _i, _space, incr) =>
      splits.map((v, i) => (incr >= 1440 ? dayOf(v) : i === 0 || v % 1440 === 0 ? hhmm(v) + "\n" + dayOf(v) : hhmm(v))),
  });
  const xSeries = { label: "time", value: orDash(at) };

  /** Shades runs of minutes behind the series. */
  const bandsPlugin = (runs) => ({
    hooks: {
      drawClear: [
        (u) => {
          const { left, top, width, height } = u.bbox;
          const ctx = u.ctx;
          ctx.save();
          for (const r of runs) {
            const x0 = Math.max(left, u.valToPos(r.from, "x", true));
            const x1 = Math.min(left + width, u.valToPos(r.to, "x", true));
            if (x1 <= left || x0 >= left + width) continue;
            ctx.fillStyle = r.fill;
            ctx.fillRect(x0, top, Math.max(dpr(), x1 - x0), height);
          }
          ctx.restore();
        },
      ],
    },
  });

  /** A dashed line and a flag at each transition; hovering near one shows its reason. */
  const transitionsPlugin = () => {
    let tip;
    let active = false;
    return {
      hooks: {
        init: [
          (u) => {
            tip = document.createElement("div");
            tip.className = "tip";
            tip.hidden = true;
            u.over.appendChild(tip);
            u.over.addEventListener("mouseenter", () => (active = true));
            u.over.addEventListener("mouseleave", () => ((active = false), (tip.hidden = true)));
          },
        ],
        draw: [
          (u) => {
            const { top, width, height } = u.bbox;
            const ctx = u.ctx;
            const d = dpr();
            const visible = data.transitions.filter((t) => t.minute >= u.scales.x.min && t.minute <= u.scales.x.max);
            // Lines only while they stand apart (about 12 px each); flags alone when zoomed out over many.
            const lines = visible.length * 12 * d < width;
            ctx.save();
            for (const t of visible) {
              const x = Math.round(u.valToPos(t.minute, "x", true));
              ctx.strokeStyle = ctx.fillStyle = STATE_COLORS[t.to] || "#1a202c";
              ctx.lineWidth = d;
              if (lines) {
                ctx.setLineDash([3 * d, 3 * d]);
                ctx.beginPath();
                ctx.moveTo(x, top);
                ctx.lineTo(x, top + height);
                ctx.stroke();
                ctx.setLineDash([]);
              }
              ctx.beginPath();
              ctx.moveTo(x - 5 * d, top);
              ctx.lineTo(x + 5 * d, top);
              ctx.lineTo(x, top + 8 * d);
              ctx.fill();
            }
            ctx.restore();
          },
        ],
        setCursor: [
          (u) => {
            const cx = u.cursor.left;
            if (!active || cx == null || cx < 0) return void (tip.hidden = true);
            const near = data.transitions
              .map((t) => [Math.abs(u.valToPos(t.minute, "x") - cx), t])
              .filter(([dist]) => dist <= 6);
            if (near.length === 0) return void (tip.hidden = true);
            near.sort((a, b) => a[0] - b[0]);
            const t = near[0][1];
            tip.replaceChildren();
            const head = document.createElement("strong");
            head.textContent = at(t.minute) + ": " + t.from + " → " + t.to;
            tip.append(head, document.createElement("br"), t.reason);
            if (near.length > 1) {
              const more = document.createElement("em");
              more.textContent = " (+" + (near.length - 1) + " more here; zoom in to tell them apart)";
              tip.append(more);
            }
            tip.hidden = false;
            const w = u.over.clientWidth;
            tip.style.left = Math.min(cx + 12, Math.max(0, w - tip.offsetWidth)) + "px";
            tip.style.top = Math.min(u.cursor.top + 12, Math.max(0, u.over.clientHeight - tip.offsetHeight)) + "px";
          },
        ],
      },
    };
  };

  const charts = {};
  let syncing = false;
  const range = document.getElementById("zoom-range");
  const daySelect = document.getElementById("zoom-day");
  /** Zooming one chart zooms the others to the same minutes. */
  const syncX = (u, key) => {
    if (key !== "x" || syncing) return;
    syncing = true;
    const { min, max } = u.scales.x;
    for (const c of Object.values(charts))
      if (c !== u && (c.scales.x.min !== min || c.scales.x.max !== max)) c.setScale("x", { min, max });
    syncing = false;
    if (range)
      range.textContent =
        min <= 0 && max >= N - 1 ? "showing the whole trace" : "showing " + at(min) + " to " + at(max);
    if (daySelect) daySelect.value = max - min === 1440 && min % 1440 === 0 ? String(min / 1440) : "";
  };

  const make = (name, height, opts, chartData) => {
    const el = document.getElementById("chart-" + name);
    charts[name] = new uPlot(
      {
        width: el.clientWidth,
        height,
        cursor: { sync: { key: "lambdaflex" }, drag: { x: true, y: false } },
        scales: { x: { time: false } },
        hooks: { setScale: [syncX] },
        ...opts,
      },
      chartData,
      el,
    );
  };

  const refs = data.referenceLines;
  make(
    "demand",
    280,
    {
      series: [
        xSeries,
        { label: "demand", stroke: "#1a202c", width: 1, fill: "rgba(26,32,44,0.07)", value: orDash(rps) },
        ...refs.map((r, i) => ({
          label: r.label,
          stroke: REF_COLORS[i % REF_COLORS.length],
          dash: REF_DASHES[i % REF_DASHES.length],
          width: 1.5,
          points: { show: false },
          value: () => rps(r.rps),
        })),
      ],
      axes: [xAxis(), { label: "requests per second", size: 60 }],
      plugins: [bandsPlugin(tierRuns), transitionsPlugin()],
    },
    [minutes, data.demandRps, ...refs.map((r) => new Array(N).fill(r.rps))],
  );

  const onFargate = new Array(N).fill(0);
  for (const [from, to] of data.optimumOnFargate || []) for (let m = from; m < to; m++) onFargate[m] = 100;
  const stepped = uPlot.paths.stepped({ align: 1 });
  make(
    "tier",
    220,
    {
      series: [
        xSeries,
        {
          label: "LambdaFlex state",
          scale: "state",
          stroke: "#2b6cb0",
          width: 2,
          paths: stepped,
          points: { show: false },
          value: orDash((v) => STATES[v]),
        },
        ...(data.fargateSharePct
          ? [
              {
                label: "LambdaFlex requests on Fargate",
                scale: "%",
                stroke: "#38a169",
                width: 1,
                fill: "rgba(56,161,105,0.18)",
                value: orDash((v) => v + "%"),
              },
            ]
          : []),
        ...(data.optimumOnFargate
          ? [
              {
                label: data.optimumLabel || "optimum serves on Fargate",
                scale: "%",
                stroke: "#805ad5",
                width: 1.5,
                dash: [4, 3],
                paths: stepped,
                points: { show: false },
                value: orDash((v) => (v ? "yes" : "no")),
              },
            ]
          : []),
      ],
      scales: { x: { time: false }, state: { range: [-0.4, 3.4] }, "%": { range: [0, 105] } },
      axes: [
        xAxis(),
        {
          scale: "state",
          size: 72,
          splits: () => [0, 1, 2, 3],
          values: (u, splits) => splits.map((v) => STATES[v] || ""),
          grid: { show: true },
        },
        {
          scale: "%",
          side: 1,
          size: 50,
          grid: { show: false },
          splits: () => [0, 50, 100],
          values: (u, splits) => splits.map((v) => v + "%"),
        },
      ],
      plugins: [transitionsPlugin()],
    },
    [
      minutes,
      stateOf,
      ...(data.fargateSharePct ? [data.fargateSharePct] : []),
      ...(data.optimumOnFargate ? [onFargate] : []),
    ],
  );

  const costX = (data.cost.series[0] ? data.cost.series[0].values : []).map((_, i) =>
    Math.min(i * data.cost.step, N - 1),
  );
  make(
    "cost",
    280,
    {
      series: [
        xSeries,
        ...data.cost.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          points: { show: false },
          value: orDash(dollars),
        })),
      ],
      axes: [xAxis(), { label: "USD since the start", size: 70, values: (u, splits) => splits.map((v) => "$" + v) }],
    },
    [costX, ...data.cost.series.map((s) => s.values)],
  );

  /** Shows minutes [min, max] in every chart. */
  const zoomTo = (min, max) => charts.demand.setScale("x", { min, max });
  document.getElementById("zoom-all").addEventListener("click", () => zoomTo(0, N - 1));
  daySelect.addEventListener("change", () => {
    if (daySelect.value !== "") zoomTo(Number(daySelect.value) * 1440, Number(daySelect.value) * 1440 + 1440);
  });
  window.addEventListener("resize", () => {
    for (const [name, c] of Object.entries(charts))
      c.setSize({ width: document.getElementById("chart-" + name).clientWidth, height: c.height });
  });
  // For the browser console (and the report's browser test).
  window.lambdaflexReport = { charts, zoomTo, at, stateOf };
})();
