import net from 'node:net';
import { ConfigError } from './config';

/** A port a setting asks for; 0 means "any free port" and is never in use. */
export interface WantedPort {
  setting: string;
  host: string;
  port: number;
}

/** Whether something already listens on host:port (tried by listening on it briefly). */
function inUse({ host, port }: WantedPort): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(true) : reject(error)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

/**
 * Fails at once, naming the setting, when a port the service will listen on is taken, before
 * any component starts (otherwise the clash surfaces only when the API listens, minutes later).
 */
export async function assertPortsFree(wanted: WantedPort[]): Promise<void> {
  const taken: string[] = [];
  for (const entry of wanted.filter((candidate) => candidate.port !== 0)) {
    if (await inUse(entry)) taken.push(`${entry.setting}: port ${entry.port} on ${entry.host} is already in use; stop what uses it or set ${entry.setting} to a free port`);
  }
  if (taken.length > 0) throw new ConfigError(taken.join('\n'));
}
