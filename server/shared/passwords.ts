import { hash, verify } from '@node-rs/argon2';

/** Algorithm.Argon2id (a const enum, which isolatedModules cannot read). */
const ARGON2ID = 2;
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

export const PASSWORD_MIN = 15;
export const PASSWORD_MAX = 256;

const estimator = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...english.dictionary },
  graphs: common.adjacencyGraphs,
  translations: english.translations
});

/** Words an attacker would try first against this community. */
const SITE_WORDS = [
  'task force connect',
  'taskforceconnect',
  'taskforce',
  'task force',
  'trafficking',
  'human trafficking',
  'antitrafficking',
  'ecm',
  'enhanced collaborative model',
  'connect',
  'victim',
  'police',
  'prosecutor'
];

/**
 * NIST SP 800-63B: length 15–256, no composition rules, no truncation, and a check against common
 * and context passwords (zxcvbn's dictionaries plus the site's and the member's own words).
 * Returns the reason to show, or null when the password is acceptable.
 */
export function passwordProblem(password: string, context: { name?: string; email?: string } = {}): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters (this one has ${length}).`;
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  const personal: string[] = [];
  if (context.name) personal.push(context.name, ...context.name.split(/\s+/));
  if (context.email) {
    const [local, domain] = context.email.toLowerCase().split('@');
    personal.push(context.email, local ?? '', ...(local ?? '').split(/[._+-]/), (domain ?? '').split('.')[0] ?? '');
  }
  const userInputs = [...SITE_WORDS, ...personal].map((w) => w.toLowerCase()).filter((w) => w.length >= 3);
  // A password that is little more than context words plus digits or symbols is refused outright.
  let remainder = password.toLowerCase().replace(/[^\p{L}]/gu, '');
  for (const word of userInputs.map((w) => w.replace(/[^\p{L}]/gu, '')).sort((a, b) => b.length - a.length)) {
    if (word.length >= 3) remainder = remainder.split(word).join('');
  }
  if (remainder.length < 8) {
    return 'This password is mostly the site name, a word about its subject, or your own name or e-mail. Try a longer phrase of unrelated words.';
  }
  // zxcvbn is slow on very long inputs; its dictionaries cannot make a 100+ character password weak.
  const result = estimator.check(password.slice(0, 100), userInputs);
  if (result.score < 3) {
    const why = result.feedback.warning || 'It is too easy to guess.';
    const found = result.sequence.find((m) => m.pattern === 'dictionary' && 'dictionaryName' in m);
    const source =
      found && 'dictionaryName' in found && found.dictionaryName === 'userInputs'
        ? ' It is built from the site name, a word about its subject, or your own name or e-mail.'
        : found && 'dictionaryName' in found && found.dictionaryName === 'passwords'
          ? ' It is built on a commonly used password.'
          : '';
    return `This password is too easy to guess. ${why}${source} Try a longer phrase of unrelated words.`.replace(/\s+/g, ' ');
  }
  return null;
}

export interface HashParams {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export function hashPassword(password: string, params: HashParams): Promise<string> {
  return hash(password, { algorithm: ARGON2ID as never, ...params });
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
