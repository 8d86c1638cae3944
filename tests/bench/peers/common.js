'use strict';
// Shared by oneshot.js and loop.js: options and the action type.
//   --endpoint URL   the emulator (https://127.0.0.1:PORT); its CA comes from
//                    NODE_EXTRA_CA_CERTS
//   --region R       signing region (default AWS_REGION, else us-east-1)
//   --provider P, --category C   the action type (owner Custom, version 1)
//   --cycles N, --warmup W       loop.js only

function options(argv) {
  const o = {
    endpoint: null,
    region: process.env.AWS_REGION || 'us-east-1',
    provider: 'EdgeDeploy',
    category: 'Deploy',
    cycles: 200,
    warmup: 1,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    const v = argv[i + 1];
    if (!(k in o) || v === undefined) {
      throw new Error('bad option ' + argv[i]);
    }
    o[k] = (k === 'cycles' || k === 'warmup') ? Number(v) : v;
  }
  if (!o.endpoint) {
    throw new Error('--endpoint is required');
  }
  return o;
}

function actionTypeId(o) {
  return { category: o.category, owner: 'Custom', provider: o.provider, version: '1' };
}

module.exports = { options, actionTypeId };
