import { distance, headingOf, LocalFrame, polylineLength, resampleByArcLength, type LatLon, type Xy } from './geo.js';

/**
 * The test circuits: synthetic, with the geometry of real ones (2-7 km, straights of up to a
 * kilometre, hairpins of 20-30 m radius, fast sweepers), and one venue with two layouts that share
 * their start straight and first corners. The simulated GPS receiver drives them (synthesizeDrive);
 * the tests of lap timing and track signatures measure on them.
 *
 * Each is a closed centripetal Catmull-Rom spline through hand-placed control points (metres east
 * and north of the venue's origin), resampled every 2 m. Layouts of one venue share the venue's
 * origin and scale, so their common parts are the same tarmac.
 */

export interface SyntheticCircuit {
  id: string;
  name: string;
  venue: string;
  /** The venue's origin: control points are metres from it. */
  origin: LatLon;
  /** The centreline in the venue's frame, every ~2 m, in driving order. */
  centreline: Xy[];
  lengthM: number;
  /** Distance along the centreline (from its first point) of the start/finish line, and of the sector lines. */
  startFinishAtM: number;
  sectorsAtM: number[];
  /** The pit lane: it leaves the track before the line, runs beside it (offsetM to the right of travel) and rejoins after. */
  pit: { entryBeforeLineM: number; boxAfterLineM: number; exitAfterLineM: number; offsetM: number };
}

interface CircuitDesign {
  id: string;
  name: string;
  venue: string;
  origin: LatLon;
  scale: number;
  controls: [number, number][];
  startFinishAtM: number;
  sectorFractions: [number, number];
}

const HOLLOWMERE: LatLon = { lat: 52.0712, lon: -1.0174 };
const GP_CONTROLS: [number, number][] = [
  [0, 0],
  [500, 0],
  [850, -20],
  [1050, 80],
  [1120, 300],
  [980, 470],
  [1080, 680],
  [1300, 790],
  [1260, 1000],
  [920, 1060],
  [620, 900],
  [400, 1010],
  [100, 960],
  [-200, 820],
  [-320, 520],
  [-160, 360],
  [-360, 170],
  [-260, 20],
];

const DESIGNS: CircuitDesign[] = [
  {
    id: 'hollowmere-gp',
    name: 'Hollowmere Grand Prix',
    venue: 'Hollowmere',
    origin: HOLLOWMERE,
    scale: 1,
    controls: GP_CONTROLS,
    startFinishAtM: 150,
    sectorFractions: [0.33, 0.67],
  },
  {
    // The same venue's short layout: the start straight and the first corners, then across the infield.
    id: 'hollowmere-national',
    name: 'Hollowmere National',
    venue: 'Hollowmere',
    origin: HOLLOWMERE,
    scale: 1,
    controls: [...GP_CONTROLS.slice(0, 6), [600, 430], [200, 480], ...GP_CONTROLS.slice(14)],
    startFinishAtM: 150,
    sectorFractions: [0.33, 0.67],
  },
  {
    // A compact club circuit driven clockwise.
    id: 'kestrel-ring',
    name: 'Kestrel Ring',
    venue: 'Kestrel',
    origin: { lat: 48.4417, lon: 9.8831 },
    scale: 1,
    controls: [
      [0, 0],
      [-380, 0],
      [-520, 90],
      [-480, 260],
      [-300, 300],
      [-200, 450],
      [-20, 480],
      [80, 330],
      [250, 300],
      [300, 140],
      [180, 20],
    ],
    startFinishAtM: 60,
    sectorFractions: [0.36, 0.7],
  },
  {
    // A long, fast park circuit.
    id: 'brackenfield-park',
    name: 'Brackenfield Park',
    venue: 'Brackenfield',
    origin: { lat: 45.6123, lon: 4.2871 },
    scale: 1.05,
    controls: [
      [0, 0],
      [900, 0],
      [1300, 120],
      [1500, 420],
      [1380, 760],
      [1560, 1060],
      [1450, 1380],
      [1050, 1450],
      [760, 1250],
      [420, 1380],
      [60, 1300],
      [-150, 1000],
      [80, 720],
      [-120, 480],
      [-420, 380],
      [-460, 120],
      [-250, 0],
    ],
    startFinishAtM: 200,
    sectorFractions: [0.3, 0.64],
  },
];

const SPACING_M = 2;
const STEPS_PER_SEGMENT = 60;

