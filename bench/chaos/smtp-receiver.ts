import { MailInbox } from '../../embedded/inbox';

/**
 * The chaos run's SMTP receiver, as its own process so it can be restarted: every message is kept
 * as a file in the directory, so nothing received is lost when the process dies.
 * Usage: node --import tsx bench/chaos/smtp-receiver.ts <dir> <port>
 */
async function main(): Promise<void> {
  const [dir, port] = process.argv.slice(2);
  if (!dir || !port) throw new Error('usage: smtp-receiver.ts <dir> <port>');
  const inbox = new MailInbox(dir);
  await inbox.start(Number(port));
  process.stdout.write(`smtp receiver listening on ${inbox.port}\n`);
  const stop = () => void inbox.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
