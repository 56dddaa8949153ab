import { z } from 'zod';
import { readActivity } from '../engine/db/inspections/review.js';
import { renderChart } from '../renderers/chart.js';
import { connectionStatesSpec } from '../renderers/insight-charts.js';
import { formatDuration } from './format.js';
import { sessionActions } from './guarded-action-buttons.js';
import { addFindings, addSkippedChecks } from './insight-replies.js';
import { ReplyBuilder } from './reply.js';
import { defineTool } from './tool.js';

export const activityTool = defineTool({
  name: 'activity',
  description: 'What the server is doing now: sessions by state, long-running queries, idle-in-transaction sessions, blocking trees, connection usage.',
  examples: ['activity', 'who is blocking whom?', 'show running queries'],
  input: z.object({ limit: z.number().int().min(1).max(200).default(20) }).strict(),
  async run(input, context) {
    const target = await context.target();
    const activity = await readActivity(target, context.signal ? { signal: context.signal } : {});
    const { used, max, byState } = activity.connections;
    const reply = new ReplyBuilder().text(`*Activity* on *${target.description.label}*: ${used} of ${max} connections in use.`);
    if (activity.findings.length > 0) addFindings(reply, activity.findings, { title: 'Problems' });
    const shown = activity.sessions.slice(0, input.limit);
    if (shown.length > 0) {
      reply.table({
        title: 'Sessions (longest first)',
        columns: ['PID', 'User', 'Application', 'State', 'Running for', 'Waiting on', 'Query'],
        numericColumns: [0],
        rows: shown.map((s) => [
          String(s.pid),
          s.user ?? '',
          s.application ?? '',
          s.state ?? 'hidden',
          formatDuration(((s.state === 'active' ? s.querySeconds : s.transactionSeconds) ?? 0) * 1000),
          s.blockedBy.length > 0 ? `pid ${s.blockedBy.join(', ')}` : s.waitEventType ? `${s.waitEventType}: ${s.waitEvent ?? ''}` : '',
          (s.query ?? '').replace(/\s+/g, ' ').slice(0, 100),
        ]),
        ...(activity.sessions.length > shown.length ? { note: `${activity.sessions.length - shown.length} more sessions.` } : {}),
      });
    }
    const actions = sessionActions(activity.sessions);
    if (actions.length > 0) {
      reply.actions(actions).context('Cancel or Terminate asks for approval first: the request card shows what the session is doing and needs an allowed approver.');
    }
    addSkippedChecks(reply, activity.checks);
    const states = Object.entries(byState).map(([state, sessions]) => ({ state, sessions }));
    states.push({ state: 'active', sessions: (byState.active ?? 0) + 1 }); // this session
    const merged = Object.values(Object.fromEntries(states.map((s) => [s.state, s])));
    const png = await renderChart(connectionStatesSpec(merged, max));
    reply.image({ png, title: 'Connections by state', alt: `Bar chart of ${used} client connections by state`, fileName: 'connection-states.png' });
    return { data: activity, reply: reply.build() };
  },
});
