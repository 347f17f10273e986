import type { Config } from '../config';

export interface Meta {
  apiVersion: string;
  serverTime: number;
  serial: string;
}

/** Server time in float seconds at millisecond precision (§2.9). */
export const nowSeconds = (): number => Date.now() / 1000;

export function meta(config: Config): Meta {
  return { apiVersion: config.apiVersion, serverTime: nowSeconds(), serial: config.serial };
}

/** Compact JSON with the payload keys first and `meta` last. */
export function envelope(payload: object, config: Config): string {
  return JSON.stringify({ ...payload, meta: meta(config) });
}
