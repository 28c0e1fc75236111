import type { EventBus } from '../bus.ts';
import type { Mailer } from '../../mail/mailer.ts';
import type { Config } from '../../config.ts';

const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The mailer is a subscriber of the bus: no route sends mail. */
export function subscribeMail(bus: EventBus, mailer: Mailer, config: Config): void {
  const site = config.siteName;
  const link = (path: string, token: string) => `${config.publicOrigin}${path}?token=${encodeURIComponent(token)}`;
  const footer = `\n\n— ${site}, the community of the ECM anti-human-trafficking task forces.\nIf you did not expect this message, you can ignore it.`;

  bus.on('membership.requested', (e) =>
    mailer.send({
      to: e.email,
      subject: `Confirm your e-mail address for ${site}`,
      text: `Hello ${e.fullName},\n\nPlease confirm this address to send your membership request for review:\n${link('/request-access/confirm', e.confirmToken)}\n\nThe link works once, for 48 hours.${footer}`
    })
  );

  bus.on('membership.submitted', (e) =>
    mailer.send({
      to: e.email,
      subject: `Your ${site} membership request is in review`,
      text: `Hello ${e.fullName},\n\nThank you: your request is now in the review queue. You can see its status at any time here:\n${link('/request-status', e.statusToken)}${footer}`
    })
  );

  bus.on('membership.info_requested', (e) =>
    mailer.send({
      to: e.email,
      subject: `${site}: more information needed for your membership request`,
      text: `Hello ${e.fullName},\n\nA reviewer asks:\n\n${e.message}\n\nPlease answer on your request's status page:\n${link('/request-status', e.statusToken)}${footer}`
    })
  );

  bus.on('membership.decided', (e) =>
    mailer.send(
      e.decision === 'approved'
        ? {
            to: e.email,
            subject: `Welcome to ${site}: activate your account`,
            text: `Hello ${e.fullName},\n\nYour membership request was approved. Activate your account (set a password and, where required, two-step verification):\n${link('/activate', e.activationToken ?? '')}\n\nThe link works once, for 72 hours.${footer}`
          }
        : {
            to: e.email,
            subject: `${site}: your membership request was declined`,
            text: `Hello ${e.fullName},\n\nYour membership request was declined.\n\nReason: ${e.reason ?? ''}\n\nDetails remain at ${link('/request-status', e.statusToken)}${footer}`
          }
    )
  );

  bus.on('member.password_reset_requested', (e) =>
    mailer.send({
      to: e.email,
      subject: `${site}: reset your password`,
      text: `Hello ${e.name},\n\nSomeone (we hope you) asked to reset your password. Choose a new one here:\n${link('/reset-password', e.token)}\n\nThe link works once, for 1 hour. Two-step verification is still required afterwards.${footer}`
    })
  );

  bus.on('member.password_changed', (e) =>
    mailer.send({
      to: e.email,
      subject: `${site}: your password was changed`,
      text: `Hello ${e.name},\n\nYour password was changed and every session was signed out. If this was not you, contact the program office at once.${footer}`
    })
  );

  bus.on('member.access_expiring', async (e) => {
    const text = `Access for ${e.name} to ${site} ends on ${date(e.endsAt)} (in ${e.daysLeft} days), at the end of the task force's grant period. An administrator can extend it.${footer}`;
    await mailer.send({ to: e.email, subject: `${site}: your access ends in ${e.daysLeft} days`, text });
    for (const to of e.coordinatorEmails) {
      await mailer.send({ to, subject: `${site}: access for ${e.name} ends in ${e.daysLeft} days`, text });
    }
  });

  bus.on('member.access_ended', (e) =>
    mailer.send({
      to: e.email,
      subject: `${site}: your access has ended`,
      text:
        e.reason === 'expired'
          ? `Hello ${e.name},\n\nYour access ended with your task force's grant period. Ask your coordinator or the program office if it should continue.${footer}`
          : `Hello ${e.name},\n\nYour account was disabled because it was not used for ${config.inactivityDisableDays} days. Contact the program office to have it re-enabled.${footer}`
    })
  );
}
