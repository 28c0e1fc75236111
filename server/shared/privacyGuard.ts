import { AppError } from './errors.ts';

/**
 * The victim-privacy guard: before a post or thread is saved, look for text that looks like
 * personal data and ask the author to confirm or edit. It is a prompt, not a filter: patterns
 * are tuned to catch the common shapes and to stay quiet on practice talk (form numbers such as
 * I-914, statute citations, toll-free hotlines, the T-visa).
 */

export const PRIVACY_KINDS = ['ssn', 'date_of_birth', 'phone', 'street_address', 'case_number', 'email'] as const;
export type PrivacyKind = (typeof PRIVACY_KINDS)[number];

export const PRIVACY_LABELS: Record<PrivacyKind, string> = {
  ssn: 'a Social Security number',
  date_of_birth: 'a date of birth',
  phone: 'a phone number',
  street_address: 'a street address',
  case_number: 'a case or docket number',
  email: 'an e-mail address of someone who is not a member'
};

export interface PrivacyFinding {
  kind: PrivacyKind;
  label: string;
  /** The matched text with a little context, for the author to find it. */
  excerpt: string;
}

export interface PrivacyOptions {
  /** True when the address belongs to a member (members' addresses are not victims'). */
  isMemberEmail?: (email: string) => boolean;
  /** Dates from this year on are taken as events, not births (defaults to the current year − 5). */
  latestBirthYear?: number;
}

const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const DATE = String.raw`(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}|(?:${MONTHS})\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}(?:st|nd|rd|th)?\s+(?:${MONTHS})\.?,?\s+\d{4})`;
const BIRTH_WORDS = String.raw`\b(?:d\.?o\.?b\.?|born|birth(?:day|date)?|date\s+of\s+birth)\b`;

const SSN = [
  /\b(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}\b/g,
  /\b(?:ssn|social\s+security(?:\s+(?:number|no\.?|#))?)\s*[:#]?\s*(?:is\s+)?\d{9}\b/gi
];
const BIRTH_CONTEXT = new RegExp(String.raw`${BIRTH_WORDS}[^\n\d]{0,25}${DATE}`, 'gi');
const ANY_DATE = new RegExp(String.raw`\b${DATE}\b`, 'gi');
const TOLL_FREE = /^(?:800|833|844|855|866|877|888)$/;
const PHONE = /(?<![\d-])(?:\+?1[\s.-]?)?(?:\((\d{3})\)\s?|(\d{3})[\s.-])\d{3}[\s.-]\d{4}(?![\d-])/g;
const STREET_TYPES =
  'street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|court|ct|way|place|pl|terrace|ter|circle|cir|highway|hwy|parkway|pkwy|trail|trl|square|sq';
const STREET = new RegExp(
  String.raw`\b\d{1,6}\s+(?:[NSEW]\.?\s+)?(?:[A-Za-z0-9'.-]+\s+){1,4}(?:${STREET_TYPES})\b\.?(?:,?\s+(?:apt|apartment|unit|suite|ste|#)\.?\s*[A-Za-z0-9-]+)?`,
  'gi'
);
const PO_BOX = /\bp\.?\s?o\.?\s+box\s+\d+/gi;
const CASE = [
  // Federal: 2:24-cr-00123 (optionally with the judge's initials).
  /\b\d{1,2}:\d{2}-(?:cr|cv|mj|mc|po|sw|md|bk)-\d{2,6}(?:-[A-Z]{1,4})*\b/gi,
  // State and local: CR-2024-00123, 2024-CF-001234, F24-012345.
  /\b[A-Z]{1,4}-?(?:19|20)\d{2}-\d{3,8}\b/gi,
  /\b(?:19|20)\d{2}-[A-Z]{1,4}-\d{3,8}\b/gi,
  /\b(?:case|docket|cause|indictment|file)\s*(?:no\.?|number|#)\s*[:#]?\s*[A-Z0-9][A-Z0-9:-]{3,}/gi
];
const EMAIL = /\b[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}\b/gi;

function excerptAt(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 20);
  const end = Math.min(text.length, index + length + 20);
  return `${start > 0 ? '…' : ''}${text.slice(start, end).replace(/\s+/g, ' ').trim()}${end < text.length ? '…' : ''}`;
}

function yearOf(date: string): number | null {
  const four = /\b(\d{4})\b/.exec(date);
  if (four) return Number(four[1]);
  const two = /[/.-](\d{2})$/.exec(date.trim());
  return two ? 2000 + Number(two[1]) : null;
}

/** Everything in `text` that looks like personal data, at most a few of each kind. */
export function checkPrivacy(text: string, options: PrivacyOptions = {}): PrivacyFinding[] {
  const findings: PrivacyFinding[] = [];
  const taken: [number, number][] = [];
  const overlaps = (at: number, len: number) => taken.some(([s, e]) => at < e && at + len > s);
  const add = (kind: PrivacyKind, match: RegExpExecArray) => {
    if (overlaps(match.index, match[0].length)) return;
    if (findings.filter((f) => f.kind === kind).length >= 5) return;
    taken.push([match.index, match.index + match[0].length]);
    findings.push({ kind, label: PRIVACY_LABELS[kind], excerpt: excerptAt(text, match.index, match[0].length) });
  };
  const all = (re: RegExp) => [...text.matchAll(re)] as RegExpExecArray[];

  for (const re of SSN) for (const m of all(re)) add('ssn', m);
  for (const re of CASE) for (const m of all(re)) add('case_number', m);
  for (const m of all(BIRTH_CONTEXT)) add('date_of_birth', m);
  const latest = options.latestBirthYear ?? new Date().getUTCFullYear() - 5;
  for (const m of all(ANY_DATE)) {
    const year = yearOf(m[0]);
    // A full date far enough in the past to be someone's birth, not last week's training.
    if (year !== null && year >= 1900 && year <= latest) add('date_of_birth', m);
  }
  for (const m of all(PHONE)) {
    const area = m[1] ?? m[2] ?? '';
    if (!TOLL_FREE.test(area)) add('phone', m);
  }
  for (const m of all(STREET)) add('street_address', m);
  for (const m of all(PO_BOX)) add('street_address', m);
  for (const m of all(EMAIL)) {
    if (!options.isMemberEmail?.(m[0].toLowerCase())) add('email', m);
  }
  return findings;
}

/** 422 privacy_check: the author must edit, or send the same text again with confirmPrivacy: true. */
export class PrivacyCheckRequired extends AppError {
  constructor(readonly findings: PrivacyFinding[]) {
    const kinds = [...new Set(findings.map((f) => f.label))];
    super(
      422,
      'privacy_check',
      `This text may contain victim-identifying information (${kinds.join(', ')}). Remove it, or confirm that none of it identifies a victim.`,
      { body: `Check: ${findings.map((f) => f.excerpt).join(' | ')}`.slice(0, 500) }
    );
  }

  toBody() {
    return { error: { code: this.code, message: this.message, fields: this.fields, findings: this.findings } };
  }
}
