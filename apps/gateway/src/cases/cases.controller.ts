import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { CaseDecisionError, CaseService } from '@huiliu/intake';
import { CaseRepository, type CaseEntity, type SubmissionEntity } from '@huiliu/store';
import { AdminGuard } from '../admin/admin.guard';

const Officer = z.object({ by: z.string().trim().min(1).max(100), reason: z.string().max(2000).optional() });
const MoveBody = Officer.extend({ submissionId: z.string().uuid() });
const MergeBody = Officer.extend({ caseId: z.string().uuid() });

/** The admin API's bodies arrive parsed as JSON (http/body-policy). */
function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new BadRequestException({ message: 'invalid case decision', fields: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message })) });
  return parsed.data;
}

async function decided<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CaseDecisionError) {
      if (err.status === 404) throw new NotFoundException(err.message);
      if (err.status === 409) throw new ConflictException(err.message);
      throw new BadRequestException(err.message);
    }
    throw err;
  }
}

/** A member on the case's timeline: how and when it was reported, never who reported it. */
function memberView(s: SubmissionEntity) {
  return {
    submissionId: s.id,
    channel: s.channelType,
    ref: s.ref,
    reportedAt: s.payload.submittedAt ?? s.receivedAt.toISOString(),
    receivedAt: s.receivedAt,
    status: s.status,
    match: s.match,
    repeatPetition: s.repeatPetition,
    score: s.dedup?.score ?? null,
    reasons: s.dedup?.reasons ?? [],
    title: s.payload.title,
    text: s.payload.text,
  };
}

function caseView(c: CaseEntity, members: SubmissionEntity[], reporters: { identified: number; unidentified: number }) {
  return {
    id: c.id,
    number: c.number,
    status: c.status,
    mergedInto: c.mergedInto,
    title: c.title,
    category: c.category,
    division: { code: c.divisionCode, level: c.divisionLevel },
    counts: {
      submissions: c.submissionCount,
      /** Members repeating an earlier member's complainant (重复举报). */
      repeatPetitions: c.repeatCount,
      /** Members from complainants not seen before in this case, anonymous ones included. */
      newReports: c.submissionCount - c.repeatCount,
      suggested: c.suggestedCount,
      identifiedComplainants: reporters.identified,
      anonymousReports: reporters.unidentified,
    },
    channels: c.channelTypes,
    firstReportedAt: c.firstReportedAt,
    lastReportedAt: c.lastReportedAt,
    timeline: members.map(memberView),
  };
}

/** Cases for officers: the incident with its reports, and the hand decisions on who belongs to it. */
@Controller('v1/cases')
@UseGuards(AdminGuard)
export class CasesController {
  constructor(
    @Inject(CaseRepository) private readonly cases: CaseRepository,
    @Inject(CaseService) private readonly service: CaseService,
  ) {}

  @Get(':id')
  async get(@Param('id') id: string) {
    const c = await this.cases.findById(id);
    if (!c) throw new NotFoundException(`no case ${id}`);
    return caseView(c, await this.cases.submissionsOf(c.id), await this.cases.reporterCounts(c.id));
  }

  @Get(':id/events')
  async events(@Param('id') id: string) {
    if (!(await this.cases.findById(id))) throw new NotFoundException(`no case ${id}`);
    return this.cases.events(id);
  }

  /** A suggested (or automatic) member confirmed as a report of this incident. */
  @Post(':id/submissions/:submissionId/confirm')
  @HttpCode(200)
  async confirm(@Param('id') id: string, @Param('submissionId') submissionId: string, @Body() body: unknown) {
    const officer = parse(Officer, body);
    await decided(() => this.service.confirm(id, submissionId, officer));
    return this.get(id);
  }

  /** A member that is another incident: it gets a case of its own. */
  @Post(':id/submissions/:submissionId/split')
  @HttpCode(200)
  async split(@Param('id') id: string, @Param('submissionId') submissionId: string, @Body() body: unknown) {
    const officer = parse(Officer, body);
    const newCaseId = await decided(() => this.service.split(id, submissionId, officer));
    return { case: await this.get(id), newCase: await this.get(newCaseId) };
  }

  /** Moves a submission from wherever it is into this case. */
  @Post(':id/submissions')
  @HttpCode(200)
  async move(@Param('id') id: string, @Body() body: unknown) {
    const b = parse(MoveBody, body);
    await decided(() => this.service.move(b.submissionId, id, b));
    return this.get(id);
  }

  /** Another case is the same incident: its members join this one and it is closed as merged. */
  @Post(':id/merge')
  @HttpCode(200)
  async merge(@Param('id') id: string, @Body() body: unknown) {
    const b = parse(MergeBody, body);
    const { moved } = await decided(() => this.service.merge(id, b.caseId, b));
    return { moved, case: await this.get(id) };
  }
}
