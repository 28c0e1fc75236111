import type { IncomingMessage } from 'node:http';

declare global {
  namespace App {
    interface Member {
      id: number;
      name: string;
      email: string;
      role: 'member' | 'coordinator' | 'moderator' | 'editor' | 'admin';
      status: 'pending' | 'active' | 'suspended' | 'expired' | 'disabled';
      taskForceId: number | null;
      discipline: string;
      onboarding: 'mfa' | 'notice' | null;
      mfaEnabled: boolean;
      recoveryCodesLeft: number;
    }
    interface Locals {
      member: Member | null;
    }
    interface Platform {
      req: IncomingMessage & { tfcInject?: (request: Request) => Promise<Response> };
    }
    interface Error {
      message: string;
    }
  }
}

export {};
