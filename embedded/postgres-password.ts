import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';

// PostgreSQL wire protocol codes (https://www.postgresql.org/docs/current/protocol-message-formats.html).
const protocolVersion3 = 196_608;
const sslRequestCode = 80_877_103;
const md5Method = 5;

export interface PasswordGateOptions {
  user: string;
  password: string;
  /** Opens a connection to the real server, which trusts whoever reaches it. */
  upstream(): Socket;
}

const md5 = (text: string | Buffer) => createHash('md5').update(text).digest('hex');

function authenticationRequest(salt: Buffer): Buffer {
  const message = Buffer.alloc(13);
  message.write('R', 0);
  message.writeInt32BE(12, 1);
  message.writeInt32BE(md5Method, 5);
  salt.copy(message, 9);
  return message;
}

function fatal(code: string, text: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text}\0\0`);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([header, fields]);
}

function startupUser(startup: Buffer): string | undefined {
  const fields = startup.subarray(8).toString('utf8').split('\0');
  for (let index = 0; index + 1 < fields.length; index += 2) if (fields[index] === 'user') return fields[index + 1];
  return undefined;
}

function passwordMatches(response: string, { user, password }: PasswordGateOptions, salt: Buffer): boolean {
  const expected = Buffer.from(`md5${md5(Buffer.concat([Buffer.from(md5(password + user)), salt]))}`);
  const given = Buffer.from(response);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Reads the client's startup message and asks for its password (MD5 challenge with a fresh salt);
 * only a client that answers it correctly is connected through to the real server.
 */
function authenticate(client: Socket, options: PasswordGateOptions): void {
  const salt = randomBytes(4);
  let buffered = Buffer.alloc(0);
  let startup: Buffer | undefined;
  const refuse = (code: string, text: string) => {
    client.off('data', onData);
    client.end(fatal(code, text));
  };
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (!startup && buffered.length >= 8 && buffered.length >= buffered.readInt32BE(0)) {
      const length = buffered.readInt32BE(0);
      const message = buffered.subarray(0, length);
      buffered = buffered.subarray(length);
      const code = message.readInt32BE(4);
      if (code === sslRequestCode) client.write('N');
      else if (code !== protocolVersion3) return refuse('08P01', 'unsupported protocol request');
      else if (startupUser(message) !== options.user) return refuse('28P01', `password authentication failed for user "${startupUser(message) ?? ''}"`);
      else {
        startup = message;
        client.write(authenticationRequest(salt));
      }
    }
    if (!startup || buffered.length < 5 || buffered.length < 1 + buffered.readInt32BE(1)) return;
    const length = 1 + buffered.readInt32BE(1);
    const [type, response] = [String.fromCharCode(buffered[0]!), buffered.subarray(5, length - 1).toString('utf8')];
    const rest = buffered.subarray(length);
    if (type !== 'p' || !passwordMatches(response, options, salt)) return refuse('28P01', `password authentication failed for user "${options.user}"`);
    client.off('data', onData);
    const server = options.upstream();
    server.write(Buffer.concat([startup, rest]));
    client.pipe(server).pipe(client);
    server.on('error', () => client.destroy());
    client.on('error', () => server.destroy());
  };
  client.on('data', onData);
  client.on('error', () => client.destroy());
}

/** A loopback TCP listener that demands `password` of every client before it reaches the server behind it. */
export async function startPasswordGate(options: PasswordGateOptions): Promise<{ port: number; stop(): Promise<void> }> {
  const clients = new Set<Socket>();
  const server: Server = createServer((client) => {
    clients.add(client);
    client.once('close', () => clients.delete(client));
    authenticate(client, options);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const client of clients) client.destroy();
      }),
  };
}
