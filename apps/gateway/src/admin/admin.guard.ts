import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { CONFIG } from '@huiliu/intake';
import type { AppConfig } from '@huiliu/platform';

/** Accepts the admin token as a bearer token or as the password of basic auth (so a browser can log in). */
export function isAdminRequest(req: { headers: IncomingHttpHeaders }, token: string): boolean {
  const header = req.headers.authorization ?? '';
  let given: string | null = null;
  if (/^bearer /i.test(header)) given = header.slice(7).trim();
  else if (/^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    given = decoded.slice(decoded.indexOf(':') + 1);
  }
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(CONFIG) private readonly config: AppConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (!isAdminRequest(ctx.switchToHttp().getRequest<{ headers: IncomingHttpHeaders }>(), this.config.ADMIN_TOKEN)) {
      throw new UnauthorizedException('admin token required (Authorization: Bearer <ADMIN_TOKEN>)');
    }
    return true;
  }
}
