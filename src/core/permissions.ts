/** The three kinds of access (§7.1). */
export type AccessType = 'personal' | 'app' | 'shared';

export type Level = 'none' | 'read' | 'create-only' | 'contribute' | 'manage';

export interface StreamPermission {
  streamId: string;
  level: Level;
  /** Narrowing (§7.6): only events carrying one of these tags. */
  tags?: string[];
  /** Narrowing (§7.6): only events whose span overlaps [fromTime, toTime]. */
  fromTime?: number;
  toTime?: number;
}

export interface FeaturePermission {
  feature: string;
  setting: 'forbidden';
}

export type Permission = StreamPermission | FeaturePermission;

export const isStreamPermission = (p: Permission): p is StreamPermission => 'streamId' in p;

/** Looks up a stream's parent: `null` for a root, `undefined` for an unknown stream. */
export type ParentOf = (streamId: string) => string | null | undefined;

/**
 * An access's rights, computed once per request. Personal accesses hold `manage` everywhere, un-narrowed;
 * other accesses resolve the deepest entry among a stream and its ancestors, else `*` (§7.3).
 */
export class Permissions {
  readonly streamEntries: ReadonlyMap<string, StreamPermission>;

  constructor(
    readonly type: AccessType,
    readonly list: readonly Permission[],
  ) {
    const entries = new Map<string, StreamPermission>();
    for (const p of list) if (isStreamPermission(p)) entries.set(p.streamId, p);
    this.streamEntries = entries;
  }

  get isPersonal(): boolean {
    return this.type === 'personal';
  }

  /** P(A, s): the entry that governs `streamId`, or null when none applies. */
  effective(streamId: string, parentOf: ParentOf): StreamPermission | null {
    if (this.isPersonal) return { streamId, level: 'manage' };
    const seen = new Set<string>();
    let current: string | null | undefined = streamId;
    while (current && !seen.has(current)) {
      seen.add(current);
      const entry = this.streamEntries.get(current);
      if (entry) return entry;
      current = parentOf(current);
    }
    return this.streamEntries.get('*') ?? null;
  }

  featureForbidden(feature: string): boolean {
    return this.list.some((p) => !isStreamPermission(p) && p.feature === feature && p.setting === 'forbidden');
  }
}
