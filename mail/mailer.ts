import nodemailer, { type Transporter } from 'nodemailer';

/** One email as the service sends it. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  /** The outbox row it was sent for, so a receiver can tell a resend from a new email. */
  messageId?: string;
  notificationKey?: string;
}

/** Sends every email the service sends: task emails from the outbox, sign-in and confirmation codes. */
export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
}

/** A mailer over SMTP, with each step of the conversation bounded when `timeoutMs` is given. */
export function smtpMailer(smtpUrl: string, from: string, timeoutMs?: number): Mailer {
  const options = timeoutMs === undefined ? smtpUrl : { url: smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs };
  return transportMailer(nodemailer.createTransport(options), from);
}

export function transportMailer(transport: Transporter, from: string): Mailer {
  return {
    async send({ to, subject, text, messageId, notificationKey }) {
      await transport.sendMail({
        from,
        to,
        subject,
        text,
        ...(messageId ? { messageId } : {}),
        ...(notificationKey ? { headers: { 'X-OPF-Notification-Key': notificationKey } } : {}),
      });
    },
  };
}
