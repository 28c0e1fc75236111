import { fuzzRoutes } from '../support/fuzz/suite.ts';

/** The second half of the per-route fuzz (tests/support/fuzz/suite.ts): a file of its own so it runs beside the first. */
fuzzRoutes(1, 2);
