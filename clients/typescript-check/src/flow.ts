// A frontend's flow, written against the types openapi-typescript generates
// from /api/schema/. It is only type-checked (tsc --strict --noEmit): it fails
// when the schema makes an always-sent field optional, drops a response body,
// leaves a request body optional or loses an enum, because the code below reads
// those fields as a frontend would, without `!` or `?.`.
import type { components, paths } from "../generated/planher";

type Schemas = components["schemas"];
type Method = "get" | "post" | "put" | "patch" | "delete";
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Responses<P extends keyof paths, M extends Method> = Operation<P, M> extends {
  responses: infer R;
}
  ? R
  : never;
type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
// A body the schema requires (an optional one matches nothing: `never`).
type Body<P extends keyof paths, M extends Method> = Operation<P, M> extends {
  requestBody: { content: { "application/json": infer B } };
}
  ? B
  : never;
type Query<P extends keyof paths, M extends Method> = Operation<P, M> extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;

interface Call<P extends keyof paths, M extends Method> {
  body?: Body<P, M>;
  query?: Query<P, M>;
  id?: number;
  token?: string;
}

const BASE = "http://localhost:8000";

async function call<
  P extends keyof paths,
  M extends Method,
  S extends keyof Responses<P, M> & number,
>(
  method: M,
  path: P,
  status: S,
  init: Call<P, M> = {},
): Promise<Json<Responses<P, M>[S]>> {
  const url = new URL(String(path).replace("{id}", String(init.id)), BASE);
  for (const [key, value] of Object.entries(init.query ?? {})) {
    url.searchParams.set(key, String(value));
  }
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (init.token !== undefined) headers["Authorization"] = `Bearer ${init.token}`;
  const response = await fetch(url, {
    method: method.toUpperCase(),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  if (response.status !== status) throw new Error(`${method} ${path}: ${response.status}`);
  return (await response.json()) as Json<Responses<P, M>[S]>;
}

const ENERGY_LABELS: Record<Schemas["EnergyLevelEnum"], string> = {
  0: "low",
  1: "medium",
  2: "high",
};

function energyLabel(level: 0 | 1 | 2): string {
  switch (level) {
    case 0:
      return "Take it easy";
    case 1:
      return "A steady day";
    case 2:
      return "Full of energy";
    default: {
      const unreachable: never = level;
      return unreachable;
    }
  }
}

function basisText(method: Schemas["BasisMethodEnum"]): string {
  const texts: Record<Schemas["BasisMethodEnum"], string> = {
    population_prior: "from typical cycles",
    profile: "from your profile",
    history_shrunk: "from your cycles",
    history_shrunk_to_profile: "from your cycles and your profile",
    ovulation_detected: "from your ovulation and your luteal length",
  };
  return texts[method];
}

// How the home screen words her next period, from the answer alone (no date arithmetic).
function nextPeriodText(next: Schemas["NextPeriod"]): string {
  const texts: Record<Schemas["NextPeriodStatusEnum"], string> = {
    upcoming: `next period around ${next.start_date}`,
    due_today: "period due today",
    late: `${next.days_late} days late`,
  };
  return texts[next.status];
}

export async function frontendFlow(): Promise<string[]> {
  const lines: string[] = [];

  // Register, log in, refresh.
  const registered = await call("post", "/api/v1/auth/register", 201, {
    body: { email: "ada@example.com", password: "a-long-passphrase-2026", timezone: "Europe/Paris" },
  });
  const userName: string = registered.user.name;
  const userTimezone: string = registered.user.timezone;
  lines.push(`${userName} (${userTimezone}), account ${registered.user.id}`);

  const pair = await call("post", "/api/v1/auth/login", 200, {
    body: { email: "ada@example.com", password: "a-long-passphrase-2026" },
  });
  const refreshed = await call("post", "/api/v1/auth/refresh", 200, {
    body: { refresh: pair.refresh },
  });
  const token: string = refreshed.access;
  const nextRefresh: string = refreshed.refresh;
  lines.push(`keep ${nextRefresh.length} chars of refresh token`);

  // Her account.
  const me = await call("get", "/api/v1/auth/me", 200, { token });
  const joined: string = me.date_joined;
  lines.push(`${me.email}: ${me.name}, ${me.timezone}, since ${joined}`);

  // Her profile: the POST body is required, and every field comes back.
  const profile = await call("post", "/api/v1/profiles/me/", 201, {
    token,
    body: { height_cm: 168, weight_kg: 61.5, cycle_length: 29 },
  });
  const lutealDays: number = profile.luteal_length;
  const mensesDays: number = profile.menses_length;
  const unusual: boolean = profile.unusual_bleeding;
  const peaks: number = profile.number_of_peak;
  const height: number | null = profile.height_cm;
  const weight: number | null = profile.weight_kg;
  const typical: number | null = profile.cycle_length;
  const bmi: number | null = profile.bmi;
  lines.push(`${lutealDays}/${mensesDays}/${unusual}/${peaks}/${height}/${weight}/${typical}/${bmi}`);

  // Log a period, still ongoing.
  const period = await call("post", "/api/v1/periods/", 201, {
    token,
    body: { start_date: "2026-03-01" },
  });
  const periodEnd: string | null = period.end_date;
  lines.push(periodEnd === null ? "period ongoing" : `period ended ${periodEnd}`);

  // Log today's energy.
  const mood = await call("post", "/api/v1/moods/", 201, {
    token,
    body: { date: "2026-03-14", energy_level: 2, notes: "" },
  });
  const notes: string = mood.notes;
  lines.push(`${ENERGY_LABELS[mood.energy_level]}: ${notes}`);

  // Her fertility signs: a morning temperature, then an afternoon LH test on the same day.
  const morning = await call("post", "/api/v1/signs/", 201, {
    token,
    body: { date: "2026-03-14", bbt_celsius: 36.55 },
  });
  const sameDay = await call("post", "/api/v1/signs/", 200, {
    token,
    body: { date: "2026-03-14", lh_test: "positive" },
  });
  const temperature: number | null = sameDay.bbt_celsius;
  const lh: Schemas["LhTestEnum"] | null = sameDay.lh_test;
  const mucus: Schemas["CervicalMucusEnum"] | null = sameDay.cervical_mucus;
  const signPhase: Schemas["PhaseEnum"] | null = sameDay.phase;
  lines.push(`${morning.id === sameDay.id} ${temperature} ${lh} ${mucus} ${signPhase}`);

  // Where she is in her cycle.
  const current = await call("get", "/api/v1/predictions/current/", 200, {
    token,
    query: { date: "2026-03-14" },
  });
  if (current.next_period !== null) {
    const next = current.next_period;
    const start: string = next.start_date;
    const late: number = next.days_late;
    lines.push(`next period ${start} (${late} days late), ${basisText(next.basis.method)}`);
    lines.push(nextPeriodText(next));
  }
  if (current.ovulation !== null) {
    // "detected" from her signs (which ones agree), or "predicted" by the calendar.
    const ovulation: Schemas["Ovulation"] = current.ovulation;
    const how: Schemas["OvulationStatusEnum"] = ovulation.status;
    const signs: Schemas["OvulationSignEnum"][] = ovulation.signs;
    const same: boolean = ovulation.date === current.ovulation_date;
    lines.push(`ovulation ${ovulation.date} ${how} ${signs.join("+")} ${same}`);
  }
  if (current.energy !== null) {
    lines.push(energyLabel(current.energy.level));
  }

  // The days ahead.
  const forecast = await call("get", "/api/v1/predictions/forecast/", 200, {
    token,
    query: { days: 28 },
  });
  for (const day of forecast.days) {
    const level: 0 | 1 | 2 | null = day.energy === null ? null : day.energy.level;
    lines.push(`${day.date}: ${level === null ? "?" : ENERGY_LABELS[level]}`);
  }

  // Her month: past and future in one answer.
  const month = await call("get", "/api/v1/calendar/", 200, {
    token,
    query: { start: "2026-03-01", end: "2026-03-31" },
  });
  for (const day of month.days) {
    const period: "logged" | "predicted" | null = day.period;
    const logged: 0 | 1 | 2 | null = day.energy_logged === null ? null : day.energy_logged.level;
    const predicted: string = day.energy_predicted === null ? "" : day.energy_predicted.label;
    const bbt: number | null = day.signs === null ? null : day.signs.bbt_celsius;
    const marks = `${day.is_fertile ? "fertile" : ""}${day.is_ovulation ? " ovulation" : ""}`;
    lines.push(`${day.date} ${day.phase} ${period} ${logged} ${predicted} ${bbt} ${marks}`);
  }
  lines.push(`${month.start}..${month.end} ${month.detail}`);

  // Prediction history, one page.
  const history = await call("get", "/api/v1/predictions/history/", 200, {
    token,
    query: { page: 1, page_size: 20 },
  });
  const nextPage: string | null = history.next;
  const previousPage: string | null = history.previous;
  const accuracy: number | null = history.summary.accuracy;
  for (const item of history.results) {
    const actual: 0 | 1 | 2 | null = item.actual_level;
    lines.push(`${item.date}: ${ENERGY_LABELS[item.predicted_level]} vs ${actual}`);
  }
  lines.push(`${nextPage} ${previousPage} ${accuracy}`);

  // Insights: what her logs add up to, and alerts to act on.
  const insights = await call("get", "/api/v1/insights", 200, { token });
  const luteal: number = insights.energy_by_phase.luteal.n;
  const lutealHigh: number = insights.energy_by_phase.luteal.high;
  const streak: number = insights.logging_streak.current;
  const energyRight: number | null = insights.prediction_accuracy.energy.accuracy;
  const daysOff: number | null = insights.prediction_accuracy.next_period.mean_abs_error_days;
  for (const cycle of insights.cycles) {
    const length: number | null = cycle.length;
    lines.push(`${cycle.start_date}: ${length ?? "current"} (${cycle.period_length})`);
  }
  for (const alert of insights.alerts) {
    const code: Schemas["AlertCodeEnum"] = alert.code;
    lines.push(`${code} since ${alert.since}: ${alert.title}. ${alert.detail}`);
  }
  lines.push(`${luteal} ${lutealHigh} ${streak} ${energyRight} ${daysOff}`);

  // Her energy logs, one page.
  const moods = await call("get", "/api/v1/moods/", 200, { token, query: { page_size: 50 } });
  const moreMoods: string | null = moods.next;
  const firstNotes: string | undefined = moods.results[0]?.notes;
  lines.push(`${moreMoods} ${firstNotes}`);

  // Her reminders: the in-app list, her settings, her calendar subscription.
  const notifications = await call("get", "/api/v1/notifications/", 200, { token });
  for (const note of notifications.results) {
    const readAt: string | null = note.read_at;
    lines.push(`${note.created_at} ${note.kind}: ${note.title} (${readAt ?? "unread"})`);
  }
  const reminders = await call("get", "/api/v1/notifications/preferences", 200, { token });
  const dueBefore: number | null = reminders.period_due_days_before;
  const logAt: string | null = reminders.log_reminder_time;
  const pushKey: string | null = reminders.push_public_key;
  lines.push(`${dueBefore} ${logAt} ${reminders.email} ${reminders.push} ${pushKey}`);
  const feed = await call("get", "/api/v1/calendar/feed", 200, { token });
  const rotated = await call("post", "/api/v1/calendar/feed/rotate", 200, { token });
  const feedUrl: string = rotated.url;
  lines.push(`${feed.url} -> ${feedUrl}`);

  // Everything, as one document.
  const exported = await call("get", "/api/v1/auth/me/export", 200, { token });
  const exportedAt: string = exported.exported_at;
  const account: string = exported.account.email;
  const periodStarts: string[] = exported.periods.map((p) => p.start_date);
  const moodLevels: (0 | 1 | 2)[] = exported.moods.map((m) => m.energy_level);
  const signDates: string[] = exported.signs.map((s) => s.date);
  const served: number = exported.prediction_history.length;
  const model: number | null = exported.energy_model === null ? null : exported.energy_model.version;
  const exportedWeight: number | null =
    exported.profile === null ? null : exported.profile.weight_kg;
  lines.push(
    `${exportedAt} ${account} ${periodStarts} ${moodLevels} ${signDates} ${served} ${model} ${exportedWeight}`,
  );

  // An import of hers (uploaded as multipart FormData), followed until it ends.
  const imported = await call("get", "/api/v1/imports/{id}/", 200, { token, id: 1 });
  const importEnded: boolean = imported.status === "done" || imported.status === "failed";
  const importedPeriods: number = imported.created.periods + imported.skipped.periods;
  const leftOut: string[] = imported.errors.map((e) => `${e.record}: ${e.message}`);
  const importFormat: string | null = imported.format;
  const importsKept: number = exported.imports.length;
  lines.push(`${importEnded} ${importedPeriods} ${leftOut} ${importFormat} ${importsKept}`);
  return lines;
}
