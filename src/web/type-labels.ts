/** Display names and unit symbols of event types, from the directory's `extras` (spec §9.1). */
import { flatDirectory } from '../event-types';

interface Extras {
  name?: Record<string, string>;
  symbol?: string;
}

interface FlatDirectory {
  types: Record<string, { type?: unknown }>;
  extras?: Record<string, Extras>;
  classes?: Record<string, { extras?: Extras }>;
}

let flat: FlatDirectory | undefined;
const directory = (): FlatDirectory => (flat ??= JSON.parse(flatDirectory()) as FlatDirectory);

export interface TypeLabel {
  /** e.g. "Kilograms"; absent for types outside the directory. */
  name?: string;
  /** e.g. "Kg". */
  symbol?: string;
  /** e.g. "Mass". */
  className?: string;
}

export function typeLabel(type: string): TypeLabel {
  const d = directory();
  const own = Object.prototype.hasOwnProperty.call(d.extras ?? {}, type) ? d.extras![type] : undefined;
  const cls = type.split('/')[0];
  const classExtras = Object.prototype.hasOwnProperty.call(d.classes ?? {}, cls) ? d.classes![cls].extras : undefined;
  return { name: own?.name?.en, symbol: own?.symbol, className: classExtras?.name?.en };
}
