/**
 * Every tool pgdba has. The command router, the LLM agent and `help` all read this one list.
 */
import { activityTool } from './activity.js';
import { adviseIndexesTool } from './advise-indexes.js';
import { analyzeLogTool } from './analyze-log.js';
import { dismissRecommendationTool } from './dismiss-recommendation.js';
import { listRecommendationsTool } from './list-recommendations.js';
import { suggestRewritesTool } from './suggest-rewrites.js';
import { configReviewTool } from './config-review.js';
import { describeTableTool } from './describe-table.js';
import { explainQueryTool } from './explain-query.js';
import { healthReportTool } from './health-report.js';
import { largestTablesTool } from './largest-tables.js';
import { listIndexesTool } from './list-indexes.js';
import { serverOverviewTool } from './server-overview.js';
import { topStatementsTool } from './top-statements.js';
import type { Tool } from './tool.js';

export type AnyTool = Tool;

// Each tool's input type differs; the registry only needs the common shape.
const allTools = [
  serverOverviewTool,
  largestTablesTool,
  explainQueryTool,
  analyzeLogTool,
  healthReportTool,
  describeTableTool,
  listIndexesTool,
  activityTool,
  topStatementsTool,
  configReviewTool,
  adviseIndexesTool,
  suggestRewritesTool,
  listRecommendationsTool,
  dismissRecommendationTool,
];

export const tools: readonly AnyTool[] = allTools as unknown as AnyTool[];

export function findTool(name: string): AnyTool | undefined {
  return tools.find((tool) => tool.name === name);
}