/** The point of a centripetal Catmull-Rom segment between p1 and p2 at u in [0, 1]. */
function catmullRom(p0: Xy, p1: Xy, p2: Xy, p3: Xy, u: number): Xy {
  // Centripetal knots (alpha 0.5) never loop or cusp inside a segment.
  const knot = (a: Xy, b: Xy) => Math.sqrt(Math.max(distance(a, b), 1e-6));
  const t0 = 0;
  const t1 = t0 + knot(p0, p1);
  const t2 = t1 + knot(p1, p2);
  const t3 = t2 + knot(p2, p3);
  const t = t1 + (t2 - t1) * u;
  const lerp = (a: Xy, b: Xy, ta: number, tb: number): Xy => {
    const w = (t - ta) / (tb - ta);
    return { x: a.x + (b.x - a.x) * w, y: a.y + (b.y - a.y) * w };
  };
  const a1 = lerp(p0, p1, t0, t1);
  const a2 = lerp(p1, p2, t1, t2);
  const a3 = lerp(p2, p3, t2, t3);
  const b1 = lerp(a1, a2, t0, t2);
  const b2 = lerp(a2, a3, t1, t3);
  return lerp(b1, b2, t1, t2);
}

function build(design: CircuitDesign): SyntheticCircuit {
  const controls = design.controls.map(([x, y]) => ({ x: x * design.scale, y: y * design.scale }));
  const dense: Xy[] = [];
  const n = controls.length;
  for (let i = 0; i < n; i++) {
    const at = (k: number) => controls[(k + n) % n]!;
    for (let s = 0; s < STEPS_PER_SEGMENT; s++) dense.push(catmullRom(at(i - 1), at(i), at(i + 1), at(i + 2), s / STEPS_PER_SEGMENT));
  }
  const lengthM = polylineLength(dense, true);
  const centreline = resampleByArcLength(dense, Math.round(lengthM / SPACING_M), true);
  const startFinishAtM = design.startFinishAtM;
  return {
    id: design.id,
    name: design.name,
    venue: design.venue,
    origin: design.origin,
    centreline,
    lengthM,
    startFinishAtM,
    sectorsAtM: design.sectorFractions.map((f) => (startFinishAtM + f * lengthM) % lengthM),
    pit: { entryBeforeLineM: 260, boxAfterLineM: 60, exitAfterLineM: 320, offsetM: 18 },
  };
}

export const SYNTHETIC_CIRCUITS: readonly SyntheticCircuit[] = DESIGNS.map(build);

/** The same circuit driven the other way round: its centreline reversed, its lines where they were. */
export function reversedCircuit(circuit: SyntheticCircuit): SyntheticCircuit {
  const L = circuit.lengthM;
  const centreline = [circuit.centreline[0]!, ...circuit.centreline.slice(1).reverse()];
  const mirror = (atM: number) => (L - atM) % L;
  return {
    ...circuit,
    id: `${circuit.id}-reversed`,
    centreline,
    startFinishAtM: mirror(circuit.startFinishAtM),
    sectorsAtM: circuit.sectorsAtM.map(mirror).reverse(),
    // The pit lane stays on its side of the tarmac: now to the left of travel.
    pit: { ...circuit.pit, offsetM: -circuit.pit.offsetM },
  };
}

export function syntheticCircuit(id: string): SyntheticCircuit | undefined {
  return SYNTHETIC_CIRCUITS.find((c) => c.id === id);
}

/** Where a circuit's centreline is at a distance along it (wrapping), with its heading there. */
export function pointAlong(circuit: SyntheticCircuit, atM: number): { xy: Xy; heading: number } {
  const line = circuit.centreline;
  const step = circuit.lengthM / line.length;
  const wrapped = ((atM % circuit.lengthM) + circuit.lengthM) % circuit.lengthM;
  const i = Math.floor(wrapped / step) % line.length;
  const a = line[i]!;
  const b = line[(i + 1) % line.length]!;
  const u = wrapped / step - Math.floor(wrapped / step);
  return { xy: { x: a.x + (b.x - a.x) * u, y: a.y + (b.y - a.y) * u }, heading: headingOf(a, b) };
}

/** A circuit's line (start/finish or a sector) as a position and the heading of travel across it. */
export function lineOf(circuit: SyntheticCircuit, atM: number): { at: LatLon; headingDeg: number } {
  const { xy, heading } = pointAlong(circuit, atM);
  return { at: new LocalFrame(circuit.origin).toLatLon(xy), headingDeg: heading };
}
