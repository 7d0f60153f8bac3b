/** Multipliers of the time units the original property files use (`1W`, `2D`, `30M` minutes …). */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses `3600000`, `1W`, `12h`, `30m`, `500ms`; undefined when the text is none of these. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+)\s*(ms|[smhdw])?\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? 'ms').toLowerCase();
  return Number(match[1]) * UNITS[unit]!;
}
