// The HTML report's script: reads the run's JSON report embedded in the page and draws every
// chart from it with Vega-Lite (specifications are data: a test can read what each draws). The
// page works offline: this script, Vega and Vega-Lite are bundled into it at build time.
//
// For tests, the page says what it drew: <body data-status="drawn" data-charts="N"> once every
// chart is rendered (or data-status="error" and data-errors), each chart's element carries
// data-marks (how many marks it drew), and each KPI cell data-value (the JSON's number).
import * as vega from "vega";
import { compile, TopLevelSpec } from "vega-lite";

type Json = any; // the JSON report of docs/cli.md; its shape is tested by relc's own tests

const errors: string[] = [];
window.addEventListener("error", (event) => errors.push(String(event.message)));
window.addEventListener("unhandledrejection", (event) => errors.push(String(event.reason)));

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text?: string) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function money(cents: number, currency: string): string {
  return `${(cents / 100).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
}

function section(parent: HTMLElement, title: string, note?: string): HTMLElement {
  const box = element("section");
  box.append(element("h2", {}, title));
  if (note) box.append(element("p", { class: "note" }, note));
  parent.append(box);
  return box;
}

function table(parent: HTMLElement, header: string[], rows: (string | HTMLElement)[][], name: string): HTMLTableElement {
  const t = element("table", { "data-table": name });
  const head = element("tr");
  for (const cell of header) head.append(element("th", {}, cell));
  t.append(head);
  for (const row of rows) {
    const tr = element("tr");
    for (const cell of row) {
      const td = element("td");
      if (typeof cell === "string") td.textContent = cell;
      else td.append(cell);
      tr.append(td);
    }
    t.append(tr);
  }
  parent.append(t);
  return t;
}

// A chart to draw once the page is laid out.
const charts: { name: string; host: HTMLElement; spec: TopLevelSpec }[] = [];

function chart(parent: HTMLElement, name: string, spec: TopLevelSpec) {
  const host = element("div", { class: "chart", "data-chart": name });
  parent.append(host);
  charts.push({ name, host, spec });
}

const width = 560;

function countMarks(view: vega.View): number {
  let marks = 0;
  const walk = (item: any) => {
    if (!item) return;
    // Data marks only (role "mark"), not the axes, legends and titles drawn around them.
    if (item.marktype && item.marktype !== "group" && item.role === "mark" && Array.isArray(item.items)) marks += item.items.length;
    for (const child of item.items ?? []) walk(child);
  };
  walk((view.scenegraph() as any).root);
  return marks;
}

function header(root: HTMLElement, reports: Json[]) {
  root.append(element("h1", {}, reports.map((r) => r.program).join(" · ")));
  const inputs = reports[0]?.inputs;
  if (!inputs) return;
  const rows = reports[0].data?.rows ?? {};
  const programs = inputs.programs.map((p: Json) => `${p.path} (hash ${p.hash})`).join(", ");
  const summary = `${programs} over ${inputs.data} (${rows.loaded ?? "?"} rows), from ${inputs.as_of} for ${inputs.days} days, ` +
    `seed ${inputs.seed}, ${inputs.runs} run${inputs.runs === 1 ? "" : "s"}, model: ${inputs.model ?? "none"}`;
  root.append(element("p", { class: "inputs", "data-inputs": "" }, summary));
  // Every input, for whoever traces the report back to its run.
  const details = element("details");
  details.append(element("summary", {}, "Run inputs"));
  table(details, ["input", "value"], [
    ["programs", programs],
    ["data", `${inputs.data}: ${rows.read ?? "?"} rows read, ${rows.loaded ?? "?"} loaded, ${rows.rejected ?? 0} rejected`],
    ["as of", inputs.as_of],
    ["days simulated", String(inputs.days)],
    ["seed", String(inputs.seed)],
    ["runs", String(inputs.runs)],
    ["response model", inputs.model ?? "none: the standard library's figures"],
    ["shared pressure policy", inputs.pressure ?? "none"],
    ["engine", inputs.engine],
  ], "inputs");
  root.append(details);
}

function kpis(box: HTMLElement, report: Json) {
  const rows: (string | HTMLElement)[][] = [];
  for (const kpi of report.kpis) {
    const value = element("span", { "data-kpi": kpi.name, "data-value": kpi.value === null ? "null" : String(kpi.value) }, kpi.text);
    rows.push([kpi.name, kpi.formula, value, kpi.over_runs ? kpi.over_runs.text : ""]);
  }
  table(box, ["KPI", "formula", "value", "over runs (95 % prediction interval)"], rows, "kpis");
  const verdicts: string[][] = [];
  for (const target of report.objective_targets) verdicts.push(["objective " + target.name, target.formula, target.holds ? "met" : "not met"]);
  for (const e of report.expectations) verdicts.push(["expect", e.formula, e.verdict ?? (e.holds ? "holds" : "FAILED")]);
  if (verdicts.length) table(box, ["", "condition", "verdict"], verdicts, "verdicts");
}

function journeys(box: HTMLElement, report: Json, index: number) {
  const svgs: string[] = (window as any).relcJourneys?.[index] ?? [];
  report.scenarios.forEach((scenario: Json, s: number) => {
    const figure = element("figure", { class: "journey", "data-scenario": scenario.scenario });
    figure.append(element("figcaption", {}, `scenario ${scenario.scenario}: ${scenario.entered} journeys entered, ${scenario.exited} ended`));
    const svg = svgs[s];
    if (svg) {
      const holder = element("div", { class: "svg" });
      holder.innerHTML = svg;
      figure.append(holder);
    } else {
      figure.append(element("p", { class: "note" }, "graphviz's dot was not installed when this report was written: the flows are in the table below."));
    }
    const names = new Map<number | string, string>(scenario.journey.steps.map((step: Json) => [step.index, step.text]));
    const flows = scenario.journey.flows.map((f: Json) => [String(names.get(f.from) ?? f.from), String(names.get(f.to) ?? f.to), String(f.journeys)]);
    // Beside a picture, the same flows as a table, folded.
    const holder = svg ? element("details") : figure;
    if (svg) holder.append(element("summary", {}, "The flows as a table"));
    table(holder, ["from", "to", "journeys"], flows, "flows");
    if (svg) figure.append(holder);
    box.append(figure);
  });
}

function overTime(box: HTMLElement, report: Json) {
  const t = report.timeline;
  const sent: Json[] = [];
  for (const [channel, series] of Object.entries<number[]>(t.sent_per_day)) {
    series.forEach((n, day) => sent.push({ date: t.dates[day], channel, messages: n }));
  }
  chart(box, "sent-per-day", {
    title: "Messages sent per day, by channel",
    width, height: 180, data: { values: sent },
    mark: { type: "line", point: false },
    encoding: {
      x: { field: "date", type: "temporal", title: null },
      y: { field: "messages", type: "quantitative" },
      color: { field: "channel", type: "nominal" },
    },
  });
  const entered = report.population.entered.customers;
  const held = report.population.holdout_would_have_entered.customers;
  const scale = held > 0 ? entered / held : 0;
  const revenue: Json[] = [];
  t.dates.forEach((date: string, day: number) => {
    revenue.push({ date, group: "customers who entered", revenue: t.entered.revenue_cents_per_day[day] / 100 });
    if (held > 0) revenue.push({ date, group: "holdout, scaled to as many", revenue: (t.held_out.revenue_cents_per_day[day] * scale) / 100 });
    revenue.push({ date, group: "conversions (messages)", conversions: t.converted_per_day[day] });
  });
  chart(box, "revenue-per-day", {
    title: `What customers spent per day (${report.currency}), against the holdout`,
    width, height: 180, data: { values: revenue.filter((r) => r.revenue !== undefined) },
    mark: { type: "line" },
    encoding: {
      x: { field: "date", type: "temporal", title: null },
      y: { field: "revenue", type: "quantitative", title: report.currency },
      color: { field: "group", type: "nominal", title: null },
    },
  });
  chart(box, "conversions-per-day", {
    title: "Conversions per day (the messages' own, by the attribution rule)",
    width, height: 140, data: { values: revenue.filter((r) => r.conversions !== undefined) },
    mark: { type: "bar" },
    encoding: {
      x: { field: "date", type: "temporal", title: null },
      y: { field: "conversions", type: "quantitative" },
    },
  });
  const panels: Json[] = [];
  for (const panel of report.panels_by_week) {
    panel.customers.forEach((n: number, week: number) => panels.push({ panel: panel.panel, week, customers: n }));
  }
  if (panels.length) {
    chart(box, "panels-by-week", {
      title: "Panel sizes, week by week",
      width, height: 160, data: { values: panels },
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "week", type: "quantitative", title: "week of the run" },
        y: { field: "customers", type: "quantitative" },
        color: { field: "panel", type: "nominal" },
      },
    });
  }
}

const funnelStages = ["sent", "delivered", "opened", "clicked", "converted"];

function funnel(box: HTMLElement, name: string, title: string, rows: { label: string; counts: Json }[]) {
  const values: Json[] = [];
  for (const row of rows) {
    funnelStages.forEach((stage, order) => values.push({ step: row.label, stage, order, count: row.counts[stage] }));
  }
  chart(box, name, {
    title, data: { values },
    mark: { type: "bar" },
    width: 110,
    height: 140,
    encoding: {
      column: { field: "step", type: "nominal", title: null, header: { labelLimit: 150, labelFontSize: 10 } },
      x: { field: "stage", type: "nominal", sort: funnelStages, title: null, axis: { labelAngle: -40 } },
      y: { field: "count", type: "quantitative" },
      color: { field: "stage", type: "nominal", sort: funnelStages, legend: null },
      tooltip: [{ field: "step" }, { field: "stage" }, { field: "count" }],
    },
  });
}

function funnels(box: HTMLElement, report: Json) {
  for (const scenario of report.scenarios) {
    const steps = scenario.steps.map((s: Json) => ({ label: s.step, counts: s }));
    if (steps.length) funnel(box, `funnel-${scenario.scenario}`, `Funnel per step: scenario ${scenario.scenario}`, steps);
    const arms = scenario.split_arms.map((a: Json) => ({ label: `arm ${a.arm}: ${a.first_step}`, counts: a }));
    if (arms.length) funnel(box, `arms-${scenario.scenario}`, `Funnel per split arm: scenario ${scenario.scenario}`, arms);
    for (const w of scenario.split_winners) {
      const verdict = w.arm === null
        ? `no winner: arm ${w.test.leader ?? "-"} led arm ${w.test.runner_up ?? "-"} by z = ${w.test.z.toFixed(2)}, under ${w.test.critical_z.toFixed(2)} (95 %), so the split kept its weights`
        : `arm ${w.arm} won on ${w.metric}: z = ${w.test.z.toFixed(2)} over arm ${w.test.runner_up} (critical ${w.test.critical_z.toFixed(2)}, 95 %); later journeys take it`;
      box.append(element("p", { "data-winner": scenario.scenario }, `Winner rule of ${w.split} (decided ${w.decided_at}, by ${w.metric}): ${verdict}.`));
    }
  }
}

function uplift(box: HTMLElement, report: Json) {
  const rows: Json[] = [];
  const u = report.population.uplift;
  if (u?.revenue_per_entered_customer_cents) {
    rows.push({ figure: "program: spend per entered customer", unit: report.currency, value: u.revenue_per_entered_customer_cents.value / 100,
      low: u.revenue_per_entered_customer_cents.low / 100, high: u.revenue_per_entered_customer_cents.high / 100 });
  }
  for (const scenario of report.scenarios) {
    for (const arm of scenario.split_arms) {
      const s = arm.population?.spend_uplift_cents;
      if (s && s.value !== null && s.low !== null) {
        rows.push({ figure: `arm ${arm.arm} of ${scenario.scenario}: spend per customer`, unit: report.currency, value: s.value / 100, low: s.low / 100, high: s.high / 100 });
      }
    }
  }
  // Over several runs, each KPI's mean with where one launch would fall (95 % prediction interval).
  for (const kpi of report.kpis) {
    const o = kpi.over_runs;
    if (!o || o.mean === null || o.predict_low === null) continue;
    chart(box, `kpi-${kpi.name}`, {
      title: `${kpi.name} over ${o.runs} runs${kpi.unit ? ` (${kpi.unit})` : ""}: mean and 95 % prediction interval for one launch`,
      width: 420, height: 30, data: { values: [{ kpi: kpi.name, mean: o.mean, low: o.predict_low, high: o.predict_high }] },
      layer: [
        { mark: { type: "rule" }, encoding: { x: { field: "low", type: "quantitative", title: null, scale: { zero: false } }, x2: { field: "high" }, y: { field: "kpi", type: "nominal", title: null } } },
        { mark: { type: "point", filled: true, size: 60 }, encoding: { x: { field: "mean", type: "quantitative" }, y: { field: "kpi", type: "nominal" } } },
      ],
    } as TopLevelSpec);
  }
  if (!rows.length) {
    box.append(element("p", { class: "note" }, "No uplift: the program has no holdout, or nobody would have entered it."));
    return;
  }
  chart(box, "uplift", {
    title: `Uplift over the holdout (${report.currency}), with its 95 % interval`,
    width: 420, data: { values: rows },
    layer: [
      { mark: { type: "rule" }, encoding: { x: { field: "low", type: "quantitative", title: report.currency }, x2: { field: "high" }, y: { field: "figure", type: "nominal", title: null } } },
      { mark: { type: "point", filled: true, size: 60 }, encoding: { x: { field: "value", type: "quantitative" }, y: { field: "figure", type: "nominal" } } },
      { mark: { type: "rule", strokeDash: [4, 4], color: "#888" }, data: { values: [{ zero: 0 }] }, encoding: { x: { field: "zero", type: "quantitative" } } },
    ],
  } as TopLevelSpec);
}

function pressure(box: HTMLElement, report: Json) {
  const p = report.pressure;
  const bars = p.messages_per_customer_week.map((b: Json) => ({ messages: b.messages, weeks: b.customer_weeks }));
  const weekly = p.caps.filter((c: Json) => c.channel === null && c.days === 7).map((c: Json) => ({ cap: c.count }));
  chart(box, "messages-per-week", {
    title: "Messages per customer per week (customer-weeks with at least one), against the weekly cap",
    width: 420, height: 160,
    layer: [
      { data: { values: bars }, mark: { type: "bar" }, encoding: { x: { field: "messages", type: "ordinal" }, y: { field: "weeks", type: "quantitative", title: "customer-weeks" } } },
      ...(weekly.length ? [{ data: { values: weekly }, mark: { type: "rule", color: "#dc2626", strokeWidth: 2 }, encoding: { x: { field: "cap", type: "ordinal" } } }] : []),
    ],
  } as TopLevelSpec);
  const suppressed = [
    { rule: "no consent", sends: p.suppressed.no_consent },
    { rule: "pressure cap", sends: p.suppressed.pressure },
    { rule: "quiet hours (dropped)", sends: p.suppressed.quiet_hours },
    { rule: "quiet hours (deferred)", sends: p.deferred_by_quiet_hours },
  ];
  chart(box, "suppressions", {
    title: "Sends stopped or deferred, by rule",
    width: 420, height: 110, data: { values: suppressed },
    mark: { type: "bar" },
    encoding: { y: { field: "rule", type: "nominal", title: null, sort: null }, x: { field: "sends", type: "quantitative" } },
  });
  const caps = p.caps.map((c: Json) => `at most ${c.count} ${c.channel ?? "message"}${c.count === 1 ? "" : "s"} per ${c.days} days${c.across_programs ? " across programs" : ""}`);
  box.append(element("p", { class: "note" }, caps.length ? `Caps: ${caps.join("; ")}.` : "No pressure caps."));
}

function moneyCharts(box: HTMLElement, report: Json) {
  const c = report.currency;
  const totals = report.totals;
  const incremental = report.population.uplift?.incremental_revenue_cents?.value;
  const rows: Json[] = [
    { figure: "cost", amount: totals.cost_cents / 100 },
    { figure: "attributed revenue", amount: totals.attributed_revenue_cents / 100 },
  ];
  if (incremental !== undefined && incremental !== null) rows.push({ figure: "incremental revenue (vs holdout)", amount: incremental / 100 });
  chart(box, "money", {
    title: `Money (${c})`, width: 420, height: 100, data: { values: rows },
    mark: { type: "bar" },
    encoding: { y: { field: "figure", type: "nominal", sort: null, title: null }, x: { field: "amount", type: "quantitative", title: c } },
  });
  const channels = new Map<string, { cost: number; revenue: number }>();
  for (const scenario of report.scenarios) {
    for (const step of scenario.steps) {
      const entry = channels.get(step.channel) ?? { cost: 0, revenue: 0 };
      entry.cost += step.cost_cents;
      entry.revenue += step.attributed_revenue_cents;
      channels.set(step.channel, entry);
    }
  }
  const perChannel: Json[] = [];
  for (const [channel, m] of channels) {
    perChannel.push({ channel, figure: "cost", amount: m.cost / 100 });
    perChannel.push({ channel, figure: "attributed revenue", amount: m.revenue / 100 });
  }
  if (perChannel.length) {
    chart(box, "money-per-channel", {
      title: `Cost and attributed revenue per channel (${c})`, width: 420, height: 120, data: { values: perChannel },
      mark: { type: "bar" },
      encoding: {
        y: { field: "channel", type: "nominal", title: null },
        yOffset: { field: "figure" },
        x: { field: "amount", type: "quantitative", title: c },
        color: { field: "figure", type: "nominal", title: null },
      },
    });
  }
  const roi = report.rates.roi;
  const rows2 = [...channels].map(([channel, m]) => [channel, money(m.cost, c), money(m.revenue, c), m.cost > 0 ? ((m.revenue - m.cost) / m.cost).toFixed(2) : "-"]);
  rows2.push(["program", money(totals.cost_cents, c), money(totals.attributed_revenue_cents, c), roi === null ? "-" : roi.toFixed(2)]);
  table(box, ["", "cost", "attributed revenue", "ROI"], rows2, "money");
}

// `relc calibrate --validate` (or --validate-on): forecast against observed, per arm and segment.
const validationFigures: [string, string, (v: number) => string][] = [
  ["conversion", "conversion", (v) => `${(v * 100).toFixed(2)} %`],
  ["spend_per_customer", "spend per customer", (v) => v.toFixed(2)],
  ["uplift", "conversion uplift over the control", (v) => `${(v * 100).toFixed(2)} pts`],
];

function forest(box: HTMLElement, name: string, title: string, rows: Json[]) {
  chart(box, name, {
    title, width: 420, data: { values: rows },
    encoding: { y: { field: "row", type: "nominal", title: null, sort: null } },
    layer: [
      { mark: { type: "rule" }, encoding: { x: { field: "low", type: "quantitative", title: null }, x2: { field: "high" } } },
      { mark: { type: "tick", thickness: 2, color: "#1d4ed8" }, encoding: { x: { field: "forecast", type: "quantitative" } } },
      { mark: { type: "point", filled: true, size: 70, color: "#dc2626" }, encoding: { x: { field: "observed", type: "quantitative" },
        tooltip: [{ field: "row" }, { field: "forecast" }, { field: "low" }, { field: "high" }, { field: "observed" }] } },
    ],
  } as TopLevelSpec);
}

function drawValidation(root: HTMLElement, v: Json) {
  const backtest = v.kind === "backtest";
  root.append(element("h1", {}, backtest ? `Backtest: ${v.forecast_for}` : `Validation: ${v.source}`));
  root.append(element("p", { class: "inputs", "data-inputs": "" }, backtest
    ? `Fitted on ${v.fitted_on} (${v.fit_customers} customers), forecast for ${v.forecast_for} (${v.test_customers} customers).`
    : `Fitted on ${Math.round(v.fit_share * 100)} % of the customers (${v.fit_customers}, seed ${v.seed}), forecast for the other ${v.test_customers}.`));
  const box = section(root, "Forecast against observed",
    "Per arm: the forecast (blue tick) and its 95 % interval (line), and what the held-out customers did (red dot). " +
    "Within noise: the error is no larger than the held-out sample's own sampling error.");
  const rows: (string | HTMLElement)[][] = [];
  for (const [key, label, show] of validationFigures) {
    const points = v.arms.filter((arm: Json) => arm[key]).map((arm: Json) => ({ row: arm.arm, ...arm[key] }));
    if (points.length) forest(box, `validation-${key}`, label, points);
    for (const arm of v.arms) {
      const c = arm[key];
      if (!c) continue;
      const observed = element("span", { "data-observed": `${arm.arm}/${key}`, "data-value": String(c.observed) }, show(c.observed));
      rows.push([arm.arm, label, show(c.forecast), `${show(c.low)} to ${show(c.high)}`, observed, `${c.error_percent.toFixed(1)} %`,
        c.inside ? "yes" : "no", c.within_noise ? "within" : "beyond"]);
    }
  }
  table(box, ["arm", "figure", "forecast", "95 % interval", "observed", "error", "inside", "noise"], rows, "validation");
  if (v.segments.length) {
    const segments = section(root, "Conversion per segment", "Each --by value per arm; the last column is the error of the arm's rate alone (without --by).");
    forest(segments, "validation-segments", "conversion per segment",
      v.segments.map((s: Json) => ({ row: `${s.arm}, ${s.attribute} = ${s.value}`, ...s.conversion })));
    table(segments, ["arm", "segment", "forecast", "observed", "error", "without --by"], v.segments.map((s: Json) => [
      s.arm, `${s.attribute} = ${s.value}`, `${(s.conversion.forecast * 100).toFixed(2)} %`, `${(s.conversion.observed * 100).toFixed(2)} %`,
      `${s.conversion.error_percent.toFixed(1)} %`, `${s.conversion.error_percent_without_by.toFixed(1)} %`]), "segments");
  }
}

async function draw() {
  const data = document.getElementById("relc-report");
  const root = document.getElementById("report");
  if (!data || !root) throw new Error("the page has no report");
  const parsed: Json = JSON.parse(data.textContent ?? "[]");
  if (!Array.isArray(parsed)) {
    drawValidation(root, parsed);
    await render();
    return;
  }
  const reports: Json[] = parsed;
  header(root, reports);
  reports.forEach((report, index) => {
    const program = element("article", { "data-program": report.program });
    if (reports.length > 1) program.append(element("h2", { class: "program" }, report.program));
    root.append(program);
    kpis(section(program, "KPIs, objective and expectations"), report);
    journeys(section(program, "Journeys", "Each step with the journeys that reached it; edges say how many went on. Branches and splits are folded into the edges they route."), report, index);
    overTime(section(program, "Over time"), report);
    funnels(section(program, "Funnels"), report);
    uplift(section(program, "Uplift and KPIs, with their intervals"), report);
    pressure(section(program, "Marketing pressure"), report);
    moneyCharts(section(program, "Money"), report);
  });
  await render();
}

async function render() {
  for (const c of charts) {
    const view = new vega.View(vega.parse(compile(c.spec).spec), { renderer: "svg", container: c.host, hover: true });
    await view.runAsync();
    c.host.setAttribute("data-marks", String(countMarks(view)));
  }
  document.body.setAttribute("data-charts", String(charts.length));
}

draw()
  .then(() => document.body.setAttribute("data-status", errors.length ? "error" : "drawn"))
  .catch((error) => {
    errors.push(String(error));
    document.body.setAttribute("data-status", "error");
  })
  .finally(() => {
    if (errors.length) document.body.setAttribute("data-errors", errors.join("\n"));
  });
