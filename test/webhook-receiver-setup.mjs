// vitest globalSetup of the workers project: one webhook receiver on loopback for the run, its URL given to
// the tests as `receiverUrl` (see test/env.d.ts).
import { startReceiver } from '../scripts/webhook-receiver.mjs';

export default async function setup({ provide }) {
  const receiver = await startReceiver();
  provide('receiverUrl', receiver.url);
  return () => receiver.close();
}
