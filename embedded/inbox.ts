import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One email as a person reads it in the local inbox. */
export interface InboxMessage {
  id: string;
  receivedAt: Date;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  messageId?: string;
  /** The outbox key the service sent it under (X-OPF-Notification-Key). */
  notificationKey?: string;
}

/**
 * The local inbox: a real SMTP receiver on loopback that keeps every message it is given as an
 * .eml file, for a person to read in the browser (and for tests to read what was sent).
 */
export class MailInbox {
  private server?: SMTPServer;
  port = 0;

  constructor(readonly dir: string) {}

  async start(port = 0): Promise<number> {
    // The messages hold sign-in codes and decision links: readable by this user only.
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', callback);
        stream.on('end', () => {
          this.store(Buffer.concat(chunks)).then(() => callback(), callback);
        });
      },
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    return this.port;
  }

  get smtpUrl(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async store(raw: Buffer): Promise<void> {
    const id = `${Date.now().toString().padStart(15, '0')}-${randomUUID()}`;
    // Written aside and renamed into place, so nobody reading the inbox meets a message half written.
    const partial = path.join(this.dir, `${id}.partial`);
    await writeFile(partial, raw, { mode: 0o600 });
    await rename(partial, path.join(this.dir, `${id}.eml`));
  }

  /** Every message, oldest first. */
  async list(): Promise<InboxMessage[]> {
    await mkdir(this.dir, { recursive: true });
    const files = (await readdir(this.dir)).filter((file) => file.endsWith('.eml')).sort();
    return Promise.all(files.map((file) => this.read(file.slice(0, -4))));
  }

  async get(id: string): Promise<InboxMessage | undefined> {
    if (!/^[0-9]{15}-[0-9a-f-]{36}$/.test(id)) return undefined;
    try {
      return await this.read(id);
    } catch {
      return undefined;
    }
  }

  private async read(id: string): Promise<InboxMessage> {
    const parsed = await simpleParser(await readFile(path.join(this.dir, `${id}.eml`)));
    const to = [parsed.to ?? []].flat().flatMap((group) => group.value.map((address) => address.address ?? ''));
    return {
      id,
      receivedAt: new Date(Number(id.slice(0, 15))),
      from: parsed.from?.text ?? '',
      to,
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : undefined,
      messageId: parsed.messageId,
      notificationKey: headerText(parsed.headers.get('x-opf-notification-key')),
    };
  }

  /** Resolves with the messages matching `predicate` once there are at least `count` of them. */
  async waitFor(
    predicate: (message: InboxMessage) => boolean,
    options: { count?: number; timeoutMs?: number } = {},
  ): Promise<InboxMessage[]> {
    const count = options.count ?? 1;
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    for (;;) {
      const matching = (await this.list()).filter(predicate);
      if (matching.length >= count) return matching;
      if (Date.now() > deadline) {
        throw new Error(`expected ${count} matching email(s) within the timeout, found ${matching.length}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function headerText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
