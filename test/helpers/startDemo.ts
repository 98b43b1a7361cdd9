import { loadConfig } from '../../src/config/config.js';
import { type Running, startEmbedded } from '../../src/embedded.js';
import { silentLogger } from '../../src/logging/Logger.js';

/**
 * `npm start` with no environment, as a new user runs it — embedded mode, the simulator in-process,
 * state in memory — on port 0, with no background traffic unless `env` asks for it. Resolves once
 * the demo corps are onboarded (startEmbedded waits for that).
 */
export function startDemo(env: Record<string, string> = {}): Promise<Running> {
  return startEmbedded(
    loadConfig({ PORT: '0', SIM_PORT: '0', SIM_MESSAGE_RATE: '0', LOG_LEVEL: 'silent', ...env }),
    silentLogger,
  );
}
