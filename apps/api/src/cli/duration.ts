const UNITS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const MAX_MS = 10 * 365 * 86_400_000;

/** "30d" → milliseconds; minutes (m), hours (h), days (d) or weeks (w), up to ten years. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  const unit = match?.[2] && UNITS[match[2]];
  const ms = match && unit ? Number(match[1]) * unit : Number.NaN;
  if (!(ms > 0) || ms > MAX_MS) {
    throw new Error(
      `"${text}" is not a duration: use a number and m, h, d or w (e.g. 30d), up to ten years`,
    );
  }
  return ms;
}
