import { createSimulator } from './createSimulator.js';
import { optionsFromEnv } from './simulatorOptions.js';

const simulator = createSimulator(optionsFromEnv(process.env));
const { url } = await simulator.start();
console.log(`WeCom archive simulator listening on ${url} (callbacks → ${simulator.options.callbackUrl})`);
await simulator.beginCallbacks();

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    void simulator.stop().then(() => process.exit(0));
  });
}
