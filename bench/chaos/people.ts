import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { type InboxMessage, MailInbox } from '../../embedded/inbox';
import { type StepName, steps } from '../../workflows/improvement/steps';
import { decisionFor } from './organisation';

/** One answer a person got to one request. `dropped`: the connection failed or timed out. */
export interface Answer {
  at: string;
  status: number | 'dropped';
  /** What the person understood. */
  meaning: 'applied' | 'received' | 'already decided' | 'refused' | 'error' | 'page';
}

/** One decision a person set out to make, and every answer they got until they stopped. */
export interface DecisionAttempt {
  taskId: string;
  step: string;
  person: string;
  channel: 'email-link' | 'api';
  outcome: string;
  answers: Answer[];
  /** The last thing they were told: success, "already decided", a refusal, or an error they gave up on. */
  told: 'success' | 'already decided' | 'refused' | 'error';
}

const stepByTitle = new Map(Object.entries(steps).map(([name, spec]) => [spec.title, name as StepName]));

function isServerError(status: number | 'dropped'): boolean {
  return status === 'dropped' || status >= 500 || status === 429;
}

async function request(url: string, init: RequestInit): Promise<{ status: number | 'dropped'; text: string }> {
  try {
    const response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(60_000) });
    return { status: response.status, text: await response.text() };
  } catch {
    return { status: 'dropped', text: '' };
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A person takes a moment to open their mail and another to fill in the form, so faults meet requests in flight. */
const think = () => pause(Math.random() * 2_000);

/** The hidden fields (anti-forgery token and any others) of the page's form for one outcome. */
function formFields(html: string, outcome: string): Record<string, string> | undefined {
  const form = html.split('<form').find((part) => part.includes(`name="outcome" value="${outcome}"`));
  if (!form) return undefined;
  const hidden: Record<string, string> = {};
  for (const [, name, value] of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[name!] = value!;
  return hidden;
}

/**
 * The organisation's people: they read their mail, follow each emailed decision link, and decide
 * by the link's form or by the API with their own token. On a 5xx or a dropped connection they
 * try again a little later, as a person would, until told something definite or the deadline.
 */
export class People {
  readonly attempts: DecisionAttempt[] = [];
  /** Task emails a person could not act on (no link, an unknown step, no recipient). */
  readonly unreadable: string[] = [];
  /** When each decision submission waiting for its answer right now was sent. */
  private readonly submitting = new Set<{ since: number }>();
  private readonly seen = new Set<string>();
  /** Message-IDs already read: a message delivered again shows once in a mailbox, as it does in Gmail or Outlook. */
  private readonly read = new Set<string>();
  private readonly inbox: MailInbox;
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly mailDir: string,
    private readonly apiUrl: string,
    private readonly tokens: Map<string, string>,
    private readonly deadline: number,
  ) {
    this.inbox = new MailInbox(mailDir);
  }

  /** Reads new mail every half second and acts on each task email, until stopped. */
  async run(): Promise<void> {
    while (!this.stopped && Date.now() < this.deadline) {
      for (const message of await this.newMail()) this.act(message);
      await pause(500);
    }
    await Promise.all(this.running);
  }

  stop(): void {
    this.stopped = true;
  }

  private async newMail(): Promise<InboxMessage[]> {
    const ids = (await readdir(this.mailDir).catch(() => [] as string[])).filter((file) => file.endsWith('.eml')).map((file) => file.slice(0, -4));
    const fresh = ids.filter((id) => !this.seen.has(id)).sort();
    const messages: InboxMessage[] = [];
    for (const id of fresh) {
      const message = await this.inbox.get(id);
      if (!message) continue;
      this.seen.add(id);
      if (message.messageId && this.read.has(message.messageId)) continue;
      if (message.messageId) this.read.add(message.messageId);
      messages.push(message);
    }
    return messages;
  }

  private act(message: InboxMessage): void {
    const link = /Decide here: (\S+)/.exec(message.text)?.[1];
    const taskId = /^([0-9a-f-]{36}):task-assigned/.exec(message.notificationKey ?? '')?.[1];
    const title = /^Action needed: (.+) — /.exec(message.subject)?.[1];
    const step = title ? stepByTitle.get(title) : undefined;
    const person = message.to[0];
    if (!taskId) return;
    const decision = step ? decisionFor[step] : undefined;
    if (!link || !step || !person || !decision) {
      this.unreadable.push(`${message.id} "${message.subject}" to ${person ?? 'nobody'}`);
      return;
    }
    // A third of the decisions go through the API, the rest through the emailed link.
    const channel = Number.parseInt(taskId.slice(0, 2), 16) % 3 === 0 && this.tokens.has(person) ? 'api' : 'email-link';
    const attempt: DecisionAttempt = { taskId, step, person, channel, outcome: decision.outcome, answers: [], told: 'error' };
    this.attempts.push(attempt);
    const work = (channel === 'api' ? this.decideByApi(attempt, decision.fields) : this.decideByLink(attempt, link, decision.fields)).finally(() =>
      this.running.delete(work),
    );
    this.running.add(work);
  }

  private note(attempt: DecisionAttempt, status: number | 'dropped', meaning: Answer['meaning']): void {
    attempt.answers.push({ at: new Date().toISOString(), status, meaning });
  }

  /** Retries while the answer is a server error and time remains; returns the last answer. */
  private async retrying(attempt: DecisionAttempt, send: () => Promise<{ status: number | 'dropped'; text: string }>) {
    for (let round = 0; ; round += 1) {
      const answer = await send();
      if (!isServerError(answer.status) || Date.now() > this.deadline) return answer;
      this.note(attempt, answer.status, 'error');
      await pause(Math.min(5_000, 500 * 2 ** round) + Math.random() * 500);
    }
  }

  private async submit(url: string, init: RequestInit): Promise<{ status: number | 'dropped'; text: string }> {
    const entry = { since: Date.now() };
    this.submitting.add(entry);
    try {
      return await request(url, init);
    } finally {
      this.submitting.delete(entry);
    }
  }

  /** How long the oldest submission now waiting has waited (0 when none waits). */
  longestWaitMs(): number {
    const oldest = Math.min(...[...this.submitting].map((entry) => entry.since));
    return Number.isFinite(oldest) ? Date.now() - oldest : 0;
  }

  private async decideByApi(attempt: DecisionAttempt, fields: Record<string, string>): Promise<void> {
    await think();
    await think();
    const idempotencyKey = randomUUID();
    const answer = await this.retrying(attempt, () =>
      this.submit(`${this.apiUrl}/api/tasks/${attempt.taskId}/decision`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.tokens.get(attempt.person)}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify({ outcome: attempt.outcome, fields }),
      }),
    );
    if (answer.status === 200 || answer.status === 202) return this.finish(attempt, answer.status, answer.status === 200 ? 'applied' : 'received');
    if (answer.status === 409 && /already decided|task_closed/.test(answer.text)) return this.finish(attempt, answer.status, 'already decided');
    this.finish(attempt, answer.status, isServerError(answer.status) ? 'error' : 'refused');
  }

  private async decideByLink(attempt: DecisionAttempt, link: string, fields: Record<string, string>): Promise<void> {
    await think();
    const opened = await this.retrying(attempt, () => request(link, { method: 'GET' }));
    if (opened.status !== 200) return this.finishFromPage(attempt, opened);
    this.note(attempt, opened.status, 'page');
    const hidden = formFields(opened.text, attempt.outcome);
    if (!hidden) return this.finish(attempt, opened.status, 'refused');
    const body = new URLSearchParams({ ...hidden, outcome: attempt.outcome, ...fields }).toString();
    await think();
    // A browser retrying a failed submission sends the same form again.
    const submitted = await this.retrying(attempt, () =>
      this.submit(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }),
    );
    this.finishFromPage(attempt, submitted);
  }

  private finishFromPage(attempt: DecisionAttempt, answer: { status: number | 'dropped'; text: string }): void {
    if (answer.status === 200 && /is recorded|was recorded/.test(answer.text)) return this.finish(attempt, answer.status, 'applied');
    if (answer.status === 202) return this.finish(attempt, answer.status, 'received');
    if (answer.status === 410 && /already decided/.test(answer.text)) return this.finish(attempt, answer.status, 'already decided');
    this.finish(attempt, answer.status, isServerError(answer.status) ? 'error' : 'refused');
  }

  private finish(attempt: DecisionAttempt, status: number | 'dropped', meaning: Answer['meaning']): void {
    this.note(attempt, status, meaning);
    attempt.told =
      meaning === 'applied' || meaning === 'received' ? 'success' : meaning === 'already decided' ? 'already decided' : meaning === 'refused' ? 'refused' : 'error';
  }
}
