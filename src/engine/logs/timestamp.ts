/**
 * PostgreSQL log timestamps -> epoch milliseconds, without Date parsing per line: the minute part
 * is computed once and cached, since consecutive lines share it.
 */

/** Offsets (minutes east of UTC) of the zone abbreviations PostgreSQL writes most often. */
const zoneOffsets: Record<string, number> = {
  UTC: 0, GMT: 0, Z: 0, UT: 0, WET: 0, WEST: 60, BST: 60, IST: 330, CET: 60, CEST: 120, MET: 60, MEST: 120,
  EET: 120, EEST: 180, MSK: 180, EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480,
  PDT: -420, AKST: -540, AKDT: -480, HST: -600, JST: 540, KST: 540, AEST: 600, AEDT: 660, ACST: 570, ACDT: 630,
  AWST: 480, NZST: 720, NZDT: 780, SGT: 480, HKT: 480, PHT: 480, WIB: 420, BRT: -180, ART: -180, SAST: 120,
};

function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone === '') return 0;
  const known = zoneOffsets[zone];
  if (known !== undefined) return known;
  // Numeric zones: +05, -03, +0530, +05:30
  const match = /^([+-])(\d\d):?(\d\d)?$/.exec(zone);
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

// The minute part (first 16 characters) and zone of the last timestamp: consecutive lines
// share them, so the common case costs two string comparisons and no allocation.
let cachedMinute = '';
let cachedZone = '';
let cachedBase = NaN;

/**
 * Whether `text` has the cached minute and zone. Character by character: startsWith/endsWith
 * with a variable argument on a substring of the line were the costliest part of this function.
 */
function sameMinuteAndZone(text: string, end: number): boolean {
  for (let k = 15; k >= 0; k -= 1) if (text.charCodeAt(k) !== cachedMinute.charCodeAt(k)) return false;
  const zone = cachedZone;
  if (text.length === end) return zone === '';
  if (text.length !== end + 1 + zone.length) return false;
  for (let k = 0; k < zone.length; k += 1) if (text.charCodeAt(end + 1 + k) !== zone.charCodeAt(k)) return false;
  return true;
}

function digit(text: string, at: number): number {
  return text.charCodeAt(at) - 48;
}

/**
 * Parses `YYYY-MM-DD HH:MM:SS[.fff] [ZONE]` (%t, %m, %s) and ISO 8601 (`T`, `Z`, `+00:00`).
 * Returns NaN when the text is not a timestamp; unknown zone names are read as UTC.
 */
export function parseLogTimestamp(text: string): number {
  if (text.length < 19 || text.charCodeAt(4) !== 45 /* - */ || text.charCodeAt(13) !== 58 /* : */) {
    return parseEpochSeconds(text);
  }
  // Zone: everything after the seconds (and fraction), e.g. " UTC", "Z", "+00:00".
  let end = 19;
  let fractionMs = 0;
  if (text.charCodeAt(19) === 46 /* . */) {
    let scale = 100;
    end = 20;
    while (end < text.length) {
      const d = text.charCodeAt(end) - 48;
      if (d < 0 || d > 9) break;
      fractionMs += d * scale;
      scale /= 10;
      end += 1;
    }
  }
  let base: number;
  if (cachedMinute !== '' && sameMinuteAndZone(text, end)) {
    base = cachedBase;
  } else {
    const zone = text.slice(end).trim();
    base = minuteEpoch(text, zone);
    if (Number.isNaN(base)) return NaN;
    cachedMinute = text.slice(0, 16);
    cachedZone = zone;
    cachedBase = base;
  }
  const seconds = digit(text, 17) * 10 + digit(text, 18);
  if (seconds < 0 || seconds > 60) return NaN;
  return base + seconds * 1000 + Math.round(fractionMs);
}

/**
 * Epoch ms of the minute `YYYY-MM-DD HH:MM` that `text` starts with, in `zone` (what follows the
 * seconds, trimmed: "UTC", "+02", "CEST"...; an unknown name is read as UTC).
 */
export function minuteEpoch(text: string, zone: string): number {
  const offset = zoneOffsetMinutes(zone) ?? 0;
  const year = digit(text, 0) * 1000 + digit(text, 1) * 100 + digit(text, 2) * 10 + digit(text, 3);
  const month = digit(text, 5) * 10 + digit(text, 6);
  const day = digit(text, 8) * 10 + digit(text, 9);
  const hour = digit(text, 11) * 10 + digit(text, 12);
  const minute = digit(text, 14) * 10 + digit(text, 15);
  return Date.UTC(year, month - 1, day, hour, minute) - offset * 60_000;
}

/** %n: seconds since the epoch with milliseconds. */
function parseEpochSeconds(text: string): number {
  if (!/^\d{9,11}(\.\d+)?$/.test(text)) return NaN;
  return Math.round(Number(text) * 1000);
}

/** Parses a BSD syslog time (`Nov 30 21:10:20[.frac]`) using the given year. */
export function parseSyslogTime(text: string, year: number): number {
  const match = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?$/.exec(text);
  if (!match) return NaN;
  const month = 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(match[1]!) / 3;
  if (month < 0) return NaN;
  const ms = match[6] ? Math.round(Number(`0.${match[6]}`) * 1000) : 0;
  return Date.UTC(year, month, Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5])) + ms;
}
