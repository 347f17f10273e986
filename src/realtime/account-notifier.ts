/**
 * The change feed's way to the account objects: a notifier that hands each notice to the isolate's hub (its
 * subscribers, webhook scheduling, tests) and forwards it to the account's Durable Object, after the response
 * (`waitUntil`), so the write's own path gains no round trip (decision 013). A notice whose request read the
 * account's sockets flag as 0 is not forwarded: the object has no socket it could be owed to (decision 032).
 */
import type { ChangeKind, Notifier } from '../core/notices';
import type { Env } from '../env';
import type { AccountObject } from './account-object';

/** The account's object, addressed by user id (a username could one day name another account). */
export function accountObject(env: Env, userId: string): DurableObjectStub<AccountObject> {
  // env.ts sits below this layer and cannot name the class; the binding is declared for it in wrangler.toml.
  const ns = env.ACCOUNTS as unknown as DurableObjectNamespace<AccountObject>;
  return ns.get(ns.idFromName(userId));
}

export function accountNotifier(env: Env, hub: Notifier): Notifier {
  return {
    notify(notice, waitUntil) {
      hub.notify(notice, waitUntil);
      if (!notice.sockets) return;
      const changes: ChangeKind[] = [...notice.changes];
      waitUntil(
        accountObject(env, notice.userId)
          .notify(changes)
          .catch((e: unknown) => console.error('change notice not forwarded:', e instanceof Error ? e.message : String(e))),
      );
    },
  };
}
