import { matrixSuite } from './suite.ts';

// The first half of the authorization matrix (tests/policies/suite.ts); matrix-more.test.ts runs the second beside it.
matrixSuite(0, 2);
