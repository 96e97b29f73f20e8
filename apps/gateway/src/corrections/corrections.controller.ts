import { BadRequestException, Body, Controller, Get, Inject, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { CATEGORIES } from '@huiliu/contracts';
import { isKnownDivisionCode } from '@huiliu/divisions';
import { CorrectionRepository, overlayCorrections, SubmissionRepository, type CorrectedField } from '@huiliu/store';
import { AdminGuard } from '../admin/admin.guard';
import { submissionView } from '../submissions/submission.view';

const CorrectionBody = z
  .object({
    by: z.string().min(1).max(100),
    reason: z.string().max(2000).optional(),
    status: z.enum(['accepted', 'out_of_scope', 'rejected']).optional(),
    category: z.enum(CATEGORIES).nullable().optional(),
    division: z.string().regex(/^\d{6}$/, 'a 6-digit division code').nullable().optional(),
    referral: z.string().max(200).nullable().optional(),
  })
  .refine((b) => b.status !== undefined || b.category !== undefined || b.division !== undefined || b.referral !== undefined, 'name at least one of status, category, division, referral');

/** Routes under /v1/submissions receive the raw body (the intake route stores raw bytes). */
function jsonBody(body: unknown): unknown {
  if (!Buffer.isBuffer(body)) return body ?? {};
  try {
    return body.length ? JSON.parse(body.toString('utf8')) : {};
  } catch {
    throw new BadRequestException({ message: 'invalid correction', fields: [{ field: 'body', message: 'must be a JSON object' }] });
  }
}

function levelOf(code: string): 'province' | 'city' | 'county' {
  return code.endsWith('0000') ? 'province' : code.endsWith('00') ? 'city' : 'county';
}

/** Officers correct a decision; the correction is kept with who and when and survives every re-run. */
@Controller('v1/submissions/:id/corrections')
@UseGuards(AdminGuard)
export class CorrectionsController {
  constructor(
    @Inject(SubmissionRepository) private readonly submissions: SubmissionRepository,
    @Inject(CorrectionRepository) private readonly corrections: CorrectionRepository,
  ) {}

  @Get()
  async list(@Param('id') id: string) {
    const s = await this.submissions.findById(id);
    if (!s) throw new NotFoundException(`no submission ${id}`);
    return (await this.corrections.forSubmissions([id])).get(id) ?? [];
  }

  @Post()
  async correct(@Param('id') id: string, @Body() body: unknown) {
    const s = await this.submissions.findById(id);
    if (!s) throw new NotFoundException(`no submission ${id}`);
    if (s.status === 'pending' || !s.judgement) throw new BadRequestException('the submission is not judged yet');
    const parsed = CorrectionBody.safeParse(jsonBody(body));
    if (!parsed.success) throw new BadRequestException({ message: 'invalid correction', fields: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message })) });
    const b = parsed.data;
    if (b.division && !isKnownDivisionCode(b.division)) throw new BadRequestException({ message: 'invalid correction', fields: [{ field: 'division', message: `${b.division} is not a current division code` }] });
    const changes: { field: CorrectedField; value: unknown; previous: unknown }[] = [];
    if (b.status !== undefined) changes.push({ field: 'status', value: b.status, previous: s.status });
    if (b.category !== undefined) changes.push({ field: 'category', value: b.category, previous: s.category });
    if (b.division !== undefined) changes.push({ field: 'division', value: b.division ? { code: b.division, level: levelOf(b.division) } : { code: null, level: null }, previous: { code: s.divisionCode, level: s.divisionLevel } });
    if (b.referral !== undefined) changes.push({ field: 'referral', value: b.referral, previous: s.referral });
    for (const c of changes) await this.corrections.add({ submissionId: id, ...c, reason: b.reason ?? null, correctedBy: b.by });
    const all = (await this.corrections.forSubmissions([id])).get(id) ?? [];
    await this.submissions.updateJudgement(id, overlayCorrections(s.judgement, all));
    return submissionView((await this.submissions.findById(id))!, { revealIdentity: true });
  }
}
