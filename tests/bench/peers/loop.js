'use strict';
// The in-process loop peer of tests/bench/bench_cycle.c: W warm-up cycles,
// then N timed cycles of PollForJobs (maxBatchSize 1) + AcknowledgeJob +
// PutJobSuccessResult over one keep-alive connection (an https.Agent with
// keepAlive and one socket). Prints JSON: cycles, cpu_ns_per_cycle
// (process.cpuUsage() around the N cycles: user + system of the whole
// process, every thread), wall_ns_per_cycle, connects (sockets the agent
// opened; must be 1), sdk (the client's version).
const https = require('https');
const {
  CodePipelineClient, PollForJobsCommand, AcknowledgeJobCommand, PutJobSuccessResultCommand,
} = require('@aws-sdk/client-codepipeline');
const { options, actionTypeId } = require('./common');

async function main() {
  const o = options(process.argv.slice(2));
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  let connects = 0;
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (...a) => { connects += 1; return create(...a); };
  const client = new CodePipelineClient({
    region: o.region,
    endpoint: o.endpoint,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
      sessionToken: process.env.AWS_SESSION_TOKEN || undefined,
    },
    requestHandler: { httpsAgent: agent },
  });
  const at = actionTypeId(o);

  async function cycle() {
    const r = await client.send(new PollForJobsCommand({ actionTypeId: at, maxBatchSize: 1 }));
    if (!r.jobs || r.jobs.length !== 1) {
      throw new Error('PollForJobs returned no job (queue more jobs)');
    }
    const job = r.jobs[0];
    await client.send(new AcknowledgeJobCommand({ jobId: job.id, nonce: job.nonce }));
    await client.send(new PutJobSuccessResultCommand({ jobId: job.id }));
  }

  for (let i = 0; i < o.warmup; i++) {
    await cycle();
  }
  const c0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  for (let i = 0; i < o.cycles; i++) {
    await cycle();
  }
  const w1 = process.hrtime.bigint();
  const c = process.cpuUsage(c0);
  const n = Math.max(o.cycles, 1);
  const sdk = require('@aws-sdk/client-codepipeline/package.json').version;
  process.stdout.write(JSON.stringify({
    cycles: o.cycles,
    warmup: o.warmup,
    cpu_ns_per_cycle: Math.round(((c.user + c.system) * 1000) / n),
    wall_ns_per_cycle: Math.round(Number(w1 - w0) / n),
    connects,
    sdk,
    node: process.version,
  }) + '\n');
  client.destroy();
  agent.destroy();
}

main().catch((e) => {
  process.stderr.write('loop.js: ' + (e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
