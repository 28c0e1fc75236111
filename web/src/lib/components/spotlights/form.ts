import type { PrivacyFinding } from '$lib/discussions';

/** The write/edit form's fields, as strings (what a form posts and gets back). */
export interface SpotlightValues {
  kind: string;
  title: string;
  summary: string;
  body: string;
  featuredMemberId: string;
  /** Shown beside the chosen member (not sent to the API). */
  featuredMemberName: string;
  memberQuery: string;
  featuredTaskForceId: string;
  featuredResourceId: string;
  featuredResourceTitle: string;
  resourceQuery: string;
  partnerName: string;
  partnerUrl: string;
  week: string;
  imageAlt: string;
}

export const EMPTY_SPOTLIGHT_VALUES: SpotlightValues = {
  kind: '',
  title: '',
  summary: '',
  body: '',
  featuredMemberId: '',
  featuredMemberName: '',
  memberQuery: '',
  featuredTaskForceId: '',
  featuredResourceId: '',
  featuredResourceTitle: '',
  resourceQuery: '',
  partnerName: '',
  partnerUrl: '',
  week: '',
  imageAlt: ''
};

/** What every action of the write/edit form answers. */
export interface SpotlightOutcome {
  values: SpotlightValues;
  message?: string;
  success?: string;
  fields?: Record<string, string>;
  findings?: PrivacyFinding[];
  preview?: string;
  memberOptions?: { id: number; name: string; taskForceName: string | null }[];
  resourceOptions?: { id: number; title: string }[];
  imageSnippet?: string;
  /** Saved, but a later step (the week) was refused. */
  savedId?: number;
}

export const SPOTLIGHT_TITLE_MAX = 200;
export const SPOTLIGHT_SUMMARY_MAX = 500;
export const SPOTLIGHT_BODY_MAX = 50_000;
