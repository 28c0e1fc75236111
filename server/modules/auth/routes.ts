import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../../config.ts';
import { challengeCookieName, cookieOptions, sessionCookieName } from '../../plugins/auth.ts';
import { email, noBody, obj, password, str, token } from '../../shared/schema.ts';
import {
  changePassword,
  listSessions,
  passwordResetInfo,
  requestPasswordReset,
  resetPassword,
  revokeAllSessions,
  revokeSession
} from './account.ts';
import { acceptNotice, activate, activationInfo, setupFirstAdmin, setupInfo } from './activation.ts';
import { confirmMfaEnrolment, disableMfa, regenerateRecoveryCodes, remainingRecoveryCodes, startMfaEnrolment } from './mfa.ts';
import { completeMfa, signIn, signOut } from './signIn.ts';

function setSession(reply: FastifyReply, config: Config, sessionToken: string) {
  reply.setCookie(sessionCookieName(config), sessionToken, cookieOptions(config, config.sessionAbsoluteMs / 1000));
}

export async function authRoutes(app: FastifyInstance, { config }: { config: Config }) {
  const session = sessionCookieName(config);
  const challenge = challengeCookieName(config);

  app.get('/me', { config: { access: 'session' } }, async (request) => {
    const actor = request.actor!;
    return {
      member: {
        id: actor.id,
        name: actor.name,
        email: actor.email,
        role: actor.role,
        status: actor.status,
        taskForceId: actor.taskForceId,
        discipline: actor.discipline,
        onboarding: actor.onboarding,
        mfaEnabled: actor.mfaEnabled,
        recoveryCodesLeft: actor.mfaEnabled ? remainingRecoveryCodes(request.ctx(), actor.id) : 0
      }
    };
  });

  app.post(
    '/auth/sign-in',
    { config: { access: 'public' }, schema: { body: obj({ email: str(1, 254), password }) } },
    async (request, reply) => {
      const body = request.body as { email: string; password: string };
      const result = await signIn(request.ctx(), body);
      if (result.kind === 'mfa') {
        reply.setCookie(challenge, result.challengeToken, cookieOptions(config, 300));
        return { next: 'mfa' };
      }
      setSession(reply, config, result.token);
      return { next: 'home' };
    }
  );

  app.post('/auth/mfa', { config: { access: 'public' }, schema: { body: obj({ code: str(1, 40) }) } }, async (request, reply) => {
    const { code } = request.body as { code: string };
    const result = await completeMfa(request.ctx(), request.cookies[challenge], code);
    reply.clearCookie(challenge, cookieOptions(config));
    setSession(reply, config, result.token);
    return { next: 'home' };
  });

  app.post('/auth/sign-out', { config: { access: 'public' }, schema: { body: noBody } }, async (request, reply) => {
    signOut(request.ctx());
    reply.clearCookie(session, cookieOptions(config));
    return { signedOut: true };
  });

  app.post(
    '/auth/password-reset/request',
    { config: { access: 'public' }, schema: { body: obj({ email: str(1, 254) }) } },
    async (request) => {
      requestPasswordReset(request.ctx(), (request.body as { email: string }).email);
      return { message: 'If that address belongs to a member, a reset link is on its way. It works once, for 1 hour.' };
    }
  );

  app.get('/auth/password-reset', { config: { access: 'public' }, schema: { querystring: obj({ token }) } }, async (request) =>
    passwordResetInfo(request.ctx(), (request.query as { token: string }).token)
  );

  app.post(
    '/auth/password-reset',
    { config: { access: 'public' }, schema: { body: obj({ token, password, code: str(0, 40) }, ['token', 'password']) } },
    async (request) => {
      await resetPassword(request.ctx(), request.body as { token: string; password: string; code?: string });
      return { message: 'Your password was changed. Sign in with the new one.' };
    }
  );

  app.get('/activation', { config: { access: 'public' }, schema: { querystring: obj({ token }) } }, async (request) =>
    activationInfo(request.ctx(), (request.query as { token: string }).token)
  );

  app.post(
    '/activation',
    { config: { access: 'public' }, schema: { body: obj({ token, password }) } },
    async (request, reply) => {
      const result = await activate(request.ctx(), request.body as { token: string; password: string });
      setSession(reply, config, result.token);
      return { next: 'onboarding' };
    }
  );

  app.get('/setup', { config: { access: 'public' }, schema: { querystring: obj({ token }) } }, async (request) =>
    setupInfo(request.ctx(), (request.query as { token: string }).token)
  );

  app.post(
    '/setup',
    { config: { access: 'public' }, schema: { body: obj({ token, name: str(1, 120), email, password }) } },
    async (request, reply) => {
      const result = await setupFirstAdmin(
        request.ctx(),
        request.body as { token: string; name: string; email: string; password: string }
      );
      setSession(reply, config, result.token);
      return { next: 'onboarding' };
    }
  );

  app.post(
    '/onboarding/notice',
    { config: { access: 'session' }, schema: { body: obj({ accept: { const: true } }) } },
    async (request) => {
      acceptNotice(request.ctx());
      return { next: 'home' };
    }
  );

  app.post('/account/mfa/start', { config: { access: 'session' }, schema: { body: obj({ password }, []) } }, async (request) =>
    startMfaEnrolment(request.ctx(), (request.body as { password?: string }).password)
  );

  app.post(
    '/account/mfa/confirm',
    { config: { access: 'session' }, schema: { body: obj({ code: str(1, 20) }) } },
    async (request) => confirmMfaEnrolment(request.ctx(), (request.body as { code: string }).code)
  );

  app.post(
    '/account/mfa/disable',
    { config: { access: 'account.manage' }, schema: { body: obj({ password }) } },
    async (request) => {
      await disableMfa(request.ctx(), (request.body as { password: string }).password);
      return { mfaEnabled: false };
    }
  );

  app.post(
    '/account/mfa/recovery-codes',
    { config: { access: 'account.manage' }, schema: { body: obj({ password }) } },
    async (request) => regenerateRecoveryCodes(request.ctx(), (request.body as { password: string }).password)
  );

  app.post(
    '/account/password',
    { config: { access: 'account.manage' }, schema: { body: obj({ currentPassword: password, newPassword: password }) } },
    async (request, reply) => {
      const result = await changePassword(request.ctx(), request.body as { currentPassword: string; newPassword: string });
      setSession(reply, config, result.token);
      return { message: 'Your password was changed. Every other session was signed out.' };
    }
  );

  app.get('/account/sessions', { config: { access: 'account.manage' } }, async (request) => ({
    sessions: listSessions(request.ctx())
  }));

  app.post(
    '/account/sessions/:id/revoke',
    {
      config: { access: 'account.manage' },
      schema: { params: obj({ id: str(16, 16, { pattern: '^[0-9a-f]{16}$' }) }), body: noBody }
    },
    async (request) => {
      revokeSession(request.ctx(), (request.params as { id: string }).id);
      return { revoked: true };
    }
  );

  app.post(
    '/account/sessions/revoke-all',
    { config: { access: 'account.manage' }, schema: { body: noBody } },
    async (request, reply) => {
      revokeAllSessions(request.ctx());
      reply.clearCookie(session, cookieOptions(config));
      return { revoked: true };
    }
  );
}
