import type { TestProject } from 'vitest/node';
import { createDb, runMigrations } from '../../db/client.ts';

/** Migrate once; every test gets its own in-memory copy of this database. */
export default function setup(project: TestProject) {
  const db = createDb(':memory:');
  runMigrations(db);
  const template = db.$client.serialize();
  db.$client.close();
  project.provide('templateDb', template.toString('base64'));
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}
