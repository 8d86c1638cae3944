'use strict';
// One PollForJobs, as a command would do it: a fresh process loads the SDK,
// resolves credentials through the default provider chain (the environment),
// sends one request and prints the response. The one-shot peer of
// `cpjob poll` and `aws codepipeline poll-for-jobs` in make bench.
const { CodePipelineClient, PollForJobsCommand } = require('@aws-sdk/client-codepipeline');
const { options, actionTypeId } = require('./common');

async function main() {
  const o = options(process.argv.slice(2));
  const client = new CodePipelineClient({ region: o.region, endpoint: o.endpoint });
  const out = await client.send(new PollForJobsCommand({
    actionTypeId: actionTypeId(o), maxBatchSize: 1,
  }));
  delete out.$metadata;
  process.stdout.write(JSON.stringify(out, null, 4) + '\n');
  client.destroy();
}

main().catch((e) => {
  process.stderr.write('oneshot.js: ' + (e && e.stack ? e.stack : e) + '\n');
  process.exit(255);
});
