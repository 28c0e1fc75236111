/**
 * The resource library: the shapes the API answers with (see /api/resources*), the words shown for
 * its codes, and small helpers shared by the pages (browser-safe: no API calls).
 */

export type ResourceType = 'protocol' | 'template' | 'training' | 'policy' | 'research' | 'toolkit' | 'other';
export type ResourceSort = 'newest' | 'downloads' | 'recommended';
export type ResourceKind = 'file' | 'link';

export const RESOURCE_TYPES: readonly ResourceType[] = [
  'protocol',
  'template',
  'training',
  'policy',
  'research',
  'toolkit',
  'other'
];

export const TYPE_LABELS: Record<ResourceType, string> = {
  protocol: 'Protocol',
  template: 'Template or form',
  training: 'Training material',
  policy: 'Policy',
  research: 'Research',
  toolkit: 'Toolkit',
  other: 'Other'
};

export const SORT_LABELS: Record<ResourceSort, string> = {
  newest: 'Newest',
  downloads: 'Most downloaded',
  recommended: 'Most recommended'
};

export const TITLE_MIN = 3;
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 20_000;
export const TAGS_MAX = 10;
export const URL_MAX = 2000;

/** The file input accepts these (a hint for the file picker only: the server decides by content). */
export const ACCEPT =
  '.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.txt,.csv,.png,.jpg,.jpeg,.webp,.mp4,application/pdf,text/plain,text/csv,image/png,image/jpeg,image/webp,video/mp4';

export interface Person {
  id: number;
  name: string;
}

export interface Audience {
  isPrivate: boolean;
  taskForces: { id: number; name: string }[];
  disciplines: string[];
}

export interface FileInfo {
  versionId: number;
  number: number;
  fileName: string;
  size: number;
  mimeType: string;
  typeLabel: string;
  sha256: string;
  uploadedAt: number;
  uploadedBy: Person;
  downloadUrl: string;
}

export interface ResourceSummary {
  id: number;
  title: string;
  kind: ResourceKind;
  type: ResourceType;
  typeLabel: string;
  tags: string[];
  excerpt: string;
  author: Person;
  originTaskForce: { id: number; name: string } | null;
  audience: Audience;
  createdAt: number;
  updatedAt: number;
  downloadCount: number;
  recommendCount: number;
  recommended: boolean;
  url: string | null;
  file: FileInfo | null;
  deleted: boolean;
  /** Escaped by the server except for its own <mark> tags. */
  snippetHtml: string | null;
}

export interface Resource extends ResourceSummary {
  description: string;
  /** Rendered from Markdown and sanitised by the server when saved. */
  descriptionHtml: string;
  threadId: number;
  versions: (FileInfo & { current: boolean; downloadable: boolean })[];
  extraction: 'pending' | 'done' | 'failed' | 'none';
  brokenLinkReports: number;
  can: {
    edit: boolean;
    delete: boolean;
    restore: boolean;
    addVersion: boolean;
    reportBrokenLink: boolean;
    recommend: boolean;
  };
}

/** What the share and edit forms hold; kept as strings so a refused form comes back as typed. */
export interface ResourceValues {
  title: string;
  description: string;
  type: string;
  tags: string;
  kind: string;
  url: string;
  audience: string;
  taskForceIds: string[];
  disciplines: string[];
  originTaskForceId: string;
}

export const EMPTY_VALUES: ResourceValues = {
  title: '',
  description: '',
  type: '',
  tags: '',
  kind: 'file',
  url: '',
  audience: 'all',
  taskForceIds: [],
  disciplines: [],
  originTaskForceId: ''
};

export const isResourceType = (value: string): value is ResourceType => (RESOURCE_TYPES as readonly string[]).includes(value);
export const isSort = (value: string): value is ResourceSort => value in SORT_LABELS;

/** "2.4 MB", "830 KB", "12 bytes". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The form's values from a resource, for the edit form. */
export function valuesOf(resource: Resource): ResourceValues {
  return {
    title: resource.title,
    description: resource.description,
    type: resource.type,
    tags: resource.tags.join(', '),
    kind: resource.kind,
    url: resource.url ?? '',
    audience: resource.audience.isPrivate ? 'restricted' : 'all',
    taskForceIds: resource.audience.taskForces.map((t) => String(t.id)),
    disciplines: [...resource.audience.disciplines],
    originTaskForceId: resource.originTaskForce ? String(resource.originTaskForce.id) : ''
  };
}

/** Who can see it, in words. */
export function audienceText(audience: Audience, disciplineLabels: Record<string, string>): string {
  if (!audience.isPrivate) return 'All members';
  const groups = [...audience.taskForces.map((t) => t.name), ...audience.disciplines.map((d) => disciplineLabels[d] ?? d)];
  return `Only ${groups.join(', ')} (and moderators)`;
}
