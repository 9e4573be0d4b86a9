// Push, work, fail: the Node.js client (faktory-worker) against our server, as any app would.
// Prints one JSON line with what the server reported afterwards.
const faktory = require('faktory-worker');

async function main() {
  const url = process.env.FAKTORY_URL;
  const client = await faktory.connect({ url });
  await client.job('NodeAdd', 2, 3).push();
  await client.job('NodeBoom').push();
  await client.close();

  const results = [];
  faktory.register('NodeAdd', async (a, b) => { results.push(a + b); });
  faktory.register('NodeBoom', async () => { results.push('boom'); throw new Error('kaboom'); });
  const worker = await faktory.work({ url, concurrency: 2, queues: ['default'] });
  const deadline = Date.now() + 10000;
  while (results.length < 2 && Date.now() < deadline) await new Promise(r => setTimeout(r, 20));
  await worker.stop();

  const admin = await faktory.connect({ url });
  const info = await admin.info();
  await admin.close();
  console.log(JSON.stringify({ results: results.sort(), faktory: info.faktory }));
}

main().catch(err => { console.error(err); process.exit(1); });
