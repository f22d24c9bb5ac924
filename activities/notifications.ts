import type { Transporter } from 'nodemailer';
import type { Database } from '../prisma/database';

/** What an email says, rendered here so links can carry the deployment's public URL. */
export type NotificationTemplate = { name: 'acknowledgement'; title: string };

/** One email the workflow wants sent; `key` makes it once-only. */
export interface NotificationRequest {
  key: string;
  improvementId: string;
  kind: string;
  to: string;
  template: NotificationTemplate;
}

export interface NotificationDeps {
  db: Database;
  transport: Transporter;
  from: string;
  publicUrl: string;
}

function render(template: NotificationTemplate, improvementId: string, publicUrl: string) {
  const link = `${publicUrl}/api/improvements/${improvementId}`;
  switch (template.name) {
    case 'acknowledgement':
      return {
        subject: `Improvement proposal received: ${template.title}`,
        text:
          `Your process improvement proposal "${template.title}" has been received by the ` +
          `operational resilience process group and is awaiting review.\n\nFollow it here: ${link}\n`,
      };
  }
}

/** The outbox: every email is recorded before it is sent, and each key is sent once. */
export function createNotificationActivities({ db, transport, from, publicUrl }: NotificationDeps) {
  return {
    async sendNotification(request: NotificationRequest): Promise<{ status: 'sent' | 'already-sent' }> {
      const { subject, text } = render(request.template, request.improvementId, publicUrl);
      const notification = await db.notification.upsert({
        where: { notificationKey: request.key },
        create: {
          notificationKey: request.key,
          improvementId: request.improvementId,
          kind: request.kind,
          recipient: request.to,
          subject,
          body: text,
        },
        update: { attempts: { increment: 1 } },
      });
      if (notification.status === 'sent') return { status: 'already-sent' };
      try {
        await transport.sendMail({
          from,
          to: notification.recipient,
          subject: notification.subject,
          text: notification.body,
          messageId: `<${notification.id}@opf-pipeline>`,
          headers: { 'X-OPF-Notification-Key': notification.notificationKey },
        });
      } catch (error) {
        await db.notification.update({
          where: { id: notification.id },
          data: { lastError: error instanceof Error ? error.message : String(error) },
        });
        throw error;
      }
      await db.notification.update({ where: { id: notification.id }, data: { status: 'sent', sentAt: new Date() } });
      return { status: 'sent' };
    },
  };
}
