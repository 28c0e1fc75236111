import { matrixSuite } from './suite.ts';

/** The second half of the authorization matrix (tests/policies/suite.ts), in a file of its own so it runs beside the first. */
matrixSuite(1, 2);
