import { geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import atlas from 'us-atlas/states-albers-10m.json';

/** One state's outline, ready for an SVG <path d>. */
export interface StateShape {
  /** Two-letter postal code, as task forces store their states. */
  code: string;
  name: string;
  d: string;
}

export interface UsMap {
  /** The atlas is pre-projected (Albers USA, insets for Alaska and Hawaii) onto this canvas. */
  viewBox: string;
  states: StateShape[];
}

/** The atlas names states by FIPS code; task forces by postal code. */
const POSTAL_BY_FIPS: Record<string, string> = {
  '01': 'AL',
  '02': 'AK',
  '04': 'AZ',
  '05': 'AR',
  '06': 'CA',
  '08': 'CO',
  '09': 'CT',
  '10': 'DE',
  '11': 'DC',
  '12': 'FL',
  '13': 'GA',
  '15': 'HI',
  '16': 'ID',
  '17': 'IL',
  '18': 'IN',
  '19': 'IA',
  '20': 'KS',
  '21': 'KY',
  '22': 'LA',
  '23': 'ME',
  '24': 'MD',
  '25': 'MA',
  '26': 'MI',
  '27': 'MN',
  '28': 'MS',
  '29': 'MO',
  '30': 'MT',
  '31': 'NE',
  '32': 'NV',
  '33': 'NH',
  '34': 'NJ',
  '35': 'NM',
  '36': 'NY',
  '37': 'NC',
  '38': 'ND',
  '39': 'OH',
  '40': 'OK',
  '41': 'OR',
  '42': 'PA',
  '44': 'RI',
  '45': 'SC',
  '46': 'SD',
  '47': 'TN',
  '48': 'TX',
  '49': 'UT',
  '50': 'VT',
  '51': 'VA',
  '53': 'WA',
  '54': 'WV',
  '55': 'WI',
  '56': 'WY'
};

let cached: UsMap | null = null;

/**
 * Whole units, repeated points dropped: the map is never drawn wider than its 975-unit canvas
 * (app.css), so a unit is at most a CSS pixel; relative steps: the page carries a fifth of the markup.
 */
function compact(d: string): string {
  let out = '';
  let x0 = 0;
  let y0 = 0;
  let open = false;
  for (const part of d.split(/(?=[MLZ])/)) {
    const command = part[0];
    if (command === 'Z') {
      out += 'z';
      open = false;
      continue;
    }
    const [x = 0, y = 0] = part
      .slice(1)
      .split(',')
      .map((n) => Math.round(Number(n)));
    if (command === 'M' || !open) {
      out += `M${x},${y}`;
      open = true;
    } else if (x !== x0 || y !== y0) {
      // Relative steps: a few characters each instead of two full coordinates.
      out += `l${x - x0},${y - y0}`;
    }
    x0 = x;
    y0 = y;
  }
  return out;
}

function build(): UsMap {
  const topology = atlas as unknown as Topology<{ states: GeometryCollection<{ name: string }> }>;
  const states = feature(topology, topology.objects.states);
  // No projection: the coordinates already are the 975×610 canvas's.
  const path = geoPath();
  const shapes: StateShape[] = [];
  for (const f of states.features) {
    const code = POSTAL_BY_FIPS[String(f.id)];
    const d = path(f);
    if (!code || !d) continue;
    shapes.push({ code, name: f.properties.name, d: compact(d) });
  }
  // Alphabetical by name: the order a keyboard user tabs through the linked states.
  shapes.sort((a, b) => a.name.localeCompare(b.name));
  return { viewBox: '0 0 975 610', states: shapes };
}

/** Computed once per process: the outlines never change. */
export function usMap(): UsMap {
  cached ??= build();
  return cached;
}
