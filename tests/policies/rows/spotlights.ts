import type { Row } from '../matrix.ts';

/**
 * Authorization matrix rows for the spotlights routes (owner: S1). Only functions here: this module is
 * imported by matrix.ts, so its constants (ACTIVE, STAFF, …) exist only once the rows are built.
 */
export function spotlightRows(): Row[] {
  return [];
}
